import check from "../../checks/client-versions.js";
import { testCheck } from "../support/check-tester.js";
import {
  NGINX_404_HTML,
  NGINX_502_HTML,
  VERSIONS_URL,
  answer,
  clientApi,
  clientWellKnown,
  clientWellKnownMissing,
  failedFetch,
  fetchOf,
  redirect,
} from "./_fixtures-client.js";

const HTML = { "content-type": "text/html" };

testCheck(check, {
  valid: [
    {
      name: "Synapse-like versions list",
      facts: { clientApi: clientApi(), clientWellKnown: clientWellKnown() },
      summary: /newest spec version v1\.11 \(7 versions, 2 unstable features\)$/,
      details: { latest: "v1.11", unstableFeatures: 2, baseUrlSource: "well-known" },
    },
    {
      name: "legacy-only server",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 200, { versions: ["r0.5.0", "r0.6.1", "r0.0.1"] }) }) },
      details: { latest: "r0.6.1", unstableFeatures: 0, baseUrlSource: null },
    },
    {
      name: "base URL came from the server name",
      facts: {
        clientApi: clientApi({ baseUrl: "https://example.org", versions: answer("https://example.org/_matrix/client/versions", 200, { versions: ["v1.2"] }) }),
        clientWellKnown: clientWellKnownMissing(),
      },
      summary: /from the server name: there is no client well-known/,
      details: { baseUrlSource: "server-name" },
    },
    {
      name: "after an http → https redirect",
      facts: {
        clientApi: clientApi({
          versions: fetchOf(redirect("http://matrix.example.org/_matrix/client/versions", VERSIONS_URL), ...answer(VERSIONS_URL, 200, { versions: ["v1.10"] }).hops),
        }),
      },
      details: { latest: "v1.10" },
    },
  ],
  invalid: [
    {
      name: "502 from nginx",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 502, NGINX_502_HTML, HTML) }) },
      summary: /HTTP 502: the proxy cannot reach the homeserver/,
      fix: /systemctl status dendrite/,
    },
    {
      name: "HTML 404: /_matrix not proxied",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 404, NGINX_404_HTML, HTML) }) },
      summary: /HTML 404: \/_matrix is not proxied.*matrix\.example\.org/,
      fix: /location \/_matrix \{\n {4}proxy_pass http:\/\/127\.0\.0\.1:8008;/,
    },
    {
      name: "HTML 404 with no client well-known",
      facts: {
        clientApi: clientApi({ baseUrl: "https://example.org", versions: answer("https://example.org/_matrix/client/versions", 404, NGINX_404_HTML, HTML) }),
        clientWellKnown: clientWellKnownMissing(),
      },
      summary: /not proxied.*from the server name/,
      details: { baseUrlSource: "server-name" },
    },
    {
      name: "JSON 404: proxy_pass with a trailing slash",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }) }) },
      summary: /JSON 404 from the homeserver/,
      fix: /not http:\/\/127\.0\.0\.1:8008\//,
    },
    {
      name: "connection refused",
      facts: { clientApi: clientApi({ versions: failedFetch(VERSIONS_URL, { code: "refused", message: "connect ECONNREFUSED 203.0.113.20:443" }) }) },
      summary: /\(203\.0\.113\.20:443\) connection refused/,
    },
    {
      name: "DNS failure",
      facts: { clientApi: clientApi({ versions: failedFetch(VERSIONS_URL, { code: "dns", message: "ENOTFOUND matrix.example.org" }) }) },
      summary: /DNS lookup failed/,
      fix: /dig \+short matrix\.example\.org/,
    },
    {
      name: "website answers 200 HTML",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 200, "<!doctype html><title>Welcome</title>", HTML) }) },
      summary: /HTML page/,
    },
    {
      name: "JSON without versions",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 200, { server: "Synapse" }) }) },
      summary: /no "versions" list/,
    },
    {
      name: "versions with a non-string",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 200, { versions: ["v1.1", 2] }) }) },
      summary: /no "versions" list of strings/,
    },
    {
      name: "empty versions list",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 200, { versions: [] }) }) },
      summary: /lists no spec versions/,
    },
    {
      name: "403 from a WAF",
      facts: { clientApi: clientApi({ versions: answer(VERSIONS_URL, 403, "Forbidden", {}) }) },
      summary: /HTTP 403/,
    },
    {
      name: "too many redirects",
      facts: {
        clientApi: clientApi({
          versions: { ...fetchOf(redirect(VERSIONS_URL, "https://matrix.example.org/x"), redirect("https://matrix.example.org/x", VERSIONS_URL)), tooManyRedirects: true },
        }),
      },
      summary: /too many redirects/,
    },
  ],
});
