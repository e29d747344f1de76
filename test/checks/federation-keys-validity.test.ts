import check from "../../checks/federation-keys-validity.js";
import { TEST_NOW, testCheck } from "../support/check-tester.js";
import {
  DAY,
  HOUR,
  KEY_PATH,
  REFUSED,
  V4,
  V6,
  exchange,
  keyDocument,
  keyExchange,
  response,
  serverKeys,
} from "./_fixtures-keys.js";

testCheck(check, {
  valid: [
    {
      name: "Dendrite's default 7 days",
      facts: { serverKeys: serverKeys() },
      summary: /^signing keys valid until 2026-12-03T12:00:00\.000Z \(in 7 days\)$/,
      details: { validUntil: TEST_NOW + 7 * DAY, validUntilIso: "2026-12-03T12:00:00.000Z" },
    },
    {
      name: "Synapse-like 1 day; the earliest endpoint counts",
      facts: {
        serverKeys: serverKeys([keyExchange(keyDocument({ validUntil: TEST_NOW + 30 * HOUR })), keyExchange(keyDocument({ validUntil: TEST_NOW + 5 * HOUR }), V6)]),
      },
      summary: /in 5 hours/,
      details: { validUntil: TEST_NOW + 5 * HOUR },
    },
    { name: "30 days notes the 7-day cap", facts: { serverKeys: serverKeys([keyExchange(keyDocument({ validUntil: TEST_NOW + 30 * DAY }))]) }, summary: /at most 7 days/ },
    {
      name: "no document: the key fetch failed elsewhere",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { response: response(404, "<html>") })]) },
      status: "skip",
      summary: /federation-keys-server-name/,
    },
    {
      name: "no document: unreachable",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { error: REFUSED })]) },
      status: "skip",
      summary: /tls-handshake/,
    },
  ],
  invalid: [
    {
      name: "expired (served from a cache)",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ validUntil: TEST_NOW - 3 * DAY }))]) },
      summary: /^federation 203\.0\.113\.10:8448: the key document expired 3 days ago \(valid_until_ts 2026-11-23T12:00:00\.000Z\)$/,
      fix: /proxy_cache.*timedatectl.*key_validity_period/,
      details: { validUntil: TEST_NOW - 3 * DAY },
    },
    {
      name: "expires within the hour",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument()), keyExchange(keyDocument({ validUntil: TEST_NOW + 20 * 60_000 }), V6)]) },
      status: "warn",
      summary: /^federation \[2001:db8::10\]:8448: the key document expires in 20 minutes/,
    },
    {
      name: "valid_until_ts missing",
      facts: { serverKeys: serverKeys([keyExchange({ server_name: "example.test", verify_keys: {} })]) },
      summary: /valid_until_ts is missing/,
    },
    {
      name: "valid_until_ts as a string",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ extra: { valid_until_ts: "1764240000000" } }))]) },
      summary: /not an integer \("1764240000000"\)/,
    },
  ],
});
