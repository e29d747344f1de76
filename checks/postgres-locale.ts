// The database's collation and character classification are exactly "C". Synapse compares
// pg_database.datcollate/datctype with "C" (case-sensitive: 'c' and 'C.UTF-8' fail) and refuses to
// start otherwise unless `database.allow_unsafe_locale: true`; a libc locale such as en_US.UTF-8 makes
// index order depend on the glibc version, and a glibc upgrade then silently corrupts indexes
// (matrix-org/synapse#6722). Dendrite does not check, but the deployment guide creates its database
// with LC_COLLATE='C' LC_CTYPE='C' for the same reason.

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

const SYNAPSE_LOCALE = "https://element-hq.github.io/synapse/latest/postgres.html#fixing-incorrect-collate-or-ctype";
const PG_COLLATION = "https://www.postgresql.org/docs/current/locale.html";

function verdict(c: ConnectedDatabase, implementation: PostgresImplementation): DatabaseVerdict | undefined {
  const d = c.server.database;
  if (!d) return undefined;
  if (d.collate === "C" && d.ctype === "C") return { status: "pass", text: `database ${d.name} has LC_COLLATE 'C' and LC_CTYPE 'C'` };
  const found = d.collate === d.ctype ? `'${d.collate}'` : `LC_COLLATE '${d.collate}' and LC_CTYPE '${d.ctype}'`;
  const recipe = recreateDatabaseRecipe(c, implementation);
  if (implementation === "synapse" && c.allowUnsafeLocale) {
    return {
      status: "warn",
      text: `database ${d.name} has locale ${found}, not 'C': Synapse starts only because \`allow_unsafe_locale: true\` is set, and a libc locale risks index corruption when glibc changes`,
      fix: `${recipe}\nThen remove \`allow_unsafe_locale: true\` from \`database:\` in homeserver.yaml.`,
      docs: SYNAPSE_LOCALE,
    };
  }
  if (implementation === "synapse") {
    return {
      status: "fail",
      text: `database ${d.name} has locale ${found}, not 'C': Synapse refuses to start ("Database has incorrect collation of '${d.collate}'. Should be 'C'") unless allow_unsafe_locale is set, and a libc locale risks index corruption when glibc changes`,
      fix: `${recipe}\n(Only to keep a working server running meanwhile: \`allow_unsafe_locale: true\` under \`database:\` in homeserver.yaml.)`,
      docs: SYNAPSE_LOCALE,
    };
  }
  const who =
    implementation === "dendrite"
      ? "Dendrite starts anyway, but the guide creates its database with LC_COLLATE='C' LC_CTYPE='C'"
      : "Synapse refuses such a database (unless allow_unsafe_locale), Dendrite's guide creates it with LC_COLLATE='C' LC_CTYPE='C'";
  return {
    status: "warn",
    text: `database ${d.name} has locale ${found}, not 'C': ${who}; with a libc locale, index order depends on the glibc version and an OS upgrade can corrupt indexes`,
    fix: recipe,
    docs: PG_COLLATION,
  };
}

export default defineCheck({
  id: "postgres-locale",
  category: "postgres",
  title: "The database's collation and ctype are 'C'",
  docs: SYNAPSE_LOCALE,
  requires: ["postgres"],
  run({ postgres }): Outcome {
    const verdicts = connectedDatabases(postgres).flatMap((c) => {
      const v = verdict(c, postgres.implementation);
      return v ? [{ c, v }] : [];
    });
    if (verdicts.length === 0) return { status: "skip", summary: NOT_CONNECTED };
    return foldVerdicts(verdicts, {
      implementation: postgres.implementation,
      databases: verdicts.map(({ c }) => ({
        target: pgLabel(c),
        ...(c.allowUnsafeLocale !== undefined && { allowUnsafeLocale: c.allowUnsafeLocale }),
        collate: c.server.database?.collate,
        ctype: c.server.database?.ctype,
        ...(c.server.database?.localeProvider && { localeProvider: c.server.database.localeProvider }),
      })),
    });
  },
});
