import check from "../../checks/postgres-version.js";
import type { PostgresFact } from "../../src/engine/facts.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

/** The rig's server, as another PostgreSQL version and homeserver. */
function at(versionNum: number, implementation: PostgresFact["implementation"]): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    f.implementation = implementation;
    const s = f.connections[0]!.server!;
    s.versionNum = versionNum;
    s.version = `${Math.floor(versionNum / 10000)}.${versionNum % 100} (Debian)`;
  });
}

// TEST_NOW is 2026-11-26: PostgreSQL 14 reached its end of life on 2026-11-12, 15 is supported until 2027-11-11.
testCheck(check, {
  valid: [
    { name: "the rig's PostgreSQL 15 for Dendrite", facts: { postgres: recorded("healthy-dendrite") }, summary: /PostgreSQL 15\.\d+ \(Dendrite needs 12\+; supported until 2027-11-11\)/ },
    { name: "PostgreSQL 15 for Synapse", facts: { postgres: at(150010, "synapse") }, summary: /Synapse needs 14\+/ },
    { name: "PostgreSQL 17, homeserver unknown", facts: { postgres: at(170002, "unknown") } },
    { name: "not connected", facts: { postgres: recorded("down") }, status: "skip" },
  ],
  invalid: [
    {
      name: "Synapse on PostgreSQL 13",
      facts: { postgres: at(130011, "synapse") },
      summary: /requires PostgreSQL 14 or above and refuses to start.*v1\.98 needed 11/,
      fix: /pg_upgradecluster 13 main/,
    },
    { name: "Dendrite on PostgreSQL 11", facts: { postgres: at(110022, "dendrite") }, summary: /Dendrite needs PostgreSQL 12 or later/, fix: /pg_upgradecluster 11 main/ },
    { name: "Dendrite on PostgreSQL 9.6", facts: { postgres: at(90624, "dendrite") }, fix: /pg_upgradecluster 9\.6 main/ },
    { name: "Dendrite on PostgreSQL 14, past its end of life", facts: { postgres: at(140019, "dendrite") }, status: "warn", summary: /past its end of life \(2026-11-12\)/ },
    { name: "Synapse on PostgreSQL 14, past its end of life", facts: { postgres: at(140019, "synapse") }, status: "warn", summary: /Synapse drops PostgreSQL versions/ },
  ],
});
