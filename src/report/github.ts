// GitHub Actions output: workflow commands that become annotations on the run, and a Markdown summary for
// $GITHUB_STEP_SUMMARY. The commands are escaped as vitest's github-actions reporter (and @actions/core)
// does, so no finding — a server's answer is attacker-controlled text — can end a command early or start
// another one.
//
//   fail, error → ::error title=…::…      warn → ::warning title=…::…   (with strict, warnings are ::error)
//   pass, skip  → nothing
//
// Annotations carry no file/line: they are about a server, not about the repository's code.

import { stripVTControlCharacters } from "node:util";
import type { CheckResult, RunReport, Status } from "../engine/types.js";

export interface GithubOutput {
  /** Workflow commands, one per line (empty when nothing needs attention). Print to stdout. */
  annotations: string;
  /** GitHub-flavoured Markdown. Append to the file named by $GITHUB_STEP_SUMMARY. */
  summaryMarkdown: string;
}

/** Command data: % CR LF (actions/toolkit `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Command properties: as data, and also : and , which separate properties (`escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

// Control characters other than tab/LF/CR, non-characters and unpaired surrogates say nothing to a reader and
// only confuse terminals and renderers.
const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clean(s: string): string {
  return stripVTControlCharacters(s).replace(CONTROL, "");
}

function command(name: "error" | "warning", properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(clean(v))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(clean(message))}`;
}

function message(r: CheckResult): string {
  const lines = [r.summary];
  if (r.fix) lines.push(`Fix: ${r.fix}`);
  if (r.docs) lines.push(`Docs: ${r.docs}`);
  return lines.join("\n");
}

function annotation(r: CheckResult, strict: boolean): string | undefined {
  switch (r.status) {
    case "fail":
      return command("error", { title: `${r.title} (${r.id})` }, message(r));
    case "error":
      return command("error", { title: `${r.title} (${r.id}): check error` }, message(r));
    case "warn":
      return strict
        ? command("error", { title: `${r.title} (${r.id}): warning, fails with --strict` }, message(r))
        : command("warning", { title: `${r.title} (${r.id})` }, message(r));
    default:
      return undefined;
  }
}

// ---- Markdown ------------------------------------------------------------------------------------------

/**
 * Text for a table cell (or any inline Markdown): HTML and Markdown syntax shown literally, `|` escaped so it
 * cannot open a column, line breaks as <br>.
 */
export function markdownCell(s: string): string {
  return clean(s)
    .replace(/\r\n?/g, "\n")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]~|]/g, (c) => `\\${c}`)
    .trim()
    .replace(/\s*\n\s*/g, "<br>");
}

/** A code span (a config line, an id): delimited by more backticks than it contains; in a table `|` is still escaped (GFM). */
function codeSpan(s: string, inTable = true): string {
  const text = clean(s).replace(/[\r\n]+/g, " ");
  if (text.trim() === "") return "";
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ")) ? " " : "";
  return `${fence}${pad}${inTable ? text.replace(/\|/g, "\\|") : text}${pad}${fence}`;
}

/** A docs link, only for http(s) URLs, with the characters that could end the link destination encoded. */
function docsLink(docs: string | undefined): string {
  if (!docs) return "";
  let url: URL;
  try {
    url = new URL(clean(docs).trim());
  } catch {
    return markdownCell(docs);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return markdownCell(docs);
  const href = url.href.replace(/[()|<>\s`"'\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  return `[docs](${href})`;
}

function firstLine(fix: string | undefined): string {
  if (!fix) return "";
  const lines = clean(fix)
    .split(/\r\n?|\n/)
    .filter((line) => line.trim() !== "");
  if (lines.length === 0) return "";
  return codeSpan(lines[0]!.trim()) + (lines.length > 1 ? " …" : "");
}

const BADGE: Record<Status, string> = {
  pass: "✅ pass",
  warn: "⚠️ warn",
  fail: "❌ fail",
  skip: "⏭️ skip",
  error: "💥 error",
};
const SEVERITY: Record<Status, number> = { error: 0, fail: 1, warn: 2, skip: 3, pass: 4 };

function verdict(report: RunReport, strict: boolean): { icon: string; text: string } {
  const s = report.summary;
  if (s.fail > 0 || s.error > 0) return { icon: "❌", text: "problems found" };
  if (s.warn > 0) return strict ? { icon: "❌", text: "warnings fail the run (--strict)" } : { icon: "⚠️", text: "healthy, with warnings" };
  return { icon: "✅", text: "healthy" };
}

function renderSummary(report: RunReport, strict: boolean): string {
  const v = verdict(report, strict);
  const s = report.summary;
  const out: string[] = [
    `## ${v.icon} matrix-doctor: ${markdownCell(report.target)}: ${v.text}`,
    "",
    `${report.checks.length} checks in ${(report.durationMs / 1000).toFixed(1)} s · matrix-doctor ${markdownCell(report.tool.version)} · started ${markdownCell(report.startedAt)}`,
    "",
    "| ✅ pass | ⚠️ warn | ❌ fail | 💥 error | ⏭️ skip |",
    "|---:|---:|---:|---:|---:|",
    `| ${s.pass} | ${s.warn} | ${s.fail} | ${s.error} | ${s.skip} |`,
    "",
  ];
  const problems = report.checks
    .map((check, index) => ({ check, index }))
    .filter(({ check }) => check.status === "warn" || check.status === "fail" || check.status === "error")
    .sort((a, b) => SEVERITY[a.check.status] - SEVERITY[b.check.status] || a.index - b.index)
    .map(({ check }) => check);
  if (problems.length === 0) {
    out.push(`All ${report.checks.length - s.skip} checks that ran passed.`, "");
  } else {
    out.push("| status | check | finding | fix | docs |", "|---|---|---|---|---|");
    for (const r of problems) {
      const status = r.status === "warn" && strict ? "❌ warn (--strict)" : BADGE[r.status];
      out.push(`| ${status} | ${codeSpan(r.id)} | ${markdownCell(r.summary)} | ${firstLine(r.fix)} | ${docsLink(r.docs)} |`);
    }
    out.push("");
  }
  const skipped = report.checks.filter((c) => c.status === "skip");
  if (skipped.length > 0) {
    out.push(`<details><summary>${skipped.length} skipped</summary>`, "");
    for (const r of skipped) out.push(`- ${codeSpan(r.id, false)}: ${markdownCell(r.summary)}`);
    out.push("", "</details>", "");
  }
  return out.join("\n");
}

export function renderGithub(report: RunReport, strict: boolean): GithubOutput {
  const lines = report.checks.map((r) => annotation(r, strict)).filter((l): l is string => l !== undefined);
  return {
    annotations: lines.length ? `${lines.join("\n")}\n` : "",
    summaryMarkdown: renderSummary(report, strict),
  };
}
