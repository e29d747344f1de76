// PostgreSQL: connect to each database the homeserver uses (or the one --postgres names) the way the
// homeserver's driver would, and read what its startup checks and its operators care about: version,
// encoding, locale, connection limits and use, long transactions, schema state. Never judges.
//
// Secrets: the DSN is revealed only to parse it and to hand user/password to the driver; every
// message that goes into the fact is scrubbed of the password. No query text of any session is read.
// pg is loaded lazily (it costs ~100 ms of start-up).

import { dendriteGlobalDatabaseUsed } from "../homeserver/pools.js";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { rootCertificates, type ConnectionOptions } from "node:tls";
import type { Client, ClientConfig } from "pg";
import type { HomeserverConfigFact } from "../engine/facts/config.js";
import type {
  PostgresConnectError,
  PostgresConnectionFact,
  PostgresEndpoint,
  PostgresFact,
  PostgresImplementation,
  PostgresLongTransaction,
  PostgresPool,
  PostgresServerFacts,
  SslMode,
} from "../engine/facts/postgres.js";
import { defineProbe, FactUnavailable, type ProbeContext } from "../engine/probe.js";
import { budgets } from "../engine/run.js";
import { redactDsn, type Secret } from "../engine/secret.js";
import { addressesOf } from "../net/dns.js";
import { toNetError } from "../net/errors.js";

/** Transactions open longer than this are recorded. */
export const LONG_TRANSACTION_SECONDS = 300;

/** Dendrite's table prefixes (CREATE TABLE names in its postgres storage packages). */
export const DENDRITE_TABLE_PREFIXES = [
  "roomserver_",
  "syncapi_",
  "federationsender_",
  "keyserver_",
  "mediaapi_",
  "userapi_",
  "relayapi_",
  "keydb_",
  "msc2836_",
] as const;

/** Core tables every Synapse main database has (synapse/storage/schema). */
export const SYNAPSE_CORE_TABLES = [
  "users",
  "access_tokens",
  "devices",
  "events",
  "event_json",
  "rooms",
  "room_memberships",
  "current_state_events",
] as const;

// ---------------------------------------------------------------------------------------------------
// Connection strings

export interface ParsedDsn {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  sslmode?: string;
  sslrootcert?: string;
}

/** libpq keyword/value string: `host=x port=5432 password='a b'`. */
function parseKeyValue(dsn: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*('((?:[^'\\]|\\.)*)'|(\S*))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(dsn)) !== null) {
    const key = m[1]!.toLowerCase();
    out[key] = m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : (m[4] ?? "");
    if (re.lastIndex >= dsn.length) break;
  }
  return out;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Parse a postgres:// URI or a keyword/value connection string (the first host when several are listed). */
export function parseDsn(dsn: string): ParsedDsn {
  let fields: Record<string, string>;
  if (/^postgres(ql)?:\/\//i.test(dsn)) {
    const url = new URL(dsn);
    fields = {};
    for (const [k, v] of url.searchParams) fields[k.toLowerCase()] = v;
    const host = decode(url.hostname).replace(/^\[|\]$/g, "");
    if (host && fields["host"] === undefined) fields["host"] = host;
    if (url.port && fields["port"] === undefined) fields["port"] = url.port;
    if (url.username && fields["user"] === undefined) fields["user"] = decode(url.username);
    if (url.password && fields["password"] === undefined) fields["password"] = decode(url.password);
    const db = decode(url.pathname.replace(/^\//, ""));
    if (db && fields["dbname"] === undefined) fields["dbname"] = db;
  } else {
    fields = parseKeyValue(dsn);
  }
  const first = (v: string | undefined): string | undefined => (v === undefined || v === "" ? undefined : v.split(",")[0]);
  const port = first(fields["port"]);
  const out: ParsedDsn = {};
  const host = first(fields["host"]);
  if (host) out.host = host;
  if (port && /^\d+$/.test(port)) out.port = Number(port);
  if (fields["user"]) out.user = fields["user"];
  if (fields["password"] !== undefined) out.password = fields["password"];
  if (fields["dbname"]) out.database = fields["dbname"];
  if (fields["sslmode"]) out.sslmode = fields["sslmode"];
  if (fields["sslrootcert"]) out.sslrootcert = fields["sslrootcert"];
  return out;
}

const SSL_MODES: readonly SslMode[] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/**
 * sslmode to use: as written, else the homeserver driver's default. Dendrite uses lib/pq, whose default
 * is "require" (hence the guide's `?sslmode=disable`); Synapse uses libpq (psycopg2), default "prefer".
 */
export function effectiveSslMode(written: string | undefined, implementation: PostgresImplementation): SslMode {
  const mode = written?.toLowerCase();
  if (mode && (SSL_MODES as readonly string[]).includes(mode)) return mode as SslMode;
  if (mode === "no-verify") return "require";
  return implementation === "dendrite" ? "require" : "prefer";
}

/** Default host when the DSN has none: lib/pq uses localhost, Debian's libpq the socket directory. */
function defaultHost(implementation: PostgresImplementation): string {
  return implementation === "synapse" ? "/var/run/postgresql" : "localhost";
}

// ---------------------------------------------------------------------------------------------------
// Where to connect

interface Target {
  host: string;
  port: number;
  socket: boolean;
  /** Addresses to try in order (the socket directory for a socket). */
  candidates: string[];
  resolveError?: string;
}

async function resolveTarget(ctx: ProbeContext, parsed: ParsedDsn, implementation: PostgresImplementation): Promise<Target> {
  const host = parsed.host ?? defaultHost(implementation);
  const port = parsed.port ?? 5432;
  if (host.startsWith("/")) return { host, port, socket: true, candidates: [host] };
  if (isIP(host)) return { host, port, socket: false, candidates: [host] };
  // RFC 6761: "localhost" is the loopback interface; no DNS server is asked about it.
  if (host.toLowerCase() === "localhost") return { host, port, socket: false, candidates: ["127.0.0.1", "::1"] };
  const resolved = await ctx.net.resolveHost(host);
  const candidates = addressesOf(resolved);
  if (candidates.length > 0) return { host, port, socket: false, candidates };
  const why = [resolved.a, resolved.aaaa].map((l) => `${l.type} ${l.status}${l.message ? ` (${l.message})` : ""}`).join(", ");
  return { host, port, socket: false, candidates: [], resolveError: `${host} has no address: ${why}` };
}

/** Keys that identify the server a target reaches (address or socket, and port). */
function serverKeys(t: Target): string[] {
  return t.candidates.map((c) => (t.socket ? `unix:${c.replace(/\/+$/, "")}:${t.port}` : `${c}:${t.port}`));
}

// ---------------------------------------------------------------------------------------------------
// Errors

const SQLSTATE = /^[0-9A-Z]{5}$/;

function scrub(message: string, password: string | undefined): string {
  let out = message;
  if (password) out = out.split(password).join("***");
  return redactDsn(out);
}

export function classifyConnectError(err: unknown, password: string | undefined, aborted: boolean): PostgresConnectError {
  if (aborted) return { code: "timeout", message: "the run deadline was reached before PostgreSQL answered" };
  const e = err as { code?: unknown; message?: unknown; severity?: unknown };
  const raw = typeof e?.message === "string" ? e.message : String(err);
  const message = scrub(raw, password);
  const code = typeof e?.code === "string" ? e.code : "";
  if (SQLSTATE.test(code) && typeof e.severity === "string") {
    const sqlstate = code;
    const classified = (c: PostgresConnectError["code"]): PostgresConnectError => ({ code: c, sqlstate, message });
    switch (sqlstate) {
      case "28P01":
        return classified("auth-failed");
      case "28000":
        if (/no pg_hba\.conf entry/i.test(raw)) return classified(/no encryption/i.test(raw) ? "tls-required" : "no-hba-entry");
        if (/role .* does not exist/i.test(raw)) return classified("no-role");
        if (/not permitted to log in/i.test(raw)) return classified("login-not-permitted");
        return classified("auth-other");
      case "3D000":
        return classified("no-database");
      case "42501":
        return classified("no-connect-privilege");
      case "53300":
        return classified("too-many-connections");
      case "57P03":
        return classified("not-accepting");
      default:
        return sqlstate.startsWith("28") ? classified("auth-other") : classified("other");
    }
  }
  if (/does not support SSL/i.test(raw)) return { code: "tls-refused", message };
  if (/error establishing an SSL connection/i.test(raw)) return { code: "tls", message };
  if (/timeout expired|timed out/i.test(raw)) return { code: "timeout", message: "timed out" };
  if (code === "ENOENT") return { code: "refused", message: `no PostgreSQL socket: ${message}` };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { code: "dns", message };
  const net = toNetError(err);
  switch (net.code) {
    case "refused":
    case "unreachable":
    case "reset":
    case "timeout":
    case "tls":
      return { code: net.code, message: scrub(net.message, password) };
    default:
      if (/terminated unexpectedly/i.test(raw)) return { code: "reset", message };
      return { code: "other", message: scrub(net.message, password) };
  }
}

// ---------------------------------------------------------------------------------------------------
// One connection

interface Attempt {
  client?: Client;
  error?: PostgresConnectError;
  tls: boolean;
  address: string;
}

type PgModule = typeof import("pg");

/** Reject when the signal aborts (pg's connect() never settles when end() is called mid-connect). */
function untilAbort<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", abort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(err);
      },
    );
  });
}

interface ConnectPlan {
  pg: PgModule;
  parsed: ParsedDsn;
  target: Target;
  sslmode: SslMode;
  ca: string[] | undefined;
  connectMs: number;
  queryMs: number;
  signal: AbortSignal;
}

async function attempt(plan: ConnectPlan, address: string, useTls: boolean): Promise<Attempt> {
  const { parsed, target } = plan;
  let ssl: ClientConfig["ssl"] = false;
  if (useTls) {
    const verify = plan.sslmode === "verify-ca" || plan.sslmode === "verify-full";
    const options: ConnectionOptions = { rejectUnauthorized: verify };
    if (verify && plan.ca) options.ca = plan.ca;
    // The name in the DSN, not the address: that is what the certificate must name (verify-full).
    if (!target.socket && !isIP(target.host)) options.servername = target.host;
    if (plan.sslmode === "verify-ca") options.checkServerIdentity = () => undefined;
    ssl = options;
  }
  const config: ClientConfig = {
    host: address,
    port: target.port,
    ssl,
    connectionTimeoutMillis: plan.connectMs,
    query_timeout: plan.queryMs + 1_000,
    statement_timeout: plan.queryMs,
    application_name: "matrix-doctor",
  };
  if (parsed.user !== undefined) config.user = parsed.user;
  if (parsed.password !== undefined) config.password = parsed.password;
  if (parsed.database !== undefined) config.database = parsed.database;
  const client = new plan.pg.Client(config);
  // A late socket error after a failed connect must not become an unhandled 'error' event.
  client.on("error", () => undefined);
  try {
    await untilAbort(client.connect(), plan.signal, () => void client.end().catch(() => undefined));
    return { client, tls: useTls, address };
  } catch (err) {
    void client.end().catch(() => undefined);
    return { error: classifyConnectError(err, parsed.password, plan.signal.aborted), tls: useTls, address };
  }
}

/** Connect as the driver would for this sslmode, trying each address until one answers. */
async function connect(plan: ConnectPlan): Promise<Attempt> {
  let last: Attempt | undefined;
  for (const address of plan.target.candidates) {
    const mode = plan.sslmode;
    // TLS is never used over a unix socket (libpq ignores sslmode there).
    const tlsFirst = !plan.target.socket && mode !== "disable" && mode !== "allow";
    let result = await attempt(plan, address, tlsFirst);
    if (!result.client && !plan.signal.aborted) {
      // libpq's fallbacks: prefer retries without TLS when the server has none; allow retries with TLS
      // when the server insists on it.
      if (mode === "prefer" && result.error?.code === "tls-refused") result = await attempt(plan, address, false);
      else if (mode === "allow" && (result.error?.code === "tls-required" || result.error?.code === "no-hba-entry")) {
        result = await attempt(plan, address, true);
      }
    }
    last = result;
    if (result.client) return result;
    // Like libpq with several addresses: move on only when this one did not answer at all.
    if (!["refused", "unreachable", "reset"].includes(result.error?.code ?? "")) break;
  }
  return last ?? { error: { code: "other", message: "no address to connect to" }, tls: false, address: "" };
}

// ---------------------------------------------------------------------------------------------------
// What to read once connected

async function inspect(
  client: Client,
  signal: AbortSignal,
  password: string | undefined,
  queryErrors: PostgresConnectionFact["queryErrors"],
): Promise<PostgresServerFacts> {
  const server: PostgresServerFacts = {};
  const q = async <R extends object>(what: string, sql: string, values: unknown[] = []): Promise<R[] | undefined> => {
    if (signal.aborted) {
      queryErrors.push({ query: what, message: "the run deadline was reached" });
      return undefined;
    }
    try {
      const res = await untilAbort(client.query(sql, values), signal, () => void client.end().catch(() => undefined));
      return res.rows as R[];
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const sqlstate = typeof e?.code === "string" && SQLSTATE.test(e.code) ? e.code : undefined;
      const message = scrub(typeof e?.message === "string" ? e.message : String(err), password);
      queryErrors.push({ query: what, ...(sqlstate && { sqlstate }), message: signal.aborted ? "the run deadline was reached" : message });
      return undefined;
    }
  };

  const basics = await q<{
    version_num: number;
    version: string;
    server_encoding: string;
    role: string;
    superuser: boolean;
    read_all_stats: boolean;
  }>(
    "version, encoding and role",
    `SELECT current_setting('server_version_num')::int AS version_num,
            current_setting('server_version') AS version,
            current_setting('server_encoding') AS server_encoding,
            current_user::text AS role,
            COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
            pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats`,
  );
  const b = basics?.[0];
  if (b) {
    server.versionNum = b.version_num;
    server.version = b.version;
    server.serverEncoding = b.server_encoding;
    server.role = { name: b.role, superuser: b.superuser, readAllStats: b.read_all_stats || b.superuser };
  }
  const v = server.versionNum ?? 0;

  const db = await q<{ datname: string; encoding: string; datcollate: string; datctype: string; provider?: string }>(
    "pg_database",
    `SELECT datname, pg_encoding_to_char(encoding) AS encoding, datcollate, datctype
            ${v >= 150000 ? ", datlocprovider::text AS provider" : ""}
       FROM pg_database WHERE datname = current_database()`,
  );
  const d = db?.[0];
  if (d) {
    server.database = {
      name: d.datname,
      encoding: d.encoding,
      collate: d.datcollate,
      ctype: d.datctype,
      ...(d.provider && { localeProvider: d.provider }),
    };
  }

  const settings = await q<{ name: string; setting: string }>(
    "pg_settings",
    `SELECT name, setting FROM pg_settings
      WHERE name IN ('max_connections', 'superuser_reserved_connections', 'reserved_connections')`,
  );
  if (settings) {
    const s = new Map(settings.map((r) => [r.name, Number(r.setting)]));
    const max = s.get("max_connections");
    if (max !== undefined) {
      server.settings = {
        maxConnections: max,
        superuserReservedConnections: s.get("superuser_reserved_connections") ?? 0,
        ...(s.has("reserved_connections") && { reservedConnections: s.get("reserved_connections") }),
      };
    }
  }

  // Without pg_read_all_stats, other roles' sessions show no backend_type: count those that are in a
  // database (client sessions; background processes have none, except the odd worker).
  const activity = await q<{ datname: string | null; n: number; total: number }>(
    "pg_stat_activity (connections)",
    `SELECT datname, count(*)::int AS n, (sum(count(*)) OVER ())::int AS total
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' OR (backend_type IS NULL AND datname IS NOT NULL)
      GROUP BY datname ORDER BY n DESC, datname LIMIT 50`,
  );
  if (activity) {
    server.activity = {
      clientBackends: activity[0]?.total ?? 0,
      byDatabase: activity.map((r) => ({ database: r.datname, count: r.n })),
      exact: server.role?.readAllStats ?? false,
    };
  }

  const long = await q<{
    pid: number;
    usename: string | null;
    datname: string | null;
    state: string | null;
    backend_type: string | null;
    application_name: string | null;
    client_addr: string | null;
    age: number;
    total: number;
  }>(
    "pg_stat_activity (long transactions)",
    `SELECT pid, usename::text, datname::text, state, backend_type, application_name, host(client_addr) AS client_addr,
            EXTRACT(EPOCH FROM (now() - xact_start))::float8 AS age, (count(*) OVER ())::int AS total
       FROM pg_stat_activity
      WHERE xact_start IS NOT NULL AND xact_start < now() - make_interval(secs => $1) AND pid <> pg_backend_pid()
      ORDER BY xact_start LIMIT 20`,
    [LONG_TRANSACTION_SECONDS],
  );
  if (long) {
    server.longTransactions = {
      thresholdSeconds: LONG_TRANSACTION_SECONDS,
      seesAllSessions: server.role?.readAllStats ?? false,
      count: long[0]?.total ?? 0,
      sessions: long.map((r): PostgresLongTransaction => ({
        pid: r.pid,
        ...(r.usename && { user: r.usename }),
        ...(r.datname && { database: r.datname }),
        ...(r.state && { state: r.state }),
        ...(r.backend_type && { backendType: r.backend_type }),
        ...(r.application_name && { applicationName: r.application_name }),
        ...(r.client_addr && { clientAddr: r.client_addr }),
        ageSeconds: Math.round(r.age),
      })),
    };
  }

  const tables = await q<{ relname: string; total: number }>(
    "tables",
    `SELECT c.relname::text AS relname, (count(*) OVER ())::int AS total
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY 1 LIMIT 10000`,
  );
  if (tables) {
    const names = tables.map((t) => t.relname);
    const prefixes: Record<string, number> = {};
    for (const p of DENDRITE_TABLE_PREFIXES) prefixes[p] = names.filter((n) => n.startsWith(p)).length;
    server.tables = {
      total: tables[0]?.total ?? 0,
      prefixes,
      synapseTables: SYNAPSE_CORE_TABLES.filter((t) => names.includes(t)),
      sample: names.slice(0, 10),
    };
    if (names.includes("schema_version")) {
      const sv = await q<{ version: number; upgraded: boolean }>("schema_version", "SELECT version, upgraded FROM schema_version");
      const cv = names.includes("schema_compat_version")
        ? await q<{ compat_version: number }>("schema_compat_version", "SELECT compat_version FROM schema_compat_version")
        : undefined;
      server.synapseSchema = {
        ...(sv?.[0] && { version: Number(sv[0].version), upgraded: Boolean(sv[0].upgraded) }),
        ...(cv?.[0] && { compatVersion: Number(cv[0].compat_version) }),
      };
    }
    if (names.includes("db_migrations")) {
      const count = await q<{ n: number }>("db_migrations", "SELECT count(*)::int AS n FROM db_migrations");
      const latest = await q<{ version: string; time: string; dendrite_version: string }>(
        "db_migrations (latest)",
        "SELECT version, time, dendrite_version FROM db_migrations ORDER BY time DESC, version DESC LIMIT 1",
      );
      const versions = await q<{ dendrite_version: string }>(
        "db_migrations (versions)",
        "SELECT DISTINCT dendrite_version FROM db_migrations ORDER BY 1 LIMIT 10",
      );
      if (count?.[0]) {
        const l = latest?.[0];
        server.dendriteMigrations = {
          count: count[0].n,
          ...(l && { latest: { version: l.version, time: l.time, dendriteVersion: l.dendrite_version } }),
          dendriteVersions: (versions ?? []).map((r) => r.dendrite_version),
        };
      }
    }
  }
  return server;
}

// ---------------------------------------------------------------------------------------------------
// The probe

interface DsnTarget {
  label: string;
  components: string[];
  dsn: Secret;
  redacted: string;
}

interface ConfigTarget extends DsnTarget {
  pool: PostgresPool;
  allowUnsafeLocale?: boolean;
}

/**
 * The homeserver's postgres databases, one per distinct connection string (components merged, as Dendrite
 * shares one pool per connection string). Dendrite's global database is left out when every component has
 * its own: nothing opens it then.
 */
function configTargets(config: HomeserverConfigFact): ConfigTarget[] {
  const globalUnused = config.implementation === "dendrite" && !dendriteGlobalDatabaseUsed(config.databases);
  const out: ConfigTarget[] = [];
  for (const db of config.databases) {
    if (db.engine !== "postgres") continue;
    if (db.component === "global" && globalUnused) continue;
    const defaulted = db.maxOpenConnsSource === undefined ? undefined : db.maxOpenConnsSource === "default";
    const same = out.find((t) => t.dsn.equals(db.connectionString));
    if (same) {
      same.components.push(db.component);
      same.label = same.components.join(", ");
      same.pool.components = same.components;
      if (db.section) same.pool.sections = [...(same.pool.sections ?? []), db.section];
      // Which section opens a shared pool first depends on start-up order: count the largest.
      const size = (n: number | undefined): number => (n === undefined ? -1 : n <= 0 ? Infinity : n);
      if (size(db.maxOpenConns) > size(same.pool.maxOpenConns)) {
        same.pool.maxOpenConns = db.maxOpenConns;
        if (defaulted !== undefined) same.pool.defaulted = defaulted;
      }
      continue;
    }
    out.push({
      label: db.component,
      components: [db.component],
      dsn: db.connectionString,
      redacted: db.redacted,
      pool: {
        components: [db.component],
        redacted: db.redacted,
        ...(db.section && { sections: [db.section] }),
        ...(db.maxOpenConns !== undefined && { maxOpenConns: db.maxOpenConns }),
        ...(defaulted !== undefined && { defaulted }),
      },
      ...(db.allowUnsafeLocale !== undefined && { allowUnsafeLocale: db.allowUnsafeLocale }),
    });
  }
  return out;
}

async function probeOne(
  ctx: ProbeContext,
  pg: () => Promise<PgModule>,
  t: DsnTarget,
  implementation: PostgresImplementation,
  ca: string[],
  pools: (target: Target) => Promise<{ pool: PostgresPool; keys: string[]; allowUnsafeLocale: boolean | undefined }[] | undefined>,
): Promise<PostgresConnectionFact> {
  const started = performance.now();
  let parsed: ParsedDsn;
  try {
    parsed = parseDsn(t.dsn.reveal());
  } catch {
    return {
      label: t.label,
      components: t.components,
      redacted: t.redacted,
      endpoint: { host: "", port: 5432, socket: false },
      sslmode: effectiveSslMode(undefined, implementation),
      ok: false,
      error: { code: "other", message: `not a valid connection string: ${t.redacted}` },
      connectMs: 0,
      queryErrors: [],
    };
  }
  const target = await resolveTarget(ctx, parsed, implementation);
  const sslmode = effectiveSslMode(parsed.sslmode, implementation);
  const endpoint: PostgresEndpoint = {
    host: target.host,
    port: target.port,
    socket: target.socket,
    ...(!target.socket && !isIP(target.host) && { addresses: target.candidates }),
    ...(target.resolveError && { resolveError: target.resolveError }),
  };
  const fact: PostgresConnectionFact = {
    label: t.label,
    components: t.components,
    redacted: t.redacted,
    ...(parsed.user && { user: parsed.user }),
    ...(parsed.database && { database: parsed.database }),
    endpoint,
    ...(parsed.sslmode && { sslmodeWritten: parsed.sslmode }),
    sslmode,
    ok: false,
    connectMs: 0,
    queryErrors: [],
  };
  const sameServer = await pools(target);
  if (sameServer) {
    fact.pools = sameServer.map((s) => s.pool);
    // allow_unsafe_locale belongs to the database section whose connection string this is.
    const mine = sameServer.find((s) => s.pool.redacted === t.redacted) ?? (sameServer.length === 1 ? sameServer[0] : undefined);
    const unsafe = mine?.allowUnsafeLocale;
    if (unsafe !== undefined) fact.allowUnsafeLocale = unsafe;
  }
  if (target.candidates.length === 0) {
    fact.error = { code: "dns", message: target.resolveError ?? `${target.host} has no address` };
    ctx.log(`postgres: ${t.label}: ${fact.error.message}`);
    return fact;
  }

  let rootCa: string[] | undefined;
  if (parsed.sslrootcert && parsed.sslrootcert !== "system") {
    try {
      rootCa = [await readFile(parsed.sslrootcert, "utf8")];
    } catch (err) {
      fact.error = { code: "tls", message: `cannot read sslrootcert ${parsed.sslrootcert}: ${err instanceof Error ? err.message : String(err)}` };
      return fact;
    }
  }
  const b = budgets(ctx.input.timeoutMs);
  ctx.log(`postgres: ${t.label}: ${t.redacted} -> ${target.candidates.join(", ")} port ${target.port}, sslmode ${sslmode}`);
  const result = await connect({
    pg: await pg(),
    parsed,
    target,
    sslmode,
    ca: rootCa ?? ca,
    connectMs: b.connect,
    queryMs: b.http,
    signal: ctx.signal,
  });
  fact.connectMs = Math.round(performance.now() - started);
  endpoint.address = result.address;
  ctx.log(`postgres: ${t.label}: ${result.client ? `connected${result.tls ? " (TLS)" : ""}` : `failed: ${result.error?.code} ${result.error?.message ?? ""}`}`);
  if (!result.client) {
    fact.error = result.error ?? { code: "other", message: "connection failed" };
    return fact;
  }
  fact.ok = true;
  fact.tls = result.tls;
  try {
    fact.server = await inspect(result.client, ctx.signal, parsed.password, fact.queryErrors);
  } finally {
    await result.client.end().catch(() => undefined);
  }
  return fact;
}

export const postgresProbe = defineProbe({
  fact: "postgres",
  async run(ctx): Promise<PostgresFact> {
    let config: HomeserverConfigFact | undefined;
    let configUnavailable: string | undefined;
    if (ctx.input.homeserverConfigPath) {
      try {
        config = await ctx.fact("homeserverConfig");
      } catch (err) {
        if (!(err instanceof FactUnavailable)) throw err;
        configUnavailable = err.message;
      }
    }
    const implementation: PostgresImplementation = config?.implementation ?? "unknown";
    const fromConfig = config ? configTargets(config) : [];

    let targets: DsnTarget[];
    let source: PostgresFact["source"];
    if (ctx.input.postgres) {
      const dsn = ctx.input.postgres;
      targets = [{ label: "--postgres", components: [], dsn, redacted: redactDsn(dsn.reveal()) }];
      source = "flag";
    } else if (fromConfig.length > 0) {
      targets = fromConfig;
      source = "config";
    } else if (config) {
      throw new FactUnavailable(
        `no PostgreSQL connection: ${config.path} configures no PostgreSQL database (SQLite only?); pass --postgres DSN or MATRIX_DOCTOR_POSTGRES`,
      );
    } else if (configUnavailable) {
      throw new FactUnavailable(`no PostgreSQL connection: the homeserver config is unusable (${configUnavailable}); pass --postgres DSN or MATRIX_DOCTOR_POSTGRES`);
    } else {
      throw new FactUnavailable("no PostgreSQL connection: pass --postgres DSN, MATRIX_DOCTOR_POSTGRES or --homeserver-config FILE");
    }

    let pgModule: Promise<PgModule> | undefined;
    const pg = (): Promise<PgModule> => (pgModule ??= import("pg").then((m) => (m.default ?? m) as PgModule));
    const ca = [...rootCertificates, ...ctx.input.extraCa];

    // The homeserver's pools, each with the keys of the server it reaches (resolved once, shared).
    type ConfigServer = { pool: PostgresPool; keys: string[]; allowUnsafeLocale: boolean | undefined };
    let configServers: Promise<ConfigServer[]> | undefined;
    const serversOfConfig = (): Promise<ConfigServer[]> =>
      (configServers ??= Promise.all(
        fromConfig.map(async (t) => {
          let keys: string[] = [];
          try {
            keys = serverKeys(await resolveTarget(ctx, parseDsn(t.dsn.reveal()), implementation));
          } catch {
            // an unparsable DSN reaches no server we can name
          }
          return { pool: t.pool, keys, allowUnsafeLocale: t.allowUnsafeLocale };
        }),
      ));
    const pools = async (target: Target): Promise<ConfigServer[] | undefined> => {
      if (!config) return undefined;
      // --postgres overrides the homeserver's database: the config's pools then all open connections there.
      if (source === "flag") return serversOfConfig();
      const mine = new Set(serverKeys(target));
      return (await serversOfConfig()).filter((s) => s.keys.some((k) => mine.has(k)));
    };

    const connections = await Promise.all(targets.map((t) => probeOne(ctx, pg, t, implementation, ca, pools)));
    const workers = config?.implementation === "synapse" ? config.connectionPools?.workers : undefined;
    return {
      implementation,
      source,
      ...(config && { configPath: config.path }),
      ...(configUnavailable && { configUnavailable }),
      ...(workers && { synapseWorkers: workers }),
      connections,
    };
  },
});
