// Fixtures for the federation checks: version exchanges, the unknown-path probe and server key documents.
// Key documents are really signed: ed25519 keys come from fixed seeds (deterministic, so failures reproduce) and
// signatures are computed over canonical JSON, exactly as a homeserver does. The healthy baseline mirrors a
// Dendrite v0.13.8 answer for server name example.test on two endpoints (IPv4 and IPv6).

import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import type { FederationEndpointsFact, HttpExchange, HttpResponse, ServerKeysFact } from "../../src/engine/facts.js";
import type { NetError } from "../../src/engine/types.js";
import { canonicalJson } from "../../src/matrix/canonical-json.js";
import { encodeUnpaddedBase64 } from "../../src/matrix/signing.js";
import { TEST_NOW } from "../support/check-tester.js";

export const SERVER_NAME = "example.test";
export const V4 = "203.0.113.10";
export const V6 = "2001:db8::10";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------
// Keys and signing

export interface TestSigningKey {
  keyId: string;
  privateKey: KeyObject;
  /** The 32-byte public key, unpadded Base64, as verify_keys carries it. */
  publicKeyBase64: string;
}

/** An ed25519 key from a 32-byte seed (PKCS#8 wraps the seed after a fixed 16-byte header). */
export function keyFromSeed(seed: Buffer, keyId: string): TestSigningKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  return { keyId, privateKey, publicKeyBase64: encodeUnpaddedBase64(Buffer.from(jwk.x ?? "", "base64url")) };
}

/** A deterministic key named by a label. */
export function testKey(label: string, keyId = "ed25519:a_bcDE"): TestSigningKey {
  return keyFromSeed(createHash("sha256").update(label).digest(), keyId);
}

export const KEY = testKey("example.test signing key");
export const OTHER_KEY = testKey("second backend signing key", "ed25519:b_other");

/** Sign a JSON object as the spec's sign_json does (signatures and unsigned kept outside the signed bytes). */
export type Signatures = Record<string, Record<string, string>>;

export function signJson<T extends Record<string, unknown>>(object: T, signingName: string, key: TestSigningKey): T & { signatures: Signatures } {
  const { signatures, unsigned, ...toSign } = object;
  const signature = sign(null, Buffer.from(canonicalJson(toSign), "utf8"), key.privateKey);
  const existing = (signatures ?? {}) as Signatures;
  const merged = { ...existing, [signingName]: { ...existing[signingName], [key.keyId]: encodeUnpaddedBase64(signature) } };
  return { ...object, signatures: merged, ...(unsigned !== undefined && { unsigned }) };
}

export interface KeyDocumentOptions {
  serverName?: string;
  validUntil?: number;
  keys?: TestSigningKey[];
  oldVerifyKeys?: Record<string, unknown>;
  /** Fields merged in before signing (so the signature covers them). */
  extra?: Record<string, unknown>;
}

/** A signed key document like Dendrite's: old_verify_keys, server_name, signatures, valid_until_ts, verify_keys. */
export function keyDocument(options: KeyDocumentOptions = {}): Record<string, unknown> {
  const serverName = options.serverName ?? SERVER_NAME;
  const keys = options.keys ?? [KEY];
  let document: Record<string, unknown> = {
    old_verify_keys: options.oldVerifyKeys ?? {},
    server_name: serverName,
    valid_until_ts: options.validUntil ?? TEST_NOW + 7 * DAY,
    verify_keys: Object.fromEntries(keys.map((k) => [k.keyId, { key: k.publicKeyBase64 }])),
    ...options.extra,
  };
  for (const key of keys) document = signJson(document, serverName, key);
  return document;
}

// ---------------------------------------------------------------------------------------------------
// HTTP exchanges

const JSON_HEADERS = { "content-type": "application/json", server: "nginx" };

export function response(status: number, body: string, headers: Record<string, string> = JSON_HEADERS): HttpResponse {
  return {
    status,
    headers,
    body,
    bodyBytes: Buffer.byteLength(body),
    truncated: false,
    tls: { authorized: true, protocol: "TLSv1.3" },
  };
}

export const NGINX_404_HTML =
  "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
export const NGINX_502_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
export const HTML_HEADERS = { "content-type": "text/html", server: "nginx/1.22.1" };

export function exchange(path: string, address: string, init: { response?: HttpResponse; error?: NetError; durationMs?: number }): HttpExchange {
  const bracketed = address.includes(":") ? `[${address}]` : address;
  return {
    method: "GET",
    url: `https://${bracketed}:8448${path}`,
    address,
    port: 8448,
    hostHeader: SERVER_NAME,
    servername: SERVER_NAME,
    ...(init.response && { response: init.response }),
    ...(init.error && { error: init.error }),
    durationMs: init.durationMs ?? 42,
  };
}

export const KEY_PATH = "/_matrix/key/v2/server";
export const VERSION_PATH = "/_matrix/federation/v1/version";
export const UNKNOWN_PATH = "/_matrix/federation/unstable/dev.matrix-doctor.unknown";

export function keyExchange(document: Record<string, unknown> | string = keyDocument(), address = V4, durationMs?: number): HttpExchange {
  // Dendrite writes the document in canonical form (keys sorted), as the real answer shows.
  const body = typeof document === "string" ? document : canonicalJson(document);
  return exchange(KEY_PATH, address, { response: response(200, body), ...(durationMs !== undefined && { durationMs }) });
}

export function serverKeys(responses: HttpExchange[] = [keyExchange(keyDocument(), V4), keyExchange(keyDocument(), V6)]): ServerKeysFact {
  return { serverName: SERVER_NAME, responses };
}

export const DENDRITE_VERSION = JSON.stringify({ server: { name: "Dendrite", version: "0.13.8" } });

export function versionExchange(address = V4, init: { response?: HttpResponse; error?: NetError; durationMs?: number } = {}): HttpExchange {
  return exchange(VERSION_PATH, address, init.response || init.error ? init : { ...init, response: response(200, DENDRITE_VERSION) });
}

export const UNRECOGNIZED_BODY = JSON.stringify({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });

export function federationEndpoints(
  version: HttpExchange[] = [versionExchange(V4), versionExchange(V6)],
  unknownPath: HttpExchange | null = exchange(UNKNOWN_PATH, V4, { response: response(404, UNRECOGNIZED_BODY) }),
): FederationEndpointsFact {
  return { version, ...(unknownPath && { unknownPath }) };
}

export const REFUSED: NetError = { code: "refused", message: "connect ECONNREFUSED 203.0.113.10:8448" };
export const TIMEOUT: NetError = { code: "timeout", message: "timed out" };
export { DAY, HOUR };
