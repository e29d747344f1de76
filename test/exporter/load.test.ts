// A bounded load test of the built exporter on loopback: 200 requests at concurrency 20 to /metrics and
// /probe. It must keep answering /-/healthy, keep to the per-target limit, answer every request with 200
// or 429, and not grow its memory without bound. No timing thresholds: speed belongs in bench/.

import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRig, rig } from "../support/rig-gate.js";
import { get, sample, startChild, stopChild, type Child } from "./_support.js";

const TOTAL = 200;
const CONCURRENCY = 20;
const LIMIT = 2;
/** A safety cap so a hang fails the test instead of stalling the run; not a speed requirement. */
const CAP_MS = 120_000;

describeRig("exporter under load", () => {
  let c: Child;

  beforeAll(async () => {
    c = await startChild(["--listen", "127.0.0.1:0", "--target", "example.test", "--resolver", rig!.resolver, "--ca-file", rig!.caFile, "--allow-private-addresses"]);
  });
  afterAll(async () => {
    if (c) expect(await stopChild(c)).toBe(0);
  });

  it(`answers ${TOTAL} requests at concurrency ${CONCURRENCY}, stays healthy, keeps the limit and its memory`, { timeout: CAP_MS + 30_000 }, async () => {
    // Warm up (first probe loads the probes' modules), then take the baseline.
    for (let i = 0; i < 3; i++) expect(sample((await get(`${c.url}/probe?target=example.test`)).text, "matrix_doctor_probe_success")).toBe(1);
    const before = (await get(`${c.url}/metrics`)).text;

    const deadline = Date.now() + CAP_MS;
    const statuses = new Map<string, number>();
    const errors: string[] = [];
    let next = 0;
    let done = false;
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const i = next++;
        if (i >= TOTAL) return;
        const path = i % 4 === 0 ? "/probe?target=example.test&module=federation" : "/metrics";
        try {
          const r = await get(`${c.url}${path}`);
          const key = `${path.split("?")[0]} ${r.status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (r.status === 200 && path.startsWith("/probe")) {
            const success = sample(r.text, "matrix_doctor_probe_success");
            if (success !== 1) errors.push(`probe ${i}: success ${success}`);
          }
        } catch (err) {
          errors.push(`request ${i} ${path}: ${String(err)}`);
        }
      }
    };
    // Beside the load: liveness, and the number of probes running, sampled all along.
    let healthChecks = 0;
    const unhealthy: string[] = [];
    let maxInFlight = 0;
    const watcher = (async () => {
      while (!done) {
        try {
          const h = await get(`${c.url}/-/healthy`);
          healthChecks++;
          if (h.status !== 200 || h.text !== "Healthy\n") unhealthy.push(`${h.status} ${h.text}`);
          const m = await get(`${c.url}/metrics`);
          maxInFlight = Math.max(maxInFlight, sample(m.text, "matrix_doctor_probes_in_flight") ?? 0);
        } catch (err) {
          unhealthy.push(String(err));
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    done = true;
    await watcher;

    expect(errors).toEqual([]);
    expect(next, "the safety cap stopped the load test").toBeGreaterThanOrEqual(TOTAL);
    const count = (key: string): number => statuses.get(key) ?? 0;
    expect(count("/metrics 200")).toBe((TOTAL * 3) / 4);
    expect(count("/probe 200") + count("/probe 429")).toBe(TOTAL / 4);
    expect(count("/probe 200")).toBeGreaterThanOrEqual(LIMIT);
    expect(count("/probe 429")).toBeGreaterThanOrEqual(1);
    expect(healthChecks).toBeGreaterThan(0);
    expect(unhealthy).toEqual([]);
    expect(maxInFlight).toBeLessThanOrEqual(LIMIT);

    const after = (await get(`${c.url}/metrics`)).text;
    expect(sample(after, 'matrix_doctor_probe_rejections_total{reason="concurrency_limit"}')).toBe(count("/probe 429"));
    expect(sample(after, "matrix_doctor_probes_in_flight")).toBe(0);
    // Memory: per-request registries and run state must be garbage, not kept. A leak of even a few
    // hundred KiB per probe would show over the run; the bounds leave room for V8's own heap growth.
    const heap = (t: string): number => sample(t, "nodejs_heap_size_used_bytes")!;
    const rss = (t: string): number => sample(t, "process_resident_memory_bytes")!;
    expect(heap(after) - heap(before)).toBeLessThan(64 * 1024 * 1024);
    expect(rss(after) - rss(before)).toBeLessThan(160 * 1024 * 1024);
    // And it still probes.
    expect(sample((await get(`${c.url}/probe?target=example.test`)).text, "matrix_doctor_probe_success")).toBe(1);
  });
});
