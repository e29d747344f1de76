// Every metric the Grafana dashboard and the alert rules query must be one the exporter really emits:
// a misspelt name would show "No data" forever or never fire. Compared with real /probe and /metrics
// output of an exporter whose scheduled run covers every server-side category of the rig.

import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRig, rig } from "../support/rig-gate.js";
import { rigSystemd } from "../rig/systemd.js";
import { metricNamesInDashboards } from "../report/dashboard-metrics.js";
import { get, startInProcess, tempDir, writeConfig, type InProcess } from "./_support.js";

function namesIn(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

describeRig("dashboard and alert metrics against real exporter output", () => {
  let s: InProcess;
  beforeAll(async () => {
    const file = writeConfig(
      tempDir("dash"),
      "matrix-doctor.yaml",
      `targets: [example.test]\nschedule: { cron: "0 0 1 1 *", checks: [turn, postgres, systemd, config], timeout: 30s }\nlocal:\n  homeserver_config: ${rig!.dendrite.configPath}\n`,
    );
    s = await startInProcess(["--config", file], { MATRIX_DOCTOR_SYSTEMCTL: rigSystemd()!.systemctl });
  });
  afterAll(async () => {
    await s?.exporter.close(2_000);
  });

  it("emits every metric name the dashboard and the rules use", async () => {
    await s.exporter.triggerScheduledRun();
    const probe = await get(`${s.url}/probe?target=example.test`);
    const metrics = await get(`${s.url}/metrics`);
    expect(probe.status).toBe(200);
    const emitted = new Set([...namesIn(probe.text), ...namesIn(metrics.text)]);
    const used = metricNamesInDashboards();
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((name) => !emitted.has(name))).toEqual([]);
  });
});
