// The homeserver's systemd unit and the units the deployment leans on, read without root through
// `systemctl show --property=...` (what the D-Bus API exposes to every user). Two readings about 1.5 s
// apart, because a crash loop hides in a single one: Result= is reset on every restart, NRestarts is not.
//
// MATRIX_DOCTOR_SYSTEMCTL (test/advanced hook): the command to run instead of `systemctl`, split on
// spaces, e.g. "nsenter -t 1234 -m -p -- systemctl" to reach a systemd in another PID+mount namespace
// (the test rig's). Arguments are appended to it; no shell is involved.

import { execFile } from "node:child_process";
import type { Implementation } from "../engine/facts/config.js";
import type {
  HomeserverUnitChoice,
  SystemctlError,
  SystemdFact,
  UnitFact,
  UnitRole,
  UnitSnapshot,
} from "../engine/facts/systemd.js";
import { defineProbe, FactUnavailable, type ProbeContext } from "../engine/probe.js";

export const SYSTEMCTL_ENV = "MATRIX_DOCTOR_SYSTEMCTL";

/** Time between the two readings. */
export const SAMPLE_INTERVAL_MS = 1_500;
/** Budget of one systemctl call (it answers in milliseconds when systemd is healthy). */
const OP_TIMEOUT_MS = 5_000;
/** Output cap of one call: `show` of a dozen units is a few KiB. */
const MAX_OUTPUT = 1024 * 1024;
/** Time a second reading needs after the wait (the call itself and the engine's settling). */
const SECOND_SAMPLE_RESERVE_MS = 1_000;

/** Unit names by implementation, most common first (Debian/upstream, then matrix-docker-ansible-deploy). */
export const HOMESERVER_CANDIDATES: Record<Implementation, string[]> = {
  dendrite: ["dendrite.service", "matrix-dendrite.service"],
  synapse: ["matrix-synapse.service", "synapse.service"],
};

/** Dependency units looked for by name; present when loaded. postgresql@*.service instances are listed. */
export const DEPENDENCY_UNITS: readonly { name: string; role: UnitRole }[] = [
  { name: "postgresql.service", role: "database" },
  { name: "matrix-postgres.service", role: "database" },
  { name: "nginx.service", role: "proxy" },
  { name: "matrix-traefik.service", role: "proxy" },
  { name: "coturn.service", role: "turn" },
  { name: "matrix-coturn.service", role: "turn" },
  { name: "certbot.timer", role: "certbot" },
  { name: "certbot.service", role: "certbot" },
  { name: "snap.certbot.renew.timer", role: "certbot" },
  { name: "snap.certbot.renew.service", role: "certbot" },
];

const ROLE_ORDER: readonly UnitRole[] = ["homeserver", "database", "proxy", "turn", "certbot"];

const PROPERTIES = [
  "Id",
  "LoadState",
  "ActiveState",
  "SubState",
  "Result",
  "UnitFileState",
  "FragmentPath",
  "MainPID",
  "ExecMainStatus",
  "ExecMainCode",
  "NRestarts",
  "Restart",
  "RestartUSec",
  "LimitNOFILE",
  "LimitNOFILESoft",
  "ActiveEnterTimestamp",
  "ActiveEnterTimestampMonotonic",
  "ExecMainStartTimestamp",
  "StateChangeTimestamp",
  "LastTriggerUSec",
  "NextElapseUSecRealtime",
];

/** The systemctl command: MATRIX_DOCTOR_SYSTEMCTL split on spaces, else plain `systemctl`. */
export function systemctlCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const words = (env[SYSTEMCTL_ENV] ?? "").trim().split(/\s+/).filter((w) => w !== "");
  return words.length > 0 ? words : ["systemctl"];
}

const UNIT_SUFFIXES = /\.(service|socket|target|timer|path|mount|automount|swap|slice|scope|device)$/;

/** "dendrite" → "dendrite.service"; undefined when the name is not a unit name systemd would accept. */
export function normaliseUnitName(name: string): string | undefined {
  const trimmed = name.trim();
  const full = UNIT_SUFFIXES.test(trimmed) ? trimmed : `${trimmed}.service`;
  return /^[A-Za-z0-9:_.\\@-]+$/.test(full) && full.length <= 255 && !full.startsWith("-") ? full : undefined;
}

/** Our environment without MATRIX_DOCTOR_* (secrets such as the TURN secret may be passed that way). */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MATRIX_DOCTOR_")));
}

type Exec = { ok: true; stdout: string } | { ok: false; error: SystemctlError };

function firstLines(text: string, n = 3): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .slice(0, n)
    .join(" / ")
    .slice(0, 500);
}

/** Classify a failed call from what systemctl printed. */
export function classifyFailure(stderr: string, exitCode: number | undefined): SystemctlError {
  const message = firstLines(stderr) || `exited with status ${exitCode ?? "?"}`;
  const base = { message, ...(exitCode !== undefined && { exitCode }) };
  if (/has not been booted with systemd|not been booted with systemd as init/i.test(stderr)) return { failure: "not-booted", ...base };
  if (/Failed to connect to (the )?bus|Failed to get D-Bus connection|Failed to connect to system scope bus/i.test(stderr)) {
    return { failure: "no-bus", ...base };
  }
  return { failure: "error", ...base };
}

interface Runner {
  argv: string[];
  run(args: string[]): Promise<Exec>;
}

function runner(ctx: ProbeContext, argv: string[], remainingMs: () => number): Runner {
  const [cmd, ...prefix] = argv as [string, ...string[]];
  return {
    argv,
    run(args) {
      const budget = Math.max(100, Math.floor(Math.min(OP_TIMEOUT_MS, remainingMs())));
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(budget)]);
      const full = [...prefix, "--no-pager", "--no-ask-password", ...args];
      ctx.log(`systemd: ${[cmd, ...full].join(" ")}`);
      return new Promise((resolve) => {
        execFile(
          cmd,
          full,
          {
            signal,
            maxBuffer: MAX_OUTPUT,
            encoding: "utf8",
            windowsHide: true,
            // UTC timestamps in a fixed format; no pager, colours or hyperlinks.
            env: { ...childEnv(), TZ: "UTC", LC_ALL: "C", SYSTEMD_PAGER: "", SYSTEMD_COLORS: "0", SYSTEMD_URLIFY: "0" },
          },
          (err, stdout, stderr) => {
            if (!err) return resolve({ ok: true, stdout });
            const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
            if (e.name === "AbortError" || signal.aborted) {
              const why = ctx.signal.aborted ? "the run's deadline was reached" : `no answer within ${budget} ms`;
              return resolve({ ok: false, error: { failure: "timeout", message: `${cmd}: ${why}` } });
            }
            if (e.code === "ENOENT") {
              return resolve({ ok: false, error: { failure: "no-systemctl", message: `${cmd}: command not found` } });
            }
            if (e.code === "EACCES") {
              return resolve({ ok: false, error: { failure: "error", message: `${cmd}: permission denied` } });
            }
            if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
              return resolve({ ok: false, error: { failure: "error", message: `${cmd}: more than ${MAX_OUTPUT} bytes of output` } });
            }
            resolve({ ok: false, error: classifyFailure(stderr || e.message, typeof e.code === "number" ? e.code : undefined) });
          },
        );
      });
    },
  };
}

/** `systemctl show` output: one block of Key=Value lines per unit, blocks separated by a blank line. */
export function parseShow(stdout: string): Record<string, string>[] {
  return stdout
    .split(/\n\s*\n/)
    .map((block) => {
      const props: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return props;
    })
    .filter((p) => Object.keys(p).length > 0);
}

/** "Thu 2026-11-26 07:09:30 UTC" (TZ=UTC) → milliseconds; undefined for "", "n/a" and other forms. */
export function parseTimestamp(value: string | undefined): number | undefined {
  const m = /^(?:[A-Za-z]{3} )?(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/.exec(value?.trim() ?? "");
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

function limit(value: string | undefined): number | "infinity" | undefined {
  const v = value?.trim();
  // systemd prints RLIM_INFINITY as "infinity"; older versions print the 64-bit all-ones value.
  if (v === "infinity" || v === "18446744073709551615") return "infinity";
  return int(v);
}

/** One block of `systemctl show` as a snapshot (properties absent from the block stay absent). */
export function toSnapshot(props: Record<string, string>, atMs: number): UnitSnapshot {
  const s: UnitSnapshot = {
    atMs,
    id: props["Id"] ?? "",
    loadState: props["LoadState"] ?? "",
    activeState: props["ActiveState"] ?? "",
    subState: props["SubState"] ?? "",
  };
  const text = (key: string): string | undefined => (props[key] !== undefined && props[key] !== "" ? props[key] : undefined);
  const set = <K extends keyof UnitSnapshot>(key: K, value: UnitSnapshot[K] | undefined): void => {
    if (value !== undefined) s[key] = value;
  };
  set("result", text("Result"));
  if (props["UnitFileState"] !== undefined) s.unitFileState = props["UnitFileState"];
  set("fragmentPath", text("FragmentPath"));
  set("mainPid", int(props["MainPID"]));
  set("execMainStatus", int(props["ExecMainStatus"]));
  set("execMainCode", int(props["ExecMainCode"]));
  set("nRestarts", int(props["NRestarts"]));
  set("restart", text("Restart"));
  set("restartSec", text("RestartUSec"));
  set("limitNofile", limit(props["LimitNOFILE"]));
  set("limitNofileSoft", limit(props["LimitNOFILESoft"]));
  set("activeEnterMs", parseTimestamp(props["ActiveEnterTimestamp"]));
  const mono = int(props["ActiveEnterTimestampMonotonic"]);
  if (mono !== undefined && mono > 0) s.activeEnterMonotonicUs = mono;
  set("execMainStartMs", parseTimestamp(props["ExecMainStartTimestamp"]));
  set("stateChangeMs", parseTimestamp(props["StateChangeTimestamp"]));
  set("lastTriggerMs", parseTimestamp(props["LastTriggerUSec"]));
  set("nextElapseMs", parseTimestamp(props["NextElapseUSecRealtime"]));
  return s;
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Which homeserver unit to look at, before asking systemd. */
async function chooseHomeserver(ctx: ProbeContext): Promise<HomeserverUnitChoice> {
  const flag = ctx.input.systemdUnit;
  if (flag !== undefined && flag.trim() !== "") {
    const name = normaliseUnitName(flag);
    if (!name) throw new FactUnavailable(`--systemd-unit "${flag}" is not a valid unit name (e.g. dendrite.service)`);
    return { source: "flag", candidates: [name] };
  }
  if (!ctx.input.homeserverConfigPath) {
    throw new FactUnavailable("no homeserver unit to inspect: pass --systemd-unit (e.g. dendrite.service) or --homeserver-config");
  }
  let implementation: Implementation | undefined;
  try {
    implementation = (await ctx.fact("homeserverConfig")).implementation;
  } catch (err) {
    if (!(err instanceof FactUnavailable)) throw err;
  }
  const candidates = implementation ? HOMESERVER_CANDIDATES[implementation] : [...HOMESERVER_CANDIDATES.dendrite, ...HOMESERVER_CANDIDATES.synapse];
  return { source: "config", ...(implementation && { implementation }), candidates };
}

export const systemdProbe = defineProbe({
  fact: "systemd",
  async run(ctx): Promise<SystemdFact> {
    const began = performance.now();
    const remainingMs = (): number => ctx.input.timeoutMs - (performance.now() - began);
    const homeserver = await chooseHomeserver(ctx);
    const argv = systemctlCommand();
    const sys = runner(ctx, argv, remainingMs);
    const fact: SystemdFact = { systemctl: argv, reachable: false, homeserver, units: [], absent: [], errors: [] };

    // 1. Does systemd answer at all?
    const manager = await sys.run(["show", "--property=Version,SystemState"]);
    if (!manager.ok) {
      fact.error = manager.error;
      return fact;
    }
    fact.reachable = true;
    const m = parseShow(manager.stdout)[0] ?? {};
    if (m["Version"]) fact.version = m["Version"];
    if (m["SystemState"]) fact.systemState = m["SystemState"];

    // 2. Which units exist: the homeserver candidates, the dependencies by name, postgresql@ instances.
    const byName = [...new Set([...homeserver.candidates, ...DEPENDENCY_UNITS.map((d) => d.name)])];
    const [exist, instances] = await Promise.all([
      sys.run(["show", "--property=Id,LoadState", "--", ...byName]),
      sys.run(["list-units", "--all", "--plain", "--no-legend", "--full", "--", "postgresql@*.service"]),
    ]);
    const present = new Set<string>();
    if (exist.ok) {
      const blocks = parseShow(exist.stdout);
      byName.forEach((name, i) => {
        const load = blocks[i]?.["LoadState"];
        if (load !== undefined && load !== "not-found") present.add(name);
      });
    } else {
      fact.errors.push({ command: "show --property=Id,LoadState", error: exist.error });
    }
    const instanceNames: string[] = [];
    if (instances.ok) {
      for (const line of instances.stdout.split("\n")) {
        const [unit, load] = line.trim().split(/\s+/);
        if (unit && /^postgresql@[^\s]+\.service$/.test(unit) && load !== "not-found") instanceNames.push(unit);
      }
    } else {
      fact.errors.push({ command: "list-units postgresql@*.service", error: instances.error });
    }

    if (homeserver.source === "flag") homeserver.unit = homeserver.candidates[0];
    else {
      const found = homeserver.candidates.find((c) => present.has(c));
      if (found) homeserver.unit = found;
    }
    const targets: { name: string; role: UnitRole }[] = [];
    if (homeserver.unit) targets.push({ name: homeserver.unit, role: "homeserver" });
    const deps = [...DEPENDENCY_UNITS, ...instanceNames.map((name) => ({ name, role: "database" as const }))];
    deps.sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
    for (const dep of deps) {
      if (dep.name === homeserver.unit) continue;
      if (present.has(dep.name) || instanceNames.includes(dep.name)) targets.push(dep);
      else if (exist.ok) fact.absent.push(dep.name);
    }
    if (targets.length === 0) return fact;

    // 3. Two readings of every unit present.
    const names = targets.map((t) => t.name);
    const read = async (): Promise<UnitSnapshot[] | undefined> => {
      const at = Date.now();
      const out = await sys.run(["show", `--property=${PROPERTIES.join(",")}`, "--", ...names]);
      if (!out.ok) {
        fact.errors.push({ command: "show", error: out.error });
        return undefined;
      }
      const blocks = parseShow(out.stdout);
      // Blocks come in argument order; fall back to matching Id when the count differs.
      return names.map((name, i) => {
        const block = blocks.length === names.length ? blocks[i] : blocks.find((b) => b["Id"] === name);
        return toSnapshot(block ?? { Id: name }, at);
      });
    };
    const units: UnitFact[] = targets.map((t) => ({ name: t.name, role: t.role, samples: [] }));
    const first = await read();
    if (first) first.forEach((s, i) => units[i]?.samples.push(s));
    if (first && remainingMs() > SAMPLE_INTERVAL_MS + SECOND_SAMPLE_RESERVE_MS && (await sleep(SAMPLE_INTERVAL_MS, ctx.signal))) {
      const second = await read();
      if (second) {
        second.forEach((s, i) => units[i]?.samples.push(s));
        fact.sampleIntervalMs = (second[0]?.atMs ?? 0) - (first[0]?.atMs ?? 0);
      }
    }
    fact.units = units.filter((u) => u.samples.length > 0);
    return fact;
  },
});
