import check from "../../checks/config-connection-pools.js";
import { dendriteFact, SAMPLE_TEXT, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

const PG = "postgres://dendrite:pw@localhost/dendrite?sslmode=disable";

testCheck(check, {
  valid: [
    {
      name: "Dendrite's global pool (the sample's 90)",
      facts: { homeserverConfig: dendriteFact({ "global.database.connection_string": PG }, SAMPLE_TEXT) },
      summary: /^1 PostgreSQL pool, at most 90 connections \(global\.database 90\); PostgreSQL must allow that many/,
      details: { totalMaxOpenConns: 90 },
    },
    {
      name: "bounded component pools add up",
      facts: { homeserverConfig: dendriteFact({ "room_server.database": { connection_string: PG, max_open_conns: 20 }, "sync_api.database": { connection_string: `${PG}&x=1`, max_open_conns: 30 } }) },
      details: { totalMaxOpenConns: 50, perProcessMaxOpenConns: 50 },
    },
    {
      name: "Synapse with workers",
      facts: { homeserverConfig: synapseFact({ instance_map: { main: { host: "localhost", port: 8034 }, federation_sender1: { host: "localhost", port: 8035 } } }) },
      summary: /at most 20 connections \(database 10 × 2 processes \(main \+ 1 worker in instance_map/,
      details: { totalMaxOpenConns: 20, workers: ["federation_sender1"] },
    },
    { name: "SQLite only", status: "skip", facts: { homeserverConfig: dendriteFact() }, summary: /SQLite only/ },
  ],
  invalid: [
    {
      name: "a component section without max_open_conns is unlimited",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "global.database": { connection_string: PG }, "room_server.database": { connection_string: `${PG}&application_name=rooms` } }, SAMPLE_TEXT) },
      summary: /room_server\.database \(dendrite\.yaml line \d+\) has no max_open_conns \(or 0\), so its pool is unlimited/,
      fix: /add `max_open_conns: 45` to `room_server\.database`/,
      details: { totalMaxOpenConns: 90, unlimited: true },
    },
  ],
});
