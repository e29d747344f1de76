// No session keeps a transaction open for more than 5 minutes. A long transaction (often a client
// "idle in transaction") holds locks the homeserver waits on and stops VACUUM from cleaning up, so
// tables and indexes bloat. Only pid, role, database, state and age are read, never query text.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  connectedDatabases,
  foldVerdicts,
  NOT_CONNECTED,
  pgTarget,
  type ConnectedDatabase,
  type DatabaseVerdict,
  type PostgresLongTransaction,
} from "../src/engine/facts/postgres.js";

const PG_STAT_ACTIVITY = "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW";
const IDLE_TIMEOUT = "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-IN-TRANSACTION-SESSION-TIMEOUT";

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${Math.floor(seconds % 60)}s`;
}

function describe(t: PostgresLongTransaction): string {
  const who = [t.user, t.database].filter(Boolean).join("@");
  const what = [who, t.state, t.applicationName ? `application ${t.applicationName}` : undefined].filter(Boolean).join(", ");
  return `pid ${t.pid} (${what || "no details visible"}) open for ${duration(t.ageSeconds)}`;
}

function verdict(c: ConnectedDatabase): DatabaseVerdict | undefined {
  const l = c.server.longTransactions;
  if (!l) return undefined;
  const minutes = Math.round(l.thresholdSeconds / 60);
  const visibility = l.seesAllSessions
    ? ""
    : ` (role ${c.server.role?.name ?? c.user ?? "?"} sees only its own sessions: \`GRANT pg_read_all_stats TO ${c.server.role?.name ?? c.user ?? "<role>"};\` lets it see all)`;
  // Autovacuum runs in long transactions by design; client sessions should not.
  const clients = l.sessions.filter((t) => t.backendType !== "autovacuum worker");
  const others = l.count - clients.length;
  if (clients.length === 0) {
    return {
      status: "pass",
      text: `no transaction open longer than ${minutes} minutes${others > 0 ? ` apart from ${others} autovacuum worker(s)` : ""}${visibility}`,
    };
  }
  const oldest = clients[0]!;
  const idle = clients.some((t) => t.state?.startsWith("idle in transaction"));
  return {
    status: "warn",
    text: `${clients.length} transaction(s) open longer than ${minutes} minutes: ${clients.slice(0, 3).map(describe).join("; ")}${visibility}`,
    fix:
      `Find out what holds them: \`sudo -u postgres psql -c "SELECT pid, usename, application_name, client_addr, state, now() - xact_start AS age FROM pg_stat_activity WHERE xact_start < now() - interval '${minutes} minutes' ORDER BY xact_start;"\`; ` +
      `end one with \`sudo -u postgres psql -c "SELECT pg_terminate_backend(${oldest.pid});"\`.` +
      (idle
        ? ` "idle in transaction" means a client began a transaction and stopped talking: \`idle_in_transaction_session_timeout = '10min'\` in postgresql.conf (then \`systemctl reload postgresql\`) ends such sessions automatically.`
        : ""),
    docs: idle ? IDLE_TIMEOUT : PG_STAT_ACTIVITY,
  };
}

export default defineCheck({
  id: "postgres-long-transactions",
  category: "postgres",
  title: "No transaction has been open for more than 5 minutes",
  docs: PG_STAT_ACTIVITY,
  requires: ["postgres"],
  run({ postgres }): Outcome {
    const seen = new Set<string>();
    const verdicts: { c: ConnectedDatabase; v: DatabaseVerdict }[] = [];
    for (const c of connectedDatabases(postgres)) {
      // pg_stat_activity is server-wide: one verdict per server (and role, since visibility differs).
      const key = `${c.endpoint.address ?? c.endpoint.host}:${c.endpoint.port}:${c.server.role?.name ?? c.user}`;
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
        thresholdSeconds: c.server.longTransactions?.thresholdSeconds,
        seesAllSessions: c.server.longTransactions?.seesAllSessions,
        count: c.server.longTransactions?.count,
        sessions: c.server.longTransactions?.sessions,
      })),
    });
  },
});
