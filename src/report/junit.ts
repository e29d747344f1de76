// JUnit XML for CI systems (GitLab test reports, Jenkins, GitHub test-reporter actions): one <testsuite> per
// category, one <testcase> per check. The shape and escaping follow vitest's junit reporter, so the same
// tooling that reads a vitest report reads ours.
//
//   fail  → <failure message type="fail">  summary, Fix, Docs in the body
//   error → <error message type="error">    the check crashed (a matrix-doctor bug); it still fails the gate
//   skip  → <skipped message/>
//   warn  → passes, with the finding in <system-out> (with `strict`, a <failure type="warn">, like the exit code)
//   pass  → a bare <testcase/>

import { hostname as osHostname } from "node:os";
import { stripVTControlCharacters } from "node:util";
import type { CheckResult, RunReport } from "../engine/types.js";
import { CATEGORIES } from "../engine/types.js";

export interface JunitOptions {
  /** Warnings fail the run (--strict): report them as <failure type="warn"> so the XML agrees with the exit code. */
  strict?: boolean;
  /** The <testsuite hostname>: the machine that ran the checks (default: os.hostname()). */
  hostname?: string;
}

// Characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, unpaired surrogates) and the ones it
// discourages (C1 controls but NEL). A parser rejects the former, so they must go rather than be escaped.
const INVALID_XML =
  /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes terminal escape sequences and the characters XML cannot carry. */
export function stripInvalidXml(value: string): string {
  return stripVTControlCharacters(value).replace(INVALID_XML, "");
}

/**
 * Escapes text content: & " ' < > (vitest's escapeXML), after dropping what XML cannot carry. CR is written as
 * a character reference, since a parser turns a literal CR LF into LF.
 */
export function escapeXml(value: string): string {
  return stripInvalidXml(value)
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;");
}

/** Attribute values also keep their line breaks and tabs: a parser would normalise literal ones to spaces. */
function escapeAttr(value: string): string {
  return escapeXml(value).replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
}

function attrs(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join("");
}

/** Milliseconds → seconds as JUnit wants them: no grouping, no exponent, at most millisecond precision. */
function seconds(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0";
  return (ms / 1000).toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 3 });
}

/** The text of a finding: summary, then the fix and the docs link when there are any. */
function findingBody(r: CheckResult): string {
  const lines = [r.summary];
  if (r.fix) lines.push(`Fix: ${r.fix}`);
  if (r.docs) lines.push(`Docs: ${r.docs}`);
  return lines.join("\n");
}

function testcase(r: CheckResult, strict: boolean): string[] {
  const head = `    <testcase${attrs({
    classname: `matrix-doctor.${r.category}`,
    name: `${r.id}: ${r.title}`,
    time: seconds(r.durationMs),
  })}`;
  const body = (tag: string, type: string): string[] => [
    `      <${tag}${attrs({ message: r.summary, type })}>${escapeXml(findingBody(r))}</${tag}>`,
  ];
  let inner: string[];
  switch (r.status) {
    case "pass":
      return [`${head}/>`];
    case "fail":
      inner = body("failure", "fail");
      break;
    case "error":
      inner = body("error", "error");
      break;
    case "skip":
      inner = [`      <skipped${attrs({ message: r.summary })}/>`];
      break;
    case "warn":
      inner = strict
        ? body("failure", "warn")
        : [`      <system-out>${escapeXml(`warning: ${findingBody(r)}`)}</system-out>`];
      break;
  }
  return [`${head}>`, ...inner, "    </testcase>"];
}

export function renderJunit(report: RunReport, options: JunitOptions = {}): string {
  const strict = options.strict ?? false;
  const host = options.hostname ?? osHostname();
  // Categories in their contract order; anything unexpected (a plugin's) after them, in report order.
  const order = [...(CATEGORIES as readonly string[])];
  for (const c of report.checks) if (!order.includes(c.category)) order.push(c.category);

  const suites: string[] = [];
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const category of order) {
    const checks = report.checks.filter((c) => c.category === category);
    if (checks.length === 0) continue;
    const count = {
      tests: checks.length,
      failures: checks.filter((c) => c.status === "fail" || (strict && c.status === "warn")).length,
      errors: checks.filter((c) => c.status === "error").length,
      skipped: checks.filter((c) => c.status === "skip").length,
    };
    total.tests += count.tests;
    total.failures += count.failures;
    total.errors += count.errors;
    total.skipped += count.skipped;
    suites.push(
      `  <testsuite${attrs({
        name: category,
        tests: count.tests,
        failures: count.failures,
        errors: count.errors,
        skipped: count.skipped,
        // Checks run concurrently: the sum of their durations, as vitest sums a file's tests.
        time: seconds(checks.reduce((sum, c) => sum + c.durationMs, 0)),
        timestamp: report.startedAt,
        hostname: host,
      })}>`,
      ...checks.flatMap((c) => testcase(c, strict)),
      "  </testsuite>",
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: `matrix-doctor ${report.target}`,
      tests: total.tests,
      failures: total.failures,
      errors: total.errors,
      skipped: total.skipped,
      time: seconds(report.durationMs),
      timestamp: report.startedAt,
    })}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
