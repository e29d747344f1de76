import check from "../../checks/federation-routing.js";
import { testCheck } from "../support/check-tester.js";
import {
  HTML_HEADERS,
  NGINX_404_HTML,
  NGINX_502_HTML,
  TIMEOUT,
  UNKNOWN_PATH,
  UNRECOGNIZED_BODY,
  V4,
  exchange,
  federationEndpoints,
  response,
} from "./_fixtures-keys.js";

const unknown = (init: Parameters<typeof exchange>[2]) => ({ federationEndpoints: federationEndpoints(undefined, exchange(UNKNOWN_PATH, V4, init)) });

testCheck(check, {
  valid: [
    {
      name: "404 M_UNRECOGNIZED",
      facts: { federationEndpoints: federationEndpoints() },
      summary: /^the proxy routes \/_matrix to the homeserver: an unknown path gets HTTP 404 M_UNRECOGNIZED$/,
      details: { status: 404, errcode: "M_UNRECOGNIZED", contentType: "application/json" },
    },
    { name: "405 M_UNRECOGNIZED", facts: unknown({ response: response(405, UNRECOGNIZED_BODY) }) },
    {
      name: "another JSON errcode still shows the homeserver answered",
      facts: unknown({ response: response(404, '{"errcode":"M_NOT_FOUND","error":"Not found"}') }),
      summary: /M_NOT_FOUND \(the spec asks for M_UNRECOGNIZED/,
    },
    { name: "no probe made", facts: { federationEndpoints: federationEndpoints(undefined, null) }, status: "skip" },
    { name: "network error", facts: unknown({ error: TIMEOUT }), status: "skip", summary: /timed out/ },
    { name: "502 is federation-version's finding", facts: unknown({ response: response(502, NGINX_502_HTML, HTML_HEADERS) }), status: "skip" },
  ],
  invalid: [
    {
      name: "nginx HTML 404",
      facts: unknown({ response: response(404, NGINX_404_HTML, HTML_HEADERS) }),
      status: "warn",
      summary:
        /^GET \/_matrix\/federation\/unstable\/dev\.matrix-doctor\.unknown on federation 203\.0\.113\.10:8448 returned HTTP 404 \(text\/html\): the proxy answers it, not the homeserver$/,
      fix: /listens on 8448.*location ~\* \^\(\\\/_matrix\|\\\/_synapse\\\/client\) \{ proxy_pass http:\/\/127\.0\.0\.1:8008;/,
      details: { status: 404, errcode: null },
    },
    {
      name: "plain-text 404",
      facts: unknown({ response: response(404, "Not Found", { "content-type": "text/plain" }) }),
      status: "warn",
      summary: /\(text\/plain\)/,
    },
    {
      name: "a single-page app answers everything with 200",
      facts: unknown({ response: response(200, "<!doctype html><div id=app>", HTML_HEADERS) }),
      status: "warn",
      summary: /HTTP 200 \(text\/html\)/,
    },
    {
      name: "JSON without errcode",
      facts: unknown({ response: response(404, '{"message":"not found"}') }),
      status: "warn",
      summary: /HTTP 404 JSON without errcode/,
    },
    {
      name: "JSON errcode with 200",
      facts: unknown({ response: response(200, '{"errcode":"M_UNKNOWN"}') }),
      status: "warn",
      summary: /HTTP 200 M_UNKNOWN where 404 M_UNRECOGNIZED was expected/,
    },
  ],
});
