// A homeserver config parsed as its homeserver parses it (YAML 1.1: Go yaml.v2 for Dendrite, PyYAML for Synapse,
// so `yes`/`no`/`on`/`off` are booleans), with the line of every mapping key for messages.

import { isMap, isScalar, LineCounter, parseDocument, type YAMLMap } from "yaml";
import type { ConfigKey } from "../engine/facts/config.js";

export interface ConfigTree {
  data: Record<string, unknown>;
  keys: ConfigKey[];
  lines: Map<string, number>;
}

export class YamlError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** How deep mapping keys are recorded ("a.b.c.d" is depth 4). */
const MAX_DEPTH = 4;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parse; throws YamlError (with the line) on a syntax error, or when the top level is not a mapping. */
export function parseConfigYaml(text: string): ConfigTree {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: "1.1", merge: true, lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? (first.pos ? lineCounter.linePos(first.pos[0]) : undefined);
    throw new YamlError(first.message.split("\n")[0] ?? "syntax error", pos?.line, pos?.col);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new YamlError(err instanceof Error ? (err.message.split("\n")[0] ?? "cannot be read") : String(err));
  }
  if (data === null || data === undefined) throw new YamlError("the file is empty");
  if (!isRecord(data)) throw new YamlError("its top level is not a YAML mapping");

  const keys: ConfigKey[] = [];
  const lines = new Map<string, number>();
  const walk = (map: YAMLMap, prefix: string, depth: number): void => {
    for (const pair of map.items) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      if (key === "<<") continue;
      const path = prefix === "" ? key : `${prefix}.${key}`;
      const start = isScalar(keyNode) && keyNode.range ? keyNode.range[0] : undefined;
      const line = start !== undefined ? lineCounter.linePos(start).line : undefined;
      keys.push(line !== undefined ? { path, line } : { path });
      if (line !== undefined && !lines.has(path)) lines.set(path, line);
      if (isMap(pair.value) && depth < MAX_DEPTH) walk(pair.value, path, depth + 1);
    }
  };
  if (isMap(doc.contents)) walk(doc.contents, "", 1);
  return { data, keys, lines };
}
