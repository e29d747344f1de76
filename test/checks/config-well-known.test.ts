import check from "../../checks/config-well-known.js";
import { expect } from "vitest";
import { dendriteFact, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";
import { clientWellKnown, clientWellKnownMissing } from "./_fixtures-client.js";
import { jsonResponse, response, wellKnown } from "./_fixtures-wellknown.js";

const dendrite = (edits = {}) => dendriteFact({ "global.server_name": "example.org", ...edits });
const delegating = { "global.well_known_server_name": "matrix.example.org:443", "global.well_known_client_name": "https://matrix.example.org" };
const NGINX_404 = response(404, "<html>404</html>", { "content-type": "text/html" });

testCheck(check, {
  valid: [
    {
      name: "Dendrite serves both, and that is what peers and clients get",
      facts: { homeserverConfig: dendrite(delegating), wellKnownServer: wellKnown(), clientWellKnown: clientWellKnown() },
      summary: /^the homeserver serves m\.server matrix\.example\.org:443, base_url https:\/\/matrix\.example\.org; agrees with what is served$/,
    },
    { name: "Dendrite settings without facts to compare", facts: { homeserverConfig: dendrite(delegating) } },
    {
      name: "nothing configured, nginx serves the files",
      facts: { homeserverConfig: dendrite(), wellKnownServer: wellKnown(), clientWellKnown: clientWellKnown() },
      summary: /no well-known in the config; https:\/\/example\.org\/\.well-known\/matrix\/server serves m\.server matrix\.example\.org:443, the client well-known gives https:\/\/matrix\.example\.org \(from the reverse proxy\)/,
    },
    { name: "nothing anywhere (federation on 8448)", facts: { homeserverConfig: dendrite() }, summary: /peers use SRV or port 8448/ },
    {
      name: "Synapse with public_baseurl and serve_server_wellknown, served as configured",
      facts: { homeserverConfig: synapseFact(), wellKnownServer: wellKnown(jsonResponse({ "m.server": "example.org:443" })), clientWellKnown: clientWellKnown({ baseUrl: "https://matrix.example.org/" }) },
    },
    {
      name: "Synapse without public_baseurl whose default is what clients are told",
      facts: { homeserverConfig: synapseFact({ public_baseurl: undefined }), clientWellKnown: clientWellKnown({ baseUrl: "https://example.org" }) },
    },
  ],
  invalid: [
    {
      name: "Dendrite well_known_client_name without scheme",
      facts: { homeserverConfig: dendrite({ "global.well_known_client_name": "matrix.example.org" }) },
      summary: /well_known_client_name "matrix\.example\.org" \(dendrite\.yaml line \d+\) has no http:\/\/ or https:\/\/: Dendrite refuses to start/,
      fix: /well_known_client_name: "https:\/\/matrix\.example\.org"/,
    },
    {
      name: "Dendrite client name differs from the served base_url",
      status: "warn",
      facts: { homeserverConfig: dendrite({ "global.well_known_client_name": "https://chat.example.org" }), clientWellKnown: clientWellKnown() },
      summary: /well_known_client_name is https:\/\/chat\.example\.org .* serves base_url https:\/\/matrix\.example\.org/,
      fix: /well_known_client_name: "https:\/\/matrix\.example\.org"/,
    },
    {
      name: "Dendrite would serve, but the proxy does not pass /.well-known to it",
      status: "warn",
      facts: { homeserverConfig: dendrite(delegating), wellKnownServer: wellKnown(NGINX_404), clientWellKnown: clientWellKnownMissing() },
      summary: /Dendrite would serve base_url https:\/\/matrix\.example\.org .* gives clients none/,
      fix: /location \/\.well-known\/matrix\/ \{ proxy_pass http:\/\/127\.0\.0\.1:8008; \}/,
      details: { findings: [expect.stringMatching(/base_url/), expect.stringMatching(/m\.server matrix\.example\.org:443 .*it answered HTTP 404/)] },
    },
    {
      name: "Dendrite server name differs from the served m.server",
      status: "warn",
      facts: { homeserverConfig: dendrite({ "global.well_known_server_name": "matrix.example.org:8448" }), wellKnownServer: wellKnown() },
      summary: /makes Dendrite serve m\.server matrix\.example\.org:8448, but .* serves matrix\.example\.org:443/,
    },
    { name: "Dendrite invalid well_known_server_name", facts: { homeserverConfig: dendrite({ "global.well_known_server_name": "https://matrix.example.org" }) }, summary: /is not a valid server name/ },
    {
      name: "Synapse without public_baseurl",
      status: "warn",
      facts: { homeserverConfig: synapseFact({ public_baseurl: undefined }), clientWellKnown: clientWellKnown() },
      summary: /public_baseurl is not set: Synapse serves no \/\.well-known\/matrix\/client and writes https:\/\/example\.org\/ into SSO redirects.*tells clients https:\/\/matrix\.example\.org/,
      fix: /public_baseurl: "https:\/\/matrix\.example\.org"/,
    },
    { name: "Synapse public_baseurl without facts", status: "warn", facts: { homeserverConfig: synapseFact({ public_baseurl: undefined }) }, fix: /public_baseurl: "https:\/\/matrix\.example\.org\/"/ },
    { name: "Synapse public_baseurl with a query", facts: { homeserverConfig: synapseFact({ public_baseurl: "https://matrix.example.org/?x=1" }) }, summary: /without query or fragment/ },
    {
      name: "Synapse public_baseurl differs from the served base_url",
      status: "warn",
      facts: { homeserverConfig: synapseFact({ public_baseurl: "https://synapse.example.org/" }), clientWellKnown: clientWellKnown() },
      summary: /public_baseurl is https:\/\/synapse\.example\.org\//,
    },
    {
      name: "Synapse serve_server_wellknown but the proxy answers 404",
      status: "warn",
      facts: { homeserverConfig: synapseFact(), wellKnownServer: wellKnown(NGINX_404) },
      summary: /Synapse would serve m\.server example\.org:443 \(serve_server_wellknown, homeserver\.yaml line 7\)/,
    },
  ],
});
