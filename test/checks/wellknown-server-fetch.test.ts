import check from "../../checks/wellknown-server-fetch.js";
import { testCheck } from "../support/check-tester.js";
import { exchange, httpFetch, jsonResponse, redirect, response, wellKnown, wellKnownPrimary, HEALTHY_BODY, WK_URL } from "./_fixtures-wellknown.js";

const WWW_URL = "https://www.example.org/.well-known/matrix/server";
const untrusted = { ...response(200, JSON.stringify(HEALTHY_BODY)), tls: { authorized: false, authorizationError: "CERT_HAS_EXPIRED" } };

testCheck(check, {
  valid: [
    {
      name: "200",
      facts: { wellKnownServer: wellKnown() },
      summary: /^200 from https:\/\/example\.org\/\.well-known\/matrix\/server \(203\.0\.113\.10:443, 12 ms\)$/,
      details: { status: 200, address: "203.0.113.10", port: 443 },
    },
    {
      name: "404 is no delegation",
      facts: { wellKnownServer: wellKnown(response(404, "<html>Not Found</html>", { "content-type": "text/html" })) },
      summary: /^no delegation \(404\): peers go on to SRV \/ port 8448$/,
      details: { status: 404 },
    },
    {
      name: "200 after a redirect names the final URL",
      facts: {
        wellKnownServer: wellKnownPrimary(httpFetch([redirect(WK_URL, 301, WWW_URL), exchange(WWW_URL, jsonResponse(HEALTHY_BODY))])),
      },
      summary: /200 from https:\/\/www\.example\.org/,
    },
    {
      name: "IPv6 address shown in brackets",
      facts: { wellKnownServer: wellKnownPrimary(httpFetch([exchange(WK_URL, jsonResponse(HEALTHY_BODY), "2001:db8::10")])) },
      summary: /\[2001:db8::10\]:443/,
    },
    {
      name: "redirect loop is left to wellknown-server-redirects",
      facts: {
        wellKnownServer: wellKnownPrimary(
          httpFetch([redirect(WK_URL, 301, WWW_URL), redirect(WWW_URL, 301, WK_URL)], { redirectLoop: true }),
        ),
      },
      status: "skip",
      summary: /wellknown-server-redirects/,
    },
  ],
  invalid: [
    {
      name: "500",
      facts: { wellKnownServer: wellKnown(response(500, "oops")) },
      status: "warn",
      summary: /\(203\.0\.113\.10:443\) answered 500: peers treat it as no well-known.*cache the error for an hour/,
      fix: /return 200 '\{"m\.server": "example\.org:443"\}'.*return 404;/s,
      details: { status: 500 },
    },
    {
      name: "403 from a WAF",
      facts: { wellKnownServer: wellKnown(response(403, "denied")) },
      status: "warn",
      summary: /answered 403/,
    },
    {
      name: "timeout",
      facts: { wellKnownServer: wellKnown({ code: "timeout", message: "no response in 10 s" }) },
      status: "warn",
      summary: /\(203\.0\.113\.10:443\) timed out: no response in 10 s; peers fall through to SRV/,
      fix: /listen 443 ssl; listen \[::\]:443 ssl;.*ufw allow 443\/tcp/s,
      details: { error: { code: "timeout" } },
    },
    {
      name: "connection refused",
      facts: { wellKnownServer: wellKnown({ code: "refused", message: "ECONNREFUSED 203.0.113.10:443" }) },
      status: "warn",
      summary: /connection refused/,
    },
    {
      name: "TLS handshake error",
      facts: { wellKnownServer: wellKnown({ code: "tls", message: "unable to verify the first certificate" }) },
      status: "warn",
      summary: /TLS handshake failed: unable to verify the first certificate/,
      fix: /certbot certonly --nginx -d example\.org.*fullchain\.pem/s,
    },
    {
      name: "DNS error",
      facts: { wellKnownServer: wellKnown({ code: "dns", message: "ENOTFOUND example.org" }) },
      status: "warn",
      fix: /example\.org\. 3600 IN A <public IPv4>/,
    },
    {
      name: "response over an untrusted certificate",
      facts: { wellKnownServer: wellKnown(untrusted) },
      status: "warn",
      summary: /certificate peers reject \(CERT_HAS_EXPIRED\)/,
      fix: /certbot/,
    },
    {
      name: "untrusted certificate on the redirect target names that host",
      facts: {
        wellKnownServer: wellKnownPrimary(
          httpFetch([redirect(WK_URL, 301, WWW_URL), exchange(WWW_URL, { ...untrusted, tls: { authorized: false, authorizationError: "ERR_TLS_CERT_ALTNAME_INVALID" } })]),
        ),
      },
      status: "warn",
      summary: /^https:\/\/www\.example\.org\/\.well-known\/matrix\/server .*ERR_TLS_CERT_ALTNAME_INVALID/,
      fix: /certbot certonly --nginx -d www\.example\.org/,
    },
    {
      name: "protocol error",
      facts: { wellKnownServer: wellKnown({ code: "protocol", message: "Parse Error: Invalid header value char" }) },
      status: "warn",
      summary: /HTTP protocol error/,
      fix: /curl -v https:\/\/example\.org\/\.well-known\/matrix\/server/,
    },
  ],
});
