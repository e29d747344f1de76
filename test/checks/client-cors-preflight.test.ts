import check from "../../checks/client-cors-preflight.js";
import { testCheck } from "../support/check-tester.js";
import {
  DENDRITE_PREFLIGHT_HEADERS,
  SYNAPSE_PREFLIGHT_HEADERS,
  VERSIONS_URL,
  clientApi,
  exchange,
  failedFetch,
  PREFLIGHT_URL,
  preflight,
} from "./_fixtures-client.js";

const SPEC_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "X-Requested-With, Content-Type, Authorization",
};

testCheck(check, {
  valid: [
    { name: "Synapse 204", facts: { clientApi: clientApi() }, summary: /returned 204 allowing origin \*/ },
    { name: "Dendrite 200", facts: { clientApi: clientApi({ preflight: preflight(200, DENDRITE_PREFLIGHT_HEADERS) }) } },
    {
      name: "methods wildcard, lower-case header names",
      facts: {
        clientApi: clientApi({
          preflight: preflight(204, { "access-control-allow-origin": "*", "access-control-allow-methods": "*", "access-control-allow-headers": "authorization, content-type" }),
        }),
      },
      details: { missingMethods: [] },
    },
    {
      name: "whole client API unreachable → skip",
      facts: {
        clientApi: clientApi({
          versions: failedFetch(VERSIONS_URL, { code: "refused", message: "x" }),
          preflight: exchange({ url: PREFLIGHT_URL, method: "OPTIONS", error: { code: "refused", message: "x" } }),
        }),
      },
      status: "skip",
      summary: /client-versions/,
    },
  ],
  invalid: [
    {
      name: "405 from the proxy",
      facts: { clientApi: clientApi({ preflight: preflight(405, { allow: "GET, POST" }) }) },
      summary: /OPTIONS https:\/\/matrix\.example\.org\/_matrix\/client\/v3\/login \(203\.0\.113\.20:443\) returned HTTP 405.*rejects OPTIONS/,
      fix: /add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;/,
    },
    {
      name: "no ACAO",
      facts: { clientApi: clientApi({ preflight: preflight(204, { ...SPEC_HEADERS, "access-control-allow-origin": "" }) }) },
      summary: /no Access-Control-Allow-Origin/,
    },
    {
      name: "Allow-Headers * does not cover Authorization",
      facts: { clientApi: clientApi({ preflight: preflight(204, { ...SPEC_HEADERS, "access-control-allow-headers": "*" }) }) },
      summary: /"\*", which does not cover Authorization/,
    },
    {
      name: "Allow-Headers lacks Authorization",
      facts: { clientApi: clientApi({ preflight: preflight(204, { ...SPEC_HEADERS, "access-control-allow-headers": "Content-Type" }) }) },
      summary: /lacks Authorization/,
      fix: /Synapse and Dendrite answer the preflight.*curl -si -X OPTIONS http:\/\/127\.0\.0\.1:8008/s,
    },
    {
      name: "Allow-Headers lacks Content-Type",
      facts: { clientApi: clientApi({ preflight: preflight(204, { ...SPEC_HEADERS, "access-control-allow-headers": "Authorization" }) }) },
      summary: /lacks Content-Type/,
    },
    {
      name: "no CORS headers at all (200 from a static location)",
      facts: { clientApi: clientApi({ preflight: preflight(200, {}) }) },
      summary: /no Access-Control-Allow-Origin; Access-Control-Allow-Headers lacks Authorization/,
    },
    {
      name: "Allow-Methods lacks PUT and DELETE → warn",
      facts: { clientApi: clientApi({ preflight: preflight(204, { ...SPEC_HEADERS, "access-control-allow-methods": "GET, POST, OPTIONS" }) }) },
      status: "warn",
      summary: /lacks PUT, DELETE \(browsers block PUT and DELETE requests/,
      details: { missingMethods: ["PUT", "DELETE"] },
    },
    {
      name: "no Allow-Methods → warn",
      facts: { clientApi: clientApi({ preflight: preflight(204, { ...SYNAPSE_PREFLIGHT_HEADERS, "access-control-allow-methods": "" }) }) },
      status: "warn",
      details: { missingMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"] },
    },
    {
      name: "OPTIONS times out while GET works",
      facts: { clientApi: clientApi({ preflight: exchange({ url: PREFLIGHT_URL, method: "OPTIONS", error: { code: "timeout", message: "10 s" } }) }) },
      summary: /timed out .*although GET works/,
    },
  ],
});
