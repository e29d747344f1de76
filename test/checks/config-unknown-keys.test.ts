import check from "../../checks/config-unknown-keys.js";
import { dendriteFact, SAMPLE_TEXT, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

testCheck(check, {
  valid: [
    { name: "the real Dendrite sample", facts: { homeserverConfig: dendriteFact({}, SAMPLE_TEXT) }, summary: /^no key looks misspelt \(102 keys read\)$/ },
    { name: "the Synapse fixture", facts: { homeserverConfig: synapseFact() } },
    {
      name: "an unknown key that resembles nothing is listed, not judged",
      facts: { homeserverConfig: synapseFact({ my_module_setting: 1 }) },
      summary: /1 other key matrix-doctor does not know \(my_module_setting\)/,
      details: { unrecognised: ["my_module_setting"] },
    },
  ],
  invalid: [
    {
      name: "turn-shared-secret (matrix-org/synapse#3513)",
      status: "warn",
      facts: { homeserverConfig: synapseFact({ turn_shared_secret: undefined, "turn-shared-secret": "x" }) },
      summary: /^`turn-shared-secret` \(homeserver\.yaml line \d+\) is not a key Synapse reads; it looks like `turn_shared_secret`, so the setting is ignored$/,
      fix: /Rename `turn-shared-secret:` to `turn_shared_secret:`/,
    },
    {
      name: "Dendrite server-name next to server_name",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "global.server-name": "example.test" }) },
      summary: /`global\.server-name` .* looks like `global\.server_name`, so the setting is ignored \(`global\.server_name` is also set, at dendrite\.yaml line 13\)/,
      fix: /Delete the ignored `server-name:` line/,
    },
    {
      name: "a typo inside a Dendrite database section",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "room_server.database.max_open_con": 10 }) },
      summary: /`room_server\.database\.max_open_con`/,
      details: { typos: [{ key: "room_server.database.max_open_con", meant: "room_server.database.max_open_conns" }] },
    },
  ],
});
