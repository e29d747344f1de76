import check from "../../checks/wellknown-server-cache.js";
import { testCheck } from "../support/check-tester.js";
import { jsonResponse, response, wellKnown } from "./_fixtures-wellknown.js";

const withHeaders = (headers: Record<string, string>) => ({ wellKnownServer: wellKnown(jsonResponse({ "m.server": "matrix.example.org:443" }, headers)) });

testCheck(check, {
  valid: [
    {
      name: "no cache headers",
      facts: withHeaders({}),
      summary: /^no cache headers: peers cache it for 24 h by default$/,
      details: { source: "default", ttlSeconds: 86400, expiresAt: "2026-11-27T12:00:00.000Z" },
    },
    {
      name: "max-age",
      facts: withHeaders({ "cache-control": "public, max-age=3600" }),
      summary: /peers cache it for 1 h \(Cache-Control: public, max-age=3600\), until 2026-11-26T13:00:00\.000Z/,
      details: { source: "cache-control", ttlSeconds: 3600 },
    },
    {
      name: "max-age beyond 48 h is capped",
      facts: withHeaders({ "cache-control": "max-age=604800" }),
      summary: /168 h.*peers cap it at 48 h/,
    },
    {
      name: "a very short max-age",
      facts: withHeaders({ "cache-control": "max-age=60" }),
      summary: /1 min.*at least 5 min/,
    },
    {
      name: "Expires relative to the Date header",
      facts: withHeaders({ date: "Wed, 25 Nov 2026 10:00:00 GMT", expires: "Wed, 25 Nov 2026 16:00:00 GMT" }),
      summary: /6 h \(Expires: /,
      details: { source: "expires", ttlSeconds: 21600 },
    },
    {
      name: "Expires relative to now without a Date header",
      facts: withHeaders({ expires: "Thu, 26 Nov 2026 14:00:00 GMT" }),
      details: { ttlSeconds: 7200 },
    },
    {
      name: "max-age wins over Expires",
      facts: withHeaders({ "cache-control": "max-age=7200", expires: "Thu, 01 Jan 1970 00:00:00 GMT" }),
      details: { source: "cache-control", ttlSeconds: 7200 },
    },
    { name: "skipped on 404", facts: { wellKnownServer: wellKnown(response(404)) }, status: "skip", summary: /wellknown-server-fetch/ },
  ],
  invalid: [
    {
      name: "no-store",
      facts: withHeaders({ "cache-control": "no-store" }),
      status: "warn",
      summary: /Cache-Control: no-store \(no-store\) makes peers refetch/,
      fix: /remove what sends "Cache-Control: no-store".*expires 24h;/,
    },
    {
      name: "no-cache with a max-age",
      facts: withHeaders({ "cache-control": "no-cache, max-age=3600" }),
      status: "warn",
      summary: /no-cache/,
    },
    {
      name: "max-age=0",
      facts: withHeaders({ "cache-control": "max-age=0" }),
      status: "warn",
      summary: /max-age=0: the well-known is already expired/,
      details: { ttlSeconds: 0 },
    },
    {
      name: "Expires in the past",
      facts: withHeaders({ date: "Thu, 26 Nov 2026 12:00:00 GMT", expires: "Thu, 01 Jan 1970 00:00:00 GMT" }),
      status: "warn",
      fix: /"Expires: Thu, 01 Jan 1970/,
    },
    {
      name: 'invalid Expires ("0") means already expired',
      facts: withHeaders({ expires: "0" }),
      status: "warn",
      summary: /Expires: 0/,
    },
  ],
});
