// `matrix-doctor serve` configuration: matrix-doctor.yaml (optional) plus flags, validated into one
// immutable object. Every error is one line that names the bad key (exit code 2 at start-up; on SIGHUP
// the old configuration stays). Secrets are never written in the file: it names environment variables,
// and the values live only in Secret objects.

import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { parseArgs } from "node:util";
import { parse as parseYaml, stringify as toYaml, YAMLParseError } from "yaml";
import { validate as validateCron } from "node-cron";
import type { Check } from "../engine/check.js";
import { Secret } from "../engine/secret.js";
import { CATEGORIES, type Category } from "../engine/types.js";
import { parseServerName } from "../matrix/server-name.js";
import { validatePostgres, validateResolver, validateTurnUri } from "../cli/args.js";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Default port. The exporter range of the Prometheus default-port allocations (9100-9999) has been fully
 * allocated since 2023; 9655 was listed as free in the wiki snapshot we could read, next to 9656 (Synapse's
 * own metrics). Register it there before a release, or move.
 */
export const DEFAULT_PORT = 9655;
/** Loopback by default: /probe makes outbound connections, so an exporter must be exposed on purpose. */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_MODULE_TIMEOUT_SECONDS = 10;
export const DEFAULT_SCHEDULE_TIMEOUT_SECONDS = 60;
export const MAX_MODULE_TIMEOUT_SECONDS = 300;
export const DEFAULT_PER_TARGET_CONCURRENCY = 2;
/** Subtracted from X-Prometheus-Scrape-Timeout-Seconds so the answer arrives before Prometheus gives up. */
export const TIMEOUT_OFFSET_SECONDS = 0.5;

/** Categories /probe may run: they need only the server name. */
export const REMOTE_CATEGORIES: readonly Category[] = ["dns", "wellknown", "tls", "federation", "client"];
/** Categories that need inputs on the homeserver itself: run on the schedule. */
export const LOCAL_CATEGORIES: readonly Category[] = ["turn", "postgres", "systemd", "config"];

export interface ModuleConfig {
  name: string;
  /** As written: check ids and categories. */
  checks: string[];
  /** The checks selected, in report order. */
  selected: readonly Check[];
  timeoutSeconds: number;
}

export type AuthConfig =
  | { kind: "bearer"; tokenEnv: string; token: Secret }
  | { kind: "basic"; username: string; passwordEnv: string; password: Secret };

export interface LocalConfig {
  serverName?: string;
  homeserverConfig?: string;
  systemdUnit?: string;
  postgresEnv?: string;
  postgres?: Secret;
  turnUris: string[];
  turnSecretEnv?: string;
  turnSecret?: Secret;
  accessTokenEnv?: string;
  accessToken?: Secret;
}

export interface ScheduleConfig {
  cron: string;
  checks: string[];
  selected: readonly Check[];
  timeoutSeconds: number;
  /** The server the scheduled run is about (local.server_name, else the homeserver config's). */
  serverName: string;
}

export interface ExporterConfig {
  /** The file read, if any. */
  file?: string;
  listen: { host: string; port: number };
  /** Server names /probe accepts (lower-cased). Anything else is 403: the exporter is not an open prober. */
  targets: string[];
  modules: ReadonlyMap<string, ModuleConfig>;
  defaultModule: string;
  auth?: AuthConfig;
  limits: { perTargetConcurrency: number };
  schedule?: ScheduleConfig;
  local: LocalConfig;
  resolver?: string;
  caFile?: string;
  extraCa: string[];
  allowPrivateAddresses: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Flags

export interface ServeFlags {
  help: boolean;
  config?: string;
  listen?: string;
  targets: string[];
  resolver?: string;
  caFile?: string;
  allowPrivateAddresses: boolean;
}

export const SERVE_HELP = `matrix-doctor serve: Prometheus exporter for Matrix homeservers

Usage:
  matrix-doctor serve [--config FILE] [--listen HOST:PORT] [--target NAME]...

Options:
  --config FILE       matrix-doctor.yaml (modules, allowed targets, auth, schedule; see
                      examples/matrix-doctor.yaml); SIGHUP reloads it
  --listen HOST:PORT  where to listen (default ${DEFAULT_HOST}:${DEFAULT_PORT}; [::]:${DEFAULT_PORT} or
                      0.0.0.0:${DEFAULT_PORT} for every interface)
  --target NAME       a server name /probe may check (repeatable; added to the file's targets).
                      Other targets are refused with 403
  --resolver IP[:PORT]
                      DNS server to ask instead of the system's
  --ca-file PEM       extra trusted CA certificates
  --allow-private-addresses
                      accept private/loopback addresses (LAN-only federation, tests)
  -h, --help          show this help

Endpoints:
  /probe?target=NAME&module=federation[&debug=true]   run a module's checks now
  /metrics            the exporter's own metrics and the cached scheduled server-side results
  /                   status page          /-/healthy  liveness          /-/ready  readiness

Prometheus (multi-target pattern):
  - job_name: matrix_doctor
    metrics_path: /probe
    params: { module: [federation] }
    static_configs: [{ targets: [example.org] }]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { source_labels: [__param_target], target_label: instance }
      - { target_label: __address__, replacement: ${DEFAULT_HOST}:${DEFAULT_PORT} }
`;

export function parseServeArgs(argv: string[]): ServeFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        config: { type: "string" },
        listen: { type: "string" },
        target: { type: "string", multiple: true },
        resolver: { type: "string" },
        "ca-file": { type: "string" },
        "allow-private-addresses": { type: "boolean" },
      },
    });
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message.split("\n")[0]! : String(err));
  }
  const v = parsed.values;
  return {
    help: v.help ?? false,
    ...(v.config !== undefined && { config: v.config }),
    ...(v.listen !== undefined && { listen: v.listen }),
    targets: (v.target ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean),
    ...(v.resolver !== undefined && { resolver: v.resolver }),
    ...(v["ca-file"] !== undefined && { caFile: v["ca-file"] }),
    allowPrivateAddresses: v["allow-private-addresses"] ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------
// Small typed readers: each names the key path in its error

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function object(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ConfigError(`${path} must be a mapping`);
  return v;
}

function onlyKeys(o: Obj, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`unknown key '${path ? `${path}.` : ""}${key}' (expected one of: ${allowed.join(", ")})`);
    }
  }
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.trim() === "") throw new ConfigError(`${path} must be a non-empty string`);
  return v.trim();
}

function strList(v: unknown, path: string): string[] {
  if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
  if (!Array.isArray(v)) throw new ConfigError(`${path} must be a list of strings`);
  return v.map((item, i) => str(item, `${path}[${i}]`));
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new ConfigError(`${path} must be true or false`);
  return v;
}

/** 10, 10s, 1.5s, 500ms, 2m: seconds in (0, 3600]. */
export function duration(v: unknown, path: string): number {
  let seconds: number | undefined;
  if (typeof v === "number") seconds = v;
  else if (typeof v === "string") {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
    if (m) seconds = Number(m[1]) * (m[2] === "ms" ? 0.001 : m[2] === "m" ? 60 : 1);
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new ConfigError(`${path} must be a duration between 0 and 1h such as 10s, 500ms or 2m, got ${JSON.stringify(v)}`);
  }
  return seconds;
}

/** A scrape-time probe: at most 5 minutes (Prometheus's scrape_timeout cannot exceed scrape_interval anyway). */
function moduleTimeout(v: unknown, path: string): number {
  const seconds = duration(v, path);
  if (seconds > MAX_MODULE_TIMEOUT_SECONDS) throw new ConfigError(`${path} must be at most ${MAX_MODULE_TIMEOUT_SECONDS / 60}m for a scrape-time probe, got ${JSON.stringify(v)}`);
  return seconds;
}

function envName(v: unknown, path: string): string {
  const name = str(v, path);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ConfigError(`${path} must name an environment variable (e.g. MATRIX_DOCTOR_TURN_SECRET), got '${name}'`);
  }
  return name;
}

function envSecret(name: string, path: string, env: NodeJS.ProcessEnv): Secret {
  const value = env[name];
  if (value === undefined || value === "") throw new ConfigError(`${path} names ${name}, which is not set in the environment`);
  return new Secret(value);
}

export function parseListen(value: string, path: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const host = m ? (m[1] ?? m[2] ?? "") : undefined;
  const port = m ? Number(m[3]) : NaN;
  if (host === undefined || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`${path} expects HOST:PORT such as 127.0.0.1:${DEFAULT_PORT}, [::1]:${DEFAULT_PORT} or :${DEFAULT_PORT}, got '${value}'`);
  }
  if (m?.[1] !== undefined && isIP(host) !== 6) throw new ConfigError(`${path}: '${host}' is not an IPv6 address`);
  return { host, port };
}

function target(value: string, path: string): string {
  const name = parseServerName(value);
  if (!name.valid) throw new ConfigError(`${path}: '${value}' is not a valid Matrix server name: ${name.invalidReason}`);
  return value.toLowerCase();
}

function readCa(path: string, key: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error && "code" in err ? ` (${String(err.code)})` : "";
    throw new ConfigError(`${key}: cannot read ${path}${code}`);
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new ConfigError(`${key}: ${path} holds no PEM certificate`);
  pems.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new ConfigError(`${key}: certificate ${i + 1} in ${path} cannot be parsed`);
    }
  });
  return pems;
}

/** Check ids and categories → checks. Unknown names are errors: a typo must not silently select nothing. */
function selectChecks(all: readonly Check[], names: string[], path: string, allowed: readonly Category[]): Check[] {
  if (names.length === 0) throw new ConfigError(`${path} must name at least one check or category`);
  for (const name of names) {
    const category = (CATEGORIES as readonly string[]).includes(name) ? (name as Category) : undefined;
    const check = all.find((c) => c.id === name);
    if (!category && !check) throw new ConfigError(`${path}: unknown check or category '${name}' (see matrix-doctor --list-checks)`);
    const cat = category ?? check!.category;
    if (!allowed.includes(cat)) {
      throw new ConfigError(
        allowed === REMOTE_CATEGORIES
          ? `${path}: '${name}' is a server-side ${category ? "category" : `check (${cat})`}; /probe runs remote checks only (${REMOTE_CATEGORIES.join(", ")}), so list it under schedule.checks`
          : `${path}: '${name}' is not allowed here`,
      );
    }
  }
  return all.filter((c) => names.includes(c.id) || names.includes(c.category));
}

/** server_name of dendrite.yaml (global.server_name) or homeserver.yaml (server_name). */
function serverNameOfHomeserverConfig(path: string, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error && "code" in err ? ` (${String(err.code)})` : "";
    throw new ConfigError(`${key}: cannot read ${path}${code}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${key}: ${path} is not valid YAML: ${firstLine(err)}`);
  }
  if (!isObj(doc)) return undefined;
  const global = doc["global"];
  const name = isObj(global) ? global["server_name"] : doc["server_name"];
  return typeof name === "string" && name !== "" ? name : undefined;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}

// ---------------------------------------------------------------------------------------------------

const TOP_KEYS = [
  "listen",
  "targets",
  "modules",
  "default_module",
  "auth",
  "limits",
  "schedule",
  "local",
  "resolver",
  "ca_file",
  "allow_private_addresses",
] as const;

export function builtinModules(all: readonly Check[]): Map<string, ModuleConfig> {
  const checks = [...REMOTE_CATEGORIES];
  return new Map([
    [
      "federation",
      { name: "federation", checks, selected: selectChecks(all, checks, "modules.federation.checks", REMOTE_CATEGORIES), timeoutSeconds: DEFAULT_MODULE_TIMEOUT_SECONDS },
    ],
  ]);
}

/** Reads the file named by --config (if any) and merges the flags. Throws ConfigError. */
export function loadConfig(flags: ServeFlags, env: NodeJS.ProcessEnv, all: readonly Check[]): ExporterConfig {
  let doc: Obj = {};
  if (flags.config) {
    let text: string;
    try {
      text = readFileSync(flags.config, "utf8");
    } catch (err) {
      const code = err instanceof Error && "code" in err ? ` (${String(err.code)})` : "";
      throw new ConfigError(`cannot read --config ${flags.config}${code}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text, { uniqueKeys: true });
    } catch (err) {
      if (err instanceof YAMLParseError) {
        const at = err.linePos?.[0];
        throw new ConfigError(`${flags.config}${at ? `:${at.line}:${at.col}` : ""}: not valid YAML: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`);
      }
      throw new ConfigError(`${flags.config}: not valid YAML: ${firstLine(err)}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (!isObj(parsed)) throw new ConfigError(`${flags.config}: the top level must be a mapping`);
      doc = parsed;
    }
  }
  try {
    return build(doc, flags, env, all);
  } catch (err) {
    if (err instanceof ConfigError && flags.config) throw new ConfigError(`${flags.config}: ${err.message}`);
    throw err;
  }
}

function build(doc: Obj, flags: ServeFlags, env: NodeJS.ProcessEnv, all: readonly Check[]): ExporterConfig {
  onlyKeys(doc, "", TOP_KEYS);

  const listen = flags.listen
    ? parseListen(flags.listen, "--listen")
    : doc.listen !== undefined
      ? parseListen(str(doc.listen, "listen"), "listen")
      : { host: DEFAULT_HOST, port: DEFAULT_PORT };

  const targets = [
    ...(doc.targets !== undefined ? strList(doc.targets, "targets").map((t, i) => target(t, `targets[${i}]`)) : []),
    ...flags.targets.map((t) => target(t, "--target")),
  ];

  const modules = builtinModules(all);
  if (doc.modules !== undefined) {
    const m = object(doc.modules, "modules");
    for (const [name, raw] of Object.entries(m)) {
      const path = `modules.${name}`;
      if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new ConfigError(`${path}: module names use letters, digits, - and _ only`);
      const def = object(raw ?? {}, path);
      onlyKeys(def, path, ["checks", "timeout"]);
      const checks = def.checks === undefined ? [...REMOTE_CATEGORIES] : strList(def.checks, `${path}.checks`);
      modules.set(name, {
        name,
        checks,
        selected: selectChecks(all, checks, `${path}.checks`, REMOTE_CATEGORIES),
        timeoutSeconds: def.timeout === undefined ? DEFAULT_MODULE_TIMEOUT_SECONDS : moduleTimeout(def.timeout, `${path}.timeout`),
      });
    }
  }
  const defaultModule = doc.default_module === undefined ? "federation" : str(doc.default_module, "default_module");
  if (!modules.has(defaultModule)) throw new ConfigError(`default_module: no module named '${defaultModule}' (modules: ${[...modules.keys()].join(", ")})`);

  let auth: AuthConfig | undefined;
  if (doc.auth !== undefined) {
    const a = object(doc.auth, "auth");
    onlyKeys(a, "auth", ["bearer_token_env", "basic"]);
    if ((a.bearer_token_env === undefined) === (a.basic === undefined)) throw new ConfigError("auth needs exactly one of bearer_token_env or basic");
    if (a.bearer_token_env !== undefined) {
      const tokenEnv = envName(a.bearer_token_env, "auth.bearer_token_env");
      auth = { kind: "bearer", tokenEnv, token: envSecret(tokenEnv, "auth.bearer_token_env", env) };
    } else {
      const b = object(a.basic, "auth.basic");
      onlyKeys(b, "auth.basic", ["username", "password_env"]);
      const username = str(b.username, "auth.basic.username");
      if (username.includes(":")) throw new ConfigError("auth.basic.username must not contain ':'");
      const passwordEnv = envName(b.password_env, "auth.basic.password_env");
      auth = { kind: "basic", username, passwordEnv, password: envSecret(passwordEnv, "auth.basic.password_env", env) };
    }
  }

  let perTargetConcurrency = DEFAULT_PER_TARGET_CONCURRENCY;
  if (doc.limits !== undefined) {
    const l = object(doc.limits, "limits");
    onlyKeys(l, "limits", ["per_target_concurrency"]);
    if (l.per_target_concurrency !== undefined) {
      const n = l.per_target_concurrency;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 100) throw new ConfigError("limits.per_target_concurrency must be an integer from 1 to 100");
      perTargetConcurrency = n;
    }
  }

  const local: LocalConfig = { turnUris: [] };
  if (doc.local !== undefined) {
    const l = object(doc.local, "local");
    onlyKeys(l, "local", ["server_name", "homeserver_config", "systemd_unit", "postgres_env", "turn_uris", "turn_secret_env", "access_token_env"]);
    if (l.server_name !== undefined) {
      const name = str(l.server_name, "local.server_name");
      const parsed = parseServerName(name);
      if (!parsed.valid) throw new ConfigError(`local.server_name: '${name}' is not a valid Matrix server name: ${parsed.invalidReason}`);
      local.serverName = name;
    }
    if (l.homeserver_config !== undefined) local.homeserverConfig = str(l.homeserver_config, "local.homeserver_config");
    if (l.systemd_unit !== undefined) {
      const unit = str(l.systemd_unit, "local.systemd_unit");
      if (!/^[A-Za-z0-9:_.@\\-]+$/.test(unit)) throw new ConfigError(`local.systemd_unit expects a unit name such as dendrite.service, got '${unit}'`);
      local.systemdUnit = unit.includes(".") ? unit : `${unit}.service`;
    }
    if (l.postgres_env !== undefined) {
      local.postgresEnv = envName(l.postgres_env, "local.postgres_env");
      const dsn = envSecret(local.postgresEnv, "local.postgres_env", env).reveal();
      try {
        local.postgres = validatePostgres(dsn, `local.postgres_env (${local.postgresEnv})`);
      } catch (err) {
        throw new ConfigError(firstLine(err));
      }
    }
    if (l.turn_uris !== undefined) {
      local.turnUris = strList(l.turn_uris, "local.turn_uris").map((uri, i) => {
        try {
          return validateTurnUri(uri);
        } catch {
          throw new ConfigError(`local.turn_uris[${i}] expects turn:HOST[:PORT][?transport=udp|tcp] or turns:..., got '${uri}'`);
        }
      });
    }
    if (l.turn_secret_env !== undefined) {
      local.turnSecretEnv = envName(l.turn_secret_env, "local.turn_secret_env");
      local.turnSecret = envSecret(local.turnSecretEnv, "local.turn_secret_env", env);
    }
    if (l.access_token_env !== undefined) {
      local.accessTokenEnv = envName(l.access_token_env, "local.access_token_env");
      local.accessToken = envSecret(local.accessTokenEnv, "local.access_token_env", env);
    }
  }

  let schedule: ScheduleConfig | undefined;
  if (doc.schedule !== undefined) {
    const s = object(doc.schedule, "schedule");
    onlyKeys(s, "schedule", ["cron", "checks", "timeout"]);
    const cron = str(s.cron, "schedule.cron");
    if (!validateCron(cron)) throw new ConfigError(`schedule.cron: '${cron}' is not a cron expression (e.g. "*/5 * * * *": every 5 minutes)`);
    const checks = s.checks === undefined ? [...LOCAL_CATEGORIES] : strList(s.checks, "schedule.checks");
    const serverName =
      local.serverName ?? (local.homeserverConfig ? serverNameOfHomeserverConfig(local.homeserverConfig, "local.homeserver_config") : undefined);
    if (!serverName) throw new ConfigError("schedule needs local.server_name, or local.homeserver_config with a server_name");
    if (!parseServerName(serverName).valid) throw new ConfigError(`local.homeserver_config: server_name '${serverName}' is not a valid Matrix server name`);
    schedule = {
      cron,
      checks,
      selected: selectChecks(all, checks, "schedule.checks", CATEGORIES),
      timeoutSeconds: s.timeout === undefined ? DEFAULT_SCHEDULE_TIMEOUT_SECONDS : duration(s.timeout, "schedule.timeout"),
      serverName,
    };
  }

  const resolverRaw = flags.resolver ?? (doc.resolver !== undefined ? str(doc.resolver, "resolver") : undefined);
  let resolver: string | undefined;
  if (resolverRaw !== undefined) {
    try {
      resolver = validateResolver(resolverRaw);
    } catch (err) {
      throw new ConfigError(`${flags.resolver ? "--resolver" : "resolver"}: ${firstLine(err).replace(/^--resolver /, "")}`);
    }
  }
  const caFile = flags.caFile ?? (doc.ca_file !== undefined ? str(doc.ca_file, "ca_file") : undefined);
  const extraCa = caFile ? readCa(caFile, flags.caFile ? "--ca-file" : "ca_file") : [];
  const allowPrivateAddresses =
    flags.allowPrivateAddresses || (doc.allow_private_addresses !== undefined && bool(doc.allow_private_addresses, "allow_private_addresses"));

  return {
    ...(flags.config && { file: flags.config }),
    listen,
    targets: [...new Set(targets)],
    modules,
    defaultModule,
    ...(auth && { auth }),
    limits: { perTargetConcurrency },
    ...(schedule && { schedule }),
    local,
    ...(resolver && { resolver }),
    ...(caFile && { caFile }),
    extraCa,
    allowPrivateAddresses,
  };
}

/** A module as YAML for ?debug=true (no secrets live in modules). */
export function moduleYaml(module: ModuleConfig, effectiveTimeoutSeconds: number): string {
  return toYaml({
    name: module.name,
    checks: module.checks,
    timeout: `${module.timeoutSeconds}s`,
    effective_timeout: `${effectiveTimeoutSeconds}s`,
    selected: module.selected.map((c) => c.id),
  });
}

export function formatListen(listen: { host: string; port: number }): string {
  const host = listen.host === "" ? "0.0.0.0" : listen.host;
  return isIP(host) === 6 ? `[${host}]:${listen.port}` : `${host}:${listen.port}`;
}
