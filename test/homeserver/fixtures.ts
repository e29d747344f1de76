// Config facts for the config check tests: the real Dendrite v0.13.8 sample, the rig's edit of it, and a Synapse
// homeserver.yaml written after Synapse's docs, each changed with small YAML edits and read by the same reader the
// probe uses (parseHomeserverConfig), so line numbers and derived fields are real.

import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { FileStatus, HomeserverConfigFact, SigningKeyFact } from "../../src/engine/facts/config.js";
import { parseHomeserverConfig } from "../../src/homeserver/config.js";
import { encodeUnpaddedBase64 } from "../../src/matrix/signing.js";

const dir = new URL("../fixtures/config/", import.meta.url);
export const SAMPLE_TEXT = readFileSync(new URL("dendrite-sample.yaml", dir), "utf8");
export const RIG_TEXT = readFileSync(new URL("dendrite-rig.yaml", dir), "utf8");
export const SYNAPSE_TEXT = readFileSync(new URL("synapse-homeserver.yaml", dir), "utf8");

export const DENDRITE_PATH = "/etc/dendrite/dendrite.yaml";
export const SYNAPSE_PATH = "/etc/matrix-synapse/homeserver.yaml";

/** A dotted path → value; `undefined` deletes the key. */
export type Edits = Record<string, unknown>;

/** Apply edits to YAML text (comments and order kept; new keys appended to their mapping). */
export function edit(text: string, edits: Edits = {}): string {
  const doc = parseDocument(text, { version: "1.1" });
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split(".");
    if (value === undefined) {
      if (doc.hasIn(keys)) doc.deleteIn(keys);
    }
    else {
      // setIn would create missing parents as YAML 1.1 !!omap; create them as plain mappings instead.
      let depth = keys.length - 1;
      while (depth > 0 && !doc.hasIn(keys.slice(0, depth))) depth--;
      const nested = keys.slice(depth + 1).reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
      doc.setIn(keys.slice(0, depth + 1), doc.createNode(nested));
    }
  }
  return doc.toString({ lineWidth: 0 });
}

export function dendriteFact(edits: Edits = {}, base: string = RIG_TEXT): HomeserverConfigFact {
  return parseHomeserverConfig(edit(base, edits), DENDRITE_PATH);
}

export function synapseFact(edits: Edits = {}, base: string = SYNAPSE_TEXT): HomeserverConfigFact {
  return parseHomeserverConfig(edit(base, edits), SYNAPSE_PATH);
}

export function fileStatus(path: string, mode = "0600", extra: Partial<FileStatus> = {}): FileStatus {
  const bits = Number.parseInt(mode, 8);
  return { path, exists: true, readable: true, mode, worldReadable: (bits & 0o004) !== 0, uid: 0, ...extra };
}

/** A fresh ed25519 key: its seed (for writing key files) and its unpadded public key. */
export function newKey(): { seed: Buffer; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const pub = publicKey.export({ format: "jwk" });
  return { seed: Buffer.from(String(jwk.d), "base64url"), publicKey: encodeUnpaddedBase64(Buffer.from(String(pub.x), "base64url")) };
}

/** Key file text in Dendrite's PEM format (as generate-keys writes it). */
export function dendritePem(keyId: string, seed: Buffer): string {
  const body = seed.toString("base64");
  return `-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ${keyId}\n\n${body}\n-----END MATRIX PRIVATE KEY-----\n`;
}

/** Key file text in Synapse's format (signedjson write_signing_keys: unpadded Base64). */
export function synapseKeyLine(version: string, seed: Buffer): string {
  return `ed25519 ${version} ${seed.toString("base64").replace(/=+$/, "")}\n`;
}

/** A signing key as the probe records it for a readable, valid file. */
export function signingKey(path: string, keyId: string, publicKey: string, format: SigningKeyFact["format"] = "dendrite-pem", mode = "0600"): SigningKeyFact {
  return { source: "file", path, file: fileStatus(path, mode), format, keys: [{ keyId, publicKey }] };
}

/** What the probe adds on top of the reader: file modes and the signing key. */
export function probed(fact: HomeserverConfigFact, extra: Partial<HomeserverConfigFact> = {}): HomeserverConfigFact {
  return { ...fact, file: fileStatus(fact.path, "0640"), ...extra };
}
