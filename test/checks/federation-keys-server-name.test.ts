import check from "../../checks/federation-keys-server-name.js";
import { testCheck } from "../support/check-tester.js";
import {
  HTML_HEADERS,
  KEY_PATH,
  NGINX_404_HTML,
  NGINX_502_HTML,
  REFUSED,
  SERVER_NAME,
  TIMEOUT,
  V4,
  V6,
  exchange,
  federationEndpoints,
  keyDocument,
  keyExchange,
  response,
  serverKeys,
  versionExchange,
} from "./_fixtures-keys.js";

testCheck(check, {
  valid: [
    {
      name: "Dendrite key documents on both families",
      facts: { serverKeys: serverKeys() },
      summary: /^key documents name server_name "example\.test" \(2 endpoints\)$/,
      details: {
        serverName: SERVER_NAME,
        endpoints: [{ endpoint: "federation 203.0.113.10:8448", serverNameServed: SERVER_NAME }, { endpoint: "federation [2001:db8::10]:8448" }],
      },
    },
    {
      name: "an unreachable endpoint is left to tls-handshake / federation-version",
      facts: {
        serverKeys: serverKeys([keyExchange(), exchange(KEY_PATH, V6, { error: REFUSED })]),
        federationEndpoints: federationEndpoints([versionExchange(V4), versionExchange(V6, { error: REFUSED })]),
      },
      summary: /\(1 endpoint\)/,
    },
    {
      name: "nothing reachable",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { error: TIMEOUT })]) },
      status: "skip",
      summary: /tls-handshake and federation-version/,
    },
    { name: "no endpoints", facts: { serverKeys: serverKeys([]) }, status: "skip" },
  ],
  invalid: [
    {
      name: "the delegated host was tested",
      facts: { serverKeys: { ...serverKeys([keyExchange(keyDocument({ serverName: "example.test" }))]), serverName: "matrix.example.test" } },
      summary: /^federation 203\.0\.113\.10:8448: keys are for server_name "example\.test", not "matrix\.example\.test"$/,
      fix: /probably tested the delegated host.*matrix-doctor example\.test/,
    },
    {
      name: "the homeserver is configured with its host name",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ serverName: "matrix.example.test" })), keyExchange(keyDocument({ serverName: "matrix.example.test" }), V6)]) },
      summary: /^federation 203\.0\.113\.10:8448, federation \[2001:db8::10\]:8448: keys are for server_name "matrix\.example\.test", not "example\.test"$/,
      fix: /`global\.server_name: example\.test`.*`server_name: "example\.test"`/,
    },
    {
      name: "case differs",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ serverName: "Example.test" }))]) },
      summary: /differ only in letter case/,
    },
    {
      name: "key endpoint 404 HTML while the version endpoint works",
      facts: {
        serverKeys: serverKeys([exchange(KEY_PATH, V4, { response: response(404, NGINX_404_HTML, HTML_HEADERS) })]),
        federationEndpoints: federationEndpoints([versionExchange(V4)]),
      },
      summary: /^federation 203\.0\.113\.10:8448: GET \/_matrix\/key\/v2\/server returned HTTP 404$/,
      fix: /outside \/_matrix\/federation.*proxy_pass http:\/\/127\.0\.0\.1:8008;/,
      details: { endpoints: [{ status: 404 }] },
    },
    {
      name: "key endpoint 502",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { response: response(502, NGINX_502_HTML, HTML_HEADERS) })]) },
      summary: /returned HTTP 502: the reverse proxy cannot reach the homeserver/,
      fix: /systemctl status dendrite/,
    },
    {
      name: "200 HTML",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { response: response(200, "<!DOCTYPE html>", HTML_HEADERS) })]) },
      summary: /returned a body that is not JSON \(text\/html, starting "<!DOCTYPE html>"\)/,
    },
    {
      name: "key fetch times out while the version request answered",
      facts: {
        serverKeys: serverKeys([exchange(KEY_PATH, V4, { error: TIMEOUT })]),
        federationEndpoints: federationEndpoints([versionExchange(V4)]),
      },
      summary: /GET \/_matrix\/key\/v2\/server timed out, although the version endpoint answered/,
    },
    {
      name: "no server_name",
      facts: { serverKeys: serverKeys([keyExchange({ verify_keys: {} })]) },
      summary: /has no server_name/,
    },
    {
      name: "slow key fetch (4 s)",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument(), V4, 4000)]) },
      status: "warn",
      summary: /took 4\.0 s/,
      fix: /time_total/,
    },
    {
      name: "key fetch over 10 s",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument(), V4, 11_500)]) },
      summary: /took 11\.5 s; matrix\.org gives up on key fetches after 10 s/,
    },
    {
      name: "a wrong name outranks a slow answer",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ serverName: "other.test" }), V4, 4000)]) },
      summary: /not "example\.test"/,
    },
  ],
});
