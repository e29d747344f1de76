// The report a person reads: grouped by category, one symbol and one line per check, and under every
// problem the fix and the docs link. Colour only when asked for (a TTY without NO_COLOR).

import type { CheckResult, RunReport, Status } from "../engine/types.js";
import { CATEGORIES, type Category } from "../engine/types.js";

const SYMBOL: Record<Status, string> = { pass: "✓", warn: "!", fail: "✗", skip: "–", error: "✗" };
const COLOR: Record<Status, number> = { pass: 32, warn: 33, fail: 31, skip: 90, error: 35 };

export const CATEGORY_TITLES: Record<Category, string> = {
  dns: "DNS",
  wellknown: "Server well-known",
  tls: "TLS",
  federation: "Federation",
  client: "Client discovery",
  turn: "TURN",
  postgres: "PostgreSQL",
  systemd: "systemd",
  config: "Homeserver config",
};

export interface HumanOptions {
  color: boolean;
  verbose: boolean;
}

function paint(on: boolean, code: number, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line, i) => (i === 0 ? line : `${prefix}${line}`))
    .join("\n");
}

function renderCheck(r: CheckResult, o: HumanOptions): string[] {
  const symbol = paint(o.color, COLOR[r.status], SYMBOL[r.status]);
  const label = r.status === "error" ? `${r.title} (check error)` : r.title;
  const lines = [`  ${symbol} ${paint(o.color, 1, label)}`, `      ${indent(r.summary, "      ")}`];
  if (r.fix) lines.push(`      ${paint(o.color, 36, "Fix:")}  ${indent(r.fix, "            ")}`);
  if ((r.status === "warn" || r.status === "fail" || r.status === "error") && r.docs) {
    lines.push(`      ${paint(o.color, 36, "Docs:")} ${r.docs}`);
  }
  if (o.verbose) {
    lines.push(paint(o.color, 90, `      id: ${r.id} · ${r.durationMs} ms`));
    if (r.details) {
      for (const line of JSON.stringify(r.details, null, 2).split("\n")) lines.push(paint(o.color, 90, `      ${line}`));
    }
  }
  return lines;
}

export function summaryLine(report: RunReport, strict: boolean): { text: string; status: Status } {
  const s = report.summary;
  const parts: string[] = [];
  if (s.fail) parts.push(`${s.fail} failed`);
  if (s.error) parts.push(`${s.error} errored`);
  if (s.warn) parts.push(`${s.warn} ${s.warn === 1 ? "warning" : "warnings"}`);
  parts.push(`${s.pass} passed`);
  if (s.skip) parts.push(`${s.skip} skipped`);
  const seconds = (report.durationMs / 1000).toFixed(1);
  const status: Status = s.fail || s.error ? "fail" : s.warn ? "warn" : "pass";
  const verdict =
    status === "fail"
      ? "problems found"
      : status === "warn"
        ? strict
          ? "warnings fail the run (--strict)"
          : "healthy, with warnings"
        : "healthy";
  return { text: `${parts.join(", ")} (${seconds} s): ${verdict}`, status: status === "warn" && strict ? "fail" : status };
}

export function renderHuman(report: RunReport, options: HumanOptions & { strict: boolean }): string {
  const out: string[] = [`matrix-doctor ${report.tool.version} · ${report.target}`, ""];
  for (const category of CATEGORIES) {
    const checks = report.checks.filter((c) => c.category === category);
    if (checks.length === 0) continue;
    out.push(paint(options.color, 1, CATEGORY_TITLES[category]));
    const reasons = new Set(checks.map((c) => c.summary));
    if (!options.verbose && checks.length > 1 && checks.every((c) => c.status === "skip") && reasons.size === 1) {
      // A whole category without its inputs: one line with the reason, not one per check.
      out.push(`  ${paint(options.color, COLOR.skip, SYMBOL.skip)} ${checks.length} checks skipped: ${checks[0]!.summary}`);
      out.push("");
      continue;
    }
    for (const check of checks) out.push(...renderCheck(check, options));
    out.push("");
  }
  const { text, status } = summaryLine(report, options.strict);
  out.push(`${paint(options.color, COLOR[status], SYMBOL[status])} ${text}`);
  return `${out.join("\n")}\n`;
}
