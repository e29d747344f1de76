// How many of max_connections are in use right now (client backends in pg_stat_activity; background
// workers do not count). Once they run out, "PostgreSQL will immediately stop accepting new
// connections" (Dendrite's optimisation docs) and the homeserver's queries start failing.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  connectedDatabases,
  foldVerdicts,
  NOT_CONNECTED,
  pgTarget,
  type ConnectedDatabase,
  type DatabaseVerdict,
} from "../src/engine/facts/postgres.js";

const PG_STAT_ACTIVITY = "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW";
const FAIL_SHARE = 0.9;
const WARN_SHARE = 0.75;

function verdict(c: ConnectedDatabase): DatabaseVerdict | undefined {
  const a = c.server.activity;
  const s = c.server.settings;
  if (!a || !s) return undefined;
  const used = a.clientBackends;
  const share = used / s.maxConnections;
  const top = a.byDatabase
    .slice(0, 3)
    .map((d) => `${d.database ?? "(no database)"} ${d.count}`)
    .join(", ");
  const text = `${used} of max_connections ${s.maxConnections} in use (${Math.round(share * 100)}%; ${top})`;
  if (share <= WARN_SHARE) return { status: "pass", text };
  const fix =
    `See who holds them: \`sudo -u postgres psql -c "SELECT datname, usename, application_name, state, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC;"\`. ` +
    `Lower the pools that hold idle connections (Dendrite \`max_open_conns\`/\`max_idle_conns\`, Synapse \`cp_max\`) ` +
    `or raise \`max_connections\` in postgresql.conf (e.g. ${Math.ceil(used / WARN_SHARE / 10) * 10}) and \`systemctl restart postgresql\`.`;
  return {
    status: share > FAIL_SHARE ? "fail" : "warn",
    text: `${text}: ${s.maxConnections - used} left before PostgreSQL refuses new connections`,
    fix,
    docs: PG_STAT_ACTIVITY,
  };
}

export default defineCheck({
  id: "postgres-connections-in-use",
  category: "postgres",
  title: "PostgreSQL has free connection slots",
  docs: PG_STAT_ACTIVITY,
  requires: ["postgres"],
  run({ postgres }): Outcome {
    const seen = new Set<string>();
    const verdicts: { c: ConnectedDatabase; v: DatabaseVerdict }[] = [];
    for (const c of connectedDatabases(postgres)) {
      const key = `${c.endpoint.address ?? c.endpoint.host}:${c.endpoint.port}`;
      if (seen.has(key)) continue;
      const v = verdict(c);
      if (!v) continue;
      seen.add(key);
      verdicts.push({ c, v });
    }
    if (verdicts.length === 0) return { status: "skip", summary: NOT_CONNECTED };
    return foldVerdicts(verdicts, {
      servers: verdicts.map(({ c }) => ({
        server: pgTarget(c),
        inUse: c.server.activity?.clientBackends,
        maxConnections: c.server.settings?.maxConnections,
        byDatabase: c.server.activity?.byDatabase,
        ...(c.server.activity?.exact !== undefined && { exact: c.server.activity.exact }),
      })),
    });
  },
});
