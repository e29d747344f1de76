// The signing key the config points at exists, is readable, holds a valid ed25519 key in the homeserver's own
// format, is not readable by every user on the machine, and is the key the running server publishes at
// /_matrix/key/v2/server (when that fact is available). A server that starts with a new key keeps its name but
// loses its identity: peers that cached the old key reject its events until they refetch.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { ServerKeysFact } from "../src/engine/facts.js";
import type { HomeserverConfigFact, SigningKeyFact } from "../src/engine/facts/config.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";
import { ed25519VerifyKeys, encodeUnpaddedBase64, keyDocuments } from "../src/matrix/signing.js";

function generateFix(fact: HomeserverConfigFact, path: string): string {
  if (fact.implementation === "dendrite") {
    return (
      `If this server has federated before, restore its old key file from a backup to ${path}: a new key makes peers reject what they cached. ` +
      `Only for a new server: \`/opt/dendrite/bin/generate-keys --private-key ${path}\`, \`chown dendrite: ${path}\`, \`chmod 600 ${path}\`, then \`systemctl restart dendrite\`.`
    );
  }
  return (
    `If this server has federated before, restore its old key from a backup to ${path}. ` +
    `Only for a new server: \`python -m synapse.app.homeserver --config-path ${fact.path} --generate-keys\` writes a new one; then \`chown matrix-synapse: ${path}\` and \`systemctl restart matrix-synapse\`.`
  );
}

function fileFindings(fact: HomeserverConfigFact, key: SigningKeyFact, keyName: string): Finding[] {
  const path = key.path ?? "";
  const file = key.file;
  const docs = fact.implementation === "dendrite" ? DOCS.dendriteSigningKeys : DOCS.synapseKey("signing_key_path");
  const relative =
    fact.implementation === "dendrite" && fact.signingKeyPathRaw && !fact.signingKeyPathRaw.startsWith("/")
      ? ` (${keyName} is the relative path "${fact.signingKeyPathRaw}": Dendrite resolves it against its working directory, matrix-doctor against the config's directory; an absolute path avoids the doubt)`
      : "";
  if (!file) return [];
  if (!file.exists) {
    return fact.implementation === "dendrite"
      ? [{ level: "fail", text: `the signing key ${path} does not exist${relative}: Dendrite refuses to start (failed to load private_key)`, fix: generateFix(fact, path), docs }]
      : [
          {
            level: "warn",
            text: `the signing key ${path} does not exist${fact.signingKeyPathDefaulted ? " (the default <config dir>/<server_name>.signing.key, as signing_key_path is not set)" : ""}: Synapse starts only if it generates a new key`,
            fix: generateFix(fact, path),
            docs,
          },
        ];
  }
  if (file.error === "EISDIR") return [{ level: "fail", text: `the signing key path ${path} is a directory`, fix: `Point ${keyName} at the key file itself in ${fact.path}.`, docs }];
  if (!file.readable) {
    return [
      {
        level: "warn",
        text: `matrix-doctor cannot read the signing key ${path} (${file.error ?? "unreadable"}${file.mode ? `, mode ${file.mode}` : ""}), so it cannot verify it`,
        fix:
          `Run matrix-doctor as the homeserver's user (\`sudo -u ${fact.implementation === "dendrite" ? "dendrite" : "matrix-synapse"} matrix-doctor …\`) or with sudo. ` +
          `If the homeserver's own user cannot read it either, \`chown ${fact.implementation === "dendrite" ? "dendrite" : "matrix-synapse"}: ${path}\`.`,
        docs,
      },
    ];
  }
  return [];
}

/** The served verify keys, by key id, over every key document (base64 without padding). */
function servedKeys(serverKeys: ServerKeysFact): { keys: Map<string, string>; noneBecause?: string; endpoints: number } {
  const { documents, noneBecause } = keyDocuments(serverKeys.responses);
  const keys = new Map<string, string>();
  for (const doc of documents) {
    for (const k of ed25519VerifyKeys(doc.document)) if (k.key) keys.set(k.keyId, encodeUnpaddedBase64(k.key));
  }
  return { keys, endpoints: documents.length, ...(noneBecause && { noneBecause }) };
}

export default defineCheck({
  id: "config-signing-key",
  category: "config",
  title: "The signing key is readable, valid and the one the server publishes",
  docs: DOCS.dendriteSigningKeys,
  requires: ["homeserverConfig"],
  optional: ["serverKeys"],
  run({ homeserverConfig: fact, serverKeys }): Outcome {
    const dendrite = fact.implementation === "dendrite";
    const keyName = dendrite ? "global.private_key" : fact.signingKey?.source === "inline" ? "signing_key" : "signing_key_path";
    const docs = dendrite ? DOCS.dendriteSigningKeys : DOCS.synapseKey("signing_key_path");
    if (dendrite && !fact.signingKeyPath) {
      return {
        status: "fail",
        summary: `${fact.path} sets no global.private_key: Dendrite refuses to start (missing config key "global.private_key")`,
        fix: `Add \`global:\\n  private_key: /etc/dendrite/matrix_key.pem\` to ${fact.path} and create the key with \`/opt/dendrite/bin/generate-keys --private-key /etc/dendrite/matrix_key.pem\` (or restore the server's old key from a backup).`,
        docs,
      };
    }
    const key = fact.signingKey;
    if (!key) {
      return {
        status: "skip",
        summary: fact.signingKeyPath ? `the signing key ${fact.signingKeyPath} was not read` : "no signing key to check: the config sets neither signing_key_path nor server_name",
      };
    }

    const where = key.source === "inline" ? `signing_key (${at(fact, "signing_key")})` : (key.path ?? "");
    const findings = fileFindings(fact, key, keyName);
    const details: Record<string, unknown> = {
      source: key.source,
      ...(key.path && { path: key.path }),
      ...(key.file?.mode && { mode: key.file.mode }),
      ...(key.format && { format: key.format }),
      keys: key.keys,
    };

    if (findings.length === 0 && key.problem) {
      const expected = dendrite ? `Dendrite's PEM format (-----BEGIN MATRIX PRIVATE KEY----- / Key-ID: ed25519:<id> / base64 seed)` : `Synapse's format, one line "ed25519 <version> <base64 seed>"`;
      findings.push({
        level: "fail",
        text: `the signing key ${where} ${key.problem}: ${dendrite ? "Dendrite" : "Synapse"} refuses to start`,
        fix: `Put the server's signing key there in ${expected}; the conversion between the two formats is in ${DOCS.dendriteSigningKeys}#converting-synapse-keys. ${generateFix(fact, key.path ?? "/etc/matrix-synapse/example.org.signing.key")}`,
        docs,
      });
    }
    if (key.file?.worldReadable && key.file.readable !== false) {
      const user = dendrite ? "dendrite" : "matrix-synapse";
      findings.push({
        level: "warn",
        text: `the signing key ${key.path} is readable by every user on the machine (mode ${key.file.mode}): whoever copies it can impersonate the server`,
        fix: `\`chown ${user}: ${key.path} && chmod 600 ${key.path}\``,
        docs,
      });
    }

    const own = key.keys[0];
    let compared = "";
    if (own && findings.every((f) => f.level !== "fail") && serverKeys) {
      const served = servedKeys(serverKeys);
      details["served"] = Object.fromEntries(served.keys);
      if (served.keys.size === 0) {
        details["notCompared"] = served.noneBecause ?? "the key documents list no ed25519 key";
      } else {
        const servedKey = served.keys.get(own.keyId);
        const list = [...served.keys.keys()].join(", ");
        const restart = dendrite ? "systemctl restart dendrite" : "systemctl restart matrix-synapse";
        if (servedKey === undefined) {
          findings.push({
            level: "fail",
            text: `the config's key ${own.keyId} is not what the server publishes (/_matrix/key/v2/server lists ${list}): the running server uses another key file, or this is not its config`,
            fix:
              `Find the key the running server uses (\`systemctl cat ${dendrite ? "dendrite" : "matrix-synapse"}\` shows its --config; \`journalctl -u ${dendrite ? "dendrite" : "matrix-synapse"} | grep -i key\`). ` +
              `Keep that key: point ${keyName} in ${fact.path} at it. Only if ${own.keyId} is the intended new key, \`${restart}\` and list the old one under ${dendrite ? "global.old_private_keys" : "old_signing_keys"} so peers can still verify old events.`,
            docs,
          });
        } else if (servedKey !== own.publicKey) {
          findings.push({
            level: "fail",
            text: `key ${own.keyId} in the config has public key ${own.publicKey}, but the server publishes ${servedKey} under the same id: two different keys share one key id`,
            fix: `Peers cache keys by id, so one id must never name two keys. Restore the key file the server started with to ${key.path ?? keyName}, or \`${restart}\` with a newly generated key that has a new key id (and list the old one under ${dendrite ? "global.old_private_keys" : "old_signing_keys"}).`,
            docs,
          });
        } else {
          compared = `; it is the key /_matrix/key/v2/server publishes (${served.endpoints} document${served.endpoints === 1 ? "" : "s"})`;
          details["matchesServed"] = true;
        }
      }
    }

    const mode = key.file?.mode ? `, mode ${key.file.mode}` : "";
    const ids = key.keys.map((k) => k.keyId).join(", ");
    return verdict(findings, `${where}${mode}: ${ids} (ed25519, public key ${own?.publicKey ?? "?"})${compared}`, details);
  },
});
