// The exporter in this process against the real deployment (knot, nginx, Dendrite in the mdtest netns):
// /probe, its refusals, timeouts, debug output, the per-target limit, auth, reload, the schedule and
// /metrics, all over real HTTP.

import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.js";
import { describeRig, rig } from "../support/rig-gate.js";
import { get, promtool, sample, startInProcess, tempDir, waitFor, writeConfig, type InProcess } from "./_support.js";

const TOKEN = "bearer-sentinel-4f1c7d";
const TURN_SECRET = "turn-sentinel-9a7e21";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

function dsn(): string {
  const pg = rig?.services["postgres"] as { dsn?: string } | undefined;
  return pg?.dsn ?? "postgres://dendrite:dsn-sentinel-55aa@127.0.0.1:5432/dendrite";
}

function secrets(): string[] {
  return [TOKEN, TURN_SECRET, new URL(dsn()).password];
}

const CONFIG = `
targets: [example.test, other.example.test]
modules:
  federation: {}
  tls: { checks: [tls], timeout: 5s }
auth: { bearer_token_env: MD_TEST_TOKEN }
limits: { per_target_concurrency: 2 }
schedule: { cron: "0 0 1 1 *", checks: [tls, postgres], timeout: 20s }
local:
  server_name: example.test
  postgres_env: MD_TEST_DSN
  turn_secret_env: MD_TEST_TURN
`;

describeRig("exporter against the real deployment", () => {
  let dir: string;
  let file: string;
  let s: InProcess;
  const env = (): NodeJS.ProcessEnv => ({ MD_TEST_TOKEN: TOKEN, MD_TEST_DSN: dsn(), MD_TEST_TURN: TURN_SECRET });
  const probe = (query: string, headers: Record<string, string> = {}) => get(`${s.url}/probe?${query}`, { ...AUTH, ...headers });
  const metrics = async (): Promise<string> => (await get(`${s.url}/metrics`, AUTH)).text;

  beforeAll(async () => {
    dir = tempDir("exporter");
    file = writeConfig(dir, "matrix-doctor.yaml", CONFIG);
    s = await startInProcess(["--config", file], env());
  });
  afterAll(async () => {
    await s?.exporter.close(2_000);
  });

  it("probes example.test: success 1, one state set per check, the facts as metrics", async () => {
    const r = await probe("target=example.test&module=federation");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(r.text, "matrix_doctor_probe_success")).toBe(1);
    expect(sample(r.text, "matrix_doctor_probe_timeout_seconds")).toBe(10);
    expect(sample(r.text, "matrix_doctor_probe_duration_seconds")).toBeGreaterThan(0);
    const results = r.text.split("\n").filter((l) => l.startsWith("matrix_doctor_check_result{"));
    const checks = new Set(results.map((l) => /check="([^"]+)"/.exec(l)![1]));
    expect(checks.size).toBeGreaterThan(25);
    expect(results).toHaveLength(checks.size * 5);
    for (const id of checks) {
      const ones = results.filter((l) => l.includes(`check="${id}"`) && l.endsWith(" 1"));
      expect(ones, id).toHaveLength(1);
      expect(ones[0], id).toContain('result="pass"');
    }
    expect(sample(r.text, 'matrix_doctor_federation_delegation_info{method="well_known",host="example.test",port="443"}')).toBe(1);
    expect(sample(r.text, 'matrix_doctor_server_version_info{name="Dendrite",version="0.13.8"}')).toBe(1);
    const notAfter = sample(r.text, 'matrix_doctor_tls_cert_not_after_timestamp_seconds{listener="federation"}');
    expect(notAfter).toBeGreaterThan(Date.now() / 1000);
    expect(sample(r.text, 'matrix_doctor_tls_cert_not_after_timestamp_seconds{listener="client"}')).toBeGreaterThan(Date.now() / 1000);
    expect(sample(r.text, "matrix_doctor_federation_signing_key_valid_until_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000);
    // Self-metrics never ride along on a probe.
    expect(r.text).not.toMatch(/^(process_|nodejs_|matrix_doctor_build_info)/m);
  });

  it("runs the default module when none is named, and a smaller module when asked", async () => {
    const all = await probe("target=example.test");
    const tls = await probe("target=Example.TEST&module=tls");
    expect(sample(all.text, "matrix_doctor_probe_success")).toBe(1);
    expect(sample(tls.text, "matrix_doctor_probe_success")).toBe(1);
    expect(sample(tls.text, "matrix_doctor_probe_timeout_seconds")).toBe(5);
    const categories = new Set([...tls.text.matchAll(/category="([a-z]+)"/g)].map((m) => m[1]));
    expect(categories).toEqual(new Set(["tls"]));
  });

  it("promtool accepts the real /probe and /metrics output", async () => {
    for (const text of [(await probe("target=example.test")).text, await metrics()]) {
      expect(promtool(text)).toEqual({ code: 0, out: "" });
    }
  });

  it("refuses a target that is not configured (403), an unknown module and a missing target (400)", async () => {
    const before = await metrics();
    const forbidden = await probe("target=internal.example.net");
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toMatch(/target 'internal\.example\.net' is not allowed/);
    expect(forbidden.text).toMatch(/cannot be used to scan arbitrary hosts/);
    const unknown = await probe("target=example.test&module=http_2xx");
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/unknown module 'http_2xx' \(configured: federation, tls\)/);
    const missing = await probe("module=tls");
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/missing the target parameter/);
    const after = await metrics();
    const delta = (series: string): number => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('matrix_doctor_probe_rejections_total{reason="target_not_allowed"}')).toBe(1);
    expect(delta('matrix_doctor_probe_rejections_total{reason="unknown_module"}')).toBe(1);
    expect(delta('matrix_doctor_probe_rejections_total{reason="missing_target"}')).toBe(1);
    expect(delta("matrix_doctor_module_unknown_total")).toBe(1);
  });

  it("takes its deadline from X-Prometheus-Scrape-Timeout-Seconds minus 0.5 s, capped by the module", async () => {
    const short = await probe("target=example.test&module=tls", { "X-Prometheus-Scrape-Timeout-Seconds": "3" });
    expect(sample(short.text, "matrix_doctor_probe_timeout_seconds")).toBe(2.5);
    const long = await probe("target=example.test&module=tls", { "X-Prometheus-Scrape-Timeout-Seconds": "120" });
    expect(sample(long.text, "matrix_doctor_probe_timeout_seconds")).toBe(5);
    expect((await probe("target=example.test", { "X-Prometheus-Scrape-Timeout-Seconds": "0.4" })).status).toBe(400);
    expect((await probe("target=example.test", { "X-Prometheus-Scrape-Timeout-Seconds": "soon" })).status).toBe(400);
  });

  it("?debug=true shows the probe's log, the metrics and the module, and no secret", async () => {
    const r = await probe("target=example.test&module=federation&debug=true");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    const [logs, rest] = r.text.split("Metrics that would have been returned:");
    const [metricsPart, moduleYaml] = rest!.split("Module configuration:");
    expect(logs).toMatch(/^Logs for the probe:\n/);
    expect(logs).toMatch(/net: dns A example\.test/);
    expect(logs).toMatch(/net: tls 127\.0\.0\.2:443 sni=example\.test/);
    expect(logs).toMatch(/done in \d+ ms: \d+ pass/);
    expect(sample(metricsPart!, "matrix_doctor_probe_success")).toBe(1);
    expect(moduleYaml).toMatch(/name: federation/);
    expect(moduleYaml).toMatch(/- federation-keys-signatures/);
    for (const secret of secrets()) expect(r.text).not.toContain(secret);
  });

  it("answers 429 with Retry-After beyond the per-target limit under parallel requests", async () => {
    const before = await metrics();
    const answers = await Promise.all(Array.from({ length: 8 }, () => probe("target=example.test&module=federation")));
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok.length + limited.length).toBe(answers.length);
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    for (const a of limited) {
      expect(Number(a.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(a.text).toMatch(/limit 2 per target/);
    }
    for (const a of ok) expect(sample(a.text, "matrix_doctor_probe_success")).toBe(1);
    const after = await metrics();
    const key = 'matrix_doctor_probe_rejections_total{reason="concurrency_limit"}';
    expect((sample(after, key) ?? 0) - (sample(before, key) ?? 0)).toBe(limited.length);
    // Another target has its own budget.
    expect((await probe("target=other.example.test&module=tls")).status).toBe(200);
  });

  it("/-/healthy is open; everything else wants the token", async () => {
    expect(await get(`${s.url}/-/healthy`)).toMatchObject({ status: 200, text: "Healthy\n" });
    for (const path of ["/-/ready", "/metrics", "/probe?target=example.test", "/"]) {
      const r = await get(`${s.url}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.headers.get("www-authenticate"), path).toMatch(/^Bearer/);
      expect((await get(`${s.url}${path}`, { Authorization: "Bearer wrong" })).status, path).toBe(401);
    }
    expect(await get(`${s.url}/-/ready`, AUTH)).toMatchObject({ status: 200, text: "Ready\n" });
    expect((await get(`${s.url}/nope`, AUTH)).status).toBe(404);
  });

  it("serves its own metrics and the cached scheduled run on /metrics", async () => {
    await s.exporter.triggerScheduledRun();
    const text = await metrics();
    expect(text).toMatch(/^matrix_doctor_build_info\{version="[^"]+",revision="[^"]+",nodejs_version="v\d+\.\d+\.\d+"\} 1$/m);
    expect(sample(text, "matrix_doctor_config_last_reload_successful")).toBe(1);
    expect(sample(text, "matrix_doctor_config_last_reload_success_timestamp_seconds")).toBeGreaterThan(1.7e9);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(sample(text, 'matrix_doctor_probes_total{module="federation"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, "matrix_doctor_scheduled_runs_total")).toBeGreaterThanOrEqual(1);
    const ranAt = sample(text, "matrix_doctor_last_run_timestamp_seconds")!;
    expect(Math.abs(ranAt - Date.now() / 1000)).toBeLessThan(120);
    expect(sample(text, 'matrix_doctor_check_result{check="tls-handshake",category="tls",result="pass"}')).toBe(1);
    // The server-side checks of the schedule (whatever their verdict on this rig), once they are registered.
    if (CHECKS.some((c) => c.category === "postgres")) {
      expect(text).toMatch(/^matrix_doctor_check_result\{check="postgres-[a-z-]+",category="postgres",result="\w+"\} 1$/m);
    }
    expect(text).toMatch(/^# HELP matrix_doctor_check_result .*cached result of the scheduled run/m);
    expect(text).not.toMatch(/^matrix_doctor_probe_success/m);
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });

  it("skips and counts a scheduled tick that comes while a run is still going", async () => {
    const skippedBefore = sample(await metrics(), "matrix_doctor_scheduled_runs_skipped_total") ?? 0;
    await Promise.all([s.exporter.triggerScheduledRun(), s.exporter.triggerScheduledRun()]);
    const after = await metrics();
    expect((sample(after, "matrix_doctor_scheduled_runs_skipped_total") ?? 0) - skippedBefore).toBe(1);
  });

  it("the status page shows targets, modules and the last findings, escaped", async () => {
    const r = await get(`${s.url}/`, AUTH);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.text).toContain("<td>example.test</td><td>federation</td>");
    expect(r.text).toContain('href="probe?target=example.test&amp;module=federation&amp;debug=true"');
    expect(r.text).toMatch(/Scheduled server-side checks/);
    expect(r.text).not.toMatch(/<script/i);
    for (const secret of secrets()) expect(r.text).not.toContain(secret);
  });

  it("a reload with an invalid file keeps the old configuration and says so; a good one applies", async () => {
    writeFileSync(file, "targets: [example.test\n");
    expect(await s.exporter.reload()).toBe(false);
    let text = await metrics();
    expect(sample(text, "matrix_doctor_config_last_reload_successful")).toBe(0);
    expect(s.logs.some((l) => /reload failed, keeping the previous configuration: .*not valid YAML/.test(l))).toBe(true);
    expect(sample((await probe("target=example.test&module=tls")).text, "matrix_doctor_probe_success")).toBe(1);
    expect((await get(`${s.url}/`, AUTH)).text).toMatch(/last reload failed/);

    writeConfig(dir, "matrix-doctor.yaml", CONFIG.replace("targets: [example.test, other.example.test]", "targets: [other.example.test]"));
    expect(await s.exporter.reload()).toBe(true);
    text = await metrics();
    expect(sample(text, "matrix_doctor_config_last_reload_successful")).toBe(1);
    expect((await probe("target=example.test&module=tls")).status).toBe(403);
    expect((await probe("target=other.example.test&module=tls")).status).toBe(200);
    for (const secret of secrets()) expect(s.logs.join("\n")).not.toContain(secret);
  });
});

describeRig("exporter schedule on a real clock", () => {
  let s: InProcess;
  afterAll(async () => {
    await s?.exporter.close(2_000);
  });

  it("runs on its cron expression (every second here) and serves the latest result", async () => {
    const dir = tempDir("schedule");
    const file = writeConfig(dir, "matrix-doctor.yaml", `schedule: { cron: "* * * * * *", checks: [tls-handshake], timeout: 5s }\nlocal: { server_name: example.test }\n`);
    s = await startInProcess(["--config", file]);
    const runs = await waitFor("three scheduled runs", async () => {
      const text = (await get(`${s.url}/metrics`)).text;
      const n = sample(text, "matrix_doctor_scheduled_runs_total") ?? 0;
      return n >= 3 && sample(text, "matrix_doctor_last_run_timestamp_seconds") !== undefined ? text : undefined;
    });
    expect(sample(runs, 'matrix_doctor_check_result{check="tls-handshake",category="tls",result="pass"}')).toBe(1);
    expect(sample(runs, "matrix_doctor_last_run_success")).toBe(1);
  });
});
