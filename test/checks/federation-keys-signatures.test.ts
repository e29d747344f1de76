import check from "../../checks/federation-keys-signatures.js";
import { TEST_NOW, testCheck } from "../support/check-tester.js";
import {
  DAY,
  KEY,
  KEY_PATH,
  OTHER_KEY,
  REFUSED,
  SERVER_NAME,
  V4,
  V6,
  exchange,
  keyDocument,
  keyExchange,
  serverKeys,
  signJson,
} from "./_fixtures-keys.js";

const healthy = keyDocument();
const { signatures: _dropped, ...unsignedDocument } = healthy;
const validUntil = TEST_NOW + 7 * DAY;

testCheck(check, {
  valid: [
    {
      name: "Dendrite-style document on both families",
      facts: { serverKeys: serverKeys() },
      summary: /^ed25519:a_bcDE signature verifies over canonical JSON \(2 endpoints\)$/,
      details: { verified: [KEY.keyId], problems: [] },
    },
    {
      name: "two keys, both signed",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ keys: [KEY, OTHER_KEY] }))]) },
      summary: /ed25519:a_bcDE, ed25519:b_other signatures verify/,
    },
    {
      name: "pretty-printed body with reordered keys and an unsigned section",
      facts: {
        serverKeys: serverKeys([
          keyExchange(
            JSON.stringify({ unsigned: { cached: true }, verify_keys: healthy["verify_keys"], ...healthy, signatures: healthy["signatures"] }, null, 2),
          ),
        ]),
      },
    },
    {
      name: "an extra notary signature does not matter",
      facts: { serverKeys: serverKeys([keyExchange(signJson(keyDocument(), "notary.test", OTHER_KEY))]) },
    },
    {
      name: "no document",
      facts: { serverKeys: serverKeys([exchange(KEY_PATH, V4, { error: REFUSED })]) },
      status: "skip",
    },
    {
      name: "no usable key is federation-keys-ed25519's finding",
      facts: { serverKeys: serverKeys([keyExchange(keyDocument({ extra: { verify_keys: { [KEY.keyId]: { key: "AAAA" } } } }))]) },
      status: "skip",
      summary: /federation-keys-ed25519/,
    },
  ],
  invalid: [
    {
      name: "valid_until_ts changed after signing (a cache rewrote it)",
      facts: { serverKeys: serverKeys([keyExchange({ ...healthy, valid_until_ts: validUntil + 1 })]) },
      summary: /^federation 203\.0\.113\.10:8448: the ed25519:a_bcDE signature does not verify: the content changed after signing, or another key signed it$/,
      fix: /curl -s http:\/\/127\.0\.0\.1:8008\/_matrix\/key\/v2\/server.*curl -s --resolve example\.test:8448:203\.0\.113\.10 https:\/\/example\.test:8448\/_matrix\/key\/v2\/server/,
      details: { verified: [] },
    },
    {
      name: "signed by a key it does not publish",
      facts: {
        serverKeys: serverKeys([
          keyExchange({ ...unsignedDocument, signatures: signJson(unsignedDocument, SERVER_NAME, { ...OTHER_KEY, keyId: KEY.keyId })["signatures"] }),
          keyExchange({ ...unsignedDocument, signatures: signJson(unsignedDocument, SERVER_NAME, { ...OTHER_KEY, keyId: KEY.keyId })["signatures"] }, V6),
        ]),
      },
      summary: /^federation 203\.0\.113\.10:8448, federation \[2001:db8::10\]:8448: the ed25519:a_bcDE signature does not verify/,
      fix: /global\.private_key/,
    },
    {
      name: "one of two keys unsigned",
      facts: {
        serverKeys: serverKeys([
          keyExchange(
            signJson({ ...unsignedDocument, verify_keys: { [KEY.keyId]: { key: KEY.publicKeyBase64 }, [OTHER_KEY.keyId]: { key: OTHER_KEY.publicKeyBase64 } } }, SERVER_NAME, KEY),
          ),
        ]),
      },
      summary: /the ed25519:b_other signature is missing: example\.test has no ed25519:b_other signature/,
      details: { verified: [KEY.keyId] },
    },
    {
      name: "no signatures at all",
      facts: { serverKeys: serverKeys([keyExchange(unsignedDocument)]) },
      summary: /signature is missing: the object has no signatures/,
    },
    {
      name: "signed under another name",
      facts: { serverKeys: serverKeys([keyExchange(signJson(unsignedDocument, "matrix.example.test", KEY))]) },
      summary: /is missing: there are no signatures by example\.test/,
    },
    {
      name: "a float in the raw body",
      facts: { serverKeys: serverKeys([keyExchange(JSON.stringify(healthy).replace(`"valid_until_ts":${validUntil}`, `"valid_until_ts":${validUntil}.0`))]) },
      summary: new RegExp(`contains ${validUntil}\\.0, which canonical JSON does not allow .*cannot be reproduced`),
      fix: /rewrites the JSON/,
    },
    {
      name: "an exponent in the raw body",
      facts: { serverKeys: serverKeys([keyExchange(JSON.stringify(healthy).replace(`"valid_until_ts":${validUntil}`, '"valid_until_ts":1.7648e12'))]) },
      summary: /contains 1\.7648e12/,
    },
    {
      name: "a lone surrogate cannot be canonicalised",
      facts: { serverKeys: serverKeys([keyExchange(JSON.stringify({ ...healthy, old_verify_keys: { "\ud800": {} } }))]) },
      summary: /cannot be checked: the object is not canonical JSON \(old_verify_keys: string contains a lone UTF-16 surrogate\)/,
    },
    {
      name: "a malformed signature",
      facts: { serverKeys: serverKeys([keyExchange({ ...healthy, signatures: { [SERVER_NAME]: { [KEY.keyId]: "not base64!" } } })]) },
      summary: /signature is not valid Base64/,
    },
  ],
});
