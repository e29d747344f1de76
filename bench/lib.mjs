// Shared helpers of the bench scripts: rig.json, the netns check, timing a child, statistics, output.
// Plain Node ESM (no build); the CLI under test is dist/src/cli/main.js (`npm run build` first).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI = join(REPO, "dist/src/cli/main.js");
export const TIME_BIN = "/usr/bin/time";

export function die(message) {
  console.error(`bench: error: ${message}`);
  process.exit(2);
}

/** `--name value` options; `defaults` gives the names and default values (numbers are parsed). */
export function parseArgs(defaults, argv = process.argv.slice(2)) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in defaults)) die(`unknown argument ${argv[i]} (options: ${Object.keys(defaults).map((k) => `--${k}`).join(" ")})`);
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) die(`--${m[1]} needs a value`);
    if (typeof defaults[m[1]] === "number") {
      const n = Number(raw);
      const min = m[1] === "warmup" ? 0 : 1;
      if (!Number.isInteger(n) || n < min) die(`--${m[1]} must be an integer >= ${min}, not ${raw}`);
      out[m[1]] = n;
    } else out[m[1]] = raw;
  }
  return out;
}

/** The rig: $MATRIX_DOCTOR_RIG, else <repo>/.rig/rig.json. Refuses to run outside the rig's netns. */
export function loadRig() {
  if (!existsSync(CLI)) die(`${CLI} is missing: run \`npm run build\` first`);
  const path = process.env.MATRIX_DOCTOR_RIG || join(REPO, ".rig/rig.json");
  if (!existsSync(path)) die(`no rig.json at ${path}: bring the rig up with \`bash test/rig/up.sh\``);
  const rig = JSON.parse(readFileSync(path, "utf8"));
  const nsFile = `/run/netns/${rig.netns ?? "mdtest"}`;
  let inside = false;
  try {
    inside = statSync("/proc/self/ns/net").ino === statSync(nsFile).ino;
  } catch {}
  if (!inside) die(`not inside the rig's network namespace: run \`nsenter --net=${nsFile} node ${process.argv[1]}\``);
  rig.path = path;
  return rig;
}

/** argv as a copy-pasteable command line: `node <repo-relative path> ...`. */
export function commandLine(argv) {
  return argv.map((a) => (a === process.execPath ? "node" : a.startsWith(REPO + "/") ? a.slice(REPO.length + 1) : a))
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/** process.env without MATRIX_DOCTOR_* (a developer's shell must not change what is measured), NO_COLOR=1. */
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MATRIX_DOCTOR_")));
  delete env.FORCE_COLOR;
  return { ...env, NO_COLOR: "1", ...extra };
}

export const ms = (ns) => Number(ns) / 1e6;

/**
 * Spawn `argv`, wrapped in /usr/bin/time (when `measureRss`) to get the child's max RSS (KiB).
 * Resolves { wallMs, exitCode, maxRssKiB, firstStdoutMs, firstStderrLineMs, stdout, stderr }.
 * Wall time: spawn() to the child's exit, measured here (the wrapper adds ~1 ms of exec).
 */
export function timeChild(argv, { env = process.env, measureRss = false, keepOutput = false } = {}) {
  let tmp, cmd, args;
  if (measureRss) {
    tmp = mkdtempSync(join(tmpdir(), "md-bench-"));
    cmd = TIME_BIN;
    args = ["-f", "%M", "-o", join(tmp, "time"), ...argv];
  } else [cmd, ...args] = argv;
  return new Promise((resolveP, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let firstStdout, firstStderrLine;
    let out = "", err = "";
    child.stdout.on("data", (chunk) => {
      firstStdout ??= process.hrtime.bigint();
      if (keepOutput) out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      if (firstStderrLine === undefined && chunk.includes(10)) firstStderrLine = process.hrtime.bigint();
      err += chunk; // kept for error messages; small
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const t1 = process.hrtime.bigint();
      let maxRssKiB = null;
      if (tmp) {
        // /usr/bin/time writes "Command exited with non-zero status N" before the format line.
        const lines = readFileSync(join(tmp, "time"), "utf8").trim().split("\n");
        maxRssKiB = Number(lines.at(-1));
        rmSync(tmp, { recursive: true, force: true });
      }
      resolveP({
        wallMs: ms(t1 - t0),
        exitCode: code ?? `signal ${signal}`,
        maxRssKiB,
        firstStdoutMs: firstStdout === undefined ? null : ms(firstStdout - t0),
        firstStderrLineMs: firstStderrLine === undefined ? null : ms(firstStderrLine - t0),
        firstStderrLine: firstStderrLine === undefined ? null : err.slice(0, err.indexOf("\n")),
        stdout: out,
        stderr: err,
      });
    });
  });
}

export function requireTimeBin() {
  if (!existsSync(TIME_BIN)) die(`${TIME_BIN} is missing: \`apt-get install -y --no-install-recommends time\``);
}

/** Nearest-rank percentile (p in 0..100) of numbers; median = percentile 50 of an odd count is exact. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return null;
  if (p === 50 && s.length % 2 === 0) return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function summary(values, digits = 1) {
  const r = (x) => (x === null ? null : Number(x.toFixed(digits)));
  return {
    n: values.length,
    median: r(percentile(values, 50)),
    p90: r(percentile(values, 90)),
    min: r(values.length ? Math.min(...values) : null),
    max: r(values.length ? Math.max(...values) : null),
  };
}

/** Print rows (arrays of cells) as an aligned table; first row is the header. */
export function table(rows) {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(cells[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Context of every result: where and with what it was measured. */
export async function environment() {
  const os = await import("node:os");
  let commit = null;
  try {
    const { execFileSync } = await import("node:child_process");
    commit = execFileSync("git", ["-C", REPO, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["-C", REPO, "status", "--porcelain", "--", "src"], { encoding: "utf8" }).trim();
    if (dirty) commit += "+dirty-src";
  } catch {}
  // Load average at the end of the run: the machine may be shared (tests, builds); high load = noisy figures.
  const loadavg = os.loadavg().map((x) => Number(x.toFixed(2)));
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model?.trim(), kernel: os.release(), commit, loadavg };
}

/** The machine-readable last line of every bench script. */
export function jsonLine(obj) {
  console.log(JSON.stringify(obj));
}
