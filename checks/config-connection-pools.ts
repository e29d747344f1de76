// How many PostgreSQL connections the homeserver may open, as its config sizes the pools: every pool has a
// limit, and the sum is reported (details.totalMaxOpenConns) for the postgres checks, which compare it with the
// server's max_connections − superuser_reserved_connections (this check cannot see the server).
//
// Dendrite (internal/sqlutil, v0.13.8): one pool per distinct connection string; a component section without
// max_open_conns gets 0, which Go's database/sql treats as unlimited, and Dendrite itself warns "Configuring
// 'max_open_conns' to be unlimited is not recommended. This can result in bad performance or deadlocks." The docs:
// "each Dendrite component opens its own database connections and has its own connection limit" (FAQ).
// Synapse: one Twisted pool per database and per process, cp_max connections (default 5).

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";

/** PostgreSQL's defaults: max_connections 100 − superuser_reserved_connections 3 (Dendrite's optimisation guide). */
const DEFAULT_BUDGET = 97;

export default defineCheck({
  id: "config-connection-pools",
  category: "config",
  title: "Database connection pools are bounded",
  docs: DOCS.dendriteOptimisation,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    const pools = fact.connectionPools;
    if (pools.pools.length === 0) {
      return skip(
        fact.databases.length > 0 ? "no PostgreSQL database in the config (SQLite only): no connection pool to size" : "no database in the config: no connection pool to size",
        { totalMaxOpenConns: 0 },
      );
    }
    const details = {
      totalMaxOpenConns: pools.totalMaxOpenConns,
      perProcessMaxOpenConns: pools.perProcessMaxOpenConns,
      unlimited: pools.unlimited,
      pools: pools.pools.map((p) => ({ sections: p.sections, dsn: p.redacted, maxOpenConns: p.unlimited ? "unlimited" : p.maxOpenConns })),
      ...(pools.workers.length > 0 && { workers: pools.workers }),
    };

    const findings: Finding[] = [];
    const unlimited = pools.pools.filter((p) => p.unlimited);
    if (unlimited.length > 0) {
      const share = Math.max(10, Math.floor(90 / pools.pools.length));
      const sections = unlimited.flatMap((p) => p.sections);
      findings.push({
        level: "warn",
        text:
          `${sections.map((s) => `${s} (${at(fact, s)})`).join(", ")} ${sections.length === 1 ? "has" : "have"} no max_open_conns (or 0), so ` +
          `${sections.length === 1 ? "its pool is" : "their pools are"} unlimited: under load Dendrite opens connections until PostgreSQL refuses them`,
        fix:
          `Bound every pool so the sum stays below PostgreSQL's max_connections − superuser_reserved_connections (${DEFAULT_BUDGET} by default): add \`max_open_conns: ${share}\` to ` +
          `${sections.map((s) => `\`${s}\``).join(", ")} in ${fact.path}, or remove those database blocks to use the one global.database pool (\`max_open_conns: 90\`).`,
        docs: DOCS.dendriteOptimisation,
      });
    }

    const bounded = pools.pools.filter((p) => !p.unlimited);
    const perPool = bounded.map((p) => `${p.sections.join("+")} ${p.maxOpenConns}`).join(", ");
    const processes = pools.workers.length > 0 ? ` × ${1 + pools.workers.length} processes (main + ${pools.workers.length} worker${pools.workers.length === 1 ? "" : "s"} in instance_map, each with its own pools)` : "";
    const total = `${pools.pools.length} PostgreSQL pool${pools.pools.length === 1 ? "" : "s"}, at most ${pools.totalMaxOpenConns} connections${unlimited.length > 0 ? " plus the unlimited ones" : ""} (${perPool || "none bounded"}${processes})`;
    return verdict(findings, `${total}; PostgreSQL must allow that many beyond superuser_reserved_connections`, details);
  },
});
