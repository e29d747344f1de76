// The alert rules and the dashboard's PromQL checked by Prometheus's own tool: `promtool check rules`,
// `promtool test rules` (unit tests of every alert), and every panel query parsed as a recording rule.
// promtool ships in Debian's `prometheus` package. Without it these tests skip, unless MATRIX_DOCTOR_REQUIRE_RIG
// is set (CI, npm run test:all): then a missing promtool fails the run.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { ALERTS_PATH, ALERT_TESTS_PATH, dashboardExpressions, variableQueries } from "./dashboard-metrics.js";

const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const found = spawnSync(PROMTOOL, ["--version"], { encoding: "utf8" });
const available = found.status === 0;
const required = Boolean(process.env.MATRIX_DOCTOR_REQUIRE_RIG);
const MISSING = `promtool not found (${PROMTOOL}): install Debian's prometheus package (apt-get install --no-install-recommends prometheus) or set PROMTOOL`;

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

if (!available && !required) {
  console.warn(`test/report/promtool.test.ts skipped: ${MISSING}`);
}

describe("promtool is present when required", () => {
  it.runIf(required)("MATRIX_DOCTOR_REQUIRE_RIG is set, so promtool must be installed", () => {
    expect(available, MISSING).toBe(true);
  });
});

describe.skipIf(!available)(`promtool (${available ? found.stdout.split("\n")[0] : MISSING})`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "matrix-doctor-promtool-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("check rules: dashboards/alerts.yml is valid", () => {
    const r = promtool("check", "rules", ALERTS_PATH);
    expect(r.output).toContain("SUCCESS: 8 rules found");
    expect(r.status, r.output).toBe(0);
  });

  it("test rules: every alert's unit tests in dashboards/alerts.test.yml pass", () => {
    const r = promtool("test", "rules", ALERT_TESTS_PATH);
    expect(r.output).toContain("SUCCESS");
    expect(r.status, r.output).toBe(0);
  });

  it("the unit tests notice a wrong `for`: with every `for` a minute longer they fail, for every alert", () => {
    const rules = readFileSync(ALERTS_PATH, "utf8").replace(/^(\s+for: )(\d+)m$/gm, (_, head: string, m: string) => `${head}${Number(m) + 1}m`);
    writeFileSync(join(tmp, "alerts.yml"), rules);
    copyFileSync(ALERT_TESTS_PATH, join(tmp, "alerts.test.yml"));
    const r = promtool("test", "rules", join(tmp, "alerts.test.yml"));
    expect(r.status, r.output).not.toBe(0);
    for (const alert of [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!)) {
      expect(r.output, `a failure for ${alert}`).toMatch(new RegExp(`alertname: ${alert}\\b`));
    }
  });

  it("every dashboard query (panels and variables) is valid PromQL", () => {
    // Grafana variables → what Grafana substitutes for "All"; each expression → a recording rule promtool parses.
    const substitute = (expr: string) => expr.replace(/\$\{?(job|instance|server)\}?/g, ".+").replace(/\$__\w+/g, "5m");
    const exprs = [
      ...dashboardExpressions(),
      ...variableQueries().map((v) => ({ where: `variable ${v.name}`, expr: v.query.replace(/^label_values\((.*),\s*\w+\)$/s, "$1") })),
    ];
    const file = join(tmp, "dashboard-queries.yml");
    writeFileSync(
      file,
      toYaml({ groups: [{ name: "dashboard", rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: substitute(e.expr) })) }] }),
    );
    const r = promtool("check", "rules", file);
    expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.status, r.output).toBe(0);
  });
});
