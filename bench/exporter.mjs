// The exporter under load from one Prometheus: starts
//   matrix-doctor serve --listen 127.0.0.1:<free port> --target example.test --resolver R --ca-file CA --allow-private-addresses
// waits for /-/ready, then measures
//   - /probe?target=example.test (default module): N sequential requests (default 20), then N more with 2 in
//     flight at a time (the default per-target concurrency limit, so none may get 429);
//   - /metrics: N sequential requests;
//   - the exporter's RSS (VmRSS, and VmHWM = peak) from /proc/<pid>/status when ready and after the load.
// Every response must be 200 (and /probe must report probe_success 1) for the result to count.
// The exporter is always stopped by its PID (SIGTERM, then SIGKILL after 5 s).
//
//   nsenter --net=/run/netns/mdtest node bench/exporter.mjs [--requests 20] [--concurrency 2] [--warmup 1]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { CLI, cleanEnv, commandLine, environment, jsonLine, loadRig, parseArgs, summary, table } from "./lib.mjs";

const opts = parseArgs({ requests: 20, concurrency: 2, warmup: 1 });
const rig = loadRig();
const target = rig.dendrite.serverName;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM of a process, MiB. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rssMiB: Number((kib("VmRSS") / 1024).toFixed(1)), peakRssMiB: Number((kib("VmHWM") / 1024).toFixed(1)) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function timedGet(url) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.status, body };
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const argv = [process.execPath, CLI, "serve", "--listen", `127.0.0.1:${port}`, "--target", target,
  "--resolver", rig.resolver, "--ca-file", rig.caFile, "--allow-private-addresses"];
const child = spawn(argv[0], argv.slice(1), { env: cleanEnv(), stdio: ["ignore", "ignore", "pipe"] });
let log = "";
child.stderr.on("data", (c) => { log = (log + c).slice(-4000); });
let exited = null;
const exitP = new Promise((r) => child.on("exit", (code, signal) => { exited = code ?? `signal ${signal}`; r(); }));

async function stop() {
  if (exited !== null || child.pid === undefined) return;
  process.kill(child.pid, "SIGTERM");
  const killer = setTimeout(() => { if (exited === null) process.kill(child.pid, "SIGKILL"); }, 5000);
  await exitP;
  clearTimeout(killer);
}
// Ctrl-C of the bench must not leave the exporter behind.
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { stop().finally(() => process.exit(130)); });

const problems = [];
let result;
try {
  // Ready: the process answers /-/ready 200 (poll every 20 ms, give up after 15 s).
  const t0 = process.hrtime.bigint();
  let readyMs = null;
  while (readyMs === null) {
    if (exited !== null) throw new Error(`the exporter exited ${exited} before it was ready:\n${log}`);
    if (Number(process.hrtime.bigint() - t0) / 1e6 > 15000) throw new Error(`not ready after 15 s:\n${log}`);
    try {
      if ((await fetch(`${base}/-/ready`)).status === 200) readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
    } catch {}
    if (readyMs === null) await sleep(20);
  }
  const memReady = memory(child.pid);

  const probeUrl = `${base}/probe?target=${encodeURIComponent(target)}`;
  const check = (what, r) => {
    if (r.status !== 200) problems.push(`${what}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    else if (what === "probe" && !/^\w*probe_success(\{[^}]*\})? 1$/m.test(r.body)) problems.push(`probe: no probe_success 1 in the response`);
  };
  for (let i = 0; i < opts.warmup; i++) check("probe", await timedGet(probeUrl));

  const sequential = [];
  for (let i = 0; i < opts.requests; i++) {
    const r = await timedGet(probeUrl);
    check("probe", r);
    sequential.push(r.ms);
  }

  const memSequential = memory(child.pid);

  const concurrent = [];
  let next = 0;
  const tc0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (next < opts.requests) {
      next++;
      const r = await timedGet(probeUrl);
      check("probe", r);
      concurrent.push(r.ms);
    }
  }));
  const concurrentTotalMs = Number(process.hrtime.bigint() - tc0) / 1e6;

  const memConcurrent = memory(child.pid);

  const metrics = [];
  let metricsBytes = 0;
  for (let i = 0; i < opts.requests; i++) {
    const r = await timedGet(`${base}/metrics`);
    check("metrics", r);
    metrics.push(r.ms);
    metricsBytes = r.body.length;
  }
  const memAfter = memory(child.pid);

  result = {
    command: commandLine(argv),
    readyMs: Number(readyMs.toFixed(0)),
    probeSequentialMs: summary(sequential, 1),
    probeConcurrentMs: { concurrency: opts.concurrency, ...summary(concurrent, 1), totalMs: Number(concurrentTotalMs.toFixed(0)),
      probesPerSecond: Number((opts.requests / (concurrentTotalMs / 1000)).toFixed(2)) },
    metricsMs: { ...summary(metrics, 2), bytes: metricsBytes },
    memoryMiB: { ready: memReady, afterSequential: memSequential, afterConcurrent: memConcurrent, afterLoad: memAfter },
  };
} catch (e) {
  console.error(`bench: ${e.message}`);
  await stop();
  process.exit(1);
} finally {
  await stop();
}
result.exitCode = exited;
if (exited !== 0) problems.push(`the exporter exited ${exited} on SIGTERM`);
const distinct = [...new Set(problems)];
for (const p of distinct) console.error(`bench: ${p} (${problems.filter((x) => x === p).length}×)`);

const p = result.probeSequentialMs, c = result.probeConcurrentMs, m = result.metricsMs;
console.log(`\nmatrix-doctor serve (ready after ${result.readyMs} ms; ${opts.requests} requests each, ${opts.warmup} warm-up probe discarded)\n`);
table([
  ["request", "median ms", "p90", "min", "max"],
  [`/probe sequential`, p.median, p.p90, p.min, p.max],
  [`/probe concurrency ${c.concurrency}`, c.median, c.p90, c.min, c.max],
  ["/metrics", m.median, m.p90, m.min, m.max],
]);
console.log(`\n/probe at concurrency ${c.concurrency}: ${c.probesPerSecond} probes/s; /metrics body ${m.bytes} bytes`);
const mem = result.memoryMiB;
console.log(`exporter RSS MiB: ready ${mem.ready.rssMiB}; after sequential probes ${mem.afterSequential.rssMiB}; ` +
  `after concurrent probes ${mem.afterConcurrent.rssMiB}; after /metrics ${mem.afterLoad.rssMiB} (peak VmHWM ${mem.afterLoad.peakRssMiB})\n`);
jsonLine({ bench: "exporter", requests: opts.requests, valid: problems.length === 0, env: await environment(), result, problems: distinct.slice(0, 5) });
process.exit(problems.length ? 1 : 0);
