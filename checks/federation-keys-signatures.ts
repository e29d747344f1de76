// The key document is self-signed: for every ed25519 key in verify_keys, signatures[server_name][key id] exists
// and verifies over the canonical JSON of the document without `signatures` and `unsigned` (spec appendix
// "Checking for a Signature"), which is what every peer checks before trusting the keys. A document with floats,
// exponents, -0 or out-of-range integers fails too: no peer can reproduce the signed bytes.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import { curlTarget } from "../src/engine/describe.js";
import type { HttpExchange } from "../src/engine/facts.js";
import { findNonCanonicalNumbers } from "../src/matrix/canonical-json.js";
import { ed25519VerifyKeys, keyDocuments, verifySignedJson } from "../src/matrix/signing.js";

const KEY_PATH = "/_matrix/key/v2/server";

function compareFix(exchange: HttpExchange): string {
  const { host, resolve } = curlTarget(exchange);
  return (
    `Compare what the homeserver signs with what peers receive: \`curl -s http://127.0.0.1:8008${KEY_PATH}\` on the server against ` +
    `\`curl -s${resolve} https://${host}:${exchange.port}${KEY_PATH}\`. If only the public answer is wrong, the proxy or a CDN alters responses (disable body ` +
    `rewriting and caching for /_matrix); if the homeserver's own answer fails too, it signs with a key other than the one it publishes: check ` +
    `Dendrite \`global.private_key\` / Synapse \`signing_key_path\` and restart it.`
  );
}

export default defineCheck({
  id: "federation-keys-signatures",
  category: "federation",
  title: "The key document's signatures verify",
  docs: "https://spec.matrix.org/latest/appendices/#checking-for-a-signature",
  requires: ["serverKeys"],
  run({ serverKeys }): Outcome {
    const { documents, noneBecause } = keyDocuments(serverKeys.responses);
    if (documents.length === 0) return { status: "skip", summary: noneBecause ?? "no key document" };

    const problems: { endpoint: string; text: string; exchange: HttpExchange; rewritten: boolean }[] = [];
    const verified: string[] = [];
    let anyUsableKey = false;
    for (const { endpoint, document, rawBody, exchange } of documents) {
      const where = `federation ${endpoint}`;
      // Judgement: the document's own server_name is the signer, so a name mismatch (federation-keys-server-name's
      // finding) does not also show up here as a missing signature.
      const signer = typeof document["server_name"] === "string" ? document["server_name"] : serverKeys.serverName;
      const keys = ed25519VerifyKeys(document).filter((k) => k.key !== undefined);
      if (keys.length === 0) continue;
      anyUsableKey = true;

      const nonCanonical = findNonCanonicalNumbers(rawBody);
      if (nonCanonical.length > 0) {
        problems.push({
          endpoint: where,
          text: `the key document contains ${nonCanonical.slice(0, 3).join(", ")}, which canonical JSON does not allow (integers within ±(2^53 − 1) only), so its signature cannot be reproduced`,
          exchange,
          rewritten: true,
        });
        continue;
      }
      for (const { keyId, key } of keys) {
        if (!key) continue;
        const verdict = verifySignedJson(document, signer, keyId, key);
        if (verdict.ok) verified.push(keyId);
        else problems.push({ endpoint: where, text: `the ${keyId} signature ${verdict.reason}`, exchange, rewritten: false });
      }
    }
    if (!anyUsableKey) return { status: "skip", summary: "no usable ed25519 key to verify with (federation-keys-ed25519 reports it)" };

    const keyIds = [...new Set(verified)];
    const details = {
      verified: keyIds,
      problems: problems.map((p) => ({ endpoint: p.endpoint, problem: p.text })),
    };
    const [firstProblem] = problems;
    if (!firstProblem) {
      const count = documents.length === 1 ? "1 endpoint" : `${documents.length} endpoints`;
      const verb = keyIds.length > 1 ? "signatures verify" : "signature verifies";
      return { status: "pass", summary: `${keyIds.join(", ")} ${verb} over canonical JSON (${count})`, details };
    }
    // The same failure behind several addresses is told once.
    const byText = new Map<string, string[]>();
    for (const p of problems) byText.set(p.text, [...(byText.get(p.text) ?? []), p.endpoint]);
    const [[text, endpoints] = ["", []], ...others] = byText;
    const more = others.length > 0 ? ` (+${others.length} more problem${others.length > 1 ? "s" : ""})` : "";
    return {
      status: "fail",
      summary: `${endpoints.join(", ")}: ${text}${more}`,
      fix:
        (problems.some((p) => p.rewritten) ? "A homeserver writes only integers here, so something between it and the peers rewrites the JSON. " : "") +
        compareFix(firstProblem.exchange),
      details,
    };
  },
});
