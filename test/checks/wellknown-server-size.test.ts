import check from "../../checks/wellknown-server-size.js";
import { testCheck } from "../support/check-tester.js";
import { jsonResponse, response, wellKnown } from "./_fixtures-wellknown.js";

const padded = (bytes: number) => {
  const head = '{"m.server": "matrix.example.org:443", "pad": "';
  return `${head}${"x".repeat(bytes - head.length - 2)}"}`;
};

testCheck(check, {
  valid: [
    { name: "small body", facts: { wellKnownServer: wellKnown() }, summary: /^37 bytes \(limit 51200\)$/, details: { bodyBytes: 37 } },
    {
      name: "exactly 50 KiB",
      facts: { wellKnownServer: wellKnown(response(200, padded(51200))) },
      details: { bodyBytes: 51200, truncated: false },
    },
    {
      name: "a large 404 page does not matter",
      facts: { wellKnownServer: wellKnown(response(404, "x".repeat(80_000))) },
      status: "skip",
      summary: /404/,
    },
    {
      name: "skipped without a response",
      facts: { wellKnownServer: wellKnown({ code: "refused", message: "ECONNREFUSED" }) },
      status: "skip",
      summary: /wellknown-server-fetch/,
    },
  ],
  invalid: [
    {
      name: "one byte over",
      facts: { wellKnownServer: wellKnown(response(200, padded(51201))) },
      summary: /is 51201 bytes, over the 51200-byte limit: gomatrixserverlib rejects it/,
      fix: /return 200 '\{"m\.server": "matrix\.example\.org:443"\}'/,
    },
    {
      name: "truncated by the probe",
      facts: { wellKnownServer: wellKnown({ ...response(200, padded(65536)), truncated: true }) },
      summary: /at least 65536 bytes/,
      details: { truncated: true },
    },
    {
      name: "truncated without a readable m.server falls back to the host",
      facts: { wellKnownServer: wellKnown({ ...response(200, "y".repeat(65536)), truncated: true }) },
      fix: /"m\.server": "example\.org:443"/,
    },
    {
      name: "huge JSON",
      facts: { wellKnownServer: wellKnown(jsonResponse({ "m.server": "m.example.org:8448", junk: "z".repeat(100_000) })) },
      fix: /"m\.server": "m\.example\.org:8448"/,
    },
  ],
});
