// A real Prometheus (Debian's) scrapes the exporter with the documented multi-target relabelling: the
// probe results must arrive under instance="example.test", and the exporter's own job must be up.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRig, rig } from "../support/rig-gate.js";
import { get, startInProcess, tempDir, waitFor, type InProcess } from "./_support.js";

const PROMETHEUS = "/usr/bin/prometheus";
const PROM_ADDRESS = "127.0.0.1:9090";

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expr: string): Promise<Vector[]> {
  const r = await get(`http://${PROM_ADDRESS}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = JSON.parse(r.text) as { status: string; data: { result: Vector[] } };
  if (body.status !== "success") throw new Error(r.text);
  return body.data.result;
}

(existsSync(PROMETHEUS) ? describeRig : describeRig.skip)("a real Prometheus scraping the exporter", () => {
  let s: InProcess;
  let prom: ChildProcess | undefined;
  let promLog = "";

  beforeAll(async () => {
    s = await startInProcess(["--target", "example.test", "--resolver", rig!.resolver, "--ca-file", rig!.caFile, "--allow-private-addresses"]);
    const exporter = new URL(s.url).host;
    const dir = tempDir("prometheus");
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  # A probe of every remote check needs more than the 0.5 s a 1 s scrape timeout leaves it: each network
  # operation gets a share of the deadline (src/engine/run.ts budgets()).
  - job_name: matrix_doctor
    scrape_interval: 2s
    scrape_timeout: 2s
    metrics_path: /probe
    params: { module: [federation] }
    static_configs: [{ targets: [example.test] }]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { source_labels: [__param_target], target_label: instance }
      - { target_label: __address__, replacement: "${exporter}" }
  - job_name: matrix_doctor_exporter
    static_configs: [{ targets: ["${exporter}"] }]
`,
    );
    prom = spawn(
      PROMETHEUS,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=${PROM_ADDRESS}`, "--log.level=warn"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prom.stderr!.on("data", (d: Buffer) => (promLog += d.toString()));
    await waitFor("Prometheus to be ready", async () => ((await get(`http://${PROM_ADDRESS}/-/ready`)).status === 200 ? true : undefined), 30_000);
  });

  afterAll(async () => {
    if (prom?.pid !== undefined && prom.exitCode === null) {
      const exited = new Promise((resolve) => prom!.once("exit", resolve));
      process.kill(prom.pid, "SIGTERM");
      const timer = setTimeout(() => prom?.pid !== undefined && process.kill(prom.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await s?.exporter.close(2_000);
  });

  it("stores matrix_doctor_probe_success == 1 and the check results under instance=example.test", { timeout: 60_000 }, async () => {
    const success = await waitFor(
      "matrix_doctor_probe_success{instance=\"example.test\"} == 1",
      async () => {
        const r = await query('matrix_doctor_probe_success{instance="example.test"} == 1');
        return r.length > 0 ? r : undefined;
      },
      45_000,
      500,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nPrometheus log:\n${promLog}`);
    });
    expect(success[0]!.metric).toMatchObject({ job: "matrix_doctor", instance: "example.test" });

    const results = await query('matrix_doctor_check_result{instance="example.test",check="federation-keys-signatures"} == 1');
    expect(results.map((r) => r.metric.result)).toEqual(["pass"]);
    const timeout = await query('matrix_doctor_probe_timeout_seconds{instance="example.test"}');
    // scrape_timeout 2s minus the 0.5 s offset.
    expect(timeout.map((r) => Number(r.value[1]))).toEqual([1.5]);
  });

  it("scrapes the exporter's own /metrics as a second job", async () => {
    const up = await waitFor("the exporter job", async () => {
      const r = await query('up{job="matrix_doctor_exporter"} == 1');
      return r.length > 0 ? r : undefined;
    });
    expect(up).toHaveLength(1);
    const info = await waitFor("build info", async () => {
      const r = await query("matrix_doctor_build_info");
      return r.length > 0 ? r : undefined;
    });
    expect(info[0]!.metric).toMatchObject({ job: "matrix_doctor_exporter", nodejs_version: process.version });
  });
});
