// The PostgreSQL connection pools a homeserver process opens, as its config sizes them.
//
// Dendrite v0.13.8 (internal/sqlutil/connection_manager.go): a component whose own connection_string is empty
// uses the global database options; every distinct connection string gets one pool (sql.DB), shared by the
// components that name it, sized by the options of whichever component opens it first. Go's database/sql treats
// max_open_conns ≤ 0 as unlimited, and a component section without max_open_conns has 0.
// Synapse (synapse/storage/database.py, twisted adbapi): one pool per database entry and per process (main and
// every worker), cp_max connections at most (Twisted default 5).

import type { ConnectionPool, ConnectionPools, DatabaseConfig, Implementation } from "../engine/facts/config.js";

export function connectionPools(implementation: Implementation, databases: DatabaseConfig[], workers: string[]): ConnectionPools {
  const postgres = databases.filter((d) => d.engine === "postgres");
  let pools: ConnectionPool[];
  if (implementation === "dendrite") {
    const globalUsed = postgres.some((d) => d.component === "global") && dendriteGlobalDatabaseUsed(databases);
    const used = postgres.filter((d) => d.component !== "global" || globalUsed);
    const byDsn = new Map<string, DatabaseConfig[]>();
    for (const d of used) {
      const key = d.connectionString.reveal();
      byDsn.set(key, [...(byDsn.get(key) ?? []), d]);
    }
    pools = [...byDsn.values()].map((group) => {
      // Which section opens a shared pool first depends on start-up order: assume the largest (judgement).
      const unlimited = group.some((d) => (d.maxOpenConns ?? 0) <= 0);
      const maxOpenConns = unlimited ? 0 : Math.max(...group.map((d) => d.maxOpenConns ?? 0));
      return { sections: group.map((d) => d.section), redacted: group[0]?.redacted ?? "", maxOpenConns, unlimited };
    });
  } else {
    pools = postgres.map((d) => ({
      sections: [d.section],
      redacted: d.redacted,
      maxOpenConns: d.maxOpenConns ?? 5,
      unlimited: false,
    }));
  }
  const perProcess = pools.reduce((sum, p) => sum + (p.unlimited ? 0 : p.maxOpenConns), 0);
  const processWorkers = implementation === "synapse" ? workers : [];
  return {
    pools,
    perProcessMaxOpenConns: perProcess,
    workers: processWorkers,
    totalMaxOpenConns: perProcess * (1 + processWorkers.length),
    unlimited: pools.some((p) => p.unlimited),
  };
}

/** Dendrite opens its global database only when some component has no database section of its own. */
export function dendriteGlobalDatabaseUsed(databases: readonly DatabaseConfig[]): boolean {
  const own = new Set(databases.filter((d) => d.component !== "global").map((d) => d.component));
  return DENDRITE_COMPONENTS.some((c) => !own.has(c.component));
}

/** Dendrite's per-component database sections (v0.13.8 setup/config/config_*.go). */
export const DENDRITE_COMPONENTS: readonly { component: string; key: string }[] = [
  { component: "federation_api", key: "database" },
  { component: "key_server", key: "database" },
  { component: "media_api", key: "database" },
  { component: "mscs", key: "database" },
  { component: "relay_api", key: "database" },
  { component: "room_server", key: "database" },
  { component: "sync_api", key: "database" },
  { component: "user_api", key: "account_database" },
];
