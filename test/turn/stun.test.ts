// The STUN codec against the RFC 5769 test vectors, byte for byte. The vectors are typed in from the
// RFC text; their MESSAGE-INTEGRITY and FINGERPRINT values make the test self-checking: a single wrong
// byte in a vector (or in the codec) makes the HMAC or the CRC disagree.

import { describe, expect, it } from "vitest";
import { Secret } from "../../src/engine/secret.js";
import { longTermKey } from "../../src/turn/credentials.js";
import {
  Attr,
  decode,
  encode,
  errorCodeValue,
  frameLength,
  getAttribute,
  isStun,
  messageType,
  Method,
  readAttributes,
  readErrorCode,
  readXorAddress,
  splitType,
  StunDecodeError,
  stringValue,
  u32Value,
  verifyFingerprint,
  verifyIntegrity,
  xorAddressValue,
  type StunMessage,
} from "../../src/turn/stun.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// RFC 5769 §2.1 Sample Request (short-term credential).
const REQUEST = hex(`
  00 01 00 58  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
  80 22 00 10  53 54 55 4e  20 74 65 73  74 20 63 6c  69 65 6e 74
  00 24 00 04  6e 00 01 ff
  80 29 00 08  93 2f f9 b1  51 26 3b 36
  00 06 00 09  65 76 74 6a  3a 68 36 76  59 20 20 20
  00 08 00 14  9a ea a7 0c  bf d8 cb 56  78 1e f2 b5  b2 d3 f2 49  c1 b5 71 a2
  80 28 00 04  e5 7a 3b cf`);
const REQUEST_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

// §2.2 Sample IPv4 Response.
const RESPONSE_V4 = hex(`
  01 01 00 3c  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
  80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
  00 20 00 08  00 01 a1 47  e1 12 a6 43
  00 08 00 14  2b 91 f5 99  fd 9e 90 c3  8c 74 89 f9  2a f9 ba 53  f0 6b e7 d7
  80 28 00 04  c0 7d 4c 96`);

// §2.3 Sample IPv6 Response.
const RESPONSE_V6 = hex(`
  01 01 00 48  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
  80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
  00 20 00 14  00 02 a1 47  01 13 a9 fa  a5 d3 f1 79  bc 25 f4 b5  be d2 b9 d9
  00 08 00 14  a3 82 95 4e  4b e6 7b f1  17 84 c9 7c  82 92 c2 75  bf e3 ed 41
  80 28 00 04  c8 fb 0b 4c`);

// §2.4 Sample Request with Long-Term Authentication (no FINGERPRINT).
const LONG_TERM = hex(`
  00 01 00 60  21 12 a4 42  78 ad 34 33  c6 ad 72 c0  29 da 41 2e
  00 06 00 12  e3 83 9e e3  83 88 e3 83  aa e3 83 83  e3 82 af e3  82 b9 00 00
  00 15 00 1c  66 2f 2f 34  39 39 6b 39  35 34 64 36  4f 4c 33 34  6f 4c 39 46  53 54 76 79  36 34 73 41
  00 14 00 0b  65 78 61 6d  70 6c 65 2e  6f 72 67 00
  00 08 00 14  f6 70 24 65  6d d6 4a 3e  02 b8 e0 71  2e 85 c9 a2  8c a8 96 66`);
// Username U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9; the password "The<U+00AD>M<U+00AA>tr<U+2168>"
// after SASLprep is "TheMatrIX" (the RFC gives both).
const LT_USERNAME = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
const LT_PASSWORD = "TheMatrIX";
const LT_NONCE = "f//499k954d6OL34oL9FSTvy64sA";
const LT_REALM = "example.org";

const TID = hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

describe("RFC 5769 test vectors", () => {
  it("2.1 sample request: decodes, integrity with the short-term password, fingerprint", () => {
    expect(isStun(REQUEST)).toBe(true);
    const msg = decode(REQUEST);
    expect(msg.method).toBe(Method.Binding);
    expect(msg.cls).toBe("request");
    expect(msg.transactionId.equals(TID)).toBe(true);
    const attrs = readAttributes(msg);
    expect(attrs.software).toBe("STUN test client");
    expect(attrs.username).toBe("evtj:h6vY");
    expect(getAttribute(msg, 0x0024)?.toString("hex")).toBe("6e0001ff"); // PRIORITY
    expect(getAttribute(msg, 0x8029)?.toString("hex")).toBe("932ff9b151263b36"); // ICE-CONTROLLED
    expect(verifyIntegrity(REQUEST, Buffer.from(REQUEST_PASSWORD))).toBe("valid");
    expect(verifyIntegrity(REQUEST, Buffer.from("wrong password"))).toBe("invalid");
    expect(verifyFingerprint(REQUEST)).toBe("valid");
  });

  it("2.1 sample request: re-encodes byte-exactly (padding with spaces as in the RFC)", () => {
    const msg = decode(REQUEST);
    const out = encode(msg, { integrityKey: Buffer.from(REQUEST_PASSWORD), fingerprint: true, padByte: 0x20 });
    expect(out.toString("hex")).toBe(REQUEST.toString("hex"));
  });

  it("2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853, integrity, fingerprint, re-encoding", () => {
    const msg = decode(RESPONSE_V4);
    expect(msg.cls).toBe("success");
    expect(msg.method).toBe(Method.Binding);
    const attrs = readAttributes(msg);
    expect(attrs.software).toBe("test vector");
    expect(attrs.xorMappedAddress).toEqual({ family: 4, address: "192.0.2.1", port: 32853 });
    expect(verifyIntegrity(RESPONSE_V4, Buffer.from(REQUEST_PASSWORD))).toBe("valid");
    expect(verifyFingerprint(RESPONSE_V4)).toBe("valid");
    const rebuilt = encode(
      {
        method: Method.Binding,
        cls: "success",
        transactionId: TID,
        attributes: [
          { type: Attr.Software, value: stringValue("test vector") },
          { type: Attr.XorMappedAddress, value: xorAddressValue({ address: "192.0.2.1", port: 32853 }, TID) },
        ],
      },
      { integrityKey: Buffer.from(REQUEST_PASSWORD), fingerprint: true, padByte: 0x20 },
    );
    expect(rebuilt.toString("hex")).toBe(RESPONSE_V4.toString("hex"));
  });

  it("2.3 IPv6 response: XOR-MAPPED-ADDRESS 2001:db8:1234:5678:11:2233:4455:6677 port 32853", () => {
    const msg = decode(RESPONSE_V6);
    const attrs = readAttributes(msg);
    expect(attrs.xorMappedAddress).toEqual({ family: 6, address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853 });
    expect(verifyIntegrity(RESPONSE_V6, Buffer.from(REQUEST_PASSWORD))).toBe("valid");
    expect(verifyFingerprint(RESPONSE_V6)).toBe("valid");
    const rebuilt = encode(
      {
        method: Method.Binding,
        cls: "success",
        transactionId: TID,
        attributes: [
          { type: Attr.Software, value: stringValue("test vector") },
          { type: Attr.XorMappedAddress, value: xorAddressValue({ address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853 }, TID) },
        ],
      },
      { integrityKey: Buffer.from(REQUEST_PASSWORD), fingerprint: true, padByte: 0x20 },
    );
    expect(rebuilt.toString("hex")).toBe(RESPONSE_V6.toString("hex"));
  });

  it("2.4 long-term authentication: key = MD5(username:realm:password), integrity, re-encoding", () => {
    const msg = decode(LONG_TERM);
    const attrs = readAttributes(msg);
    expect(attrs.username).toBe(LT_USERNAME);
    expect(attrs.nonce).toBe(LT_NONCE);
    expect(attrs.realm).toBe(LT_REALM);
    const key = longTermKey(LT_USERNAME, LT_REALM, new Secret(LT_PASSWORD));
    expect(verifyIntegrity(LONG_TERM, key)).toBe("valid");
    expect(verifyFingerprint(LONG_TERM)).toBe("absent");
    const rebuilt = encode(
      {
        method: Method.Binding,
        cls: "request",
        transactionId: msg.transactionId,
        attributes: [
          { type: Attr.Username, value: stringValue(LT_USERNAME) },
          { type: Attr.Nonce, value: stringValue(LT_NONCE) },
          { type: Attr.Realm, value: stringValue(LT_REALM) },
        ],
      },
      { integrityKey: key },
    );
    expect(rebuilt.toString("hex")).toBe(LONG_TERM.toString("hex"));
  });
});

describe("codec", () => {
  it("interleaves method and class bits", () => {
    expect(messageType(Method.Binding, "request")).toBe(0x0001);
    expect(messageType(Method.Binding, "success")).toBe(0x0101);
    expect(messageType(Method.Allocate, "error")).toBe(0x0113);
    expect(messageType(Method.Refresh, "success")).toBe(0x0104);
    expect(messageType(Method.CreatePermission, "error")).toBe(0x0118);
    expect(messageType(Method.Send, "indication")).toBe(0x0016);
    expect(messageType(Method.Data, "indication")).toBe(0x0017);
    for (const t of [0x0001, 0x0101, 0x0111, 0x0003, 0x0103, 0x0113, 0x0004, 0x0104, 0x0008, 0x0118, 0x0016, 0x0017]) {
      const { method, cls } = splitType(t);
      expect(messageType(method, cls)).toBe(t);
    }
  });

  it("round-trips ERROR-CODE, LIFETIME, XOR-RELAYED-ADDRESS (IPv4 and IPv6) with any transaction ID", () => {
    const tid = hex("00112233445566778899aabb");
    const msg: StunMessage = {
      method: Method.Allocate,
      cls: "error",
      transactionId: tid,
      attributes: [
        { type: Attr.ErrorCode, value: errorCodeValue(438, "Stale Nonce") },
        { type: Attr.Lifetime, value: u32Value(600) },
        { type: Attr.XorRelayedAddress, value: xorAddressValue({ address: "203.0.113.7", port: 49152 }, tid) },
        { type: Attr.XorPeerAddress, value: xorAddressValue({ address: "::1", port: 9 }, tid) },
      ],
    };
    const raw = encode(msg, { fingerprint: true });
    expect(raw.length % 4).toBe(0);
    const back = decode(raw);
    expect(readErrorCode(getAttribute(back, Attr.ErrorCode))).toEqual({ code: 438, reason: "Stale Nonce" });
    const attrs = readAttributes(back);
    expect(attrs.lifetime).toBe(600);
    expect(attrs.xorRelayedAddress).toEqual({ family: 4, address: "203.0.113.7", port: 49152 });
    expect(attrs.xorPeerAddress).toEqual({ family: 6, address: "::1", port: 9 });
    expect(verifyFingerprint(raw)).toBe("valid");
    expect(readXorAddress(Buffer.from([0, 9, 0, 0, 0, 0, 0, 0]), tid)).toBeUndefined();
  });

  it("detects a tampered message", () => {
    const bad = Buffer.from(RESPONSE_V4);
    bad[30] = bad[30]! ^ 1; // inside XOR-MAPPED-ADDRESS
    expect(verifyIntegrity(bad, Buffer.from(REQUEST_PASSWORD))).toBe("invalid");
    expect(verifyFingerprint(bad)).toBe("invalid");
  });

  it("rejects what is not STUN", () => {
    expect(() => decode(Buffer.alloc(10))).toThrow(StunDecodeError);
    const noCookie = Buffer.from(REQUEST);
    noCookie[4] = 0;
    expect(() => decode(noCookie)).toThrow(/magic cookie/);
    expect(() => decode(REQUEST.subarray(0, REQUEST.length - 4))).toThrow(/header says/);
    expect(isStun(Buffer.from("GET / HTTP/1.1\r\n\r\n....."))).toBe(false);
  });

  it("frames a stream by the header length", () => {
    expect(frameLength(REQUEST.subarray(0, 3))).toBeUndefined();
    expect(frameLength(REQUEST)).toBe(REQUEST.length);
    expect(frameLength(Buffer.from([0x40, 0x00, 0x00, 0x05]))).toBe(12); // ChannelData, padded
    expect(() => frameLength(Buffer.from([0x80, 0, 0, 0]))).toThrow(StunDecodeError);
  });
});
