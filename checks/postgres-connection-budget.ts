// The homeserver's connection pools fit in what PostgreSQL allows non-superusers:
// max_connections − superuser_reserved_connections (− reserved_connections on PG 16+).
// Dendrite opens one pool per distinct connection string (global default max_open_conns 90; a
// component's own database without max_open_conns is unlimited) and, since matrix-org/dendrite#2760,
// refuses to start when one pool is larger than that budget; pools that only together exceed it fail
// later with "remaining connection slots are reserved for non-replication superuser connections".
// Synapse has one pool of cp_max (Twisted's default 5) per process, main and every worker.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  connectedDatabases,
  foldVerdicts,
  NOT_CONNECTED,
  pgTarget,
  type ConnectedDatabase,
  type DatabaseVerdict,
  type PostgresImplementation,
  type PostgresPool,
} from "../src/engine/facts/postgres.js";

const DENDRITE_OPTIMISATION = "https://matrix-org.github.io/dendrite/administration/optimisation";
const SYNAPSE_PG = "https://element-hq.github.io/synapse/latest/postgres.html#synapse-config";
const DENDRITE_GLOBAL_DEFAULT = 90;
const SYNAPSE_CP_MAX_DEFAULT = 5;
const WARN_SHARE = 0.8;

interface Sized {
  pool: PostgresPool;
  /** Connections it may open; 0 = unlimited. */
  size: number;
  defaulted: boolean;
}

function size(pool: PostgresPool, implementation: PostgresImplementation): Sized {
  if (pool.maxOpenConns !== undefined) return { pool, size: Math.max(0, pool.maxOpenConns), defaulted: pool.defaulted ?? false };
  if (implementation === "synapse") return { pool, size: SYNAPSE_CP_MAX_DEFAULT, defaulted: true };
  // Dendrite: the global section defaults to 90; a component section without max_open_conns has 0 = unlimited.
  return { pool, size: pool.components.includes("global") ? DENDRITE_GLOBAL_DEFAULT : 0, defaulted: true };
}

function poolText(s: Sized, implementation: PostgresImplementation): string {
  const value = s.size === 0 ? "unlimited" : String(s.size);
  if (implementation === "synapse") return `${s.pool.sections?.[0] ?? s.pool.components.join("+")} cp_max ${value}${s.defaulted ? " (default)" : ""}`;
  return `${s.pool.components.join("+")} (max_open_conns ${value}${s.defaulted ? ", default" : ""})`;
}

/** Where to set the pool size, for the fix. */
function poolSetting(s: Sized, implementation: PostgresImplementation, value: number): string {
  const section = s.pool.sections?.[0];
  if (implementation === "synapse") return `\`cp_max: ${value}\` under \`${section ?? "database"}.args\` in homeserver.yaml`;
  const component = s.pool.components[0] ?? "global";
  const key = section ?? (component === "user_api" ? "user_api.account_database" : `${component}.database`);
  return `\`${key}.max_open_conns: ${value}\` in dendrite.yaml`;
}

function verdict(c: ConnectedDatabase, pools: PostgresPool[], implementation: PostgresImplementation, workers: string[]): DatabaseVerdict | undefined {
  const s = c.server.settings;
  if (!s) return undefined;
  const reserved = s.superuserReservedConnections + (s.reservedConnections ?? 0);
  const allowed = s.maxConnections - reserved;
  const limits =
    `max_connections ${s.maxConnections} − superuser_reserved_connections ${s.superuserReservedConnections}` +
    (s.reservedConnections ? ` − reserved_connections ${s.reservedConnections}` : "");
  const sized = pools.map((p) => size(p, implementation));
  const total = sized.reduce((n, p) => n + p.size, 0);
  const list = sized.map((p) => poolText(p, implementation)).join(" + ");
  const comfortable = Math.max(1, Math.floor(allowed * WARN_SHARE));
  /** Raising max_connections instead, so that `need` connections stay under the warn share. */
  const raiseFor = (need: number): string =>
    `or raise \`max_connections = ${Math.ceil(need / WARN_SHARE) + reserved}\` in postgresql.conf and \`systemctl restart postgresql\` (it takes effect only on restart; each connection costs memory)`;
  const raise = raiseFor(total);
  const lowerFix = (): string => {
    if (sized.length === 1) return `Lower the pool: ${poolSetting(sized[0]!, implementation, comfortable)}, ${raise}.`;
    const each = Math.max(1, Math.floor(comfortable / sized.length));
    return `Lower the pools so that together they stay under ${comfortable}, e.g. ${sized.map((p) => poolSetting(p, implementation, each)).join(", ")} (or use one global pool: set only \`global.database\`), ${raise}.`;
  };

  if (implementation === "synapse") {
    // Every process (main and each worker) has its own pools; instance_map names the workers it knows.
    const perProcess = total;
    const processes = 1 + workers.length;
    const all = perProcess * processes;
    const fit = perProcess > 0 ? Math.floor(allowed / perProcess) : 0;
    const who =
      workers.length > 0
        ? `main + ${workers.length} worker(s) from instance_map`
        : `main process only (instance_map names no worker; each worker adds ${perProcess} more)`;
    const text =
      `each Synapse process may open ${perProcess} connection(s) (${list}); ${who}: ${all} of the ${allowed} PostgreSQL allows (${limits}), room for ${fit} process(es)`;
    if (all > allowed * WARN_SHARE) {
      const each = Math.max(1, Math.floor(comfortable / processes / Math.max(1, sized.length)));
      return {
        status: "warn",
        text: all > allowed ? `${text}: under load connections fail with "remaining connection slots are reserved"` : text,
        fix: `Make cp_max × ${processes} process(es) fit in ${comfortable}: ${poolSetting(sized[0]!, implementation, each)}, ${raiseFor(all)}.`,
        docs: SYNAPSE_PG,
      };
    }
    return { status: "pass", text };
  }

  const unlimited = sized.filter((p) => p.size === 0);
  if (unlimited.length > 0) {
    return {
      status: "warn",
      text: `unlimited pool(s) ${unlimited.map((p) => poolText(p, implementation)).join(", ")} can take all ${allowed} connections PostgreSQL allows (${limits}); Dendrite warns "Configuring 'max_open_conns' to be unlimited is not recommended"`,
      fix: `Give every pool a limit: ${unlimited.map((p) => poolSetting(p, implementation, Math.max(1, Math.floor(comfortable / Math.max(1, sized.length))))).join(", ")}.`,
      docs: DENDRITE_OPTIMISATION,
    };
  }
  const biggest = sized.reduce((a, b) => (b.size > a.size ? b : a));
  if (biggest.size > allowed) {
    return {
      status: "fail",
      text:
        `pool ${poolText(biggest, implementation)} is larger than the ${allowed} connections PostgreSQL allows non-superusers (${limits}): ` +
        `Dendrite refuses to start ("The configured 'max_open_conns' is greater than the ${allowed} non-superuser connections that PostgreSQL is configured to allow", its startup check since matrix-org/dendrite#2760)`,
      fix: lowerFix(),
      docs: DENDRITE_OPTIMISATION,
    };
  }
  if (total > allowed) {
    return {
      status: "fail",
      text:
        `the pools together may open ${total} connections (${list}) but PostgreSQL allows ${allowed} (${limits}): under load queries fail with ` +
        `"remaining connection slots are reserved for non-replication superuser connections"`,
      fix: lowerFix(),
      docs: DENDRITE_OPTIMISATION,
    };
  }
  if (total > allowed * WARN_SHARE) {
    return {
      status: "warn",
      text: `the pools may open ${total} of the ${allowed} connections PostgreSQL allows (${limits}): only ${allowed - total} left for psql, backups and any other software on this server`,
      fix: lowerFix(),
      docs: DENDRITE_OPTIMISATION,
    };
  }
  return { status: "pass", text: `the pools may open ${total} of the ${allowed} connections PostgreSQL allows (${list}; ${limits})` };
}

export default defineCheck({
  id: "postgres-connection-budget",
  category: "postgres",
  title: "The homeserver's connection pools fit in max_connections",
  docs: DENDRITE_OPTIMISATION,
  requires: ["postgres"],
  run({ postgres }): Outcome {
    if (postgres.connections.every((c) => c.pools === undefined)) {
      return {
        status: "skip",
        summary: postgres.configUnavailable
          ? `the homeserver config is unusable (${postgres.configUnavailable}), so the pool sizes are unknown`
          : "the pool sizes come from the homeserver config: pass --homeserver-config FILE",
      };
    }
    const connected = connectedDatabases(postgres).filter((c) => c.server.settings);
    if (connected.length === 0) return { status: "skip", summary: NOT_CONNECTED };
    const dbs = connected.filter((c) => c.pools && c.pools.length > 0);
    if (dbs.length === 0) {
      return { status: "skip", summary: `no database pool of the homeserver config points at ${connected.map(pgTarget).join(", ")}` };
    }
    // One verdict per server: every connection string to it shares the same max_connections.
    const seen = new Set<string>();
    const verdicts: { c: ConnectedDatabase; v: DatabaseVerdict }[] = [];
    for (const c of dbs) {
      const key = `${c.endpoint.address ?? c.endpoint.host}:${c.endpoint.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const v = verdict(c, c.pools!, postgres.implementation, postgres.synapseWorkers ?? []);
      if (v) verdicts.push({ c, v });
    }
    return foldVerdicts(verdicts, {
      implementation: postgres.implementation,
      servers: verdicts.map(({ c }) => ({
        server: pgTarget(c),
        maxConnections: c.server.settings?.maxConnections,
        superuserReservedConnections: c.server.settings?.superuserReservedConnections,
        ...(c.server.settings?.reservedConnections !== undefined && { reservedConnections: c.server.settings.reservedConnections }),
        pools: c.pools!.map((p) => ({ components: p.components, dsn: p.redacted, maxOpenConns: size(p, postgres.implementation).size })),
      })),
    });
  },
});
