// Facts of the postgres area: what the postgres probe saw on each database the homeserver uses (or the
// one --postgres names). Plain data, no secrets: connection strings appear only redacted, server
// messages with any password removed, and no query text of other sessions is ever read.

import type { Outcome } from "../check.js";
import type { Implementation } from "./config.js";

export type PostgresImplementation = Implementation | "unknown";

/** libpq's sslmode values (what the probe negotiated with, after the homeserver driver's default). */
export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

/** Why a connection attempt failed, classified from the SQLSTATE or the socket error. */
export type PostgresConnectErrorCode =
  /** 28P01: wrong password (PostgreSQL also answers this for a role that does not exist under password auth). */
  | "auth-failed"
  /** 28000 "role ... does not exist" (trust/peer/ident auth). */
  | "no-role"
  /** 28000 "no pg_hba.conf entry": no line in pg_hba.conf lets this host/user/database in. */
  | "no-hba-entry"
  /** 28000 "role ... is not permitted to log in" (NOLOGIN). */
  | "login-not-permitted"
  /** 28000/other authentication failures (peer, ident, cert ...). */
  | "auth-other"
  /** 3D000 */
  | "no-database"
  /** 42501 on connect: no CONNECT privilege on the database. */
  | "no-connect-privilege"
  /** 53300: max_connections or the role's/database's connection limit reached. */
  | "too-many-connections"
  /** 57P03: starting up, shutting down or in recovery. */
  | "not-accepting"
  /** pg_hba.conf only has hostssl lines for us and we did not use TLS ("no encryption"). */
  | "tls-required"
  /** We asked for TLS (sslmode require or stronger) and the server does not do TLS. */
  | "tls-refused"
  /** The TLS handshake or certificate verification failed. */
  | "tls"
  | "refused"
  | "timeout"
  | "dns"
  | "unreachable"
  | "reset"
  | "other";

export interface PostgresConnectError {
  code: PostgresConnectErrorCode;
  /** SQLSTATE of the server's error, when it sent one. */
  sqlstate?: string;
  /** The server's (or socket's) message, with any password removed. */
  message: string;
}

/** Where the probe connected. */
export interface PostgresEndpoint {
  /** Host as written in the DSN (or the driver's default); a unix socket directory starts with "/". */
  host: string;
  port: number;
  socket: boolean;
  /** A/AAAA of host through the run's resolver (IP literals and sockets: absent). */
  addresses?: string[];
  /** Why host has no address, when it has none. */
  resolveError?: string;
  /** The address (or socket directory) of the last attempt. */
  address?: string;
}

/** One pool of the homeserver that opens connections to the same PostgreSQL server. */
export interface PostgresPool {
  /** Config components sharing this connection string ("global", "room_server", "synapse"). */
  components: string[];
  /** The connection string, password replaced by ***. */
  redacted: string;
  /** Config sections of those components ("global.database", "user_api.account_database"), when known. */
  sections?: string[];
  /**
   * Dendrite max_open_conns / Synapse cp_max, effective value (≤ 0 = unlimited); absent = unknown, the check
   * then applies the implementation's default.
   */
  maxOpenConns?: number;
  /** The value is the implementation's default, not written in the config. */
  defaulted?: boolean;
}

export interface PostgresLongTransaction {
  pid: number;
  user?: string;
  database?: string;
  /** active, idle in transaction, ... */
  state?: string;
  backendType?: string;
  applicationName?: string;
  clientAddr?: string;
  /** now() − xact_start, in seconds. */
  ageSeconds: number;
}

export interface PostgresServerFacts {
  /** server_version_num, e.g. 150018. */
  versionNum?: number;
  /** server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  version?: string;
  /** SHOW server_encoding. */
  serverEncoding?: string;
  /** The current database's row in pg_database. */
  database?: {
    name: string;
    encoding: string;
    collate: string;
    ctype: string;
    /** PG 15+: "c" (libc) or "i" (ICU). */
    localeProvider?: string;
  };
  settings?: {
    maxConnections: number;
    superuserReservedConnections: number;
    /** PG 16+. */
    reservedConnections?: number;
  };
  /** The role the probe logged in as. */
  role?: { name: string; superuser: boolean; readAllStats: boolean };
  /** pg_stat_activity: client backends (background workers do not count against max_connections). */
  activity?: {
    clientBackends: number;
    /** Includes the probe's own connection. */
    byDatabase: { database: string | null; count: number }[];
    /**
     * False when the role sees other roles' sessions without their backend type (neither superuser nor
     * pg_read_all_stats): those in a database are counted as client sessions.
     */
    exact?: boolean;
  };
  /** Transactions open for longer than thresholdSeconds (query text is never read). */
  longTransactions?: {
    thresholdSeconds: number;
    /** False when the role sees only its own sessions (neither superuser nor pg_read_all_stats). */
    seesAllSessions: boolean;
    count: number;
    /** The oldest ones, at most 20. */
    sessions: PostgresLongTransaction[];
  };
  /** Ordinary and partitioned tables outside the system schemas. */
  tables?: {
    total: number;
    /** Number of tables per known Dendrite table prefix ("roomserver_": 15, ...). */
    prefixes: Record<string, number>;
    /** The Synapse core tables found among those the probe looks for. */
    synapseTables: string[];
    /** Up to 10 table names, sorted (to show what a database holds). */
    sample: string[];
  };
  /** Synapse's schema_version / schema_compat_version, when the tables exist. */
  synapseSchema?: { version?: number; upgraded?: boolean; compatVersion?: number };
  /** Dendrite's db_migrations, when the table exists. */
  dendriteMigrations?: {
    count: number;
    latest?: { version: string; time: string; dendriteVersion: string };
    /** Distinct dendrite_version values, at most 10. */
    dendriteVersions: string[];
  };
}

export interface PostgresConnectionFact {
  /** "--postgres", or the config components that use this connection string. */
  label: string;
  components: string[];
  /** The connection string, password replaced by ***. */
  redacted: string;
  user?: string;
  database?: string;
  endpoint: PostgresEndpoint;
  /** sslmode as written in the DSN, when it is. */
  sslmodeWritten?: string;
  /** What was used: sslmode as written, else the default of the homeserver's driver. */
  sslmode: SslMode;
  /** Whether the connection that succeeded used TLS. */
  tls?: boolean;
  ok: boolean;
  error?: PostgresConnectError;
  connectMs: number;
  /** Present when ok. */
  server?: PostgresServerFacts;
  /** Queries that failed after connecting (e.g. a permission), by what they were for. */
  queryErrors: { query: string; sqlstate?: string; message: string }[];
  /** Synapse `database.allow_unsafe_locale` of this database's config section. */
  allowUnsafeLocale?: boolean;
  /**
   * The homeserver's pools that open connections to this same server (same address or socket and
   * port), one per distinct connection string; absent without a homeserver config.
   */
  pools?: PostgresPool[];
}

export interface PostgresFact {
  /** From the homeserver config when there is one. */
  implementation: PostgresImplementation;
  /** Where the connection strings came from. */
  source: "flag" | "config";
  /** The homeserver config, when one was read. */
  configPath?: string;
  /** Why the homeserver config could not be used, when --homeserver-config was given but failed. */
  configUnavailable?: string;
  /** Synapse worker names from the config (each worker process opens its own pools). */
  synapseWorkers?: string[];
  connections: PostgresConnectionFact[];
}

// ---------------------------------------------------------------------------------------------------
// Pure helpers shared by the postgres checks (checks/postgres-*.ts): naming, and folding the verdicts
// on several databases into one outcome.


/** `dendrite@127.0.0.1:5432/dendrite` (a socket directory is shown as is). */
export function pgTarget(c: PostgresConnectionFact): string {
  const e = c.endpoint;
  const where = e.socket ? `${e.host}:${e.port} (socket)` : e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
  const user = c.user ?? "(default user)";
  return `${user}@${where}/${c.database ?? c.user ?? "(default database)"}`;
}

/** The target, with the config components that use it. */
export function pgLabel(c: PostgresConnectionFact): string {
  return c.components.length > 0 ? `${pgTarget(c)} (${c.components.join(", ")})` : pgTarget(c);
}

export type ConnectedDatabase = PostgresConnectionFact & { server: PostgresServerFacts };

export function connectedDatabases(fact: PostgresFact): ConnectedDatabase[] {
  return fact.connections.filter((c): c is ConnectedDatabase => c.ok && c.server !== undefined);
}

export const NOT_CONNECTED = "not connected to PostgreSQL (postgres-connect says why)";

/** "15", "9.6" */
export function pgMajor(versionNum: number): string {
  return versionNum >= 100000 ? String(Math.floor(versionNum / 10000)) : `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}`;
}

export function homeserverName(implementation: PostgresImplementation): string {
  return implementation === "dendrite" ? "Dendrite" : implementation === "synapse" ? "Synapse" : "the homeserver";
}

/** The systemd unit of the classic installs (Dendrite's guide, the Synapse Debian package). */
export function homeserverUnit(implementation: PostgresImplementation): string {
  return implementation === "dendrite" ? "dendrite" : implementation === "synapse" ? "matrix-synapse" : "<homeserver unit>";
}

/** SQL string literal / identifier quoting for the commands we print. */
export const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
export const sqlIdent = (s: string): string => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/** CREATE DATABASE as the deployment guide writes it: UTF8, C collation and ctype, from template0. */
export function createDatabaseSql(database: string, owner: string): string {
  return `CREATE DATABASE ${sqlIdent(database)} WITH OWNER ${sqlIdent(owner)} ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;`;
}

/**
 * How to move a database into a correctly created one: dump, rename the old one, create as the guide
 * does, restore. With no tables there is nothing to keep: drop and create.
 */
export function recreateDatabaseRecipe(c: ConnectedDatabase, implementation: PostgresImplementation): string {
  const db = c.server.database?.name ?? c.database ?? "dendrite";
  const owner = c.server.role?.name ?? c.user ?? db;
  const unit = homeserverUnit(implementation);
  const psql = (sql: string): string => `sudo -u postgres psql -c "${sql.replace(/"/g, '\\"')}"`;
  if (c.server.tables?.total === 0) {
    return [
      `The database has no tables yet, so recreate it: ${psql(`DROP DATABASE ${sqlIdent(db)};`)}`,
      `then ${psql(createDatabaseSql(db, owner))}`,
    ].join(" ");
  }
  const dump = `/var/backups/${db}.dump`;
  return [
    `Recreate it and move the data over (with ${homeserverName(implementation)} stopped):`,
    `  systemctl stop ${unit}`,
    `  sudo -u postgres pg_dump -Fc -f ${dump} ${db}`,
    `  ${psql(`ALTER DATABASE ${sqlIdent(db)} RENAME TO ${sqlIdent(`${db}_old`)};`)}`,
    `  ${psql(createDatabaseSql(db, owner))}`,
    `  sudo -u postgres pg_restore --no-owner --role=${owner} -d ${db} ${dump}`,
    `  systemctl start ${unit}`,
    `and once all is well: ${psql(`DROP DATABASE ${sqlIdent(`${db}_old`)};`)}`,
  ].join("\n");
}

export interface DatabaseVerdict {
  status: "pass" | "warn" | "fail";
  /** One line about this database (without its label). */
  text: string;
  fix?: string;
  docs?: string;
}

/**
 * Fold per-database verdicts into one outcome: the worst status, its text first (labelled with the
 * database when there are several, or always with alwaysLabel), every distinct fix.
 */
export function foldVerdicts(
  verdicts: { c: PostgresConnectionFact; v: DatabaseVerdict }[],
  details: Record<string, unknown>,
  options: { alwaysLabel?: boolean } = {},
): Outcome {
  const rank = { pass: 0, warn: 1, fail: 2 } as const;
  const several = verdicts.length > 1 || options.alwaysLabel === true;
  const line = (x: { c: PostgresConnectionFact; v: DatabaseVerdict }): string => (several ? `${pgLabel(x.c)}: ${x.v.text}` : x.v.text);
  const sorted = [...verdicts].sort((a, b) => rank[b.v.status] - rank[a.v.status]);
  const worst = sorted[0];
  if (!worst) return { status: "skip", summary: "no database to judge", details };
  if (worst.v.status === "pass") return { status: "pass", summary: sorted.map(line).join("; "), details };
  const problems = sorted.filter((x) => x.v.status !== "pass");
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : "";
  const fixes = [...new Set(problems.map((x) => x.v.fix).filter((f): f is string => !!f))];
  return {
    status: worst.v.status,
    summary: `${line(worst)}${more}`,
    fix: fixes.join("\n"),
    details,
    ...(worst.v.docs && { docs: worst.v.docs }),
  };
}
