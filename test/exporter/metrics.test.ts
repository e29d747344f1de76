// The metrics of one run (src/report/metrics.ts), from a run outcome written out as plain data: names,
// labels and values, the state set, unknown values left out, the cached variant, and promtool's lint.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { buildRunMetrics, DELEGATION_METHOD } from "../../src/report/metrics.js";
import { renderPrometheus } from "../../src/report/prometheus.js";
import type { RunOutcome } from "../../src/engine/run.js";
import type { CheckResult, RunReport } from "../../src/engine/types.js";
import type { FactMap, HttpExchange, TlsHandshakeFact } from "../../src/engine/facts.js";

const LEAF_MS = Date.UTC(2031, 0, 1);
const OTHER_LEAF_MS = Date.UTC(2030, 5, 1);
const VALID_UNTIL_MS = Date.UTC(2029, 0, 2, 3, 4, 5);

function exchange(body: string, status = 200, address = "203.0.113.5"): HttpExchange {
  return {
    method: "GET",
    url: "https://matrix.example.org:443/x",
    address,
    port: 443,
    hostHeader: "matrix.example.org",
    response: { status, headers: { "content-type": "application/json" }, body, bodyBytes: body.length, truncated: false },
    durationMs: 12,
  };
}

function handshake(listener: "client" | "federation", notAfterMs: number | undefined, address: string): TlsHandshakeFact {
  return {
    listener,
    address,
    port: 443,
    expectedName: "matrix.example.org",
    ok: notAfterMs !== undefined,
    durationMs: 5,
    ...(notAfterMs !== undefined && {
      chain: [
        {
          subject: "CN=matrix.example.org",
          issuer: "CN=Intermediate",
          validFrom: "",
          validTo: "",
          notAfterMs,
          notBeforeMs: 0,
          fingerprint256: "AA",
          serialNumber: "01",
          selfSigned: false,
        },
        // An intermediate that expires first: the leaf metric must not take it.
        { subject: "CN=Intermediate", issuer: "CN=Root", validFrom: "", validTo: "", notAfterMs: 1000, notBeforeMs: 0, fingerprint256: "BB", serialNumber: "02", selfSigned: false },
      ],
    }),
  };
}

function check(id: string, category: CheckResult["category"], status: CheckResult["status"], durationMs = 250): CheckResult {
  return { id, category, title: id, status, summary: "…", durationMs };
}

function outcome(checks: CheckResult[], facts: Partial<FactMap>): RunOutcome {
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const c of checks) summary[c.status]++;
  const report: RunReport = {
    schemaVersion: 1,
    tool: { name: "matrix-doctor", version: "0.0.0" },
    target: "example.org",
    startedAt: "2026-03-01T12:00:00.000Z",
    durationMs: 1234,
    summary,
    checks,
  };
  return { report, facts, wire: [] };
}

const FACTS: Partial<FactMap> = {
  discovery: {
    serverName: "example.org",
    step: "3.3",
    srvLookups: [],
    targets: [{ host: "matrix.example.org", port: 443, addresses: { host: "matrix.example.org", a: { name: "", type: "A", status: "ok", durationMs: 1 }, aaaa: { name: "", type: "AAAA", status: "nodata", durationMs: 1 } } }],
    endpoints: [],
  },
  federationTls: { listener: "federation", expectedName: "matrix.example.org", handshakes: [handshake("federation", LEAF_MS, "203.0.113.5"), handshake("federation", OTHER_LEAF_MS, "2001:db8::5")] },
  clientTls: { listener: "client", expectedName: "example.org", handshakes: [handshake("client", undefined, "203.0.113.5")] },
  serverKeys: {
    serverName: "example.org",
    responses: [exchange(JSON.stringify({ server_name: "example.org", valid_until_ts: VALID_UNTIL_MS, verify_keys: {} })), exchange("<html>", 502)],
  },
  federationEndpoints: {
    version: [exchange(JSON.stringify({ server: { name: "Dendrite", version: "0.13.8" } })), exchange("not json")],
  },
};

async function json(registry: Registry): Promise<Map<string, { help: string; values: { value: number; labels: Record<string, string | number> }[] }>> {
  const all = await registry.getMetricsAsJSON();
  return new Map(all.map((m) => [m.name, { help: m.help, values: m.values as { value: number; labels: Record<string, string | number> }[] }]));
}

function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("run metrics", () => {
  const checks = [check("tls-handshake", "tls", "pass"), check("federation-version", "federation", "warn", 40), check("client-support", "client", "skip", 0)];

  it("exports the probe gauges, the check state set and the facts", async () => {
    const registry = new Registry();
    buildRunMetrics(registry, outcome(checks, FACTS), { mode: "probe", timeoutSeconds: 9.5 });
    const m = await json(registry);
    expect(m.get("matrix_doctor_probe_success")!.values[0]!.value).toBe(1);
    expect(m.get("matrix_doctor_probe_duration_seconds")!.values[0]!.value).toBe(1.234);
    expect(m.get("matrix_doctor_probe_timeout_seconds")!.values[0]!.value).toBe(9.5);
    expect(m.has("matrix_doctor_last_run_timestamp_seconds")).toBe(false);

    const results = m.get("matrix_doctor_check_result")!.values;
    expect(results).toHaveLength(3 * 5);
    for (const c of checks) {
      const series = results.filter((v) => v.labels.check === c.id);
      expect(series.map((v) => v.labels.result).sort()).toEqual(["error", "fail", "pass", "skip", "warn"]);
      expect(series.filter((v) => v.value === 1).map((v) => v.labels.result)).toEqual([c.status]);
      expect(series.every((v) => v.labels.category === c.category)).toBe(true);
    }
    expect(m.get("matrix_doctor_check_duration_seconds")!.values.find((v) => v.labels.check === "federation-version")!.value).toBe(0.04);

    // Leaf only, earliest across endpoints; the client listener had no certificate: no series, not 0.
    expect(m.get("matrix_doctor_tls_cert_not_after_timestamp_seconds")!.values).toEqual([{ value: OTHER_LEAF_MS / 1000, labels: { listener: "federation" } }]);
    expect(m.get("matrix_doctor_federation_signing_key_valid_until_timestamp_seconds")!.values[0]!.value).toBe(VALID_UNTIL_MS / 1000);
    expect(m.get("matrix_doctor_server_version_info")!.values).toEqual([{ value: 1, labels: { name: "Dendrite", version: "0.13.8" } }]);
    expect(m.get("matrix_doctor_federation_delegation_info")!.values).toEqual([
      { value: 1, labels: { method: "well_known_srv", host: "matrix.example.org", port: "443" } },
    ]);
    expect(m.has("matrix_doctor_turn_allocate_duration_seconds")).toBe(false);
  });

  it("fails the probe when a check failed or errored", async () => {
    for (const status of ["fail", "error"] as const) {
      const registry = new Registry();
      buildRunMetrics(registry, outcome([...checks, check("dns-srv", "dns", status)], {}), { mode: "probe" });
      const m = await json(registry);
      expect(m.get("matrix_doctor_probe_success")!.values[0]!.value).toBe(0);
    }
  });

  it("leaves unknown values out instead of exporting 0", async () => {
    const registry = new Registry();
    buildRunMetrics(registry, outcome(checks, { discovery: { serverName: "example.org", failure: "SERVFAIL", srvLookups: [], targets: [], endpoints: [] } }), { mode: "probe" });
    const names = [...(await json(registry)).keys()].sort();
    expect(names).toEqual([
      "matrix_doctor_check_duration_seconds",
      "matrix_doctor_check_result",
      "matrix_doctor_probe_duration_seconds",
      "matrix_doctor_probe_success",
    ]);
  });

  it("maps every discovery step of the spec to a delegation method", () => {
    expect(Object.keys(DELEGATION_METHOD).sort()).toEqual(["1", "2", "3.1", "3.2", "3.3", "3.4", "3.5", "4", "5", "6"]);
    expect(new Set(Object.values(DELEGATION_METHOD))).toEqual(
      new Set(["ip_literal", "explicit_port", "well_known", "well_known_srv", "well_known_srv_legacy", "well_known_default", "srv", "srv_legacy", "default"]),
    );
  });

  it("says in every HELP that scheduled results are cached, and when they were made", async () => {
    const registry = new Registry();
    buildRunMetrics(registry, outcome(checks, FACTS), { mode: "cached" });
    const m = await json(registry);
    expect(m.has("matrix_doctor_probe_success")).toBe(false);
    expect(m.get("matrix_doctor_last_run_success")!.values[0]!.value).toBe(1);
    expect(m.get("matrix_doctor_last_run_timestamp_seconds")!.values[0]!.value).toBe(Date.parse("2026-03-01T12:00:00Z") / 1000);
    for (const [name, metric] of m) {
      if (name !== "matrix_doctor_last_run_timestamp_seconds") expect(metric.help, name).toMatch(/cached result of the scheduled run/);
    }
  });

  it("renders the textfile output with the run timestamp, and promtool accepts it", async () => {
    const text = await renderPrometheus(outcome(checks, FACTS));
    expect(text).toMatch(/^matrix_doctor_last_run_timestamp_seconds 1772366400$/m);
    expect(text).toMatch(/^matrix_doctor_probe_success 1$/m);
    expect(text).toMatch(/^matrix_doctor_check_result\{check="tls-handshake",category="tls",result="pass"\} 1$/m);
    expect(text).not.toMatch(/probe_timeout_seconds/);
    if (!existsSync("/usr/bin/promtool")) return;
    expect(promtool(text)).toEqual({ code: 0, out: "" });
  });
});
