import check from "../../checks/client-cors-wellknown.js";
import { testCheck } from "../support/check-tester.js";
import {
  CORS,
  HEALTHY_WELL_KNOWN_BODY,
  JSON_TYPE,
  NGINX_404_HTML,
  WELL_KNOWN_URL,
  answer,
  clientWellKnown,
  clientWellKnownMissing,
  failedFetch,
  fetchOf,
  redirect,
} from "./_fixtures-client.js";

const WWW_URL = "https://www.example.org/.well-known/matrix/client";
const wwwAnswer = (headers: Record<string, string>) => answer(WWW_URL, 200, HEALTHY_WELL_KNOWN_BODY, headers).hops;

testCheck(check, {
  valid: [
    { name: "200 with ACAO *", facts: { clientWellKnown: clientWellKnown() }, summary: /every response \(1\)/ },
    {
      name: "redirect and final both carry ACAO",
      facts: { clientWellKnown: clientWellKnown({ fetch: fetchOf(redirect(WELL_KNOWN_URL, WWW_URL, 301, { ...CORS }), ...wwwAnswer({ ...CORS, ...JSON_TYPE })) }) },
      summary: /every response \(2\)/,
    },
    {
      name: "origin echoed",
      facts: {
        clientWellKnown: clientWellKnown({
          fetch: answer(WELL_KNOWN_URL, 200, HEALTHY_WELL_KNOWN_BODY, { "access-control-allow-origin": "https://app.element.io", vary: "Origin" }),
        }),
      },
    },
    {
      name: "404 with ACAO (MSC2499)",
      facts: { clientWellKnown: clientWellKnownMissing({ ...CORS, "content-type": "text/html" }) },
      summary: /final status 404/,
    },
    {
      name: "network failure → skip",
      facts: { clientWellKnown: clientWellKnown({ fetch: failedFetch(WELL_KNOWN_URL, { code: "timeout", message: "x" }) }) },
      status: "skip",
      summary: /client-wellknown/,
    },
  ],
  invalid: [
    {
      name: "200 without ACAO",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, HEALTHY_WELL_KNOWN_BODY, { ...JSON_TYPE }) }) },
      summary: /203\.0\.113\.10:443\) has no Access-Control-Allow-Origin: browsers cannot read it: web clients such as Element Web cannot discover the server/,
      fix: /add_header Access-Control-Allow-Origin \* always;.*"always" also sends it on redirects and errors/s,
    },
    {
      name: "redirect hop without ACAO",
      facts: { clientWellKnown: clientWellKnown({ fetch: fetchOf(redirect(WELL_KNOWN_URL, WWW_URL), ...wwwAnswer({ ...CORS, ...JSON_TYPE })) }) },
      summary: /the 301 redirect https:\/\/example\.org\/\.well-known\/matrix\/client \(203\.0\.113\.10:443\) → https:\/\/www\.example\.org/,
      fix: /server block for example\.org that issues the redirect add: add_header Access-Control-Allow-Origin \* always;/,
    },
    {
      name: "redirect hop and final both without ACAO",
      facts: { clientWellKnown: clientWellKnown({ fetch: fetchOf(redirect(WELL_KNOWN_URL, WWW_URL), ...wwwAnswer({ ...JSON_TYPE })) }) },
      summary: /\(\+1 more\)$/,
      fix: /www\.example\.org/,
      details: { hops: [{ acao: null }, { acao: null }] },
    },
    {
      name: "404 without ACAO → warn",
      facts: { clientWellKnown: clientWellKnownMissing() },
      status: "warn",
      summary: /404 response.*cannot tell "no well-known" from a network error/,
      fix: /always/,
    },
    {
      name: "ACAO sent twice",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, HEALTHY_WELL_KNOWN_BODY, { "access-control-allow-origin": "*, *" }) }) },
      summary: /more than once/,
    },
    {
      name: "fixed foreign origin",
      facts: {
        clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, HEALTHY_WELL_KNOWN_BODY, { "access-control-allow-origin": "https://chat.example.org" }) }),
      },
      status: "warn",
      summary: /only the origin https:\/\/chat\.example\.org/,
    },
    {
      name: "403 from a CDN without ACAO",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 403, NGINX_404_HTML, {}) }) },
      status: "warn",
    },
  ],
});
