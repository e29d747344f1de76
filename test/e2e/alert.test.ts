// Alerting end to end: the exporter (`matrix-doctor serve`, a child process) runs the server-side postgres checks of
// the rig's Dendrite every 2 s; a real Prometheus (Debian's) scrapes its /metrics with the rules of
// dashboards/alerts.yml loaded (a temp copy whose `for:` durations are cut to 3 s, evaluation every 1 s). PostgreSQL
// is stopped for real → MatrixDoctorCheckFailing{check="postgres-connect"} fires; PostgreSQL is started again → the
// alert resolves. The API answers are logged. Bounded waits; Prometheus and the exporter are stopped by PID and the
// fault is undone in finally.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRig, rig } from "../support/rig-gate.js";
import { CLI, get, startChild, stopChild, tempDir, waitFor, writeConfig, type Child } from "../exporter/_support.js";
import { RigOps, Undo } from "./faults/rig-ops.js";

const PROMETHEUS = "/usr/bin/prometheus";
const PROM_ADDRESS = "127.0.0.1:9093";
const ALERTS = fileURLToPath(new URL("../../dashboards/alerts.yml", import.meta.url));

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

async function alerts(): Promise<Alert[]> {
  const r = await get(`http://${PROM_ADDRESS}/api/v1/alerts`);
  const body = JSON.parse(r.text) as { status: string; data: { alerts: Alert[] } };
  if (body.status !== "success") throw new Error(r.text);
  return body.data.alerts;
}

const isPgAlert = (a: Alert): boolean => a.labels["alertname"] === "MatrixDoctorCheckFailing" && a.labels["check"] === "postgres-connect";

(existsSync(PROMETHEUS) ? describeRig : describeRig.skip)("alerts.yml in a real Prometheus fire on a real fault and resolve", () => {
  let ops: RigOps;
  let baseline: Record<string, string>;
  let exporter: Child | undefined;
  let prom: ChildProcess | undefined;
  let promLog = "";

  beforeAll(async () => {
    ops = new RigOps(rig!);
    baseline = ops.snapshot();
    await ops.assertHealthy(baseline);
    const dir = tempDir("alert");
    const config = writeConfig(
      dir,
      "matrix-doctor.yaml",
      `targets: [example.test]\nschedule: { cron: "*/2 * * * * *", checks: [postgres], timeout: 5s }\nlocal:\n  homeserver_config: ${rig!.dendrite.configPath}\n`,
    );
    exporter = await startChild(["serve", "--config", config, "--listen", "127.0.0.1:0"], {
      bin: [CLI],
      env: { MATRIX_DOCTOR_POSTGRES: "", MATRIX_DOCTOR_SYSTEMCTL: ops.systemd.systemctl },
    });
    // The rules as shipped, only the `for:` durations shortened so the test runs in seconds.
    const rules = readFileSync(ALERTS, "utf8").replace(/^(\s+for:\s*)\d+[smh]\s*$/gm, "$13s");
    expect(rules).not.toMatch(/for:\s*\d+m/);
    writeFileSync(join(dir, "alerts.yml"), rules);
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ["${join(dir, "alerts.yml")}"]
scrape_configs:
  - job_name: matrix_doctor_exporter
    static_configs: [{ targets: ["${new URL(exporter.url).host}"] }]
`,
    );
    prom = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=${PROM_ADDRESS}`, "--log.level=warn"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prom.stderr!.on("data", (d: Buffer) => (promLog += d.toString()));
    await waitFor("Prometheus to be ready", async () => ((await get(`http://${PROM_ADDRESS}/-/ready`)).status === 200 ? true : undefined), 30_000);
    const loaded = JSON.parse((await get(`http://${PROM_ADDRESS}/api/v1/rules`)).text) as { data: { groups: { rules: { name: string }[] }[] } };
    expect(loaded.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toContain("MatrixDoctorCheckFailing");
  }, 60_000);

  afterAll(async () => {
    if (prom?.pid !== undefined && prom.exitCode === null && prom.signalCode === null) {
      const exited = new Promise((resolve) => prom!.once("exit", resolve));
      process.kill(prom.pid, "SIGTERM");
      const timer = setTimeout(() => prom?.pid !== undefined && prom.exitCode === null && process.kill(prom.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (exporter) await stopChild(exporter);
  });

  it("PostgreSQL down → MatrixDoctorCheckFailing{check=postgres-connect} firing; PostgreSQL back → resolved", { timeout: 120_000 }, async () => {
    // Healthy first: the exporter's scheduled result is in, and nothing about postgres-connect is pending or firing.
    await waitFor(
      "a scheduled postgres-connect pass in Prometheus",
      async () => {
        const r = await get(`http://${PROM_ADDRESS}/api/v1/query?query=${encodeURIComponent('matrix_doctor_check_result{check="postgres-connect",result="pass"} == 1')}`);
        return (JSON.parse(r.text) as { data: { result: unknown[] } }).data.result.length > 0 ? true : undefined;
      },
      30_000,
      500,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nexporter: ${exporter?.stderr()}\nPrometheus: ${promLog}`);
    });
    const before = await alerts();
    console.log(`alerts before the fault: ${JSON.stringify(before)}`);
    expect(before.filter(isPgAlert)).toEqual([]);

    const undo = new Undo();
    try {
      await ops.stopPostgres(undo);
      const firing = await waitFor(
        "MatrixDoctorCheckFailing{check=postgres-connect} to fire",
        async () => {
          const a = await alerts();
          return a.some((x) => isPgAlert(x) && x.state === "firing") ? a : undefined;
        },
        45_000,
        500,
      );
      console.log(`/api/v1/alerts with PostgreSQL down: ${JSON.stringify(firing.filter(isPgAlert), null, 1)}`);
      const alert = firing.find(isPgAlert)!;
      expect(alert.labels).toMatchObject({ severity: "warning", result: "fail", category: "postgres" });
      expect(alert.annotations["summary"]).toMatch(/^Check postgres-connect is fail on /);
    } finally {
      await undo.run();
    }

    const resolved = await waitFor(
      "the postgres-connect alert to resolve",
      async () => {
        const a = await alerts();
        return a.some(isPgAlert) ? undefined : a;
      },
      45_000,
      500,
    );
    console.log(`/api/v1/alerts after PostgreSQL is back: ${JSON.stringify(resolved)}`);
    await ops.assertHealthy(baseline);
  });
});
