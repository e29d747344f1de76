import check from "../../checks/postgres-schema.js";
import type { PostgresFact } from "../../src/engine/facts.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

/** A Synapse database on the rig's server: core tables and schema_version. */
function synapse(implementation: PostgresFact["implementation"] = "synapse"): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    f.implementation = implementation;
    const s = f.connections[0]!.server!;
    s.tables = {
      total: 240,
      prefixes: Object.fromEntries(Object.keys(s.tables!.prefixes).map((p) => [p, 0])),
      synapseTables: ["users", "access_tokens", "devices", "events", "event_json", "rooms", "room_memberships", "current_state_events"],
      sample: ["access_tokens", "account_data"],
    };
    delete s.dendriteMigrations;
    s.synapseSchema = { version: 94, upgraded: true, compatVersion: 84 };
  });
}

testCheck(check, {
  valid: [
    {
      name: "the rig's Dendrite database (recorded)",
      facts: { postgres: recorded("healthy-dendrite") },
      summary: /^Dendrite schema in dendrite: \d+ tables, \d+ migration\(s\) in db_migrations, latest by Dendrite 0\.13\.8$/,
    },
    { name: "homeserver unknown: recognised as Dendrite's (recorded)", facts: { postgres: recorded("healthy-flag") }, summary: /Dendrite schema/ },
    { name: "Synapse", facts: { postgres: synapse() }, summary: /Synapse schema version 94 \(compatible back to 84\).*SCHEMA_VERSION 84 or later/ },
    {
      name: "a component database holds only its own tables",
      facts: {
        postgres: variant("healthy-dendrite", (f) => {
          const c = f.connections[0]!;
          c.components = ["room_server"];
          for (const p of Object.keys(c.server!.tables!.prefixes)) if (p !== "roomserver_") c.server!.tables!.prefixes[p] = 0;
        }),
      },
    },
    { name: "not connected", facts: { postgres: recorded("down") }, status: "skip" },
  ],
  invalid: [
    {
      name: "empty database (recorded badlocale)",
      facts: { postgres: recorded("bad-locale-dendrite") },
      status: "warn",
      summary: /database badlocale has no tables: the homeserver has not initialised this database yet/,
      fix: /systemctl start dendrite/,
    },
    {
      name: "syncapi_ tables missing",
      facts: { postgres: variant("healthy-dendrite", (f) => (f.connections[0]!.server!.tables!.prefixes["syncapi_"] = 0)) },
      status: "warn",
      summary: /none named syncapi_\*/,
      fix: /own in dendrite\.yaml overrides `global\.database`/,
    },
    {
      name: "no db_migrations",
      facts: { postgres: variant("healthy-dendrite", (f) => delete f.connections[0]!.server!.dendriteMigrations) },
      status: "warn",
      summary: /no db_migrations table/,
    },
    {
      name: "Dendrite's tables under a Synapse config",
      facts: { postgres: variant("healthy-dendrite", (f) => (f.implementation = "synapse")) },
      status: "warn",
      summary: /holds Dendrite tables, but the homeserver config is Synapse's/,
    },
    {
      name: "Synapse without schema_version",
      facts: { postgres: variant("healthy-dendrite", (f) => { f.implementation = "synapse"; Object.assign(f, synapse()); delete f.connections[0]!.server!.synapseSchema; }) },
      status: "warn",
      summary: /no schema_version row/,
    },
    {
      name: "someone else's tables",
      facts: {
        postgres: variant("healthy-flag", (f) => {
          const s = f.connections[0]!.server!;
          s.tables = { total: 3, prefixes: {}, synapseTables: [], sample: ["oc_accounts", "oc_users", "oc_files"] };
          delete s.dendriteMigrations;
        }),
      },
      status: "warn",
      summary: /3 tables \(oc_accounts, oc_users, oc_files\) but none of Dendrite's or Synapse's/,
    },
  ],
});
