import check from "../../checks/wellknown-server-consistent.js";
import { testCheck } from "../support/check-tester.js";
import { exchange, httpFetch, jsonResponse, response, wellKnown, wellKnownFromFetches, wellKnownPrimary, V4, V6, WK_URL } from "./_fixtures-wellknown.js";
import type { HttpResponse } from "../../src/engine/facts.js";
import type { NetError } from "../../src/engine/types.js";

const at = (address: string, result: HttpResponse | NetError) => ({ address, fetch: httpFetch([exchange(WK_URL, result, address)]) });
const healthy = jsonResponse({ "m.server": "matrix.example.org:443" });

testCheck(check, {
  valid: [
    {
      name: "IPv4 and IPv6 agree",
      facts: { wellKnownServer: wellKnown() },
      summary: /^all 2 addresses answer 200 m\.server=matrix\.example\.org:443$/,
      details: { answers: { [V4]: "200 m.server=matrix.example.org:443", [V6]: "200 m.server=matrix.example.org:443" } },
    },
    {
      name: "single address",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([exchange(WK_URL, healthy)])) },
      summary: /^single address 203\.0\.113\.10: 200 m\.server=/,
    },
    {
      name: "all 404 is consistent",
      facts: { wellKnownServer: wellKnown(response(404)) },
      summary: /all 2 addresses answer 404/,
    },
    {
      name: "same m.server with different formatting",
      facts: {
        wellKnownServer: wellKnownFromFetches([
          at(V4, healthy),
          at(V6, response(200, '{ "m.server" : "matrix.example.org:443" }', { "content-type": "text/plain" })),
        ]),
      },
    },
    {
      name: "no addresses: skipped",
      facts: { wellKnownServer: { ...wellKnown(), perAddress: [] } },
      status: "skip",
      summary: /dns-addresses/,
    },
  ],
  invalid: [
    {
      name: "IPv6 times out",
      facts: { wellKnownServer: wellKnownFromFetches([at(V4, healthy), at(V6, { code: "timeout", message: "timed out" })]) },
      status: "warn",
      summary: /^split brain: 203\.0\.113\.10 → 200 m\.server=matrix\.example\.org:443, \[2001:db8::10\] → timed out/,
      fix: /listen \[::\]:443 ssl;.*curl -sS --resolve example\.org:443:\[2001:db8::10\] https:\/\/example\.org/s,
    },
    {
      name: "different m.server values",
      facts: {
        wellKnownServer: wellKnownFromFetches([at(V4, healthy), at(V6, jsonResponse({ "m.server": "old.example.org:8448" }))]),
      },
      status: "warn",
      summary: /old\.example\.org:8448/,
    },
    {
      name: "IPv6 serves the default vhost 404",
      facts: { wellKnownServer: wellKnownFromFetches([at(V4, healthy), at(V6, response(404, "<html>"))]) },
      status: "warn",
      summary: /\[2001:db8::10\] → 404/,
      details: { answers: { [V6]: "404" } },
    },
    {
      name: "one of three addresses broken: only the odd one gets a curl line",
      facts: {
        wellKnownServer: wellKnownFromFetches([
          at(V4, healthy),
          at("203.0.113.11", { code: "refused", message: "ECONNREFUSED" }),
          at(V6, healthy),
        ]),
      },
      status: "warn",
      summary: /203\.0\.113\.11 → connection refused/,
      fix: /^curl -sS --resolve example\.org:443:203\.0\.113\.11 [^\n]*$/m,
    },
    {
      name: "one address serves an untrusted certificate",
      facts: {
        wellKnownServer: wellKnownFromFetches([
          at(V4, healthy),
          at(V6, { ...healthy, tls: { authorized: false, authorizationError: "DEPTH_ZERO_SELF_SIGNED_CERT" } }),
        ]),
      },
      status: "warn",
      summary: /\[2001:db8::10\] → untrusted certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    },
    {
      name: "200 with broken JSON on one address",
      facts: { wellKnownServer: wellKnownFromFetches([at(V4, healthy), at(V6, response(200, "<html>"))]) },
      status: "warn",
      summary: /200 without a valid m\.server/,
    },
  ],
});
