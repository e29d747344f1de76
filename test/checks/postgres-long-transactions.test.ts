import check from "../../checks/postgres-long-transactions.js";
import type { PostgresFact, PostgresLongTransaction } from "../../src/engine/facts/postgres.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

function open(sessions: PostgresLongTransaction[], seesAllSessions = true): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    f.connections[0]!.server!.longTransactions = { thresholdSeconds: 300, seesAllSessions, count: sessions.length, sessions };
  });
}

const idle: PostgresLongTransaction = {
  pid: 4242,
  user: "dendrite",
  database: "dendrite",
  state: "idle in transaction",
  backendType: "client backend",
  clientAddr: "127.0.0.1",
  ageSeconds: 7_500,
};

testCheck(check, {
  valid: [
    {
      name: "the rig (recorded): the dendrite role sees only its own sessions",
      facts: { postgres: recorded("healthy-dendrite") },
      summary: /no transaction open longer than 5 minutes \(role dendrite sees only its own sessions: `GRANT pg_read_all_stats TO dendrite;`/,
    },
    {
      name: "an autovacuum worker is not a problem",
      facts: { postgres: open([{ pid: 77, state: "active", backendType: "autovacuum worker", ageSeconds: 900 }]) },
      summary: /apart from 1 autovacuum worker/,
    },
    { name: "not connected", facts: { postgres: recorded("down") }, status: "skip" },
  ],
  invalid: [
    {
      name: "a session idle in transaction for 2 hours",
      facts: { postgres: open([idle]) },
      status: "warn",
      summary: /1 transaction\(s\) open longer than 5 minutes: pid 4242 \(dendrite@dendrite, idle in transaction\) open for 2h 5m/,
      fix: /SELECT pg_terminate_backend\(4242\);.*idle_in_transaction_session_timeout/s,
    },
    {
      name: "an active one",
      facts: { postgres: open([{ ...idle, pid: 99, state: "active", ageSeconds: 400 }]) },
      status: "warn",
      summary: /pid 99 .* open for 6m 40s/,
      fix: /pg_terminate_backend\(99\)/,
    },
  ],
});
