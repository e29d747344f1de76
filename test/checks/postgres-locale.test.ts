import check from "../../checks/postgres-locale.js";
import type { PostgresFact } from "../../src/engine/facts.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

const asImplementation = (implementation: PostgresFact["implementation"]): PostgresFact =>
  variant("bad-locale-dendrite", (f) => (f.implementation = implementation));

function locale(collate: string, ctype: string, implementation: PostgresFact["implementation"]): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    f.implementation = implementation;
    Object.assign(f.connections[0]!.server!.database!, { collate, ctype });
  });
}

testCheck(check, {
  valid: [
    { name: "the rig's database (created as the guide does)", facts: { postgres: recorded("healthy-dendrite") }, summary: /LC_COLLATE 'C' and LC_CTYPE 'C'/ },
    { name: "'C' is also right for Synapse", facts: { postgres: locale("C", "C", "synapse") } },
    { name: "not connected", facts: { postgres: recorded("down") }, status: "skip" },
  ],
  invalid: [
    {
      name: "en_US.UTF-8 under Dendrite (recorded): warn, the guide's CREATE DATABASE",
      facts: { postgres: recorded("bad-locale-dendrite") },
      status: "warn",
      summary: /database badlocale has locale 'en_US\.UTF-8', not 'C': Dendrite starts anyway, but the guide creates its database with LC_COLLATE='C' LC_CTYPE='C'/,
      // No tables yet: nothing to migrate.
      fix: /DROP DATABASE badlocale;.*CREATE DATABASE badlocale WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;/s,
    },
    {
      name: "en_US.UTF-8 named by a Synapse homeserver.yaml (recorded): fail",
      facts: { postgres: recorded("bad-locale-synapse") },
      summary: /Synapse refuses to start \("Database has incorrect collation of 'en_US\.UTF-8'\. Should be 'C'"\)/,
      fix: /DROP DATABASE badlocale;.*LC_COLLATE='C'.*\n.*allow_unsafe_locale: true/s,
    },
    {
      name: "the Dendrite run's fact judged as Synapse: fail",
      facts: { postgres: asImplementation("synapse") },
      summary: /Synapse refuses to start/,
    },
    {
      name: "Synapse with allow_unsafe_locale: true starts, so a warning",
      facts: { postgres: variant("bad-locale-synapse", (f) => (f.connections[0]!.allowUnsafeLocale = true)) },
      status: "warn",
      summary: /Synapse starts only because `allow_unsafe_locale: true` is set/,
      fix: /remove `allow_unsafe_locale: true`/,
    },
    { name: "en_US.UTF-8, homeserver unknown: warn", facts: { postgres: asImplementation("unknown") }, status: "warn", summary: /Synapse refuses such a database/ },
    {
      name: "C.UTF-8 under Synapse with data: dump and restore",
      facts: { postgres: locale("C.UTF-8", "C.UTF-8", "synapse") },
      summary: /'C\.UTF-8', not 'C'/,
      fix: /pg_dump -Fc .*\n.*CREATE DATABASE dendrite WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;.*\n.*pg_restore/s,
    },
    { name: "lower-case 'c' under Synapse (element-hq/synapse#16915)", facts: { postgres: locale("c", "c", "synapse") }, summary: /'c', not 'C'/ },
    { name: "only ctype differs", facts: { postgres: locale("C", "en_US.UTF-8", "dendrite") }, status: "warn", summary: /LC_COLLATE 'C' and LC_CTYPE 'en_US\.UTF-8'/ },
  ],
});
