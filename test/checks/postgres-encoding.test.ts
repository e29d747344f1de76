import check from "../../checks/postgres-encoding.js";
import type { PostgresFact } from "../../src/engine/facts.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

function encoded(encoding: string, implementation: PostgresFact["implementation"]): PostgresFact {
  return variant("healthy-dendrite", (f) => {
    f.implementation = implementation;
    const s = f.connections[0]!.server!;
    s.serverEncoding = encoding;
    s.database!.encoding = encoding;
  });
}

testCheck(check, {
  valid: [
    { name: "the rig's database", facts: { postgres: recorded("healthy-dendrite") }, summary: /database dendrite is UTF8/ },
    { name: "the en_US.UTF-8 database is still UTF8", facts: { postgres: recorded("bad-locale-dendrite") } },
    { name: "not connected", facts: { postgres: recorded("wrong-password") }, status: "skip" },
  ],
  invalid: [
    {
      name: "SQL_ASCII under Dendrite: dump, recreate as the guide does, restore",
      facts: { postgres: encoded("SQL_ASCII", "dendrite") },
      summary: /encoded SQL_ASCII, not UTF8: Dendrite's guide says the database must be created with UTF-8/,
      fix: /systemctl stop dendrite\n.*pg_dump -Fc -f \/var\/backups\/dendrite\.dump dendrite\n.*ALTER DATABASE dendrite RENAME TO dendrite_old;.*\n.*CREATE DATABASE dendrite WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;.*\n.*pg_restore --no-owner --role=dendrite -d dendrite/,
    },
    { name: "LATIN1 under Synapse", facts: { postgres: encoded("LATIN1", "synapse") }, summary: /Synapse refuses to start/, fix: /systemctl stop matrix-synapse/ },
  ],
});
