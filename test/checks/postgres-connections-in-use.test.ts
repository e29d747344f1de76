import check from "../../checks/postgres-connections-in-use.js";
import type { PostgresFact } from "../../src/engine/facts.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

function inUse(n: number): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    f.connections[0]!.server!.activity = { clientBackends: n, byDatabase: [{ database: "dendrite", count: n - 5 }, { database: "nextcloud", count: 5 }] };
  });
}

testCheck(check, {
  valid: [
    { name: "the rig (recorded)", facts: { postgres: recorded("healthy-dendrite") }, summary: /^\d+ of max_connections 100 in use \(\d+%; dendrite \d+\)$/ },
    { name: "75 % is still fine", facts: { postgres: inUse(75) } },
    { name: "not connected", facts: { postgres: recorded("no-database") }, status: "skip" },
  ],
  invalid: [
    {
      name: "80 of 100",
      facts: { postgres: inUse(80) },
      status: "warn",
      summary: /80 of max_connections 100 in use \(80%; dendrite 75, nextcloud 5\): 20 left/,
      fix: /pg_stat_activity.*max_connections` in postgresql\.conf \(e\.g\. 110\)/s,
    },
    { name: "95 of 100", facts: { postgres: inUse(95) }, status: "fail" },
  ],
});
