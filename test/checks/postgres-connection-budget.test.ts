import check from "../../checks/postgres-connection-budget.js";
import type { PostgresFact, PostgresPool } from "../../src/engine/facts/postgres.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

const pool = (components: string[], maxOpenConns?: number): PostgresPool => ({
  components,
  redacted: `postgres://dendrite:***@127.0.0.1:5432/${components[0]}?sslmode=disable`,
  ...(maxOpenConns !== undefined && { maxOpenConns }),
});

function pools(list: PostgresPool[], opts: { maxConnections?: number; implementation?: PostgresFact["implementation"] } = {}): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    if (opts.implementation) f.implementation = opts.implementation;
    f.connections[0]!.pools = list;
    if (opts.maxConnections) f.connections[0]!.server!.settings!.maxConnections = opts.maxConnections;
  });
}

testCheck(check, {
  valid: [
    {
      name: "max_open_conns 90 with max_connections 200",
      facts: { postgres: pools([pool(["global"], 90)], { maxConnections: 200 }) },
      summary: /may open 90 of the 197 connections/,
    },
    { name: "global pool without max_open_conns: Dendrite's default 90", facts: { postgres: pools([pool(["global"])], { maxConnections: 150 }) }, summary: /max_open_conns 90, default/ },
    {
      name: "Synapse cp_max 10",
      facts: { postgres: pools([pool(["synapse"], 10)], { implementation: "synapse" }) },
      summary: /^each Synapse process may open 10 connection\(s\) \(synapse cp_max 10\); main process only .*: 10 of the 97 PostgreSQL allows .*room for 9 process/,
    },
    {
      name: "Synapse with 3 workers, cp_max 10",
      facts: { postgres: variant("healthy-dendrite", (f) => {
        f.implementation = "synapse";
        f.synapseWorkers = ["w1", "w2", "w3"];
        f.connections[0]!.pools = [{ components: ["synapse"], sections: ["database"], redacted: "postgresql://synapse:***@127.0.0.1/synapse", maxOpenConns: 10, defaulted: false }];
      }) },
      summary: /\(database cp_max 10\); main \+ 3 worker\(s\) from instance_map: 40 of the 97/,
    },
    { name: "no homeserver config (recorded --postgres run)", facts: { postgres: recorded("healthy-flag") }, status: "skip", summary: /--homeserver-config FILE/ },
    {
      name: "config unusable",
      facts: { postgres: variant("healthy-flag", (f) => (f.configUnavailable = "cannot read /etc/dendrite/dendrite.yaml")) },
      status: "skip",
      summary: /cannot read/,
    },
    { name: "not connected", facts: { postgres: variant("down", (f) => (f.connections[0]!.pools = [pool(["global"], 90)])) }, status: "skip" },
  ],
  invalid: [
    {
      name: "the guide's 90 against PostgreSQL's default 100 (recorded): 93 % of the budget",
      facts: { postgres: recorded("healthy-dendrite") },
      status: "warn",
      summary: /may open 90 of the 97 connections PostgreSQL allows \(max_connections 100 − superuser_reserved_connections 3\): only 7 left/,
      fix: /`global\.database\.max_open_conns: 77` in dendrite\.yaml.*`max_connections = 116`.*systemctl restart postgresql/s,
    },
    {
      name: "90 against max_connections 20 (recorded): Dendrite refuses to start",
      facts: { postgres: recorded("over-budget-dendrite") },
      summary: /pool global \(max_open_conns 90\) is larger than the 17 connections.*Dendrite refuses to start.*matrix-org\/dendrite#2760/,
      fix: /global\.database\.max_open_conns: 13/,
    },
    {
      name: "per-component pools that only together exceed it",
      facts: { postgres: pools([pool(["room_server"], 50), pool(["sync_api"], 50)]) },
      summary: /together may open 100 connections.*allows 97.*remaining connection slots are reserved/,
      fix: /room_server\.database\.max_open_conns: 38.*sync_api\.database\.max_open_conns: 38/s,
    },
    {
      name: "a component database without max_open_conns is unlimited",
      facts: { postgres: pools([pool(["global"], 20), pool(["user_api"])]) },
      status: "warn",
      summary: /unlimited pool\(s\) user_api/,
      fix: /user_api\.account_database\.max_open_conns/,
    },
    {
      name: "PG 16 reserved_connections count too",
      facts: {
        postgres: variant("healthy-dendrite", (f) => {
          f.connections[0]!.server!.settings!.reservedConnections = 10;
        }),
      },
      summary: /87 connections.*reserved_connections 10|90 of the 87|larger than the 87/,
    },
    {
      name: "Synapse cp_max 90: warn only",
      facts: { postgres: pools([pool(["synapse"], 90)], { implementation: "synapse" }) },
      status: "warn",
      fix: /cp_max × 1 process\(es\) fit in 77: `cp_max: 77`/,
    },
    {
      name: "Synapse workers exhaust the server: still a warning",
      facts: {
        postgres: variant("healthy-dendrite", (f) => {
          f.implementation = "synapse";
          f.synapseWorkers = ["w1", "w2", "w3", "w4", "w5"];
          f.connections[0]!.pools = [{ components: ["synapse"], sections: ["database"], redacted: "postgresql://synapse:***@127.0.0.1/synapse", maxOpenConns: 20 }];
        }),
      },
      status: "warn",
      summary: /120 of the 97.*remaining connection slots are reserved/,
      fix: /cp_max × 6 process\(es\) fit in 77: `cp_max: 12` under `database\.args`.*max_connections = 153/s,
    },
  ],
});
