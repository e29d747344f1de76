#!/usr/bin/env python3
"""Minimal, comment-preserving edits of a block-style YAML file (stdlib only).

Used to turn Dendrite's own dendrite-sample.yaml into the rig's config with the
fewest possible changes. Paths are dotted mapping keys ("global.server_name").

  yaml-edit.py IN OUT EDIT...
    set:PATH=VALUE     set a scalar (VALUE is written as given; quote it yourself
                       if needed), creating missing parent keys
    str:PATH=VALUE     same, VALUE written as a double-quoted YAML string
    del:PATH           remove a key and everything nested below it
    block:PATH=FILE    replace the value of PATH by the indented block in FILE
"""
import json
import re
import sys

INDENT = 2


def is_content(line):
    s = line.strip()
    return s != "" and not s.startswith("#")


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def block_end(lines, i):
    """Index after the last line nested below the key on line i."""
    base = indent_of(lines[i])
    j = i + 1
    last = i
    while j < len(lines):
        if is_content(lines[j]):
            if indent_of(lines[j]) <= base and not lines[j].lstrip().startswith("- "):
                break
            if indent_of(lines[j]) < base:
                break
            last = j
        j += 1
    return last + 1


def find(lines, path):
    """Return (line index, indent) of the key at path, or None."""
    start, end, parent = 0, len(lines), -1
    found = None
    for key in path.split("."):
        found = None
        pat = re.compile(r"^" + re.escape(key) + r":(\s|$)")
        child = None
        for i in range(start, end):
            if not is_content(lines[i]):
                continue
            ind = indent_of(lines[i])
            if ind <= parent:
                break
            if child is None:
                child = ind
            if ind == child and pat.match(lines[i].lstrip(" ")):
                found = i
                break
        if found is None:
            return None
        parent = indent_of(lines[found])
        start, end = found + 1, block_end(lines, found)
    return found, parent


def ensure(lines, path):
    """Make sure the mapping key at path exists; return its line index."""
    hit = find(lines, path)
    if hit:
        return hit[0]
    keys = path.split(".")
    key = keys[-1]
    if len(keys) == 1:
        if lines and lines[-1].strip() != "":
            lines.append("")
        lines.append(f"{key}:")
        return len(lines) - 1
    p = ensure(lines, ".".join(keys[:-1]))
    ind = indent_of(lines[p]) + INDENT
    # A parent written as "key: value" (e.g. "key: null") becomes a mapping.
    head = lines[p].split(":", 1)[0]
    lines[p] = f"{head}:"
    pos = p + 1
    lines.insert(pos, " " * ind + f"{key}:")
    return pos


def drop_value(lines, i):
    """Remove whatever is nested below the key on line i (keep the key line)."""
    end = block_end(lines, i)
    # Keep trailing comment/blank lines that belong to the next section.
    while end > i + 1 and not is_content(lines[end - 1]):
        end -= 1
    del lines[i + 1:end]


def set_scalar(lines, path, value):
    i = ensure(lines, path)
    drop_value(lines, i)
    ind = indent_of(lines[i])
    lines[i] = " " * ind + f"{path.split('.')[-1]}: {value}"


def delete(lines, path):
    hit = find(lines, path)
    if not hit:
        return
    i = hit[0]
    end = block_end(lines, i)
    del lines[i:end]


def set_block(lines, path, text):
    i = ensure(lines, path)
    drop_value(lines, i)
    ind = indent_of(lines[i])
    lines[i] = " " * ind + f"{path.split('.')[-1]}:"
    body = [" " * (ind + INDENT) + l if l.strip() else "" for l in text.rstrip("\n").split("\n")]
    lines[i + 1:i + 1] = body


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    src, dst, edits = argv[0], argv[1], argv[2:]
    with open(src, encoding="utf-8") as f:
        lines = f.read().rstrip("\n").split("\n")
    for e in edits:
        op, _, rest = e.partition(":")
        path, _, val = rest.partition("=")
        if op == "set":
            set_scalar(lines, path, val)
        elif op == "str":
            set_scalar(lines, path, json.dumps(val))
        elif op == "del":
            delete(lines, path)
        elif op == "block":
            with open(val, encoding="utf-8") as f:
                set_block(lines, path, f.read())
        else:
            sys.exit(f"yaml-edit: unknown edit {e!r}")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
