// Every endpoint publishes the same verify_keys. Two different sets mean two signing identities behind one
// server name (two backends, or an old install still answering on one address): peers cache whichever they saw
// first and reject events signed with the other, so federation fails towards some servers only. No existing
// tester compares endpoints this way.

import { defineCheck, fail, pass, skip } from "../src/engine/check.js";
import { isJsonObject } from "../src/engine/describe.js";
import { keyDocuments } from "../src/matrix/signing.js";

/** verify_keys as sorted "keyId=key" pairs: the identity an endpoint claims. */
function identity(verifyKeys: unknown): string[] {
  if (!isJsonObject(verifyKeys)) return [];
  return Object.entries(verifyKeys)
    .map(([keyId, entry]) => `${keyId}=${isJsonObject(entry) && typeof entry["key"] === "string" ? entry["key"] : "?"}`)
    .sort();
}

function describeIdentity(pairs: string[]): string {
  if (pairs.length === 0) return "no keys";
  return pairs.map((pair) => {
    const [keyId, key = ""] = pair.split("=", 2);
    return `${keyId} (${key.slice(0, 8)}…)`;
  }).join(", ");
}

export default defineCheck({
  id: "federation-keys-consistent",
  category: "federation",
  title: "Every endpoint publishes the same signing keys",
  docs: "https://spec.matrix.org/latest/server-server-api/#retrieving-server-keys",
  requires: ["serverKeys"],
  run({ serverKeys }) {
    const { documents, noneBecause } = keyDocuments(serverKeys.responses);
    if (documents.length === 0) return skip(noneBecause ?? "no key document");

    const endpoints = documents.map((d) => ({ endpoint: `federation ${d.endpoint}`, keys: identity(d.document["verify_keys"]) }));
    const groups = new Map<string, { keys: string[]; endpoints: string[] }>();
    for (const e of endpoints) {
      const fingerprint = e.keys.join("\n");
      const group = groups.get(fingerprint) ?? { keys: e.keys, endpoints: [] };
      group.endpoints.push(e.endpoint);
      groups.set(fingerprint, group);
    }
    const details = {
      endpoints: endpoints.map((e) => ({ endpoint: e.endpoint, verifyKeys: e.keys.map((pair) => pair.split("=", 1)[0]) })),
      identities: groups.size,
    };
    // Judgement: a single answering endpoint passes; there is nothing it could disagree with.
    const [only] = groups.values();
    if (groups.size === 1 && only) {
      return pass(
        documents.length === 1
          ? `the only endpoint that answered publishes ${describeIdentity(only.keys)}; nothing to compare`
          : `all ${documents.length} endpoints publish ${describeIdentity(only.keys)}`,
        details,
      );
    }

    const listing = [...groups.values()].map((g) => `${g.endpoints.join(", ")} → ${describeIdentity(g.keys)}`).join("; ");
    return fail(
      `${groups.size} different signing identities behind ${serverKeys.serverName}: ${listing}`,
      `Every backend that answers for ${serverKeys.serverName} must sign with the same key: copy the signing key file (Dendrite ` +
        `\`global.private_key\`, e.g. matrix_key.pem; Synapse \`signing_key_path\`) from the real homeserver to the others and restart them, ` +
        `or remove the stale address from DNS (an old install still answering on one address is the usual cause).`,
      details,
    );
  },
});
