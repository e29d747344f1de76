// The rig's own lifecycle: a second, complete rig (netns mdlife, run dir <repo>/.rig-life) beside the one the
// tests run in. A crashed start (up.sh killed half-way) is cleaned up by the next up.sh, which brings up a
// rig that serves (Dendrite under the rig's systemd as dendrite.service, through nginx); a second up.sh
// reuses it; down.sh leaves no process, no mount, no netns and no cgroup behind.
//
// Runs from the test process, which in CI is itself inside the main rig's netns: `ip netns add` from there
// makes a new, unrelated namespace. Needs what the main rig needs (root), so it is gated on it.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { parseRig, type Rig } from "../rig/rig.js";
import { parseRigSystemd } from "../rig/systemd.js";
import { describeRig } from "../support/rig-gate.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const NS = "mdlife";
const RUN = `${REPO}/.rig-life`;
const NSFILE = `/run/netns/${NS}`;
const CGROUP = `matrix-doctor-${NS}`;
const ENV: NodeJS.ProcessEnv = { ...process.env, MATRIX_DOCTOR_NETNS: NS, MATRIX_DOCTOR_RIG_DIR: RUN };
delete ENV.MATRIX_DOCTOR_RIG_FRESH;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], timeoutMs = 90_000): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: REPO, env: ENV, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

const rigScript = (name: "up" | "down"): Promise<Run> => run("bash", [`${REPO}/test/rig/${name}.sh`]);
const inNs = (...args: string[]): Promise<Run> => run("nsenter", [`--net=${NSFILE}`, "--", ...args], 15_000);

/** "pid:starttime" of a live (non-zombie) process, so a recycled PID is not mistaken for ours. */
function identity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return `${pid}:${fields[19]}`;
  } catch {
    return undefined;
  }
}

function alive(ids: string[]): string[] {
  return ids.filter((id) => identity(Number(id.split(":")[0])) === id);
}

/** Identities of every PID recorded in the run dir's state/pids (read while the rig is up). */
function recordedIds(): string[] {
  const dir = `${RUN}/state/pids`;
  if (!existsSync(dir)) return [];
  const ids: string[] = [];
  for (const f of readdirSync(dir)) {
    for (const line of readFileSync(`${dir}/${f}`, "utf8").split("\n")) {
      const id = /^\d+$/.test(line) ? identity(Number(line)) : undefined;
      if (id) ids.push(id);
    }
  }
  return ids;
}

/** Processes whose network namespace is `netnsLink` ("net:[inode]"). */
function processesIn(netnsLink: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/net`) === netnsLink) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Lines of the host's mount table that belong to this rig (its run dir or its netns file). */
function rigMounts(): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.includes(RUN) || l.includes(NSFILE));
}

function cgroupDirs(): string[] {
  const dirs = [`/sys/fs/cgroup/${CGROUP}`];
  for (const h of readdirSync("/sys/fs/cgroup")) dirs.push(`/sys/fs/cgroup/${h}/${CGROUP}`);
  return dirs.filter((d) => existsSync(d));
}

async function netnsList(): Promise<string[]> {
  const r = await run("ip", ["netns", "list"], 10_000);
  return r.stdout.split("\n").map((l) => l.split(" ")[0]!).filter(Boolean);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeRig("rig lifecycle (a second rig in netns mdlife)", () => {
  afterAll(async () => {
    // Whatever happened above, leave nothing behind.
    await rigScript("down");
  }, 60_000);

  it("a crashed start is cleaned, up serves and is reused, down leaves nothing", async () => {
    const t0 = performance.now();
    const mountsBefore = rigMounts();

    // 1. A crashed run: up.sh killed as soon as it has started its first daemons.
    const crashed: ChildProcess = spawn("bash", [`${REPO}/test/rig/up.sh`], { cwd: REPO, env: ENV, stdio: "ignore" });
    let crashIds: string[] = [];
    for (let i = 0; i < 600 && crashIds.length === 0 && crashed.exitCode === null; i++) {
      await sleep(50);
      crashIds = recordedIds();
    }
    await sleep(300);
    crashIds = recordedIds();
    crashed.kill("SIGKILL");
    await new Promise((r) => (crashed.exitCode === null && crashed.signalCode === null ? crashed.once("exit", r) : r(null)));
    expect(crashIds.length, "the killed up.sh had started daemons").toBeGreaterThan(0);

    // 2. up: tears the crashed run down, starts afresh.
    const up = await rigScript("up");
    expect(up.code, up.stderr.slice(-3000)).toBe(0);
    expect(up.ms).toBeLessThan(60_000);
    expect(alive(crashIds), "daemons of the crashed run are gone").toEqual([]);
    const rigJson = up.stdout.trim().split("\n").pop()!;
    expect(rigJson).toBe(`${RUN}/rig.json`);
    const rig: Rig = parseRig(JSON.parse(readFileSync(rigJson, "utf8")));
    expect(rig.netns).toBe(NS);
    const sd = parseRigSystemd(rig.services["systemd"]!);
    const ids = recordedIds();
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const netnsLink = readlinkSync(`/proc/${rig.pids.knot}/ns/net`);
    expect(readlinkSync("/proc/self/ns/net"), "the rig has its own netns").not.toBe(netnsLink);

    // 3. It serves: DNS, and Dendrite through nginx over TLS.
    const dig = await inNs("dig", "+short", "@127.0.0.10", "example.test", "A");
    expect(dig.stdout.trim()).toBe("127.0.0.2");
    const version = await inNs("curl", "-sS", "--max-time", "5", "--cacert", rig.caFile, "--resolve", "example.test:443:127.0.0.2",
      "https://example.test/_matrix/federation/v1/version");
    expect(version.code, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({ server: { name: "Dendrite" } });

    // Dendrite is dendrite.service's main process; rig.json holds its host PID.
    const [cmd, ...prefix] = sd.systemctl.split(" ") as [string, ...string[]];
    const show = await run(cmd, [...prefix, "show", "-p", "MainPID", "-p", "ActiveState", "-p", "NRestarts", "-p", "LimitNOFILE", "dendrite.service"], 15_000);
    const props = Object.fromEntries(show.stdout.trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
    expect(props).toMatchObject({ ActiveState: "active", NRestarts: "0", LimitNOFILE: "65535" });
    expect(rig.dendrite.pid).toBe(rig.pids.dendrite);
    expect(readlinkSync(`/proc/${rig.dendrite.pid}/exe`)).toBe(`${rig.dendrite.binDir}/dendrite`);
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${rig.dendrite.pid}/status`, "utf8"))?.[1]?.split(/\s+/);
    expect(nspid?.at(-1), "rig.dendrite.pid is the host PID of systemd's MainPID").toBe(props["MainPID"]);

    // No mount of the rig is visible in the host's mount namespace but the netns file.
    expect(rigMounts().filter((l) => !mountsBefore.includes(l)).every((l) => l.includes(NSFILE))).toBe(true);
    expect(cgroupDirs().length).toBeGreaterThan(0);

    // 4. up again: reused as it is.
    const again = await rigScript("up");
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).toContain("already up");
    expect(again.ms).toBeLessThan(10_000);
    expect(alive(ids)).toEqual(ids);

    // 5. down: nothing left.
    const down = await rigScript("down");
    expect(down.code, down.stderr).toBe(0);
    expect(down.ms).toBeLessThan(60_000);
    expect(alive(ids), "recorded processes still alive").toEqual([]);
    expect(identity(sd.pid), "the rig's systemd").toBeUndefined();
    expect(processesIn(netnsLink), `processes left in netns ${NS}`).toEqual([]);
    expect(await netnsList()).not.toContain(NS);
    expect(existsSync(NSFILE)).toBe(false);
    expect(rigMounts(), "mounts mentioning the run dir or the netns").toEqual([]);
    expect(cgroupDirs(), "cgroup subtrees left").toEqual([]);
    expect(existsSync(`${RUN}/rig.json`)).toBe(false);
    console.log(`rig lifecycle: up ${up.ms} ms, reuse ${again.ms} ms, down ${down.ms} ms, all ${Math.round(performance.now() - t0)} ms`);
  }, 150_000);
});
