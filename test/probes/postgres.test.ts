// The postgres probe against the rig's real PostgreSQL 15 clusters (test/rig/services/postgres.sh):
// the database the rig's Dendrite runs on, a database with the classic en_US.UTF-8 mistake, a wrong
// password, a cluster too small for Dendrite's pool, a port nothing listens on, a host that never
// answers. Each run goes through the engine with the postgres checks, and the facts are recorded as
// fixtures for test/checks/postgres-*.test.ts (MATRIX_DOCTOR_RECORD_FIXTURES=1).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresFact } from "../../src/engine/facts.js";
import type { RunInput } from "../../src/engine/probe.js";
import { runChecks } from "../../src/engine/run.js";
import { Secret } from "../../src/engine/secret.js";
import type { CheckResult, RunReport } from "../../src/engine/types.js";
import { homeserverConfigProbe } from "../../src/probes/homeserver-config.js";
import { classifyConnectError, effectiveSslMode, parseDsn, postgresProbe } from "../../src/probes/postgres.js";
import { POSTGRES_CHECKS, record, type Scenario } from "../fixtures/postgres/fixtures.js";
import { rigPostgres } from "../rig/postgres.js";
import { describeRig, rig } from "../support/rig-gate.js";

const pg = rigPostgres(rig);
const RECORD = !!process.env.MATRIX_DOCTOR_RECORD_FIXTURES;

/** Everything the runs produced, serialised: the secrets test greps it. */
const outputs: string[] = [];

// Homeserver configs are real files read by the real homeserver-config probe: the rig's own
// dendrite.yaml (the file its Dendrite runs with), copies of it pointed elsewhere, and a Synapse one.
let dir: string | undefined;
function configFile(name: string, text: string): string {
  dir ??= mkdtempSync(join(tmpdir(), "matrix-doctor-pg-"));
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The rig's dendrite.yaml with global.database pointed at another DSN (and pool size). */
function dendriteYaml(name: string, dsn: string, maxOpenConns?: number): string {
  let text = readFileSync(rig!.dendrite.configPath, "utf8").replace(/^(\s*connection_string:\s*).*$/m, `$1"${dsn}"`);
  text = maxOpenConns === undefined ? text.replace(/^\s*max_open_conns:.*\n/m, "") : text.replace(/^(\s*max_open_conns:\s*).*$/m, `$1${maxOpenConns}`);
  return configFile(name, text);
}

/** A Synapse homeserver.yaml whose database.args name one of the rig's databases. */
function synapseYaml(name: string, database: string, extra = ""): string {
  return configFile(
    name,
    [
      "server_name: example.test",
      "database:",
      "  name: psycopg2",
      extra,
      "  args:",
      `    user: ${pg!.user}`,
      `    password: "${pg!.password}"`,
      `    dbname: ${database}`,
      `    host: ${pg!.host}`,
      `    port: ${pg!.port}`,
      "    cp_min: 5",
      "    cp_max: 10",
      "",
    ].join("\n"),
  );
}

interface Run {
  fact: PostgresFact;
  report: RunReport;
  wire: string[];
  ms: number;
  byId(id: string): CheckResult;
}

async function run(opts: { postgres?: string; config?: string; timeoutMs?: number; scenario?: Scenario }): Promise<Run> {
  const input: RunInput = {
    serverName: "example.test",
    resolver: rig!.resolver,
    extraCa: [],
    timeoutMs: opts.timeoutMs ?? 10_000,
    allowPrivateAddresses: true,
    ...(opts.postgres && { postgres: new Secret(opts.postgres) }),
    ...(opts.config && { homeserverConfigPath: opts.config }),
  };
  const probes = { postgres: postgresProbe, homeserverConfig: homeserverConfigProbe };
  const started = performance.now();
  const logs: string[] = [];
  const out = await runChecks({ checks: POSTGRES_CHECKS, probes, input, log: (m) => logs.push(m) });
  const ms = performance.now() - started;
  const fact = out.facts.postgres;
  if (!fact) throw new Error(`no postgres fact: ${JSON.stringify(out.report.checks[0])}`);
  outputs.push(JSON.stringify(out.facts), JSON.stringify(out.report), JSON.stringify(input), ...logs);
  expect(logs.some((l) => l.startsWith("postgres: "))).toBe(true);
  if (RECORD && opts.scenario) record(opts.scenario, normalise(fact));
  const byId = (id: string): CheckResult => {
    const found = out.report.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no ${id}`);
    return found;
  };
  return { fact, report: out.report, wire: out.wire, ms, byId };
}

/** Fixtures do not keep this machine's temporary paths. */
function normalise(fact: PostgresFact): PostgresFact {
  const copy = JSON.parse(JSON.stringify(fact)) as PostgresFact;
  if (copy.configPath) copy.configPath = copy.configPath.endsWith("homeserver.yaml") ? "/etc/matrix-synapse/homeserver.yaml" : "/etc/dendrite/dendrite.yaml";
  return copy;
}

const statuses = (r: Run): Record<string, string> => Object.fromEntries(r.report.checks.map((c) => [c.id, c.status]));

describeRig("postgres probe against the rig's PostgreSQL 15", () => {
  it("the rig has its postgres service", () => {
    expect(pg, "rig.json has no services.postgres (test/rig/services/postgres.sh)").toBeDefined();
  });

  it("healthy: Dendrite's database, created as the guide does and initialised by Dendrite", async () => {
    // The config the rig's Dendrite runs with, read by the homeserver-config probe.
    const r = await run({ config: rig!.dendrite.configPath, scenario: "healthy-dendrite" });
    expect(r.fact.implementation).toBe("dendrite");
    expect(r.fact.source).toBe("config");
    const c = r.fact.connections[0]!;
    expect(c.ok, JSON.stringify(c.error)).toBe(true);
    expect(c.label).toBe("global");
    expect(c.redacted).toBe(`postgres://dendrite:***@127.0.0.1:5432/dendrite?sslmode=disable`);
    expect(c.tls).toBe(false);
    expect(c.queryErrors).toEqual([]);
    const s = c.server!;
    expect(s.versionNum).toBeGreaterThanOrEqual(150000);
    expect(s.versionNum).toBeLessThan(160000);
    expect(s.serverEncoding).toBe("UTF8");
    expect(s.database).toMatchObject({ name: "dendrite", encoding: "UTF8", collate: "C", ctype: "C", localeProvider: "c" });
    expect(s.settings).toEqual({ maxConnections: 100, superuserReservedConnections: 3 });
    expect(s.role).toEqual({ name: "dendrite", superuser: false, readAllStats: false });
    expect(s.activity!.clientBackends).toBeGreaterThanOrEqual(2); // Dendrite's pool and the probe
    expect(s.activity!.byDatabase.find((d) => d.database === "dendrite")!.count).toBeGreaterThanOrEqual(2);
    expect(s.longTransactions).toMatchObject({ thresholdSeconds: 300, seesAllSessions: false, count: 0 });
    for (const p of ["roomserver_", "syncapi_", "federationsender_", "keyserver_", "mediaapi_", "userapi_"]) {
      expect(s.tables!.prefixes[p], p).toBeGreaterThan(0);
    }
    expect(s.dendriteMigrations!.count).toBeGreaterThan(0);
    expect(s.dendriteMigrations!.dendriteVersions).toEqual(["0.13.8"]);
    expect(s.synapseSchema).toBeUndefined();
    expect(c.pools).toEqual([{ components: ["global"], sections: ["global.database"], redacted: c.redacted, maxOpenConns: 90, defaulted: false }]);

    expect(statuses(r)).toEqual({
      "postgres-connect": "pass",
      "postgres-version": "pass",
      "postgres-encoding": "pass",
      "postgres-locale": "pass",
      // The guide's 90 against PostgreSQL's default 100 − 3 reserved: 93 % of the budget.
      "postgres-connection-budget": "warn",
      "postgres-connections-in-use": "pass",
      "postgres-long-transactions": "pass",
      "postgres-schema": "pass",
    });
    expect(r.byId("postgres-connection-budget").summary).toMatch(/may open 90 of the 97 connections/);
    expect(r.byId("postgres-schema").summary).toMatch(/Dendrite schema in dendrite: \d+ tables, \d+ migration\(s\) in db_migrations, latest by Dendrite 0\.13\.8/);
  });

  it("counts connections per database, the probe's own included", async () => {
    const { default: pgLib } = await import("pg");
    const other = new pgLib.Client({ connectionString: pg!.badLocaleDsn });
    await other.connect();
    try {
      const r = await run({ postgres: pg!.dsn });
      const a = r.fact.connections[0]!.server!.activity!;
      expect(a.byDatabase.find((d) => d.database === "badlocale")?.count).toBeGreaterThanOrEqual(1);
      expect(a.clientBackends).toBe(a.byDatabase.reduce((n, d) => n + d.count, 0));
      expect(a.exact).toBe(false);
    } finally {
      await other.end();
    }
  });

  it("--postgres alone: the implementation is unknown and the pool budget is skipped", async () => {
    const r = await run({ postgres: pg!.dsn, scenario: "healthy-flag" });
    expect(r.fact).toMatchObject({ implementation: "unknown", source: "flag" });
    expect(r.fact.connections[0]).toMatchObject({ label: "--postgres", ok: true });
    expect(r.fact.connections[0]!.pools).toBeUndefined();
    expect(r.byId("postgres-connection-budget")).toMatchObject({ status: "skip", summary: expect.stringMatching(/--homeserver-config/) });
    expect(r.byId("postgres-schema").status).toBe("pass");
  });

  it("a host name is resolved through the run's resolver, never the system's", async () => {
    const dsn = `postgres://${pg!.user}:${pg!.password}@${rig!.dendrite.serverName}:${pg!.port}/${pg!.database}?sslmode=disable`;
    const r = await run({ postgres: dsn });
    const c = r.fact.connections[0]!;
    expect(c.ok, JSON.stringify(c.error)).toBe(true);
    expect(c.endpoint).toMatchObject({ host: "example.test", addresses: ["127.0.0.2", "::1"], address: "127.0.0.2" });
    expect(r.wire).toContain("dns A example.test");
  });

  it("a name that does not resolve is a DNS failure", async () => {
    const r = await run({ postgres: `postgres://dendrite:x@nxdomain.example.test:5432/dendrite?sslmode=disable` });
    expect(r.fact.connections[0]).toMatchObject({ ok: false, error: { code: "dns" } });
    expect(r.byId("postgres-connect")).toMatchObject({ status: "fail", summary: expect.stringMatching(/cannot resolve the database host/) });
  });

  it("en_US.UTF-8 collation: warn for Dendrite, fail for Synapse", async () => {
    const r = await run({ config: dendriteYaml("bad-locale.yaml", pg!.badLocaleDsn, 10), scenario: "bad-locale-dendrite" });
    const c = r.fact.connections[0]!;
    expect(c.server!.database).toMatchObject({ name: "badlocale", encoding: "UTF8", collate: "en_US.UTF-8", ctype: "en_US.UTF-8" });
    expect(c.server!.tables!.total).toBe(0);
    const locale = r.byId("postgres-locale");
    expect(locale.status).toBe("warn");
    expect(locale.fix).toContain(`CREATE DATABASE badlocale WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;`);
    expect(r.byId("postgres-schema")).toMatchObject({ status: "warn", summary: expect.stringMatching(/has not initialised this database yet/) });
    // The same database named by a Synapse homeserver.yaml: libpq's sslmode=prefer falls back to plain text.
    const s = await run({ config: synapseYaml("homeserver.yaml", "badlocale"), scenario: "bad-locale-synapse" });
    expect(s.fact).toMatchObject({ implementation: "synapse", synapseWorkers: [] });
    expect(s.fact.connections[0]).toMatchObject({ label: "synapse", ok: true, sslmode: "prefer", tls: false });
    expect(s.byId("postgres-locale")).toMatchObject({ status: "fail", summary: expect.stringMatching(/Synapse refuses to start/) });
    expect(s.byId("postgres-connection-budget")).toMatchObject({ status: "pass", summary: expect.stringMatching(/each Synapse process may open 10/) });
    // With allow_unsafe_locale Synapse starts: a warning.
    const unsafe = await run({ config: synapseYaml("unsafe.yaml", "badlocale", "  allow_unsafe_locale: true") });
    expect(unsafe.fact.connections[0]!.allowUnsafeLocale).toBe(true);
    expect(unsafe.byId("postgres-locale")).toMatchObject({ status: "warn", summary: expect.stringMatching(/allow_unsafe_locale: true/) });
  });

  it("wrong password: the server's 28P01, classified", async () => {
    const r = await run({ postgres: pg!.wrongPasswordDsn, scenario: "wrong-password" });
    expect(r.fact.connections[0]).toMatchObject({
      ok: false,
      user: "wrongpw",
      error: { code: "auth-failed", sqlstate: "28P01", message: 'password authentication failed for user "wrongpw"' },
    });
    const check = r.byId("postgres-connect");
    expect(check.status).toBe("fail");
    expect(check.fix).toMatch(/ALTER ROLE wrongpw PASSWORD/);
    expect(check.fix).toMatch(/host {3}dendrite {3}wrongpw {3}127\.0\.0\.1\/32 {3}scram-sha-256/);
    expect(r.byId("postgres-version").status).toBe("skip");
  });

  it("database that does not exist: 3D000 and the guide's CREATE DATABASE", async () => {
    const dsn = `postgres://${pg!.user}:${pg!.password}@${pg!.host}:${pg!.port}/nosuchdb?sslmode=disable`;
    const r = await run({ postgres: dsn, scenario: "no-database" });
    expect(r.fact.connections[0]!.error).toMatchObject({ code: "no-database", sqlstate: "3D000" });
    expect(r.byId("postgres-connect").fix).toContain(
      `CREATE DATABASE nosuchdb WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;`,
    );
  });

  it("Dendrite's connection string without sslmode: lib/pq requires TLS, this server has none", async () => {
    const dsn = `postgres://${pg!.user}:${pg!.password}@${pg!.host}:${pg!.port}/${pg!.database}`;
    const r = await run({ config: dendriteYaml("no-sslmode.yaml", dsn, 90), scenario: "tls-refused-dendrite" });
    expect(r.fact.connections[0]).toMatchObject({ ok: false, sslmode: "require", error: { code: "tls-refused" } });
    expect(r.fact.connections[0]!.sslmodeWritten).toBeUndefined();
    const check = r.byId("postgres-connect");
    expect(check.summary).toMatch(/lib\/pq\) defaults to sslmode=require/);
    expect(check.fix).toMatch(/\?sslmode=disable/);
  });

  it("sslmode=prefer falls back to plain text when the server has no TLS (libpq)", async () => {
    const r = await run({ postgres: pg!.dsn.replace("sslmode=disable", "sslmode=prefer") });
    expect(r.fact.connections[0]).toMatchObject({ ok: true, sslmode: "prefer", tls: false });
  });

  it("pool over budget: Dendrite's default 90 against max_connections 20", async () => {
    // The config names the server as localhost, the probe's --postgres as 127.0.0.1: the same server.
    const low = new URL(pg!.lowMaxConnDsn);
    low.hostname = "localhost";
    const r = await run({ postgres: pg!.lowMaxConnDsn, config: dendriteYaml("low.yaml", low.toString(), 90), scenario: "over-budget-dendrite" });
    const c = r.fact.connections[0]!;
    expect(c.server!.settings).toEqual({ maxConnections: 20, superuserReservedConnections: 3 });
    expect(c.pools).toHaveLength(1);
    const check = r.byId("postgres-connection-budget");
    expect(check.status).toBe("fail");
    expect(check.summary).toMatch(/larger than the 17 connections.*Dendrite refuses to start.*dendrite#2760/);
    expect(check.fix).toMatch(/global\.database\.max_open_conns: 13/);
    expect(check.fix).toMatch(/max_connections = 116/);
  });

  it("global pool without max_open_conns: Dendrite's default 90 is what counts", async () => {
    const r = await run({ config: dendriteYaml("default-pool.yaml", pg!.lowMaxConnDsn) });
    expect(r.fact.connections[0]!.pools).toMatchObject([{ maxOpenConns: 90, defaulted: true }]);
    expect(r.byId("postgres-connection-budget")).toMatchObject({ status: "fail", summary: expect.stringMatching(/max_open_conns 90, default\) is larger than the 17/) });
  });

  it("PostgreSQL down: connection refused", async () => {
    const r = await run({ postgres: `postgres://dendrite:secret-for-down@127.0.0.1:5999/dendrite?sslmode=disable`, scenario: "down" });
    expect(r.fact.connections[0]).toMatchObject({ ok: false, error: { code: "refused" }, endpoint: { address: "127.0.0.1", port: 5999 } });
    const check = r.byId("postgres-connect");
    expect(check.summary).toMatch(/nothing accepts connections on 127\.0\.0\.1:5999/);
    expect(check.fix).toMatch(/systemctl status postgresql/);
    expect(check.fix).toMatch(/listen_addresses/);
    for (const id of ["postgres-version", "postgres-encoding", "postgres-locale", "postgres-schema"]) expect(r.byId(id).status).toBe("skip");
  });

  it("unix socket: connects to the socket directory (peer auth refuses root as dendrite)", async () => {
    const dsn = `postgres://dendrite@${encodeURIComponent(pg!.socketDir)}:${pg!.port}/dendrite`;
    const r = await run({ postgres: dsn });
    const c = r.fact.connections[0]!;
    expect(c.endpoint).toMatchObject({ host: pg!.socketDir, socket: true, address: pg!.socketDir });
    expect(c.error).toMatchObject({ code: "auth-other", sqlstate: "28000", message: expect.stringMatching(/Peer authentication failed/) });
    expect(r.wire.filter((w) => w.startsWith("dns"))).toEqual([]);
  });

  describeRig("a server that accepts and never answers", () => {
    let server: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => server.listen(5432, rig!.hangAddress, resolve));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it("times out within the connect budget of the run", async () => {
      const r = await run({ postgres: `postgres://dendrite:x@${rig!.hangAddress}:5432/dendrite?sslmode=disable`, timeoutMs: 3_000 });
      expect(r.fact.connections[0]).toMatchObject({ ok: false, error: { code: "timeout" } });
      expect(r.fact.connections[0]!.connectMs).toBeLessThan(2_000);
      expect(r.ms).toBeLessThan(3_500);
      expect(r.byId("postgres-connect").summary).toMatch(/no answer from 127\.0\.0\.9:5432/);
    });
  });

  it("no password appears in any fact, finding or log of these runs", () => {
    expect(outputs.length).toBeGreaterThan(10);
    const all = outputs.join("\n");
    expect(all).not.toContain(pg!.password);
    expect(all).not.toContain("not-the-password");
    expect(all).not.toContain("secret-for-down");
    expect(all).toContain("[redacted]"); // the Secret in the input serialises as such
  });
});

describe("postgres probe without a server", () => {
  it("parses URI and keyword/value connection strings", () => {
    expect(parseDsn("postgres://dendrite:p%40ss%20w@db.example.org:6432/dendrite?sslmode=verify-full")).toEqual({
      host: "db.example.org",
      port: 6432,
      user: "dendrite",
      password: "p@ss w",
      database: "dendrite",
      sslmode: "verify-full",
    });
    expect(parseDsn("postgresql://synapse@%2Fvar%2Frun%2Fpostgresql/synapse")).toMatchObject({ host: "/var/run/postgresql", user: "synapse", database: "synapse" });
    expect(parseDsn("postgres:///dendrite?host=/run/postgresql&user=dendrite")).toMatchObject({ host: "/run/postgresql", user: "dendrite", database: "dendrite" });
    expect(parseDsn("postgres://u:p@[::1]:5432/d")).toMatchObject({ host: "::1", port: 5432 });
    expect(parseDsn("host=127.0.0.1 port=5433 user=synapse password='it\\'s a secret' dbname=synapse")).toEqual({
      host: "127.0.0.1",
      port: 5433,
      user: "synapse",
      password: "it's a secret",
      database: "synapse",
    });
  });

  it("picks the driver's default sslmode: lib/pq require for Dendrite, libpq prefer otherwise", () => {
    expect(effectiveSslMode(undefined, "dendrite")).toBe("require");
    expect(effectiveSslMode(undefined, "synapse")).toBe("prefer");
    expect(effectiveSslMode("DISABLE", "dendrite")).toBe("disable");
    expect(effectiveSslMode("no-verify", "unknown")).toBe("require");
  });

  it("keeps the server's message but never the password", () => {
    const err = Object.assign(new Error('password authentication failed for user "d" (tried hunter2)'), { code: "28P01", severity: "FATAL" });
    expect(classifyConnectError(err, "hunter2", false)).toEqual({
      code: "auth-failed",
      sqlstate: "28P01",
      message: 'password authentication failed for user "d" (tried ***)',
    });
    const hba = Object.assign(new Error('no pg_hba.conf entry for host "10.1.2.3", user "d", database "d", no encryption'), { code: "28000", severity: "FATAL" });
    expect(classifyConnectError(hba, undefined, false).code).toBe("tls-required");
    expect(classifyConnectError(new Error("The server does not support SSL connections"), undefined, false).code).toBe("tls-refused");
    expect(classifyConnectError(new Error("whatever"), undefined, true).code).toBe("timeout");
  });

  it("without --postgres or a homeserver config the fact is unavailable, naming the flags", async () => {
    const out = await runChecks({
      checks: POSTGRES_CHECKS,
      probes: { postgres: postgresProbe, homeserverConfig: homeserverConfigProbe },
      input: { serverName: "example.test", extraCa: [], timeoutMs: 2_000, allowPrivateAddresses: false },
    });
    for (const c of out.report.checks) {
      expect(c.status).toBe("skip");
      expect(c.summary).toBe("no PostgreSQL connection: pass --postgres DSN, MATRIX_DOCTOR_POSTGRES or --homeserver-config FILE");
    }
  });

  it("a Dendrite config on SQLite has no PostgreSQL to check", async () => {
    const path = configFile(
      "sqlite.yaml",
      ["version: 2", "global:", "  server_name: example.test", "  private_key: matrix_key.pem", ...["federation_api", "key_server", "media_api", "mscs", "relay_api", "room_server", "sync_api"].flatMap((k) => [`${k}:`, "  database:", `    connection_string: file:${k}.db`]), "user_api:", "  account_database:", "    connection_string: file:userapi.db", ""].join("\n"),
    );
    const out = await runChecks({
      checks: POSTGRES_CHECKS,
      probes: { postgres: postgresProbe, homeserverConfig: homeserverConfigProbe },
      input: { serverName: "example.test", extraCa: [], timeoutMs: 2_000, allowPrivateAddresses: false, homeserverConfigPath: path },
    });
    expect(out.report.checks[0]).toMatchObject({ status: "skip", summary: expect.stringMatching(/configures no PostgreSQL database \(SQLite only\?\); pass --postgres DSN/) });
  });
});
