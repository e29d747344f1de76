// Reading a homeserver signing key file the way the homeserver does, keeping only the key ids and the PUBLIC
// keys. The private seed lives in a local buffer for the derivation and is overwritten afterwards.
//
// Dendrite (setup/config/config.go readKeyPEM, v0.13.8): the first PEM block of type "MATRIX PRIVATE KEY", a
// Key-ID header "ed25519:<id>" with <id> matching [a-zA-Z0-9_]+, and a body whose first 32 bytes are the ed25519
// seed. Synapse (signedjson read_signing_keys): one key per non-empty line, "ed25519 <version> <base64 seed>",
// the seed exactly 32 bytes, Base64 with or without padding.

import { createPrivateKey, createPublicKey } from "node:crypto";
import type { SigningKeyInfo } from "../engine/facts/config.js";
import { encodeUnpaddedBase64 } from "../matrix/signing.js";

export interface ParsedSigningKey {
  format?: "dendrite-pem" | "synapse";
  keys: SigningKeyInfo[];
  /** Why the homeserver cannot use it (phrased to follow "the key file …"). */
  problem?: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The ed25519 public key of a 32-byte seed, unpadded Base64. */
export function ed25519PublicFromSeed(seed: Buffer): string {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  try {
    const jwk = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({ format: "jwk" });
    return encodeUnpaddedBase64(Buffer.from(String(jwk.x), "base64url"));
  } finally {
    der.fill(0);
  }
}

/** Base64 as signedjson/unpaddedbase64 and Go accept it: padding optional, standard or URL-safe alphabet. */
function lenientBase64(text: string): Buffer | undefined {
  const clean = text.replace(/\s+/g, "").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/_-]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  return Buffer.from(clean.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

const DENDRITE_KEY_ID = /^ed25519:[a-zA-Z0-9_]+$/;

function parseDendritePem(text: string): ParsedSigningKey {
  const block = /-----BEGIN MATRIX PRIVATE KEY-----\r?\n([\s\S]*?)-----END MATRIX PRIVATE KEY-----/.exec(text);
  if (!block || block[1] === undefined) {
    const other = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
    return {
      keys: [],
      problem: other
        ? `holds a "${other}" PEM block, not a "MATRIX PRIVATE KEY" (a TLS key is not a Matrix signing key)`
        : /^\s*ed25519\s+\S+\s+\S+/m.test(text)
          ? `is in Synapse's "ed25519 <id> <key>" format; Dendrite needs its PEM format`
          : `has no "MATRIX PRIVATE KEY" PEM block`,
    };
  }
  const lines = block[1].split(/\r?\n/);
  const headers = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const colon = line.indexOf(":");
    if (colon < 0) break;
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const keyId = headers.get("Key-ID");
  const format = "dendrite-pem" as const;
  if (!keyId) return { format, keys: [], problem: "has no Key-ID header in its PEM block" };
  if (!keyId.startsWith("ed25519:")) return { format, keys: [], problem: `has key ID "${keyId}", which does not start with "ed25519:"` };
  if (!DENDRITE_KEY_ID.test(keyId)) return { format, keys: [], problem: `has key ID "${keyId}"; Dendrite allows only a-z, A-Z, 0-9 and _ after "ed25519:"` };
  const body = lenientBase64(lines.slice(i).join(""));
  if (!body) return { format, keys: [], problem: "has a PEM body that is not Base64" };
  try {
    if (body.length < 32) return { format, keys: [], problem: `holds ${body.length} bytes of key data; an ed25519 seed is 32` };
    return { format, keys: [{ keyId, publicKey: ed25519PublicFromSeed(body.subarray(0, 32)) }] };
  } finally {
    body.fill(0);
  }
}

function parseSynapseLines(text: string): ParsedSigningKey {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) return { keys: [], problem: "is empty" };
  if (/-----BEGIN /.test(text)) return { keys: [], problem: `is a PEM file; Synapse needs its "ed25519 <version> <key>" format` };
  const keys: SigningKeyInfo[] = [];
  const format = "synapse" as const;
  for (const [n, line] of lines.entries()) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 1) {
      return { format, keys, problem: `line ${n + 1} has a single word (the pre-2015 format without a key id); Synapse needs "ed25519 <version> <key>"` };
    }
    if (parts.length !== 3) return { format, keys, problem: `line ${n + 1} has ${parts.length} fields; Synapse needs "ed25519 <version> <key>"` };
    const [alg, version, encoded] = parts as [string, string, string];
    if (alg !== "ed25519") return { format, keys, problem: `line ${n + 1} is for algorithm "${alg}"; Synapse supports only ed25519` };
    const seed = lenientBase64(encoded);
    if (!seed) return { format, keys, problem: `line ${n + 1} has a key that is not Base64` };
    try {
      if (seed.length !== 32) return { format, keys, problem: `line ${n + 1} holds ${seed.length} bytes of key data; an ed25519 seed is 32` };
      keys.push({ keyId: `ed25519:${version}`, publicKey: ed25519PublicFromSeed(seed) });
    } finally {
      seed.fill(0);
    }
  }
  return { format, keys };
}

/** Parse key file text as the given homeserver reads it. */
export function parseSigningKey(text: string, implementation: "dendrite" | "synapse"): ParsedSigningKey {
  return implementation === "dendrite" ? parseDendritePem(text) : parseSynapseLines(text);
}
