import check from "../../checks/wellknown-server-redirects.js";
import { testCheck } from "../support/check-tester.js";
import { exchange, httpFetch, jsonResponse, redirect, response, wellKnown, wellKnownPrimary, HEALTHY_BODY, WK_URL } from "./_fixtures-wellknown.js";

const WWW = "https://www.example.org/.well-known/matrix/server";
const M = "https://matrix.example.org/.well-known/matrix/server";
const ok = (url: string) => exchange(url, jsonResponse(HEALTHY_BODY));

testCheck(check, {
  valid: [
    { name: "no redirects", facts: { wellKnownServer: wellKnown() }, summary: /^no redirects$/, details: { hops: [] } },
    {
      name: "one 301",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 301, WWW), ok(WWW)])) },
      summary: /^1 redirect: 301 https:\/\/example\.org\/\.well-known\/matrix\/server → https:\/\/www\.example\.org/,
      details: { hops: [{ status: 301, location: WWW }] },
    },
    {
      name: "302 then 307",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 302, WWW), redirect(WWW, 307, M), ok(M)])) },
      summary: /^2 redirects: 302 .*; 307 /,
    },
    {
      name: "relative Location is resolved",
      facts: {
        wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 301, "/matrix-server.json"), ok("https://example.org/matrix-server.json")])),
      },
      details: { hops: [{ location: "https://example.org/matrix-server.json" }] },
    },
    {
      name: "a 404 final is not a redirect",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 301, WWW), exchange(WWW, response(404))])) },
      summary: /1 redirect/,
    },
  ],
  invalid: [
    {
      name: "redirect loop",
      facts: {
        wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 301, WWW), redirect(WWW, 301, WK_URL)], { redirectLoop: true })),
      },
      summary: /^redirect loop: 301 .*www\.example\.org.*; 301 .*→ https:\/\/example\.org/,
      fix: /return 200 '\{"m\.server": "example\.org:443"\}'/,
      details: { redirectLoop: true },
    },
    {
      name: "too many redirects",
      facts: {
        wellKnownServer: wellKnownPrimary(
          httpFetch(
            Array.from({ length: 11 }, (_, i) => redirect(`https://example.org/${i}`, 302, `https://example.org/${i + 1}`)),
            { tooManyRedirects: true },
          ),
        ),
      },
      summary: /more than 10 redirects/,
      details: { tooManyRedirects: true },
    },
    {
      name: "308 (Kubernetes ingress default)",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 308, WWW), ok(WWW)])) },
      status: "warn",
      summary: /example\.org\/\.well-known\/matrix\/server answers 308: Synapse does not follow 308/,
      fix: /return 301 https:\/\/www\.example\.org\/\.well-known\/matrix\/server;.*http-redirect-code: "301"/s,
    },
    {
      name: "308 on the second hop",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 301, WWW), redirect(WWW, 308, M), ok(M)])) },
      status: "warn",
      summary: /www\.example\.org.* answers 308/,
      fix: /return 301 https:\/\/matrix\.example\.org/,
    },
  ],
});
