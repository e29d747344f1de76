import check from "../../checks/client-cors-versions.js";
import { testCheck } from "../support/check-tester.js";
import { CORS, HEALTHY_VERSIONS_BODY, JSON_TYPE, NGINX_502_HTML, VERSIONS_URL, answer, clientApi, failedFetch, fetchOf, redirect } from "./_fixtures-client.js";

const versionsWith = (headers: Record<string, string>) => clientApi({ versions: answer(VERSIONS_URL, 200, HEALTHY_VERSIONS_BODY, headers) });

testCheck(check, {
  valid: [
    { name: "ACAO *", facts: { clientApi: clientApi() }, summary: /Access-Control-Allow-Origin: \*/ },
    { name: "origin echoed", facts: { clientApi: versionsWith({ "access-control-allow-origin": "https://app.element.io" }) } },
    {
      name: "redirect with ACAO",
      facts: {
        clientApi: clientApi({
          versions: fetchOf(redirect("http://matrix.example.org/_matrix/client/versions", VERSIONS_URL, 301, { ...CORS }), ...answer(VERSIONS_URL, 200, HEALTHY_VERSIONS_BODY).hops),
        }),
      },
    },
    {
      name: "network failure → skip",
      facts: { clientApi: clientApi({ versions: failedFetch(VERSIONS_URL, { code: "refused", message: "x" }) }) },
      status: "skip",
      summary: /client-versions/,
    },
    {
      name: "502 → skip",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 502, NGINX_502_HTML, {}) }) },
      status: "skip",
      summary: /HTTP 502.*client-versions/,
    },
  ],
  invalid: [
    {
      name: "no ACAO",
      facts: { clientApi: versionsWith({ ...JSON_TYPE }) },
      summary: /200 https:\/\/matrix\.example\.org\/_matrix\/client\/versions \(203\.0\.113\.20:443\) has no Access-Control-Allow-Origin/,
      fix: /Synapse and Dendrite send it themselves.*add_header Access-Control-Allow-Origin \* always;/s,
    },
    {
      name: "ACAO duplicated by nginx",
      facts: { clientApi: versionsWith({ "access-control-allow-origin": "*, *" }) },
      summary: /more than once \("\*, \*"\)/,
      fix: /proxy_hide_header Access-Control-Allow-Origin;/,
    },
    {
      name: "fixed origin",
      facts: { clientApi: versionsWith({ "access-control-allow-origin": "https://element.example.org" }) },
      status: "warn",
    },
    {
      name: "redirect without ACAO",
      facts: {
        clientApi: clientApi({
          versions: fetchOf(redirect("http://matrix.example.org/_matrix/client/versions", VERSIONS_URL), ...answer(VERSIONS_URL, 200, HEALTHY_VERSIONS_BODY).hops),
        }),
      },
      summary: /^301 http:\/\/matrix\.example\.org/,
    },
  ],
});
