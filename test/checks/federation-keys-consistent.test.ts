import check from "../../checks/federation-keys-consistent.js";
import { testCheck } from "../support/check-tester.js";
import { KEY, KEY_PATH, OTHER_KEY, REFUSED, V4, V6, exchange, keyDocument, keyExchange, serverKeys, testKey } from "./_fixtures-keys.js";

const keyPrefix = KEY.publicKeyBase64.slice(0, 8).replace(/[+/]/g, "\\$&");

testCheck(check, {
  valid: [
    {
      name: "both families publish the same key",
      facts: { serverKeys: serverKeys() },
      summary: new RegExp(`^all 2 endpoints publish ed25519:a_bcDE \\(${keyPrefix}…\\)$`),
      details: { identities: 1, endpoints: [{ verifyKeys: [KEY.keyId] }, { verifyKeys: [KEY.keyId] }] },
    },
    {
      name: "one endpoint only",
      facts: { serverKeys: serverKeys([keyExchange(), exchange(KEY_PATH, V6, { error: REFUSED })]) },
      summary: /the only endpoint that answered .*nothing to compare/,
    },
    {
      name: "same keys in a different order, different valid_until_ts",
      facts: {
        serverKeys: serverKeys([
          keyExchange(keyDocument({ keys: [KEY, OTHER_KEY], validUntil: 1 })),
          keyExchange(keyDocument({ keys: [OTHER_KEY, KEY], validUntil: 2 }), V6),
        ]),
      },
    },
    { name: "no document", facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { error: REFUSED })]) }, status: "skip" },
  ],
  invalid: [
    {
      name: "an old install answers on IPv6",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument()), keyExchange(keyDocument({ keys: [OTHER_KEY] }), V6)]) },
      summary: /^2 different signing identities behind example\.test: federation 203\.0\.113\.10:8448 → ed25519:a_bcDE \(.{8}…\); federation \[2001:db8::10\]:8448 → ed25519:b_other \(.{8}…\)$/,
      fix: /global\.private_key.*signing_key_path/,
      details: { identities: 2 },
    },
    {
      name: "same key id, different key",
      facts: {
        serverKeys: serverKeys([
          keyExchange(keyDocument()),
          keyExchange(keyDocument({ keys: [testKey("reinstalled", KEY.keyId)] }), "203.0.113.11"),
          keyExchange(keyDocument(), V6),
        ]),
      },
      summary: /federation 203\.0\.113\.10:8448, federation \[2001:db8::10\]:8448 → ed25519:a_bcDE .*; federation 203\.0\.113\.11:8448 → ed25519:a_bcDE/,
    },
  ],
});
