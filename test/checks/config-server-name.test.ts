import check from "../../checks/config-server-name.js";
import { parseServerName } from "../../src/matrix/server-name.js";
import { dendriteFact, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

testCheck(check, {
  valid: [
    { name: "the rig's Dendrite config", facts: { homeserverConfig: dendriteFact() }, summary: /^global\.server_name is "example\.test" \(dendrite\.yaml line 13\)$/ },
    { name: "Synapse, same name as the run's target", facts: { homeserverConfig: synapseFact(), serverName: parseServerName("example.org") }, summary: /homeserver\.yaml line 4/ },
    { name: "a server name with a port", facts: { homeserverConfig: synapseFact({ server_name: "example.org:8448" }) } },
    {
      name: "a host-like name without delegation is noted, not judged",
      facts: { homeserverConfig: synapseFact({ server_name: "matrix.example.org", serve_server_wellknown: false }) },
      summary: /host-like name: user IDs end in :matrix\.example\.org/,
    },
    {
      name: "a host-like Dendrite name that delegates to itself",
      facts: { homeserverConfig: dendriteFact({ "global.server_name": "matrix.example.org", "global.well_known_server_name": "matrix.example.org:443" }) },
    },
  ],
  invalid: [
    { name: "no server_name (Dendrite)", facts: { homeserverConfig: dendriteFact({ "global.server_name": undefined }) }, summary: /sets no global\.server_name: Dendrite refuses to start/, fix: /server_name: example\.org/ },
    { name: "no server_name (Synapse)", facts: { homeserverConfig: synapseFact({ server_name: undefined, "database.name": "psycopg2" }) }, summary: /Synapse refuses to start/ },
    {
      name: "a URL instead of a name",
      facts: { homeserverConfig: synapseFact({ server_name: "https://example.org/" }) },
      summary: /"https:\/\/example\.org\/" \(homeserver\.yaml line 4\) is not a valid server name: it has a URL scheme/,
      fix: /`server_name: "example\.org"`/,
    },
    { name: "the sample's localhost", facts: { homeserverConfig: dendriteFact({ "global.server_name": "localhost" }) }, summary: /the sample's placeholder/ },
    {
      name: "upper case",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "global.server_name": "Example.test" }) },
      summary: /upper-case letters: .*:Example\.test and :example\.test are different servers/,
      fix: /server_name: example\.test/,
    },
    {
      name: "the run checks another server",
      status: "warn",
      facts: { homeserverConfig: dendriteFact(), serverName: parseServerName("other.test") },
      summary: /this run checks other\.test, but .* has global\.server_name "example\.test"/,
      fix: /matrix-doctor example\.test --homeserver-config \/etc\/dendrite\/dendrite\.yaml/,
    },
    {
      name: "host name as server name while delegating to the bare domain's host",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "global.server_name": "matrix.example.org", "global.well_known_server_name": "example.org:443" }) },
      summary: /is the host name "matrix\.example\.org" while global\.well_known_server_name delegates to example\.org:443/,
      fix: /server name must be example\.org/,
    },
  ],
});
