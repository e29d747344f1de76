// Static checks of the Grafana dashboard and the alert rules: provisionable as is, every panel on the
// datasource variable and with a unit, only metric names the exporter emits, every alert unit-tested.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  ALERT_TESTS_PATH,
  DASHBOARD_PATH,
  allPanels,
  dashboardExpressions,
  loadDashboard,
  loadRules,
  metricNamesIn,
  metricNamesInDashboards,
  ruleExpressions,
  variableQueries,
} from "./dashboard-metrics.js";

// The names design.md promises (and the exporter's metric builder emits). Nothing else may be queried.
const EXPORTED = new Set([
  "matrix_doctor_probe_success",
  "matrix_doctor_probe_duration_seconds",
  "matrix_doctor_probe_timeout_seconds",
  "matrix_doctor_check_result",
  "matrix_doctor_check_duration_seconds",
  "matrix_doctor_tls_cert_not_after_timestamp_seconds",
  "matrix_doctor_federation_signing_key_valid_until_timestamp_seconds",
  "matrix_doctor_server_version_info",
  "matrix_doctor_federation_delegation_info",
  "matrix_doctor_turn_allocate_duration_seconds",
  "matrix_doctor_build_info",
  "matrix_doctor_config_last_reload_successful",
  "matrix_doctor_last_run_timestamp_seconds",
]);

// Unit ids from Grafana's packages/grafana-data/src/valueFormats/categories.ts that this dashboard may use.
const GRAFANA_UNITS = new Set(["none", "short", "string", "s", "ms", "d", "dtdurations", "bool", "bool_yes_no", "percentunit", "dateTimeFromNow"]);
const DS = { type: "prometheus", uid: "${datasource}" };

describe("dashboards/matrix-doctor.json", () => {
  const raw = readFileSync(DASHBOARD_PATH, "utf8");
  const dashboard = loadDashboard();
  const vars = dashboard.templating.list;

  it("provisions as is: no __inputs or ${DS_…} placeholders, id null, a fixed uid, tagged matrix", () => {
    expect(dashboard).not.toHaveProperty("__inputs");
    expect(dashboard).not.toHaveProperty("__requires");
    expect(raw).not.toMatch(/\$\{DS_/);
    expect(dashboard.id).toBeNull();
    expect(dashboard.uid).toBe("matrix-doctor");
    expect(dashboard.tags).toEqual(["matrix"]);
    expect(typeof dashboard.title).toBe("string");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  it("has a datasource variable named datasource (query prometheus, label Data source)", () => {
    const ds = vars.find((v) => v.name === "datasource");
    expect(ds).toMatchObject({ type: "datasource", query: "prometheus", label: "Data source" });
    expect(vars[0]).toBe(ds); // the others query through it, so it comes first
  });

  it("has job and instance variables from matrix_doctor_probe_success, on the datasource variable", () => {
    const byName = Object.fromEntries(vars.map((v) => [v.name, v]));
    expect(byName.job).toMatchObject({ type: "query", datasource: DS, includeAll: true, multi: true });
    expect(byName.instance).toMatchObject({ type: "query", datasource: DS, includeAll: true, multi: true });
    const queries = Object.fromEntries(variableQueries().map((q) => [q.name, q.query]));
    expect(queries.job).toBe("label_values(matrix_doctor_probe_success, job)");
    expect(queries.instance).toBe('label_values(matrix_doctor_probe_success{job=~"$job"}, instance)');
    for (const v of vars.filter((x) => x.type === "query")) expect(v.datasource).toEqual(DS);
  });

  it("puts every panel and every target on ${datasource}", () => {
    const panels = allPanels();
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const p of panels) {
      expect(p.datasource, `panel ${p.title}`).toEqual(DS);
      expect(p.targets?.length, `panel ${p.title} has targets`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource, `target of ${p.title}`).toEqual(DS);
    }
  });

  it("gives every panel a unit Grafana knows", () => {
    for (const p of allPanels()) {
      const unit = p.fieldConfig?.defaults?.unit;
      expect(unit, `panel ${p.title}`).toBeTypeOf("string");
      expect(GRAFANA_UNITS.has(unit!), `panel ${p.title}: unit ${unit}`).toBe(true);
    }
  });

  it("has unique panel ids and a layout without overlaps inside 24 columns", () => {
    const panels = allPanels();
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const [i, a] of panels.entries()) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of panels.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });

  it("has the panels the design asks for, on the right queries and units", () => {
    const byTitle = Object.fromEntries(allPanels().map((p) => [p.title, p]));
    const exprs = (title: string) => (byTitle[title]?.targets ?? []).map((t) => t.expr ?? "").join("\n");
    const unit = (title: string) => byTitle[title]?.fieldConfig?.defaults?.unit;
    expect(exprs("Overall status")).toMatch(/^matrix_doctor_probe_success\{/);
    expect(exprs("Check status")).toMatch(/^matrix_doctor_check_result\{.*\} == 1$/);
    expect(exprs("TLS certificate expiry")).toMatch(/^\(matrix_doctor_tls_cert_not_after_timestamp_seconds\{.*\} - time\(\)\) \/ 86400$/);
    expect(unit("TLS certificate expiry")).toBe("d");
    expect(exprs("Signing key validity")).toContain("matrix_doctor_federation_signing_key_valid_until_timestamp_seconds");
    expect(exprs("Probe duration")).toContain("matrix_doctor_probe_duration_seconds");
    expect(unit("Probe duration")).toBe("s");
    expect(exprs("TURN allocate latency")).toContain("matrix_doctor_turn_allocate_duration_seconds");
    expect(unit("TURN allocate latency")).toBe("s");
    expect(exprs("systemd unit state")).toContain('check=~"systemd-.*"');
    expect(exprs("Homeserver crash loop")).toContain('check="systemd-crash-loop", result="fail"');

    // The check table colours each result.
    const overrides = JSON.stringify(byTitle["Check status"]?.fieldConfig?.overrides);
    for (const [result, colour] of Object.entries({ pass: "green", warn: "yellow", fail: "red", skip: "text", error: "purple" })) {
      expect(overrides).toContain(`"${result}":{"text":"${result}","color":"${colour}"`);
    }
  });

  it("queries only metrics the exporter emits, and all of them but none invented", () => {
    const names = metricNamesInDashboards();
    expect(names.filter((n) => !EXPORTED.has(n))).toEqual([]);
    expect(names).toEqual([...EXPORTED].sort()); // every promised metric has a panel or an alert
  });

  it("extracts metric names from PromQL, not functions, keywords, labels or variables", () => {
    expect(
      metricNamesIn(
        'max by (instance, check) (rate(foo_total{job=~"$job", x="a{b}"}[5m]) or on (instance) bar) * 2 + ${x} - time() / count(baz offset 5m) - 1e+3-qux',
      ).sort(),
    ).toEqual(["bar", "baz", "foo_total", "qux"]);
    expect(dashboardExpressions().length).toBeGreaterThan(10);
  });
});

describe("dashboards/alerts.yml", () => {
  const rules = loadRules();
  const alertNames = rules.map((r) => r.alert);

  it("has the matrix-doctor group with the agreed alerts", () => {
    expect(alertNames).toEqual([
      "MatrixDoctorProbeFailing",
      "MatrixDoctorCheckFailing",
      "MatrixDoctorCertificateExpiringSoon",
      "MatrixDoctorSigningKeyExpiring",
      "MatrixDoctorTurnAllocationFailing",
      "MatrixDoctorHomeserverUnitDown",
      "MatrixDoctorHomeserverCrashLooping",
      "MatrixDoctorDatabaseOverConnectionBudget",
    ]);
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(byName.MatrixDoctorProbeFailing).toMatchObject({ expr: "matrix_doctor_probe_success == 0", for: "5m" });
    expect(byName.MatrixDoctorCheckFailing!.for).toBe("15m");
    expect(byName.MatrixDoctorSigningKeyExpiring!.for).toBe("30m");
    expect(byName.MatrixDoctorTurnAllocationFailing!.for).toBe("10m");
    expect(byName.MatrixDoctorHomeserverUnitDown!.for).toBe("2m");
  });

  it("gives every alert a severity, and a summary, description and runbook_url naming the instance", () => {
    for (const r of rules) {
      expect(["warning", "critical"], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toContain("{{ $labels.instance }}");
      expect(r.annotations?.description, r.alert).toContain("{{ $labels.instance }}");
      expect(r.annotations?.runbook_url, r.alert).toMatch(/^https:\/\/.+#checks$/);
      if (r.expr.includes("matrix_doctor_check_result")) {
        expect(`${r.annotations?.summary} ${r.annotations?.description}`, r.alert).toMatch(/\{\{ \$labels\.check \}\}|check [a-z-]+/);
      }
    }
  });

  it("keeps the check-specific alerts out of the generic check alert (one page per problem)", () => {
    const generic = rules.find((r) => r.alert === "MatrixDoctorCheckFailing")!.expr;
    for (const r of rules.filter((x) => x.alert !== "MatrixDoctorCheckFailing")) {
      const check = /check="([^"]+)"/.exec(r.expr)?.[1];
      if (check) expect(generic, r.alert).toContain(check);
    }
    expect(ruleExpressions()).toHaveLength(rules.length);
  });

  it("has a promtool test for every alert, both before its `for` (not firing) and after (firing)", () => {
    const doc = parseYaml(readFileSync(ALERT_TESTS_PATH, "utf8")) as {
      rule_files: string[];
      tests: { alert_rule_test?: { alertname: string; eval_time: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[] }[];
    };
    expect(doc.rule_files).toEqual(["alerts.yml"]);
    const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of alertNames) {
      const mine = cases.filter((c) => c.alertname === name);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${name}: a not-yet-firing case`).toBe(true);
      const firing = mine.flatMap((c) => c.exp_alerts ?? []);
      expect(firing.length, `${name}: a firing case`).toBeGreaterThan(0);
      for (const a of firing) {
        expect(a.exp_labels.instance, name).toBeTruthy();
        expect(Object.keys(a.exp_annotations).sort(), name).toEqual(["description", "runbook_url", "summary"]);
      }
    }
  });
});
