// The homeserver's database is encoded in UTF8. Synapse refuses to start otherwise
// (IncorrectDatabaseSetup from its SHOW SERVER_ENCODING check); Dendrite's guide says the database
// must be created with UTF-8 "or you will likely run into problems".

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  connectedDatabases,
  foldVerdicts,
  NOT_CONNECTED,
  pgLabel,
  recreateDatabaseRecipe,
  type ConnectedDatabase,
  type DatabaseVerdict,
  type PostgresImplementation,
} from "../src/engine/facts/postgres.js";

const DENDRITE_DB = "https://matrix-org.github.io/dendrite/installation/manual/database";
const SYNAPSE_SETUP = "https://element-hq.github.io/synapse/latest/postgres.html#set-up-database";

function verdict(c: ConnectedDatabase, implementation: PostgresImplementation): DatabaseVerdict {
  const encoding = c.server.database?.encoding ?? c.server.serverEncoding ?? "";
  const name = c.server.database?.name ?? c.database ?? "?";
  if (encoding.toUpperCase() === "UTF8") return { status: "pass", text: `database ${name} is UTF8` };
  const consequence =
    implementation === "synapse"
      ? "Synapse refuses to start on it (it requires SHOW SERVER_ENCODING = UTF8)"
      : implementation === "dendrite"
        ? "Dendrite's guide says the database must be created with UTF-8 encoding; non-ASCII text (names, messages) fails or is mangled"
        : "both Synapse (refuses to start) and Dendrite (its guide says it must) need UTF8";
  return {
    status: "fail",
    text: `database ${name} is encoded ${encoding || "(unknown)"}, not UTF8: ${consequence}`,
    fix: `The encoding of a database cannot be changed in place. ${recreateDatabaseRecipe(c, implementation)}` +
      (encoding.toUpperCase() === "SQL_ASCII" ? "\n(SQL_ASCII data is not checked by PostgreSQL: if pg_restore reports invalid byte sequences, clean those rows first.)" : ""),
    docs: implementation === "synapse" ? SYNAPSE_SETUP : DENDRITE_DB,
  };
}

export default defineCheck({
  id: "postgres-encoding",
  category: "postgres",
  title: "The database is encoded in UTF8",
  docs: DENDRITE_DB,
  requires: ["postgres"],
  run({ postgres }): Outcome {
    const dbs = connectedDatabases(postgres).filter((c) => c.server.database || c.server.serverEncoding);
    if (dbs.length === 0) return { status: "skip", summary: NOT_CONNECTED };
    return foldVerdicts(
      dbs.map((c) => ({ c, v: verdict(c, postgres.implementation) })),
      {
        implementation: postgres.implementation,
        databases: dbs.map((c) => ({ target: pgLabel(c), encoding: c.server.database?.encoding, serverEncoding: c.server.serverEncoding })),
      },
    );
  },
});
