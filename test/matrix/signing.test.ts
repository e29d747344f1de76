import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/matrix/canonical-json.js";
import {
  decodeUnpaddedBase64,
  ed25519VerifyKeys,
  encodeUnpaddedBase64,
  exchangeEndpoint,
  keyDocuments,
  readKeyResponse,
  verifyEd25519,
  verifySignedJson,
} from "../../src/matrix/signing.js";
import {
  KEY,
  OTHER_KEY,
  V4,
  exchange,
  keyDocument,
  keyExchange,
  keyFromSeed,
  response,
  signJson,
} from "../checks/_fixtures-keys.js";

describe("unpadded Base64", () => {
  // The appendix's examples: UNPADDED_BASE64("foobar") = "Zm9vYmFy" and its prefixes.
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "Zg"],
    ["fo", "Zm8"],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg"],
    ["fooba", "Zm9vYmE"],
    ["foobar", "Zm9vYmFy"],
  ];
  it.each(vectors)("%j ⇄ %j", (plain, encoded) => {
    expect(encodeUnpaddedBase64(Buffer.from(plain))).toBe(encoded);
    expect(decodeUnpaddedBase64(encoded)?.toString()).toBe(plain);
  });

  it("accepts padded input", () => {
    expect(decodeUnpaddedBase64("Zg==")?.toString()).toBe("f");
    expect(decodeUnpaddedBase64("Zm8=")?.toString()).toBe("fo");
  });

  it.each(["Zg=", "Zm9v=", "Zm9vY", "Zm9v Yg", "Zm9v-_", "Zm9v\n", "Z===", "é"])("rejects %j", (bad) => {
    expect(decodeUnpaddedBase64(bad)).toBeUndefined();
  });
});

describe("verifyEd25519", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url");
  const message = Buffer.from('{"one":1,"two":"Two"}');
  const signature = sign(null, message, privateKey);

  it("verifies a signature made by node:crypto", () => {
    expect(raw.length).toBe(32);
    expect(verifyEd25519(raw, message, signature)).toBe(true);
  });

  it("rejects a changed message, a changed signature and wrong lengths", () => {
    expect(verifyEd25519(raw, Buffer.from('{"one":1,"two":"two"}'), signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(verifyEd25519(raw, message, flipped)).toBe(false);
    expect(verifyEd25519(raw.subarray(1), message, signature)).toBe(false);
    expect(verifyEd25519(raw, message, signature.subarray(1))).toBe(false);
  });
});

describe("verifySignedJson", () => {
  const publicKey = decodeUnpaddedBase64(KEY.publicKeyBase64) ?? Buffer.alloc(0);
  const signed = signJson({ name: "example.test", n: 1, unsigned: { age_ts: 5 } }, "example.test", KEY);

  it("verifies a signed object, ignoring unsigned and other signers", () => {
    expect(verifySignedJson(signed, "example.test", KEY.keyId, publicKey)).toEqual({ ok: true });
    const cosigned = signJson(signed, "notary.test", OTHER_KEY);
    expect(verifySignedJson({ ...cosigned, unsigned: { age_ts: 999 } }, "example.test", KEY.keyId, publicKey)).toEqual({ ok: true });
  });

  it("verifies regardless of key order and whitespace in the received text", () => {
    const reordered = JSON.parse(JSON.stringify({ unsigned: signed.unsigned, signatures: signed.signatures, n: 1, name: "example.test" }, null, 2));
    expect(verifySignedJson(reordered, "example.test", KEY.keyId, publicKey).ok).toBe(true);
  });

  it.each([
    ["a changed value", { ...signed, n: 2 }, /does not verify/],
    ["an added field", { ...signed, extra: true }, /does not verify/],
    ["no signatures", { name: "example.test", n: 1 }, /no signatures$/],
    ["no signatures by the signer", { ...signed, signatures: { "other.test": {} } }, /no signatures by example.test/],
    ["no signature with the key id", { ...signed, signatures: { "example.test": { "ed25519:zzz": "AAAA" } } }, /has no ed25519:a_bcDE signature/],
    ["a signature that is not Base64", { ...signed, signatures: { "example.test": { [KEY.keyId]: "!!!" } } }, /not valid Base64/],
    ["a short signature", { ...signed, signatures: { "example.test": { [KEY.keyId]: "AAAA" } } }, /3 bytes, not the 64/],
    ["a float in the signed part", { ...signed, n: 1.5 }, /not canonical JSON \(n: 1.5 is not an integer/],
    ["not an object", [1, 2], /not a JSON object/],
  ])("fails for %s", (_name, object, reason) => {
    const verdict = verifySignedJson(object, "example.test", KEY.keyId, publicKey);
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(reason);
  });

  it("fails for another key or another algorithm", () => {
    const other = decodeUnpaddedBase64(OTHER_KEY.publicKeyBase64) ?? Buffer.alloc(0);
    expect(verifySignedJson(signed, "example.test", KEY.keyId, other).reason).toMatch(/does not verify/);
    expect(verifySignedJson(signed, "example.test", "curve25519:x", publicKey).reason).toMatch(/other than ed25519/);
    expect(verifySignedJson(signed, "example.test", KEY.keyId, Buffer.alloc(31)).reason).toMatch(/31 bytes, not 32/);
  });
});

describe("the spec's signing test vectors", () => {
  // Appendix "Cryptographic test vectors": seed below, key id ed25519:1, signing name "domain".
  const seed = decodeUnpaddedBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1") ?? Buffer.alloc(0);
  const key = keyFromSeed(seed, "ed25519:1");
  const publicKey = decodeUnpaddedBase64(key.publicKeyBase64) ?? Buffer.alloc(0);
  const vectors: [Record<string, unknown>, string][] = [
    [{}, "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"],
    [{ one: 1, two: "Two" }, "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"],
  ];

  it.each(vectors)("signs %j to the published signature and verifies it", (object, expected) => {
    expect(seed.length).toBe(32);
    expect(encodeUnpaddedBase64(sign(null, Buffer.from(canonicalJson(object)), key.privateKey))).toBe(expected);
    const signedObject = { ...object, signatures: { domain: { "ed25519:1": expected } } };
    expect(verifySignedJson(signedObject, "domain", "ed25519:1", publicKey)).toEqual({ ok: true });
  });
});

describe("reading key responses", () => {
  it("reads a 200 JSON document", () => {
    const reading = readKeyResponse(keyExchange());
    expect(reading.kind).toBe("document");
    if (reading.kind === "document") {
      expect(reading.endpoint).toBe(`${V4}:8448`);
      expect(ed25519VerifyKeys(reading.document)).toEqual([
        { keyId: KEY.keyId, encoded: KEY.publicKeyBase64, key: decodeUnpaddedBase64(KEY.publicKeyBase64) },
      ]);
    }
  });

  it("classifies errors and bad responses", () => {
    expect(readKeyResponse(exchange("/k", "2001:db8::1", { error: { code: "refused", message: "x" } }))).toMatchObject({
      kind: "network-error",
      endpoint: "[2001:db8::1]:8448",
    });
    expect(readKeyResponse(exchange("/k", V4, { response: response(404, "<html>") }))).toMatchObject({ kind: "bad-response", problem: "returned HTTP 404" });
    expect(readKeyResponse(exchange("/k", V4, { response: response(200, "<html>") }))).toMatchObject({ problem: /not JSON/ });
    expect(readKeyResponse(exchange("/k", V4, { response: response(200, "[]") }))).toMatchObject({ problem: /not an object/ });
  });

  it("explains why there is no document", () => {
    expect(keyDocuments([]).noneBecause).toMatch(/no federation endpoint/);
    expect(keyDocuments([exchange("/k", V4, { error: { code: "timeout", message: "timed out" } })]).noneBecause).toMatch(/tls-handshake/);
    expect(keyDocuments([exchange("/k", V4, { response: response(502, "") })]).noneBecause).toMatch(/federation-keys-server-name/);
    expect(keyDocuments([keyExchange(keyDocument())]).documents).toHaveLength(1);
  });

  it("names endpoints by address, IPv6 in brackets", () => {
    expect(exchangeEndpoint(exchange("/k", "::1", {}))).toBe("[::1]:8448");
    expect(exchangeEndpoint(exchange("/k", "127.0.0.2", {}))).toBe("127.0.0.2:8448");
    expect(exchangeEndpoint({ ...exchange("/k", V4, {}), address: undefined, hostHeader: "example.test:8448" })).toBe("example.test:8448");
  });
});
