// The exporter's HTTP server, blackbox_exporter's multi-target model:
//   /probe?target=&module=   runs the module's checks now, metrics from a fresh registry per request
//   /metrics                 the exporter's own metrics + the cached result of the scheduled server-side run
//   /                        status page;  /-/healthy liveness;  /-/ready readiness
// A request keeps the configuration object it started with, so a reload (SIGHUP) never changes a scrape
// half-way; a failed reload keeps the old configuration.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import type { Check } from "../engine/check.js";
import { runChecks, type ProbeRegistry, type RunOutcome } from "../engine/run.js";
import type { RunInput } from "../engine/probe.js";
import { buildRunMetrics, runSucceeded } from "../report/metrics.js";
import { VERSION } from "../version.js";
import { CHECKS } from "../../checks/index.js";
import {
  ConfigError,
  formatListen,
  loadConfig,
  moduleYaml,
  TIMEOUT_OFFSET_SECONDS,
  type ExporterConfig,
  type ModuleConfig,
  type ServeFlags,
} from "./config.js";
import { Scheduler } from "./schedule.js";
import { SelfMetrics, type RejectReason } from "./self-metrics.js";
import { renderStatusPage, type RunSnapshot } from "./status-page.js";

export interface ExporterOptions {
  flags: ServeFlags;
  env: NodeJS.ProcessEnv;
  /** Where operational log lines go (default: stderr). Never given a secret. */
  log?: (line: string) => void;
  /** Defaults: the built-in checks and probes. */
  checks?: readonly Check[];
  probes?: ProbeRegistry;
}

/** Log lines kept per probe for ?debug=true (a runaway probe must not grow memory without bound). */
const MAX_DEBUG_LINES = 5_000;

function snapshot(outcome: RunOutcome): RunSnapshot {
  const { report } = outcome;
  return {
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    success: runSucceeded(report.checks),
    summary: { ...report.summary },
    checks: report.checks.map((c) => ({ id: c.id, title: c.title, category: c.category, status: c.status, summary: c.summary })),
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** User input echoed in an error: one short line. */
function quote(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "?");
  return `'${clean.length > 100 ? `${clean.slice(0, 100)}…` : clean}'`;
}

export class Exporter {
  readonly metrics: SelfMetrics;
  readonly #server: Server;
  readonly #options: ExporterOptions;
  readonly #log: (line: string) => void;
  readonly #checks: readonly Check[];
  readonly #probes: ProbeRegistry;
  readonly #scheduler: Scheduler;
  readonly #startedAt = new Date();
  #config: ExporterConfig;
  #reload: { ok: boolean; at?: Date; error?: string };
  #reloading: Promise<boolean> = Promise.resolve(true);
  #history = new Map<string, RunSnapshot>();
  #scheduled: { serverName: string; outcome: RunOutcome } | undefined;
  #skipped = 0;
  #perTarget = new Map<string, number>();
  #active = 0;
  #idle: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  private constructor(options: ExporterOptions, config: ExporterConfig) {
    this.#options = options;
    this.#log = options.log ?? ((line) => process.stderr.write(`matrix-doctor serve: ${line}\n`));
    this.#checks = options.checks ?? CHECKS;
    this.#probes = options.probes ?? {};
    this.#config = config;
    this.#reload = { ok: true, at: new Date() };
    this.metrics = new SelfMetrics(options.env.MATRIX_DOCTOR_REVISION || "unknown");
    this.metrics.reloadSuccessful.set(1);
    this.metrics.reloadSuccessTimestamp.set(Date.now() / 1000);
    this.metrics.setModules(config.modules.keys());
    this.#scheduler = new Scheduler({
      run: () => this.#scheduledRun(),
      onSkipped: () => {
        this.#skipped++;
        this.metrics.scheduledSkipped.inc();
        this.#log("scheduled run skipped: the previous run is still going");
      },
    });
    this.#server = createServer((req, res) => this.#onRequest(req, res));
  }

  /** Loads the configuration (ConfigError when it is invalid), listens, starts the schedule. */
  static async start(options: ExporterOptions): Promise<Exporter> {
    const config = loadConfig(options.flags, options.env, options.checks ?? CHECKS);
    // The probes pull in undici, pg and matrix-js-sdk: loaded once the configuration is known to be good.
    const probes = options.probes ?? (await import("../probes/index.js")).PROBES;
    const exporter = new Exporter({ ...options, probes }, config);
    await exporter.#listen();
    await exporter.#applySchedule(config, undefined);
    return exporter;
  }

  get config(): ExporterConfig {
    return this.#config;
  }

  /** The bound address (the port is the real one when 0 was asked for). */
  get address(): { host: string; port: number; url: string } {
    const a = this.#server.address() as AddressInfo;
    const host = a.address === "::" || a.address === "0.0.0.0" ? "127.0.0.1" : a.address;
    return { host: a.address, port: a.port, url: `http://${host.includes(":") ? `[${host}]` : host}:${a.port}` };
  }

  /** Waits for the scheduled run in progress (tests, and the first run at start-up). */
  async triggerScheduledRun(): Promise<void> {
    await this.#scheduler.trigger();
  }

  async #listen(): Promise<void> {
    const { host, port } = this.#config.listen;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new ConfigError(`cannot listen on ${formatListen(this.#config.listen)}: ${err.code ?? err.message}`));
      };
      this.#server.once("error", onError);
      this.#server.listen({ port, ...(host !== "" && { host }) }, () => {
        this.#server.off("error", onError);
        resolve();
      });
    });
    this.#server.on("error", (err) => this.#log(`server error: ${err.message}`));
  }

  // -------------------------------------------------------------------------------------------------
  // Reload and shutdown

  /** Re-reads the configuration (SIGHUP). On failure the old configuration stays and false is returned. */
  reload(): Promise<boolean> {
    this.#reloading = this.#reloading.then(() => this.#doReload());
    return this.#reloading;
  }

  async #doReload(): Promise<boolean> {
    if (this.#closing) return false;
    const old = this.#config;
    let next: ExporterConfig;
    try {
      next = loadConfig(this.#options.flags, this.#options.env, this.#checks);
    } catch (err) {
      const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
      this.#reload = { ok: false, at: this.#reload.at, error: message };
      this.metrics.reloadSuccessful.set(0);
      this.#log(`reload failed, keeping the previous configuration: ${message}`);
      return false;
    }
    if (next.listen.host !== old.listen.host || next.listen.port !== old.listen.port) {
      this.#log(`listen changed to ${formatListen(next.listen)}: that needs a restart, still listening on ${formatListen(old.listen)}`);
    }
    this.#config = next;
    this.#reload = { ok: true, at: new Date() };
    this.metrics.reloadSuccessful.set(1);
    this.metrics.reloadSuccessTimestamp.set(Date.now() / 1000);
    this.metrics.setModules(next.modules.keys());
    // Forget results of targets and modules that are gone (the status page shows configured ones only).
    for (const key of this.#history.keys()) {
      const [target, module] = key.split("\u0000") as [string, string];
      if (!next.targets.includes(target) || !next.modules.has(module)) this.#history.delete(key);
    }
    await this.#applySchedule(next, old);
    this.#log(`configuration reloaded (${next.targets.length} targets, modules: ${[...next.modules.keys()].join(", ")})`);
    return true;
  }

  async #applySchedule(next: ExporterConfig, old: ExporterConfig | undefined): Promise<void> {
    const s = next.schedule;
    if (!s || (this.#scheduled && this.#scheduled.serverName !== s.serverName)) this.#scheduled = undefined;
    await this.#scheduler.apply(s?.cron);
    // Run once at start-up (and when the schedule first appears), so /metrics has results before the first tick.
    if (s && !old?.schedule) void this.#scheduler.trigger();
  }

  /**
   * Stops accepting connections, lets requests in flight finish (at most graceMs), then closes. Used for
   * SIGTERM: an orchestrator's stop must not cut a scrape in half if it can be helped.
   */
  close(graceMs = 5_000): Promise<void> {
    this.#closing ??= this.#doClose(graceMs);
    return this.#closing;
  }

  async #doClose(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    const drained = this.#active === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#idle.push(resolve));
    await Promise.all([Promise.race([drained, deadline]), this.#scheduler.stop(graceMs)]);
    this.#server.closeAllConnections();
    await closed;
  }

  // -------------------------------------------------------------------------------------------------
  // Requests

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#active++;
    res.once("close", () => {
      this.#active--;
      if (this.#active === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
    if (this.#closing) res.setHeader("Connection", "close");
    this.#handle(req, res).catch((err: unknown) => {
      this.#log(`internal error on ${req.url ?? ""}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) this.#text(res, 500, "internal error (see the exporter's log)\n");
      else res.destroy();
    });
  }

  #text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
    res.end(body);
  }

  #authorized(req: IncomingMessage, config: ExporterConfig): boolean {
    const auth = config.auth;
    if (!auth) return true;
    const header = req.headers.authorization ?? "";
    if (auth.kind === "bearer") {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      return m !== null && safeEqual(m[1]!, auth.token.reveal());
    }
    const m = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    // Both compared, always, so the time taken does not tell which one was wrong.
    const userOk = safeEqual(decoded.slice(0, colon), auth.username);
    const passOk = safeEqual(decoded.slice(colon + 1), auth.password.reveal());
    return userOk && passOk;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://exporter.invalid");
    if (req.method !== "GET" && req.method !== "HEAD") return this.#text(res, 405, "only GET and HEAD\n", { Allow: "GET, HEAD" });
    // Liveness only: never depends on configuration, targets or auth (an orchestrator must not restart us
    // because a homeserver is down or a password rotated).
    if (url.pathname === "/-/healthy") return this.#text(res, 200, "Healthy\n");
    const config = this.#config;
    if (!this.#authorized(req, config)) {
      const challenge = config.auth?.kind === "basic" ? 'Basic realm="matrix-doctor", charset="UTF-8"' : 'Bearer realm="matrix-doctor"';
      return this.#text(res, 401, "unauthorized\n", { "WWW-Authenticate": challenge });
    }
    switch (url.pathname) {
      case "/-/ready":
        return this.#closing ? this.#text(res, 503, "Shutting down\n") : this.#text(res, 200, "Ready\n");
      case "/metrics":
        return this.#serveMetrics(res);
      case "/probe":
        return this.#probe(req, res, url, config);
      case "/":
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        res.end(this.#statusPage(config));
        return;
      default:
        return this.#text(res, 404, "not found: try /, /probe?target=NAME, /metrics, /-/healthy or /-/ready\n");
    }
  }

  async #serveMetrics(res: ServerResponse): Promise<void> {
    let text = await this.metrics.registry.metrics();
    const cached = this.#scheduled;
    if (cached) {
      const registry = new Registry();
      buildRunMetrics(registry, cached.outcome, { mode: "cached" });
      text += await registry.metrics();
    }
    res.writeHead(200, { "Content-Type": this.metrics.registry.contentType, "Cache-Control": "no-store" });
    res.end(text);
  }

  #reject(res: ServerResponse, reason: RejectReason, status: number, message: string, headers: Record<string, string> = {}): void {
    this.metrics.rejected.inc({ reason });
    this.#text(res, status, `${message}\n`, headers);
  }

  async #probe(req: IncomingMessage, res: ServerResponse, url: URL, config: ExporterConfig): Promise<void> {
    const moduleName = url.searchParams.get("module") ?? config.defaultModule;
    const module = config.modules.get(moduleName);
    if (!module) {
      this.metrics.moduleUnknown.inc();
      return this.#reject(res, "unknown_module", 400, `unknown module ${quote(moduleName)} (configured: ${[...config.modules.keys()].join(", ")})`);
    }
    const rawTarget = url.searchParams.get("target");
    if (rawTarget === null || rawTarget.trim() === "") {
      return this.#reject(res, "missing_target", 400, "missing the target parameter, e.g. /probe?target=example.org&module=federation");
    }
    const target = rawTarget.trim().toLowerCase();
    if (!config.targets.includes(target)) {
      return this.#reject(
        res,
        "target_not_allowed",
        403,
        `target ${quote(rawTarget)} is not allowed: this exporter probes only the server names in its configuration ` +
          `(targets: in the config file, or --target), so that it cannot be used to scan arbitrary hosts`,
      );
    }

    // Deadline: the scrape timeout Prometheus announces, minus an offset so the answer arrives in time,
    // capped by the module's timeout (which is also the default without the header).
    let timeoutSeconds = module.timeoutSeconds;
    const header = req.headers["x-prometheus-scrape-timeout-seconds"];
    if (typeof header === "string" && header !== "") {
      const scrape = Number(header);
      if (!Number.isFinite(scrape) || scrape <= 0) {
        return this.#reject(res, "bad_timeout", 400, `X-Prometheus-Scrape-Timeout-Seconds must be a positive number, got ${quote(header)}`);
      }
      timeoutSeconds = Math.min(timeoutSeconds, scrape - TIMEOUT_OFFSET_SECONDS);
      if (timeoutSeconds <= 0) {
        return this.#reject(res, "bad_timeout", 400, `the scrape timeout (${scrape} s) leaves no time to probe after the ${TIMEOUT_OFFSET_SECONDS} s offset`);
      }
    }

    const limit = config.limits.perTargetConcurrency;
    const running = this.#perTarget.get(target) ?? 0;
    if (running >= limit) {
      return this.#reject(
        res,
        "concurrency_limit",
        429,
        `${running} probes of ${quote(target)} are already running (limit ${limit} per target); retry later`,
        { "Retry-After": String(Math.max(1, Math.ceil(timeoutSeconds))) },
      );
    }
    this.#perTarget.set(target, running + 1);
    let outcome: RunOutcome;
    const lines: string[] = [];
    try {
      outcome = await this.#run(module, target, timeoutSeconds, lines);
    } finally {
      const left = (this.#perTarget.get(target) ?? 1) - 1;
      if (left <= 0) this.#perTarget.delete(target);
      else this.#perTarget.set(target, left);
    }

    this.metrics.probes.inc({ module: module.name });
    for (const c of outcome.report.checks) if (c.status === "error") this.metrics.checkCrashes.inc({ check: c.id });
    // Only configured (target, module) pairs get here, so the history is bounded by the configuration.
    this.#history.set(`${target}\u0000${module.name}`, snapshot(outcome));

    const registry = new Registry();
    buildRunMetrics(registry, outcome, { mode: "probe", timeoutSeconds });
    const text = await registry.metrics();
    if (url.searchParams.get("debug") === "true") {
      const body = [
        "Logs for the probe:",
        ...lines,
        "",
        "Metrics that would have been returned:",
        text,
        "Module configuration:",
        moduleYaml(module, timeoutSeconds),
      ].join("\n");
      return this.#text(res, 200, body);
    }
    res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
    res.end(text);
  }

  async #run(module: ModuleConfig, target: string, timeoutSeconds: number, lines: string[]): Promise<RunOutcome> {
    const config = this.#config;
    const started = performance.now();
    const log = (message: string): void => {
      if (lines.length < MAX_DEBUG_LINES) lines.push(`+${Math.round(performance.now() - started)}ms ${message}`);
    };
    log(`probing ${target} with module ${module.name} (${module.selected.length} checks, timeout ${timeoutSeconds} s)`);
    this.metrics.inFlight.inc();
    try {
      const outcome = await runChecks({
        checks: module.selected,
        probes: this.#probes,
        input: this.#input(config, target, timeoutSeconds),
        log,
      });
      const s = outcome.report.summary;
      log(`done in ${outcome.report.durationMs} ms: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.error} error, ${s.skip} skip`);
      return outcome;
    } finally {
      this.metrics.inFlight.dec();
    }
  }

  #input(config: ExporterConfig, serverName: string, timeoutSeconds: number): RunInput {
    return {
      serverName,
      ...(config.resolver && { resolver: config.resolver }),
      extraCa: config.extraCa,
      timeoutMs: Math.round(timeoutSeconds * 1000),
      allowPrivateAddresses: config.allowPrivateAddresses,
    };
  }

  async #scheduledRun(): Promise<void> {
    const config = this.#config;
    const s = config.schedule;
    if (!s || this.#closing) return;
    const local = config.local;
    this.metrics.scheduledRuns.inc();
    this.metrics.inFlight.inc();
    try {
      const outcome = await runChecks({
        checks: s.selected,
        probes: this.#probes,
        input: {
          ...this.#input(config, s.serverName, s.timeoutSeconds),
          ...(local.homeserverConfig && { homeserverConfigPath: local.homeserverConfig }),
          ...(local.postgres && { postgres: local.postgres }),
          ...(local.systemdUnit && { systemdUnit: local.systemdUnit }),
          ...(local.turnUris.length > 0 && { turnUris: local.turnUris }),
          ...(local.turnSecret && { turnSecret: local.turnSecret }),
          ...(local.accessToken && { accessToken: local.accessToken }),
        },
      });
      for (const c of outcome.report.checks) if (c.status === "error") this.metrics.checkCrashes.inc({ check: c.id });
      // A reload may have changed the schedule while this ran: keep the result only if it is still wanted.
      if (this.#config.schedule?.serverName === s.serverName) this.#scheduled = { serverName: s.serverName, outcome };
      const sum = outcome.report.summary;
      this.#log(
        `scheduled run for ${s.serverName}: ${sum.pass} pass, ${sum.warn} warn, ${sum.fail} fail, ${sum.error} error, ${sum.skip} skip (${(outcome.report.durationMs / 1000).toFixed(1)} s)`,
      );
    } catch (err) {
      this.#log(`scheduled run failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.metrics.inFlight.dec();
    }
  }

  #statusPage(config: ExporterConfig): string {
    const s = config.schedule;
    const last = this.#scheduled;
    const nextRun = this.#scheduler.nextRun();
    return renderStatusPage({
      version: VERSION,
      startedAt: this.#startedAt,
      ...(config.file && { configFile: config.file }),
      reload: this.#reload,
      targets: config.targets,
      modules: [...config.modules.values()].map((m) => ({ name: m.name, checks: m.checks, timeoutSeconds: m.timeoutSeconds, count: m.selected.length })),
      defaultModule: config.defaultModule,
      lastProbe: (target, module) => this.#history.get(`${target}\u0000${module}`),
      ...(s && {
        schedule: {
          cron: s.cron,
          serverName: s.serverName,
          checks: s.checks,
          timeoutSeconds: s.timeoutSeconds,
          ...(nextRun && { nextRun }),
          running: this.#scheduler.running,
          skipped: this.#skipped,
          ...(last && { last: snapshot(last.outcome) }),
        },
      }),
    });
  }
}
