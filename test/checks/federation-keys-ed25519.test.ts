import check from "../../checks/federation-keys-ed25519.js";
import { testCheck } from "../support/check-tester.js";
import { KEY, KEY_PATH, OTHER_KEY, V4, V6, exchange, keyDocument, keyExchange, response, serverKeys, testKey } from "./_fixtures-keys.js";

const docWith = (extra: Record<string, unknown>) => ({ serverKeys: serverKeys([keyExchange(keyDocument({ extra }))]) });

testCheck(check, {
  valid: [
    {
      name: "one Dendrite key",
      facts: { serverKeys: serverKeys() },
      summary: /^ed25519:a_bcDE \(32-byte ed25519 key\); no old keys$/,
      details: { keyIds: [KEY.keyId], oldKeyIds: [] },
    },
    {
      name: "two keys and a well-formed old key",
      facts: {
        serverKeys: serverKeys([
          keyExchange(keyDocument({ keys: [KEY, OTHER_KEY], oldVerifyKeys: { "ed25519:old_1": { key: testKey("old").publicKeyBase64, expired_ts: 1_700_000_000_000 } } })),
        ]),
      },
      summary: /ed25519:a_bcDE, ed25519:b_other \(32-byte ed25519 keys\); old keys ed25519:old_1/,
    },
    {
      name: "padded Base64 is accepted",
      facts: docWith({ verify_keys: { [KEY.keyId]: { key: `${KEY.publicKeyBase64}=` } } }),
    },
    {
      name: "no document",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { response: response(500, "{}") })]) },
      status: "skip",
    },
  ],
  invalid: [
    {
      name: "no ed25519 key",
      facts: docWith({ verify_keys: { "curve25519:x": { key: KEY.publicKeyBase64 } } }),
      summary: /no ed25519 key in verify_keys \(only curve25519:x\)/,
      fix: /generate-keys --private-key matrix_key\.pem.*signing_key_path/,
    },
    { name: "empty verify_keys", facts: docWith({ verify_keys: {} }), summary: /\(it is empty\)/ },
    { name: "verify_keys missing", facts: docWith({ verify_keys: null }), summary: /no verify_keys object/ },
    {
      name: "a 31-byte key on both endpoints is one finding",
      facts: {
        serverKeys: serverKeys([
          keyExchange(keyDocument({ extra: { verify_keys: { [KEY.keyId]: { key: Buffer.alloc(31, 7).toString("base64") } } } })),
          keyExchange(keyDocument({ extra: { verify_keys: { [KEY.keyId]: { key: Buffer.alloc(31, 7).toString("base64") } } } }), V6),
        ]),
      },
      summary: /^federation 203\.0\.113\.10:8448, federation \[2001:db8::10\]:8448: ed25519:a_bcDE decodes to 31 bytes, not 32$/,
    },
    {
      name: "URL-safe Base64 key",
      facts: docWith({ verify_keys: { [KEY.keyId]: { key: KEY.publicKeyBase64.replace(/\+/g, "-").replace(/\//g, "_") + "-_" } } }),
      summary: /is not valid unpadded Base64/,
    },
    { name: "key entry without key", facts: docWith({ verify_keys: { [KEY.keyId]: {} } }), summary: /has no key string/ },
    {
      name: "key version with a dash",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ keys: [testKey("dash", "ed25519:key-1")] }))]) },
      status: "warn",
      summary: /key version "key-1" of ed25519:key-1 has characters outside \[a-zA-Z0-9_\]/,
      fix: /Key-ID: ed25519:<version>/,
    },
    {
      name: "old key without expired_ts",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ oldVerifyKeys: { "ed25519:old": { key: testKey("old").publicKeyBase64 } } }))]) },
      status: "warn",
      summary: /old key ed25519:old lacks an integer expired_ts/,
      fix: /old_private_keys.*old_signing_keys/,
    },
    {
      name: "old key without anything",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ oldVerifyKeys: { "ed25519:old": "x" } }))]) },
      status: "warn",
      summary: /lacks a Base64 key and an integer expired_ts/,
    },
  ],
});
