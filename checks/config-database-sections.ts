// The database sections are laid out the way the homeserver needs them.
//
// Dendrite (docs/installation/manual/{configuration,database}.md, setup/config/config_*.go, v0.13.8): with a
// global.database (one shared PostgreSQL pool) the per-component `database:` blocks "must" be removed or commented
// out, "otherwise these will override the global database configuration"; without one, every component needs its
// own connection_string or Dendrite refuses to start; only URI connection strings (postgres://, postgresql://)
// work, not libpq key=value strings; SQLite is "not recommended for production" and cannot be shared between
// components. Synapse (docs/postgres.md): SQLite is for testing only; database.name must be psycopg2 or sqlite3.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { DatabaseConfig, HomeserverConfigFact } from "../src/engine/facts/config.js";
import { parseKeyValueDsn, uriFromKeywords } from "../src/homeserver/dsn.js";
import { at, DOCS, list, verdict, type Finding } from "../src/homeserver/messages.js";
import { DENDRITE_COMPONENTS } from "../src/homeserver/pools.js";

function sectionAt(fact: HomeserverConfigFact, db: DatabaseConfig): string {
  return `${db.section} (${at(fact, db.section, db.line)})`;
}

function dendriteFindings(fact: HomeserverConfigFact): Finding[] {
  const findings: Finding[] = [];
  const global = fact.databases.find((d) => d.component === "global");
  const components = fact.databases.filter((d) => d.component !== "global");

  for (const db of fact.databases) {
    if (db.format === "key-value") {
      const uri = uriFromKeywords(parseKeyValueDsn(db.redacted), { maskPassword: true });
      findings.push({
        level: "fail",
        text: `${sectionAt(fact, db)} has a key=value connection string (${db.redacted}); Dendrite only works with postgres:// URIs`,
        fix: `Write it as a URI: \`connection_string: ${uri}\` in ${db.section}${uri.includes(":***@") ? " (put the real password where *** is; percent-encode @ : / in it)" : ""}.`,
        docs: DOCS.dendriteDatabase,
      });
    } else if (db.format === "other") {
      findings.push({
        level: "fail",
        text: `${sectionAt(fact, db)} has connection string "${db.redacted}", neither postgres:// nor file:`,
        fix: `Use \`connection_string: postgres://dendrite:PASSWORD@localhost/dendrite?sslmode=disable\` (PostgreSQL) or \`file:/var/lib/dendrite/${db.component}.db\` (SQLite).`,
        docs: DOCS.dendriteDatabase,
      });
    }
    if (db.samplePlaceholder) {
      findings.push({
        level: "fail",
        text: `${sectionAt(fact, db)} is still the sample's placeholder ${db.redacted}`,
        fix: `Set the real database: \`connection_string: postgres://dendrite:PASSWORD@localhost/dendrite?sslmode=disable\` after \`sudo -u postgres createuser -P dendrite\` and \`sudo -u postgres createdb -O dendrite -E UTF-8 dendrite\`.`,
        docs: DOCS.dendriteDatabase,
      });
    }
  }

  if (global) {
    if (global.engine === "sqlite") {
      findings.push({
        level: "fail",
        text: `global.database (${at(fact, global.section, global.line)}) is SQLite (${global.redacted}): Dendrite cannot share one SQLite database between its components`,
        fix: `Use PostgreSQL for global.database (\`connection_string: postgres://dendrite:PASSWORD@localhost/dendrite?sslmode=disable\`), or delete global.database and give each component its own file (e.g. \`room_server:\\n  database:\\n    connection_string: file:/var/lib/dendrite/roomserver.db\`).`,
        docs: DOCS.dendriteDatabase,
      });
    }
    if (components.length > 0) {
      findings.push({
        level: "warn",
        text: `${components.map((c) => sectionAt(fact, c)).join(", ")} override${components.length === 1 ? "s" : ""} global.database: ${components.length === 1 ? "that component uses" : "those components use"} ${components.length === 1 ? "its own" : "their own"} connection and pool instead of the shared one`,
        fix: `Dendrite's guide: with global.database set, remove or comment out the components' database blocks: ${components.map((c) => `\`${c.section}\` (${at(fact, c.section, c.line)})`).join(", ")} in ${fact.path}, then \`systemctl restart dendrite\`.`,
        docs: DOCS.dendriteConfig,
      });
    }
  } else {
    const present = new Set(components.map((c) => c.component));
    const absent = DENDRITE_COMPONENTS.filter((c) => !present.has(c.component));
    const missing = absent.map((c) => `${c.component}.${c.key}.connection_string`);
    const example = absent[0];
    if (example) {
      findings.push({
        level: "fail",
        text: `no global.database and no connection_string for ${list(missing, "")}: Dendrite refuses to start (missing config key "${missing[0]}")`,
        fix: `For PostgreSQL, one shared pool: \`global:\\n  database:\\n    connection_string: postgres://dendrite:PASSWORD@localhost/dendrite?sslmode=disable\\n    max_open_conns: 90\`. For SQLite, a file per component, e.g. \`${example.component}:\\n  ${example.key}:\\n    connection_string: file:/var/lib/dendrite/${example.component}.db\`.`,
        docs: DOCS.dendriteDatabase,
      });
    }
  }

  const sqlite = fact.databases.filter((d) => d.engine === "sqlite" && d.component !== "global");
  const byFile = new Map<string, DatabaseConfig[]>();
  for (const db of sqlite) byFile.set(db.redacted, [...(byFile.get(db.redacted) ?? []), db]);
  for (const [file, group] of byFile) {
    if (group.length < 2) continue;
    findings.push({
      level: "fail",
      text: `${group.map((g) => g.section).join(", ")} share the SQLite database ${file}: Dendrite cannot share one SQLite database between components`,
      fix: `Give each its own file, e.g. ${group.map((g) => `\`${g.section}.connection_string: file:/var/lib/dendrite/${g.component}.db\``).join(", ")}.`,
      docs: DOCS.dendriteDatabase,
    });
  }
  if (sqlite.length > 0 && !global) {
    findings.push({
      level: "warn",
      text: `${sqlite.length} component${sqlite.length === 1 ? "" : "s"} use${sqlite.length === 1 ? "s" : ""} SQLite, which Dendrite calls "slower, less reliable and not recommended for production"`,
      fix:
        `Move to PostgreSQL: \`sudo -u postgres createuser -P dendrite\`, \`sudo -u postgres createdb -O dendrite -E UTF-8 dendrite\`, then in ${fact.path} ` +
        `\`global:\\n  database:\\n    connection_string: postgres://dendrite:PASSWORD@localhost/dendrite?sslmode=disable\` and remove the components' database blocks. Dendrite has no migration tool: existing SQLite data stays behind.`,
      docs: DOCS.dendriteDatabase,
    });
  }
  return findings;
}

function synapseFindings(fact: HomeserverConfigFact): Finding[] {
  const findings: Finding[] = [];
  if (fact.databaseEngineInvalid) {
    const bad = fact.databaseEngineInvalid;
    findings.push({
      level: "fail",
      text: `${bad.section} is "${bad.name}" (${at(fact, bad.section, bad.line)}): Synapse refuses to start (Unsupported database type); it knows psycopg2 and sqlite3`,
      fix: `Write \`name: psycopg2\` for PostgreSQL in ${fact.path}.`,
      docs: DOCS.synapsePostgres,
    });
  }
  if (fact.databaseMissing) {
    findings.push({
      level: "warn",
      text: `${fact.path} has no database section: Synapse refuses to start without one unless another --config-path file (e.g. /etc/matrix-synapse/conf.d/*.yaml) has it`,
      fix: `Check the file that holds it (\`grep -rn '^database:' /etc/matrix-synapse/\`) and pass that one with --homeserver-config, or add \`database:\\n  name: psycopg2\\n  args:\\n    user: synapse_user\\n    password: PASSWORD\\n    dbname: synapse\\n    host: localhost\\n    cp_min: 5\\n    cp_max: 10\`.`,
      docs: DOCS.synapsePostgres,
    });
  }
  for (const db of fact.databases.filter((d) => d.engine === "sqlite")) {
    findings.push({
      level: "warn",
      text: `${sectionAt(fact, db)} is SQLite (${db.redacted.replace(/^file:/, "")}): Synapse's docs call SQLite fit for testing only`,
      fix:
        `Move to PostgreSQL: \`sudo -u postgres createuser --pwprompt synapse_user\`, \`sudo -u postgres createdb --encoding=UTF8 --locale=C --template=template0 --owner=synapse_user synapse\`, ` +
        `set \`database:\\n  name: psycopg2\\n  args:\\n    user: synapse_user\\n    password: PASSWORD\\n    dbname: synapse\\n    host: localhost\` and port the data with synapse_port_db (see ${DOCS.synapsePostgres}).`,
      docs: DOCS.synapsePostgres,
    });
  }
  return findings;
}

export default defineCheck({
  id: "config-database-sections",
  category: "config",
  title: "Database sections are laid out as the homeserver needs",
  docs: DOCS.dendriteDatabase,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    const findings = fact.implementation === "dendrite" ? dendriteFindings(fact) : synapseFindings(fact);
    const details = {
      databases: fact.databases.map((d) => ({ section: d.section, engine: d.engine, dsn: d.redacted, ...(d.line !== undefined && { line: d.line }) })),
    };
    const engines = [...new Set(fact.databases.map((d) => (d.engine === "postgres" ? "PostgreSQL" : "SQLite")))].join(" and ");
    const global = fact.databases.find((d) => d.component === "global");
    const layout =
      fact.implementation === "dendrite" && global
        ? `one shared PostgreSQL pool (global.database, ${global.redacted})`
        : `${fact.databases.length} database section${fact.databases.length === 1 ? "" : "s"} (${engines})`;
    return verdict(findings, layout, details);
  },
});
