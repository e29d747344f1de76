// The fault matrix (test/e2e/faults/scenarios.ts): each scenario breaks the real rig (nginx, knot, PostgreSQL,
// systemd, coturn, the homeserver's config), runs the built matrix-doctor the way that fits (from outside, or on
// the homeserver with --homeserver-config), checks the expected check ids report fail/warn, then restores the rig
// (always, in finally) and probes that it is healthy again. Serial; prints the matrix table at the end.
//
//   npm run build
//   MATRIX_DOCTOR_RIG=<rig.json> MATRIX_DOCTOR_REQUIRE_RIG=1 nsenter --net=/run/netns/<ns> npx vitest run test/e2e/fault-matrix.test.ts

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRig, rig } from "../support/rig-gate.js";
import { runDoctor, type DoctorRun } from "./faults/doctor.js";
import { RigOps, Undo, type Homeserver } from "./faults/rig-ops.js";
import { SCENARIOS, expectationsFor, type Scenario } from "./faults/scenarios.js";

interface Row {
  scenario: string;
  homeserver: Homeserver;
  check: string;
  expected: string;
  observed: string;
  ok: boolean;
  seconds: number;
}

interface HealthyExpectation {
  homeserver: Homeserver;
  allowedWarnings: Record<string, string>;
}

function healthyExpectation(hs: Homeserver): HealthyExpectation {
  return JSON.parse(readFileSync(new URL(`./faults/healthy-${hs}.json`, import.meta.url), "utf8")) as HealthyExpectation;
}

function table(rows: Row[]): string {
  const head = ["scenario", "homeserver", "expected check", "expected", "observed", ""];
  const body = rows.map((r) => [r.scenario, r.homeserver, r.check, r.expected, r.observed, r.ok ? "✓" : "✗"]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

describeRig("fault matrix: real misconfigurations of the rig, diagnosed by matrix-doctor", () => {
  let ops: RigOps;
  let baseline: Record<string, string>;
  const rows: Row[] = [];
  const started = Date.now();

  beforeAll(async () => {
    ops = new RigOps(rig!);
    baseline = ops.snapshot();
    // The matrix starts from a healthy rig (a previous run's leftovers would make every result meaningless).
    await ops.assertHealthy(baseline);
  });

  afterAll(() => {
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const failed = rows.filter((r) => !r.ok).length;
    console.log(
      `\nFault matrix: ${SCENARIOS.length} scenarios, ${new Set(rows.map((r) => `${r.scenario}/${r.homeserver}`)).size} runs, ${rows.length} expectations, ${failed} not met, ${secs} s\n${table(rows)}\n`,
    );
  });

  // MATRIX_DOCTOR_FAULTS=id,id runs only those scenarios (debugging).
  const only = process.env.MATRIX_DOCTOR_FAULTS?.split(",").filter(Boolean);
  const cases: [Scenario, Homeserver][] = SCENARIOS.filter((s) => !only || only.includes(s.id)).flatMap((s) => s.homeservers.map((hs): [Scenario, Homeserver] => [s, hs]));

  it.each(cases.map(([s, hs]) => ({ s, hs, name: `${s.id} × ${hs}` })))("$name", { timeout: 180_000 }, async ({ s, hs }) => {
    const t0 = Date.now();
    const undo = new Undo();
    let doctor: DoctorRun | undefined;
    let injectError: unknown;
    try {
      try {
        await s.inject(ops, hs, undo);
        doctor = await runDoctor(ops, hs, s.run);
      } catch (err) {
        injectError = err;
      }
    } finally {
      await undo.run();
      await ops.assertHealthy(baseline);
    }
    const seconds = (Date.now() - t0) / 1000;
    if (injectError) throw injectError;
    const { checks, run } = doctor!;

    if (s.id === "healthy") {
      const allowed = healthyExpectation(hs).allowedWarnings;
      const failures = Object.values(checks).filter((c) => c.status === "fail" || c.status === "error").map((c) => `${c.id}: ${c.summary}`);
      const warnings = Object.values(checks).filter((c) => c.status === "warn");
      const unexplained = warnings.filter((c) => !(c.id in allowed)).map((c) => `${c.id}: ${c.summary}`);
      const ok = failures.length === 0 && unexplained.length === 0 && run.code === 0;
      rows.push({
        scenario: s.id,
        homeserver: hs,
        check: "(all)",
        expected: `0 fail, warn ⊆ {${Object.keys(allowed).join(", ")}}`,
        observed: `${failures.length} fail, warn {${warnings.map((c) => c.id).join(", ")}}`,
        ok,
        seconds,
      });
      expect(failures).toEqual([]);
      expect(unexplained).toEqual([]);
      expect(run.code).toBe(0);
      return;
    }

    const expected = expectationsFor(s, hs);
    const observed: Record<string, string> = {};
    for (const [id, status] of Object.entries(expected)) {
      const c = checks[id];
      observed[id] = c ? c.status : "(not run)";
      rows.push({ scenario: s.id, homeserver: hs, check: id, expected: status, observed: observed[id]!, ok: observed[id] === status, seconds });
    }
    const detail = Object.values(checks)
      .filter((c) => c.status !== "pass" && c.status !== "skip")
      .map((c) => `${c.id}: ${c.status}: ${c.summary}`)
      .join("\n");
    expect(observed, detail).toEqual(expected);
    // Any failure makes the run exit 1; a warning alone exits 0.
    expect(run.code).toBe(Object.values(checks).some((c) => c.status === "fail" || c.status === "error") ? 1 : 0);
  });
});
