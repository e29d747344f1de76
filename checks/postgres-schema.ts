// The database holds the homeserver's schema: Dendrite's tables (roomserver_*, syncapi_*, ...) and its
// db_migrations record, or Synapse's core tables and schema_version. An empty database means the
// homeserver has never started on it (or uses another one); some expected tables missing while others
// exist means a component uses another database or a migration failed.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  connectedDatabases,
  foldVerdicts,
  homeserverUnit,
  NOT_CONNECTED,
  pgLabel,
  pgTarget,
  type ConnectedDatabase,
  type DatabaseVerdict,
  type PostgresImplementation,
} from "../src/engine/facts/postgres.js";

const DENDRITE_DB = "https://matrix-org.github.io/dendrite/installation/manual/database";
const SYNAPSE_PG = "https://element-hq.github.io/synapse/latest/postgres.html";

/** Prefixes every Dendrite monolith creates (relayapi_ and msc2836_ only exist with those features on). */
const DENDRITE_REQUIRED = ["roomserver_", "syncapi_", "federationsender_", "keyserver_", "mediaapi_", "userapi_"];
/** A component with its own database creates only its own tables. */
const PREFIX_OF_COMPONENT: Record<string, string> = {
  room_server: "roomserver_",
  sync_api: "syncapi_",
  federation_api: "federationsender_",
  key_server: "keyserver_",
  media_api: "mediaapi_",
  user_api: "userapi_",
  relay_api: "relayapi_",
  mscs: "msc2836_",
};
const SYNAPSE_REQUIRED = ["users", "events", "rooms", "room_memberships", "event_json", "devices", "access_tokens", "current_state_events"];

function expectedDendrite(c: ConnectedDatabase): string[] {
  if (c.components.length === 0 || c.components.includes("global")) return DENDRITE_REQUIRED;
  return c.components.map((k) => PREFIX_OF_COMPONENT[k]).filter((p): p is string => p !== undefined);
}

function looksLike(c: ConnectedDatabase): PostgresImplementation {
  const t = c.server.tables;
  if (!t) return "unknown";
  if (c.server.dendriteMigrations || Object.values(t.prefixes).some((n) => n > 0)) return "dendrite";
  if (c.server.synapseSchema || t.synapseTables.length > 0) return "synapse";
  return "unknown";
}

function verdict(c: ConnectedDatabase, configured: PostgresImplementation): DatabaseVerdict | undefined {
  const t = c.server.tables;
  if (!t) return undefined;
  const db = c.server.database?.name ?? c.database ?? "?";
  const unit = homeserverUnit(configured);
  if (t.total === 0) {
    return {
      status: "warn",
      text: `database ${db} has no tables: the homeserver has not initialised this database yet`,
      fix:
        `The homeserver creates its tables when it starts with this connection string: \`systemctl start ${unit}\` and read \`journalctl -u ${unit} -n 50\`. ` +
        `If it is already running, it uses another database: compare its config's connection string with ${pgTarget(c)}.`,
      docs: configured === "synapse" ? SYNAPSE_PG : DENDRITE_DB,
    };
  }
  const found = looksLike(c);
  const implementation = configured === "unknown" ? found : configured;
  if (found !== "unknown" && configured !== "unknown" && found !== configured) {
    return {
      status: "warn",
      text: `database ${db} holds ${found === "dendrite" ? "Dendrite" : "Synapse"} tables, but the homeserver config is ${configured === "dendrite" ? "Dendrite's" : "Synapse's"}`,
      fix: `Point the homeserver at its own database: the connection string in its config names ${pgTarget(c)}, which another homeserver uses.`,
      docs: configured === "synapse" ? SYNAPSE_PG : DENDRITE_DB,
    };
  }
  const sample = t.sample.slice(0, 5).join(", ");

  if (implementation === "dendrite") {
    const expected = expectedDendrite(c);
    const missing = expected.filter((p) => (t.prefixes[p] ?? 0) === 0);
    const m = c.server.dendriteMigrations;
    const migrations = m
      ? `${m.count} migration(s) in db_migrations${m.latest ? `, latest by Dendrite ${m.latest.dendriteVersion}` : ""}`
      : "no db_migrations table";
    if (missing.length > 0) {
      return {
        status: "warn",
        text: `database ${db} has ${t.total} tables but none named ${missing.map((p) => `${p}*`).join(", ")} (${migrations})`,
        fix:
          `Dendrite creates every component's tables at start. Either those components use another database (a \`database\` block of their own in dendrite.yaml overrides \`global.database\`: remove it to share this one), ` +
          `or their migrations failed: \`journalctl -u ${unit} | grep -i migrat\`.`,
        docs: DENDRITE_DB,
      };
    }
    if (!m) {
      return {
        status: "warn",
        text: `database ${db} has Dendrite's tables but no db_migrations table, where every current Dendrite records its schema migrations`,
        fix: `Start the current Dendrite once against it (\`systemctl restart ${unit}\`): it creates db_migrations and applies the pending migrations; check \`journalctl -u ${unit} -n 100\`.`,
        docs: DENDRITE_DB,
      };
    }
    return { status: "pass", text: `Dendrite schema in ${db}: ${t.total} tables, ${migrations}` };
  }

  if (implementation === "synapse") {
    const missing = SYNAPSE_REQUIRED.filter((n) => !t.synapseTables.includes(n));
    const s = c.server.synapseSchema;
    if (!s || s.version === undefined) {
      return {
        status: "warn",
        text: `database ${db} has ${t.total} tables but no schema_version row, which Synapse keeps in every database it prepared`,
        fix: `Synapse creates schema_version when it first prepares a database: \`systemctl restart ${unit}\` and read \`journalctl -u ${unit} -n 100\`; if the tables belong to something else, give Synapse a database of its own.`,
        docs: SYNAPSE_PG,
      };
    }
    const version = `schema version ${s.version}${s.compatVersion !== undefined ? ` (compatible back to ${s.compatVersion})` : ""}`;
    if (missing.length > 0) {
      return {
        status: "warn",
        text: `database ${db} has ${version} but lacks core tables ${missing.join(", ")}`,
        fix: `Restart Synapse (\`systemctl restart ${unit}\`) and read \`journalctl -u ${unit} -n 100\` for schema errors; restore from backup if tables were dropped.`,
        docs: SYNAPSE_PG,
      };
    }
    const floor = s.compatVersion ?? s.version;
    return {
      status: "pass",
      text: `Synapse ${version} in ${db}, ${t.total} tables (Synapse releases with SCHEMA_VERSION ${floor} or later can run on it; older ones refuse to start)`,
    };
  }

  return {
    status: "warn",
    text: `database ${db} has ${t.total} tables (${sample}${t.total > 5 ? ", ..." : ""}) but none of Dendrite's or Synapse's`,
    fix: `Is ${pgTarget(c)} the homeserver's database? Give the homeserver a database of its own, created as the guide does, and point its connection string at it.`,
    docs: DENDRITE_DB,
  };
}

export default defineCheck({
  id: "postgres-schema",
  category: "postgres",
  title: "The database holds the homeserver's schema",
  docs: DENDRITE_DB,
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
        tables: c.server.tables,
        ...(c.server.dendriteMigrations && { dendriteMigrations: c.server.dendriteMigrations }),
        ...(c.server.synapseSchema && { synapseSchema: c.server.synapseSchema }),
      })),
    });
  },
});
