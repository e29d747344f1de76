// Signed JSON as the spec appendix defines it ("Signing JSON", "Checking for a Signature",
// https://spec.matrix.org/latest/appendices/#checking-for-a-signature), and the reading of the one signed document the
// doctor fetches: the server key document of GET /_matrix/key/v2/server. Pure computations, no I/O.

import { createPublicKey, verify } from "node:crypto";
import type { HttpExchange } from "../engine/facts.js";
import type { NetError } from "../engine/types.js";
import { CanonicalJsonError, canonicalJson } from "./canonical-json.js";
import { hostPort } from "./server-name.js";

// ---------------------------------------------------------------------------------------------------
// Unpadded Base64 (spec appendix "Unpadded Base64")

const STANDARD_ALPHABET = /^[A-Za-z0-9+/]*$/;

/**
 * Decode standard-alphabet Base64, with or without `=` padding (the spec asks decoders to accept both).
 * Returns undefined for anything else: the URL-safe alphabet, whitespace, wrong padding or an impossible length.
 */
export function decodeUnpaddedBase64(text: string): Buffer | undefined {
  const unpadded = text.replace(/={1,2}$/, "");
  if (!STANDARD_ALPHABET.test(unpadded)) return undefined;
  // 4n+1 characters cannot come from whole bytes.
  if (unpadded.length % 4 === 1) return undefined;
  // Padding, when present, must complete the last 4-character group exactly.
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(unpadded, "base64");
}

export function encodeUnpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

// ---------------------------------------------------------------------------------------------------
// ed25519

/** Verify an ed25519 signature; false (never a throw) for wrong lengths or a key that is not a curve point. */
export function verifyEd25519(publicKey32: Buffer, message: Buffer, signature64: Buffer): boolean {
  if (publicKey32.length !== 32 || signature64.length !== 64) return false;
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey32.toString("base64url") }, format: "jwk" });
    return verify(null, message, key, signature64);
  } catch {
    return false;
  }
}

export interface SignatureVerdict {
  ok: boolean;
  /** Why the signature does not check out, phrased to follow "the signature …". */
  reason?: string;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Check that `signingName` signed `signedObject` with the ed25519 key `keyId` (e.g. "ed25519:abc123"), following the
 * spec's steps: find signatures[signingName][keyId], decode it, drop `signatures` and `unsigned`, encode the rest as
 * canonical JSON and verify.
 */
export function verifySignedJson(signedObject: unknown, signingName: string, keyId: string, publicKey: Buffer): SignatureVerdict {
  if (!isJsonObject(signedObject)) return { ok: false, reason: "is over something that is not a JSON object" };
  if (!keyId.startsWith("ed25519:")) return { ok: false, reason: `uses ${keyId.split(":")[0] ?? keyId}, an algorithm other than ed25519` };
  if (publicKey.length !== 32) return { ok: false, reason: `cannot be checked: the ${keyId} key is ${publicKey.length} bytes, not 32` };

  const { signatures, unsigned: _unsigned, ...signedPart } = signedObject;
  if (!isJsonObject(signatures)) return { ok: false, reason: "is missing: the object has no signatures" };
  const bySigner = signatures[signingName];
  if (!isJsonObject(bySigner)) return { ok: false, reason: `is missing: there are no signatures by ${signingName}` };
  const encoded = bySigner[keyId];
  if (typeof encoded !== "string") return { ok: false, reason: `is missing: ${signingName} has no ${keyId} signature` };
  const signature = decodeUnpaddedBase64(encoded);
  if (!signature) return { ok: false, reason: `is not valid Base64 ("${encoded.slice(0, 16)}…")` };
  if (signature.length !== 64) return { ok: false, reason: `is ${signature.length} bytes, not the 64 of an ed25519 signature` };

  let canonical: string;
  try {
    canonical = canonicalJson(signedPart);
  } catch (err) {
    if (err instanceof CanonicalJsonError) return { ok: false, reason: `cannot be checked: the object is not canonical JSON (${err.message})` };
    throw err;
  }
  if (!verifyEd25519(publicKey, Buffer.from(canonical, "utf8"), signature)) {
    return { ok: false, reason: "does not verify: the content changed after signing, or another key signed it" };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------
// The server key document (GET /_matrix/key/v2/server), as the key checks read each endpoint's answer

/** The endpoint an exchange went to, for messages: `203.0.113.5:8448`, `[2001:db8::5]:8448`. */
export function exchangeEndpoint(exchange: HttpExchange): string {
  return exchange.address ? hostPort(exchange.address, exchange.port) : `${exchange.hostHeader.replace(/:\d+$/, "")}:${exchange.port}`;
}

export type KeyResponseReading =
  | { kind: "document"; exchange: HttpExchange; endpoint: string; document: Record<string, unknown>; rawBody: string }
  /** No HTTP response at all: TLS and reachability checks own this failure. */
  | { kind: "network-error"; exchange: HttpExchange; endpoint: string; error: NetError }
  /** An HTTP response that is not a 200 JSON object: a failure of the key endpoint itself. */
  | { kind: "bad-response"; exchange: HttpExchange; endpoint: string; status: number; problem: string };

export function readKeyResponse(exchange: HttpExchange): KeyResponseReading {
  const endpoint = exchangeEndpoint(exchange);
  const response = exchange.response;
  if (!response) {
    return { kind: "network-error", exchange, endpoint, error: exchange.error ?? { code: "other", message: "no response" } };
  }
  const bad = (problem: string): KeyResponseReading => ({ kind: "bad-response", exchange, endpoint, status: response.status, problem });
  if (response.status !== 200) return bad(`returned HTTP ${response.status}`);
  if (response.truncated) return bad("returned a body too large to read whole");
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    const start = response.body.trimStart().slice(0, 20);
    return bad(`returned a body that is not JSON (${response.headers["content-type"] ?? "no content-type"}, starting "${start}")`);
  }
  if (!isJsonObject(parsed)) return bad("returned JSON that is not an object");
  return { kind: "document", exchange, endpoint, document: parsed, rawBody: response.body };
}

export type KeyDocumentReading = Extract<KeyResponseReading, { kind: "document" }>;

/**
 * The 200 JSON key documents among the responses, or why there are none, phrased for a `skip`: another check
 * (tls-handshake / federation-version for network errors, federation-keys-server-name for bad responses) reports it.
 */
export function keyDocuments(responses: HttpExchange[]): { documents: KeyDocumentReading[]; noneBecause?: string } {
  const readings = responses.map(readKeyResponse);
  const documents = readings.filter((r): r is KeyDocumentReading => r.kind === "document");
  if (documents.length > 0) return { documents };
  if (readings.length === 0) return { documents, noneBecause: "no key document was fetched: discovery found no federation endpoint" };
  if (readings.some((r) => r.kind === "bad-response")) {
    return { documents, noneBecause: "no endpoint returned a key document (federation-keys-server-name reports why)" };
  }
  return { documents, noneBecause: "no endpoint answered GET /_matrix/key/v2/server (tls-handshake and federation-version report why)" };
}

/** The ed25519 entries of verify_keys, with their decoded keys when they decode to 32 bytes. */
export function ed25519VerifyKeys(document: Record<string, unknown>): { keyId: string; encoded: unknown; key?: Buffer }[] {
  const verifyKeys = document["verify_keys"];
  if (!isJsonObject(verifyKeys)) return [];
  return Object.entries(verifyKeys)
    .filter(([keyId]) => keyId.startsWith("ed25519:"))
    .map(([keyId, entry]) => {
      const encoded = isJsonObject(entry) ? entry["key"] : undefined;
      const decoded = typeof encoded === "string" ? decodeUnpaddedBase64(encoded) : undefined;
      return decoded?.length === 32 ? { keyId, encoded, key: decoded } : { keyId, encoded };
    });
}
