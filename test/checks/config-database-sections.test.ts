import check from "../../checks/config-database-sections.js";
import { dendriteFact, SAMPLE_TEXT, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

const PG = "postgres://dendrite:pw@localhost/dendrite?sslmode=disable";
const COMPONENT_DBS = ["federation_api.database", "key_server.database", "media_api.database", "mscs.database", "relay_api.database", "room_server.database", "sync_api.database", "user_api.account_database"];
const noComponents = Object.fromEntries(COMPONENT_DBS.map((k) => [k, undefined]));

testCheck(check, {
  valid: [
    { name: "Dendrite with one global PostgreSQL pool", facts: { homeserverConfig: dendriteFact({ "global.database": { connection_string: PG, max_open_conns: 90 } }, SAMPLE_TEXT) }, summary: /^one shared PostgreSQL pool \(global\.database, postgres:\/\/dendrite:\*\*\*@localhost/ },
    { name: "Synapse on PostgreSQL", facts: { homeserverConfig: synapseFact() }, summary: /^1 database section \(PostgreSQL\)$/ },
  ],
  invalid: [
    {
      name: "the rig: SQLite per component",
      status: "warn",
      facts: { homeserverConfig: dendriteFact() },
      summary: /^8 components use SQLite, which Dendrite calls "slower, less reliable and not recommended for production"$/,
      fix: /createdb -O dendrite -E UTF-8 dendrite/,
    },
    {
      name: "component sections override the global one (named with their lines)",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "global.database": { connection_string: PG }, "room_server.database": { connection_string: PG }, "sync_api.database.connection_string": PG }, SAMPLE_TEXT) },
      summary: /room_server\.database \(dendrite\.yaml line \d+\), sync_api\.database \(dendrite\.yaml line \d+\) override global\.database/,
      fix: /remove or comment out the components' database blocks: `room_server\.database` \(dendrite\.yaml line \d+\), `sync_api\.database`/,
    },
    {
      name: "a key=value DSN",
      facts: { homeserverConfig: dendriteFact({ "global.database": { connection_string: "host=localhost user=dendrite password=hunter2 dbname=dendrite sslmode=disable" } }, SAMPLE_TEXT) },
      summary: /global\.database \(dendrite\.yaml line 43\) has a key=value connection string \(host=localhost user=dendrite password=\*\*\* dbname=dendrite sslmode=disable\); Dendrite only works with postgres:\/\/ URIs/,
      fix: /`connection_string: postgresql:\/\/dendrite:\*\*\*@localhost\/dendrite\?sslmode=disable`/,
    },
    { name: "the sample's placeholder", facts: { homeserverConfig: dendriteFact({}, SAMPLE_TEXT) }, summary: /still the sample's placeholder postgresql:\/\/username:\*\*\*@hostname/ },
    {
      name: "no global and a component missing",
      facts: { homeserverConfig: dendriteFact({ "room_server.database": undefined }) },
      summary: /no connection_string for room_server\.database\.connection_string: Dendrite refuses to start/,
      fix: /room_server:\\n  database:\\n    connection_string: file:/,
    },
    { name: "no database at all", facts: { homeserverConfig: dendriteFact(noComponents) }, summary: /federation_api\.database\.connection_string, key_server/ },
    { name: "global SQLite", facts: { homeserverConfig: dendriteFact({ ...noComponents, "global.database": { connection_string: "file:dendrite.db" } }) }, summary: /global\.database .* is SQLite \(file:dendrite\.db\): Dendrite cannot share one SQLite database/ },
    { name: "two components share a SQLite file", facts: { homeserverConfig: dendriteFact({ "mscs.database.connection_string": "file:/opt/dendrite/roomserver.db" }) }, summary: /mscs\.database, room_server\.database share the SQLite database file:\/opt\/dendrite\/roomserver\.db/ },
    { name: "neither URI nor file", facts: { homeserverConfig: dendriteFact({ ...noComponents, "global.database": { connection_string: "localhost:5432/dendrite" } }) }, summary: /neither postgres:\/\/ nor file:/ },
    { name: "Synapse on SQLite", status: "warn", facts: { homeserverConfig: synapseFact({ database: { name: "sqlite3", args: { database: "/var/lib/synapse/homeserver.db" } } }) }, summary: /database \(homeserver\.yaml line \d+\) is SQLite \(\/var\/lib\/synapse\/homeserver\.db\)/, fix: /synapse_port_db/ },
    { name: "Synapse without database section", status: "warn", facts: { homeserverConfig: synapseFact({ database: undefined }) }, summary: /has no database section.*conf\.d/, fix: /grep -rn '\^database:' \/etc\/matrix-synapse/ },
    { name: "Synapse with an unknown engine", facts: { homeserverConfig: synapseFact({ "database.name": "postgresql" }) }, summary: /database\.name is "postgresql" .*Unsupported database type/, fix: /name: psycopg2/ },
  ],
});
