// verify_keys holds at least one ed25519 key, each Base64 of exactly 32 bytes (peers cannot verify anything
// otherwise), with a key version of [a-zA-Z0-9_] (spec; other characters only warn). old_verify_keys entries, which
// peers need to check events signed before a key rotation, carry `key` and `expired_ts` (warn if not; no other
// tool checks this).

import { defineCheck, type Outcome } from "../src/engine/check.js";
import { isJsonObject } from "../src/engine/describe.js";
import { decodeUnpaddedBase64, ed25519VerifyKeys, keyDocuments } from "../src/matrix/signing.js";

const KEY_VERSION = /^[a-zA-Z0-9_]+$/;

interface Problem {
  level: "warn" | "fail";
  text: string;
  fix: string;
}

const NEW_KEY_FIX =
  "Publish a valid signing key: compare with what the homeserver itself serves (`curl -s http://127.0.0.1:8008/_matrix/key/v2/server | jq .verify_keys`). " +
  "Dendrite reads it from `global.private_key: matrix_key.pem` (create one with `generate-keys --private-key matrix_key.pem`); Synapse from " +
  "`signing_key_path` in homeserver.yaml (`--generate-keys` creates a missing one). A new key is a new identity towards peers: keep the old one " +
  "in old_verify_keys (Dendrite `global.old_private_keys`, Synapse `old_signing_keys`).";

const OLD_KEYS_FIX =
  "Each old key needs its public key and the time it stopped being used: Dendrite `global.old_private_keys: [{private_key: old_matrix_key.pem, " +
  "expired_at: 1700000000000}]` (or `public_key`, `key_id` and `expired_at`); Synapse `old_signing_keys: {\"ed25519:old\": {key: \"<base64>\", " +
  "expired_ts: 1700000000000}}`.";

function keyProblems(document: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const verifyKeys = document["verify_keys"];
  if (!isJsonObject(verifyKeys)) return [{ level: "fail", text: "the key document has no verify_keys object", fix: NEW_KEY_FIX }];

  const ed25519 = ed25519VerifyKeys(document);
  if (ed25519.length === 0) {
    const ids = Object.keys(verifyKeys);
    return [{ level: "fail", text: `no ed25519 key in verify_keys${ids.length > 0 ? ` (only ${ids.join(", ")})` : " (it is empty)"}`, fix: NEW_KEY_FIX }];
  }
  for (const { keyId, encoded, key } of ed25519) {
    if (!key) {
      const decoded = typeof encoded === "string" ? decodeUnpaddedBase64(encoded) : undefined;
      const why =
        typeof encoded !== "string"
          ? "has no key string"
          : decoded
            ? `decodes to ${decoded.length} bytes, not 32`
            : "is not valid unpadded Base64";
      problems.push({ level: "fail", text: `${keyId} ${why}`, fix: NEW_KEY_FIX });
    }
    const version = keyId.slice("ed25519:".length);
    if (!KEY_VERSION.test(version)) {
      problems.push({
        level: "warn",
        text: `key version "${version}" of ${keyId} has characters outside [a-zA-Z0-9_]`,
        fix:
          "Peers may reject such key ids. Rotate to a key whose version uses only a-z, A-Z, 0-9 and _ (Dendrite: the `Key-ID: ed25519:<version>` " +
          `line in matrix_key.pem; Synapse: the second word of the signing key file) and keep the old key in old_verify_keys. ${OLD_KEYS_FIX}`,
      });
    }
  }

  const oldKeys = document["old_verify_keys"];
  if (oldKeys !== undefined && !isJsonObject(oldKeys)) {
    problems.push({ level: "warn", text: "old_verify_keys is not an object", fix: OLD_KEYS_FIX });
  } else if (oldKeys) {
    for (const [keyId, entry] of Object.entries(oldKeys)) {
      const encoded = isJsonObject(entry) ? entry["key"] : undefined;
      const expiredTs = isJsonObject(entry) ? entry["expired_ts"] : undefined;
      const missing = [
        ...(typeof encoded !== "string" || !decodeUnpaddedBase64(encoded) ? ["a Base64 key"] : []),
        ...(typeof expiredTs !== "number" || !Number.isSafeInteger(expiredTs) ? ["an integer expired_ts"] : []),
      ];
      if (missing.length > 0) problems.push({ level: "warn", text: `old key ${keyId} lacks ${missing.join(" and ")}`, fix: OLD_KEYS_FIX });
    }
  }
  return problems;
}

export default defineCheck({
  id: "federation-keys-ed25519",
  category: "federation",
  title: "An ed25519 signing key is published",
  docs: "https://spec.matrix.org/latest/server-server-api/#publishing-keys",
  requires: ["serverKeys"],
  run({ serverKeys }): Outcome {
    const { documents, noneBecause } = keyDocuments(serverKeys.responses);
    if (documents.length === 0) return { status: "skip", summary: noneBecause ?? "no key document" };

    // Problems keyed by text, so the same broken document behind two addresses is one finding.
    const byText = new Map<string, Problem & { endpoints: string[] }>();
    for (const { endpoint, document } of documents) {
      for (const problem of keyProblems(document)) {
        const entry = byText.get(problem.text) ?? { ...problem, endpoints: [] };
        entry.endpoints.push(`federation ${endpoint}`);
        byText.set(problem.text, entry);
      }
    }
    const first = documents[0]?.document ?? {};
    const keyIds = ed25519VerifyKeys(first).map((k) => k.keyId);
    const oldKeys = first["old_verify_keys"];
    const oldKeyIds = isJsonObject(oldKeys) ? Object.keys(oldKeys) : [];
    const details = { keyIds, oldKeyIds };

    const problems = [...byText.values()];
    const worst = problems.some((p) => p.level === "fail") ? "fail" : problems.length > 0 ? "warn" : "pass";
    if (worst === "pass") {
      const old = oldKeyIds.length === 0 ? "no old keys" : `old keys ${oldKeyIds.join(", ")}`;
      return { status: "pass", summary: `${keyIds.join(", ")} (32-byte ed25519 key${keyIds.length > 1 ? "s" : ""}); ${old}`, details };
    }
    const shown = problems.filter((p) => p.level === worst);
    const [top] = shown;
    const more = shown.length > 1 ? ` (+${shown.length - 1} more)` : "";
    return {
      status: worst,
      summary: `${top?.endpoints.join(", ")}: ${top?.text}${more}`,
      fix: [...new Set(shown.map((p) => p.fix))].join("\n"),
      details,
    };
  },
});
