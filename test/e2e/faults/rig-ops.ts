// Operations on the REAL components of a running rig (test/rig), for fault injection: edit nginx's generated
// config and reload it, edit knot's zone and reload it, SQL against PostgreSQL / stop and start its postmaster,
// systemd drop-ins and restarts of dendrite.service, Synapse and coturn restarts, homeserver config edits.
// Everything works on the run dir and the PIDs recorded there (state/pids/*); only processes the rig started (or
// these helpers restarted) are signalled, by PID. Must run inside the rig's netns (the tests do).
//
// Every change registers its undo in an Undo stack first, so a half-made injection is still rolled back.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Rig } from "../../rig/rig.js";
import { rigPostgres, type RigPostgres } from "../../rig/postgres.js";
import { rigSynapse, type RigSynapse } from "../../rig/synapse.js";
import { rigSystemd, type RigSystemd } from "../../rig/systemd.js";
import { parseCoturn, type RigCoturn } from "../../rig/coturn.js";

export type Homeserver = "dendrite" | "synapse";

const PG_BIN = "/usr/lib/postgresql/15/bin";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A stack of undo steps, run last-in first-out; every step runs even if an earlier one throws. */
export class Undo {
  private steps: { what: string; fn: () => Promise<void> | void }[] = [];
  push(what: string, fn: () => Promise<void> | void): void {
    this.steps.push({ what, fn });
  }
  async run(): Promise<void> {
    const errors: string[] = [];
    while (this.steps.length > 0) {
      const s = this.steps.pop()!;
      try {
        await s.fn();
      } catch (err) {
        errors.push(`${s.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (errors.length > 0) throw new Error(`restore failed:\n${errors.join("\n")}`);
  }
}

/** Run a command, throw with its output if it fails. */
export function sh(cmd: string[], opts: { input?: string; timeoutMs?: number; allowFail?: boolean } = {}): { code: number | null; out: string } {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { input: opts.input, encoding: "utf8", timeout: opts.timeoutMs ?? 30_000 });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (!opts.allowFail && (r.status !== 0 || r.error)) {
    throw new Error(`${cmd.join(" ")} exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ""}: ${out.slice(0, 800)}`);
  }
  return { code: r.status, out };
}

/** Poll fn until it returns true; throw after timeoutMs with the last error. */
export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((s) => s !== "");
  } catch {
    return [];
  }
}

/** Write a file atomically (rename), keeping its mode and owner (homeserver.yaml is 0600: a 0644 copy would be a
 * new fault, config-registration's world-readable secrets). */
function writeAtomic(path: string, text: string): void {
  const st = existsSync(path) ? statSync(path) : undefined;
  const tmp = `${path}.fault-tmp`;
  writeFileSync(tmp, text, { mode: st ? st.mode & 0o7777 : 0o644 });
  if (st) {
    chmodSync(tmp, st.mode & 0o7777);
    chownSync(tmp, st.uid, st.gid);
  }
  renameSync(tmp, path);
}

/** Replace exactly one occurrence of `from` (throws when it occurs 0 or 2+ times: the rig changed under us). */
export function replaceOnce(text: string, from: string, to: string, where: string): string {
  const first = text.indexOf(from);
  if (first < 0) throw new Error(`${where}: '${from.slice(0, 80)}' not found`);
  if (text.indexOf(from, first + 1) >= 0) throw new Error(`${where}: '${from.slice(0, 80)}' occurs more than once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

export class RigOps {
  readonly run: string;
  readonly ns: string;
  readonly pg: RigPostgres;
  readonly synapse: RigSynapse;
  readonly systemd: RigSystemd;
  readonly coturn: RigCoturn;

  constructor(readonly rig: Rig) {
    this.run = rig.runDir;
    this.ns = rig.netns;
    const pg = rigPostgres(rig);
    const syn = rigSynapse(rig);
    const sd = rigSystemd(rig);
    const ct = rig.services["coturn"];
    if (!pg || !syn || !sd || !ct) throw new Error("the fault matrix needs the rig's postgres, synapse, systemd and coturn services");
    this.pg = pg;
    this.synapse = syn;
    this.systemd = sd;
    this.coturn = parseCoturn(ct);
  }

  serverName(hs: Homeserver): string {
    return hs === "dendrite" ? this.rig.dendrite.serverName : this.synapse.serverName;
  }
  configPath(hs: Homeserver): string {
    return hs === "dendrite" ? this.rig.dendrite.configPath : this.synapse.configPath;
  }
  accessToken(hs: Homeserver): string {
    return hs === "dendrite" ? this.coturn.accessToken : this.synapse.accessToken;
  }
  homeserverUrl(hs: Homeserver): string {
    return hs === "dendrite" ? this.rig.dendrite.url : this.synapse.url;
  }
  pidFile(name: string): string {
    return join(this.run, "state", "pids", name);
  }
  readPid(name: string): number {
    return Number(readFileSync(this.pidFile(name), "utf8").trim());
  }

  // ------------------------------------------------------------------ files
  /** Edit a file with fn; its original content comes back on undo (and the reload given, if any). */
  editFile(undo: Undo, path: string, fn: (text: string) => string, after?: () => Promise<void>): void {
    const original = readFileSync(path, "utf8");
    const next = fn(original);
    undo.push(`restore ${path}`, async () => {
      writeAtomic(path, original);
      if (after) await after();
    });
    writeAtomic(path, next);
  }

  // ------------------------------------------------------------------ nginx
  /** The nginx file holding the homeserver's server block. */
  nginxFile(hs: Homeserver): string {
    return hs === "dendrite" ? join(this.run, "nginx", "nginx.conf") : join(this.run, "nginx", "services", "synapse.conf");
  }

  private nginxWorkers(master: number): number[] {
    const out: number[] = [];
    for (const task of readdirSync(`/proc/${master}/task`)) {
      const c = readFileSync(`/proc/${master}/task/${task}/children`, "utf8").trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    }
    return out;
  }

  /** nginx -t, then SIGHUP to the master; resolves once a new generation of workers runs. */
  async reloadNginx(): Promise<void> {
    const conf = join(this.run, "nginx", "nginx.conf");
    sh(["nginx", "-t", "-q", "-p", join(this.run, "nginx"), "-c", conf, "-e", join(this.run, "logs", "nginx-error.log")]);
    const master = this.readPid("nginx");
    if (!pidAlive(master) || !cmdline(master).join(" ").includes("nginx")) throw new Error(`nginx master ${master} is not running`);
    const before = new Set(this.nginxWorkers(master));
    process.kill(master, "SIGHUP");
    await until("nginx to start new workers after SIGHUP", () => this.nginxWorkers(master).some((p) => !before.has(p)), 10_000, 20);
    // Old workers finish their connections and exit; wait for that too so no request reaches the old config.
    await until("nginx's old workers to exit", () => ![...before].some((p) => pidAlive(p)), 10_000, 20).catch(() => undefined);
    // Keep the rig's bookkeeping true (down.sh TERMs recorded PIDs).
    writeFileSync(this.pidFile("nginx-workers"), this.nginxWorkers(master).join("\n") + "\n");
  }

  /** Edit an nginx file and reload; undo restores the file and reloads again. */
  async editNginx(undo: Undo, path: string, fn: (text: string) => string): Promise<void> {
    this.editFile(undo, path, fn, () => this.reloadNginx());
    await this.reloadNginx();
  }

  // ------------------------------------------------------------------- knot
  zoneFile(): string {
    return join(this.run, "knot", "zones", "example.test.zone");
  }

  /** Blocking zone reload through knotd's control socket. */
  reloadKnot(): void {
    sh(["knotc", "-b", "-s", join(this.run, "knot", "run", "knot.sock"), "zone-reload", "example.test"]);
  }

  dig(name: string, type: string): string[] {
    const [host, port] = this.rig.resolver.split(":");
    const r = sh(["dig", "+short", "+norec", "+time=1", "+tries=2", `@${host}`, "-p", port ?? "53", name, type]);
    return r.out.trim().split("\n").filter((l) => l !== "");
  }

  /** Edit the zone, reload knot, and wait until `ready` sees the new zone; undo does the reverse. */
  async editZone(undo: Undo, fn: (text: string) => string, ready: () => boolean, restored: () => boolean): Promise<void> {
    this.editFile(undo, this.zoneFile(), fn, async () => {
      this.reloadKnot();
      await until("knot to serve the restored zone", restored, 10_000, 50);
    });
    this.reloadKnot();
    await until("knot to serve the edited zone", ready, 10_000, 50);
  }

  // --------------------------------------------------------------- postgres
  /** SQL as the superuser over the unix socket of the main cluster (peer auth; SQL on stdin, no password on a command line). */
  psql(sql: string): string {
    return sh(
      ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", `${PG_BIN}/psql`, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
        "-h", this.pg.socketDir, "-p", String(this.pg.port), "-U", "postgres", "-d", "postgres"],
      { input: sql },
    ).out;
  }

  pgReady(): boolean {
    return sh([`${PG_BIN}/pg_isready`, "-q", "-h", this.pg.socketDir, "-p", String(this.pg.port)], { allowFail: true }).code === 0;
  }

  /** Fast shutdown of the main cluster (SIGINT to the recorded postmaster = pg_ctl stop -m fast); undo starts it again. */
  async stopPostgres(undo: Undo): Promise<void> {
    const pid = this.readPid("postgres-main");
    const argv = cmdline(pid);
    if (!argv[0]?.endsWith("/postgres")) throw new Error(`PID ${pid} recorded for postgres-main is not a postmaster`);
    undo.push("start PostgreSQL", () => this.startPostgres(argv));
    process.kill(pid, "SIGINT");
    await until("the postmaster to exit", () => !pidAlive(pid), 15_000, 50);
  }

  /** Start the postmaster again exactly as services/postgres.sh did (same argv, as user postgres, in the netns). */
  private async startPostgres(argv: string[]): Promise<void> {
    if (this.pgReady()) return;
    const log = openSync(join(this.run, "logs", "postgres-main.log"), "a");
    const child = spawn(
      "nsenter",
      [`--net=/run/netns/${this.ns}`, "--", "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", ...argv],
      { detached: true, stdio: ["ignore", log, log] },
    );
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error("could not start the postmaster");
    writeFileSync(this.pidFile("postgres-main"), `${child.pid}\n`);
    this.patchRigJson((j) => {
      const p = (j["services"] as Record<string, Record<string, Record<string, number>>>)["postgres"];
      if (p?.["pids"]) p["pids"]["main"] = child.pid!;
    });
    await until("PostgreSQL to accept connections", () => this.pgReady(), 20_000, 100);
  }

  // ---------------------------------------------------------------- systemd
  systemctl(args: string[], allowFail = false): string {
    return sh([...this.systemd.systemctl.split(/\s+/), ...args], { allowFail, timeoutMs: 20_000 }).out;
  }

  unitState(): Record<string, string> {
    const out = this.systemctl(["show", "-p", "ActiveState", "-p", "SubState", "-p", "NRestarts", "-p", "MainPID", "-p", "Result", "dendrite.service"], true);
    return Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  }

  async homeserverAnswers(hs: Homeserver): Promise<boolean> {
    try {
      const r = await fetch(`${this.homeserverUrl(hs)}/_matrix/federation/v1/version`, { signal: AbortSignal.timeout(2_000) });
      return r.ok;
    } catch {
      return false;
    }
  }

  /** systemctl restart dendrite.service, wait until Dendrite answers, record its new host PID. */
  async restartDendrite(): Promise<void> {
    this.systemctl(["restart", "dendrite.service"]);
    await until("Dendrite to answer after the restart", () => this.homeserverAnswers("dendrite"), 60_000, 100);
    this.recordDendritePid();
  }

  /** A drop-in in dendrite.service.d, daemon-reload and restart; undo removes it, resets and restarts Dendrite. */
  async dendriteDropIn(undo: Undo, text: string): Promise<void> {
    const dir = join(this.systemd.unitDir, "dendrite.service.d");
    const file = join(dir, "fault.conf");
    undo.push("remove the drop-in and restart dendrite.service", async () => {
      rmSync(file, { force: true });
      this.systemctl(["daemon-reload"]);
      this.systemctl(["reset-failed", "dendrite.service"], true);
      await this.restartDendrite();
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    this.systemctl(["daemon-reload"]);
    this.systemctl(["restart", "dendrite.service"], true);
  }

  async stopDendrite(undo: Undo): Promise<void> {
    undo.push("start dendrite.service", async () => {
      this.systemctl(["start", "dendrite.service"]);
      await until("Dendrite to answer", () => this.homeserverAnswers("dendrite"), 60_000, 100);
      this.recordDendritePid();
    });
    this.systemctl(["stop", "dendrite.service"]);
    await until("Dendrite to stop answering", async () => !(await this.homeserverAnswers("dendrite")), 10_000, 100);
  }

  /** The host PID of dendrite.service's MainPID (systemctl reports the PID inside systemd's PID namespace). */
  private recordDendritePid(): void {
    const nspid = this.unitState()["MainPID"];
    const pidns = readlinkSync(`/proc/${this.systemd.pid}/ns/pid`);
    for (const p of readdirSync("/proc")) {
      if (!/^\d+$/.test(p)) continue;
      try {
        if (readlinkSync(`/proc/${p}/ns/pid`) !== pidns) continue;
        const m = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${p}/status`, "utf8"));
        if (m && m[1]!.trim().split(/\s+/).pop() === nspid) {
          const pid = Number(p);
          writeFileSync(this.pidFile("dendrite"), `${pid}\n`);
          this.patchRigJson((j) => {
            (j["dendrite"] as Record<string, number>)["pid"] = pid;
            (j["pids"] as Record<string, number>)["dendrite"] = pid;
          });
          return;
        }
      } catch {
        // raced with an exiting process
      }
    }
  }

  /** Keep rig.json true after a restart changed a PID (atomic rewrite; the run dir is the rig's state). */
  private patchRigJson(fn: (j: Record<string, unknown>) => void): void {
    const path = join(this.run, "rig.json");
    const j = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    fn(j);
    writeAtomic(path, `${JSON.stringify(j, null, 2)}\n`);
  }

  // ---------------------------------------------------------------- synapse
  async stopSynapse(): Promise<void> {
    const pid = this.readPid("synapse");
    if (pidAlive(pid) && cmdline(pid).join(" ").includes("synapse.app.homeserver")) {
      process.kill(pid, "SIGTERM");
      await until("Synapse to exit", () => !pidAlive(pid), 20_000, 50);
    }
  }

  async startSynapse(): Promise<void> {
    if (await this.homeserverAnswers("synapse")) return;
    sh(["bash", this.synapse.startScript], { timeoutMs: 60_000 });
    const pid = this.readPid("synapse");
    this.patchRigJson((j) => {
      const s = (j["services"] as Record<string, Record<string, number>>)["synapse"];
      if (s) s["pid"] = pid;
    });
  }

  async restartHomeserver(hs: Homeserver): Promise<void> {
    if (hs === "dendrite") return this.restartDendrite();
    await this.stopSynapse();
    await this.startSynapse();
  }

  /** Stop the homeserver (systemctl stop / kill -TERM); undo starts it. */
  async stopHomeserver(undo: Undo, hs: Homeserver): Promise<void> {
    if (hs === "dendrite") return this.stopDendrite(undo);
    undo.push("start Synapse", () => this.startSynapse());
    await this.stopSynapse();
  }

  /** Edit the homeserver's config; restart it if asked (and again on undo). */
  async editHomeserverConfig(undo: Undo, hs: Homeserver, fn: (text: string) => string, restart: boolean): Promise<void> {
    this.editFile(undo, this.configPath(hs), fn, restart ? () => this.restartHomeserver(hs) : undefined);
    if (restart) {
      if (hs === "dendrite") this.systemctl(["restart", "dendrite.service"], true);
      else {
        await this.stopSynapse();
        // Synapse may refuse to start with the bad config: that is the fault's effect, not an error here.
        sh(["bash", this.synapse.startScript], { timeoutMs: 60_000, allowFail: true });
      }
    }
  }

  // ----------------------------------------------------------------- coturn
  private coturnListening(): boolean {
    const tcp = sh(["ss", "-Hltn", "src 127.0.0.3 and ( sport = :3478 or sport = :5349 )"], { allowFail: true }).out.trim().split("\n").filter(Boolean);
    const udp = sh(["ss", "-Hlun", "src 127.0.0.3 and sport = :3478"], { allowFail: true }).out.trim();
    return tcp.length >= 2 && udp !== "";
  }

  private async stopCoturn(): Promise<void> {
    const pid = this.readPid("coturn-healthy");
    if (pidAlive(pid) && cmdline(pid)[0]?.endsWith("turnserver")) {
      process.kill(pid, "SIGTERM");
      await until("turnserver to exit", () => !pidAlive(pid), 10_000, 50).catch(() => {
        if (pidAlive(pid) && cmdline(pid)[0]?.endsWith("turnserver")) process.kill(pid, "SIGKILL");
      });
      await until("turnserver to exit after KILL", () => !pidAlive(pid), 5_000, 50);
    }
  }

  private async startCoturn(conf: string): Promise<void> {
    const log = openSync(join(this.run, "logs", "coturn-healthy.out"), "a");
    const child = spawn("nsenter", [`--net=/run/netns/${this.ns}`, "--", "turnserver", "-c", conf], { detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error("could not start turnserver");
    writeFileSync(this.pidFile("coturn-healthy"), `${child.pid}\n`);
    await until("coturn to listen on 127.0.0.3", () => pidAlive(child.pid!) && this.coturnListening(), 15_000, 50);
  }

  healthyCoturnConf(): string {
    return join(this.coturn.confDir, "healthy.conf");
  }

  /** Stop the healthy coturn (and, with a config edit, start it again with the edited copy); undo restarts the original. */
  async coturnFault(undo: Undo, edit?: (conf: string) => string): Promise<void> {
    undo.push("restart the healthy coturn", async () => {
      await this.stopCoturn();
      await this.startCoturn(this.healthyCoturnConf());
    });
    await this.stopCoturn();
    if (edit) {
      const faulty = join(this.coturn.confDir, "healthy-fault.conf");
      writeFileSync(faulty, edit(readFileSync(this.healthyCoturnConf(), "utf8")));
      undo.push("remove the faulty coturn config", () => rmSync(faulty, { force: true }));
      await this.startCoturn(faulty);
    }
  }

  // ------------------------------------------------------------ health probe
  private curl(url: string, host: string): { code: string; body: string } {
    const u = new URL(url);
    const port = u.port || "443";
    const r = sh(
      ["curl", "-sS", "--max-time", "3", "--cacert", this.rig.caFile, "--resolve", `${host}:${port}:127.0.0.2`, "-w", "\n%{http_code}", url],
      { allowFail: true },
    );
    const i = r.out.lastIndexOf("\n");
    return { code: r.out.slice(i + 1).trim(), body: r.out.slice(0, i) };
  }

  /** What the healthy rig answers (compared after every restore). */
  snapshot(): Record<string, string> {
    const s: Record<string, string> = {};
    for (const hs of ["dendrite", "synapse"] as const) {
      const name = this.serverName(hs);
      for (const path of ["/.well-known/matrix/server", "/.well-known/matrix/client"]) {
        const r = this.curl(`https://${name}${path}`, name);
        s[`${name}${path}`] = `${r.code} ${r.body}`;
      }
      s[`${name} A`] = this.dig(name, "A").join(",");
      s[`${name} AAAA`] = this.dig(name, "AAAA").join(",");
      s[`${name} SRV`] = this.dig(`_matrix-fed._tcp.${name}`, "SRV").join(",");
      const st = statSync(this.configPath(hs));
      s[`${this.configPath(hs)} mode`] = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    }
    return s;
  }

  /**
   * The quick health probe after a restore: DNS and nginx answer as at the start (snapshot), both homeservers answer
   * through nginx on 443 and 8448 and use their database (whoami), dendrite.service runs, PostgreSQL and coturn serve.
   * Retries for up to 20 s (a homeserver may need a moment to reconnect to a restarted PostgreSQL).
   */
  async assertHealthy(baseline: Record<string, string>): Promise<void> {
    let why: string[] = [];
    const ok = async (): Promise<boolean> => {
      why = [];
      if (!this.pgReady()) why.push("PostgreSQL not ready");
      if (!this.coturnListening()) why.push("coturn not listening on 127.0.0.3");
      const unit = this.unitState();
      if (unit["ActiveState"] !== "active" || unit["SubState"] !== "running") why.push(`dendrite.service ${unit["ActiveState"]}/${unit["SubState"]}`);
      if (existsSync(join(this.systemd.unitDir, "dendrite.service.d", "fault.conf"))) why.push("drop-in left");
      const now = this.snapshot();
      for (const [k, v] of Object.entries(baseline)) if (now[k] !== v) why.push(`${k}: ${now[k]} (was ${v})`);
      for (const hs of ["dendrite", "synapse"] as const) {
        const name = this.serverName(hs);
        for (const port of ["443", "8448"]) {
          const r = this.curl(`https://${name}:${port}/_matrix/federation/v1/version`, name);
          if (r.code !== "200") why.push(`${name}:${port} federation version: ${r.code}`);
        }
        try {
          const r = await fetch(`${this.homeserverUrl(hs)}/_matrix/client/v3/account/whoami`, {
            headers: { Authorization: `Bearer ${this.accessToken(hs)}` },
            signal: AbortSignal.timeout(3_000),
          });
          if (r.status !== 200) why.push(`${hs} whoami: ${r.status}`);
        } catch (err) {
          why.push(`${hs} whoami: ${String(err)}`);
        }
      }
      return why.length === 0;
    };
    const end = Date.now() + 20_000;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`the rig is not healthy after restore: ${why.join("; ")}`);
      await sleep(250);
    }
  }
}

