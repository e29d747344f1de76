// STUN message codec (RFC 8489) with the TURN attributes of RFC 8656: a 20-byte header, TLV attributes
// padded to 4 bytes, XOR-encoded addresses, MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT (CRC-32 XOR
// 0x5354554E). Written in-house: the npm `stun` package is UDP-only and unmaintained (see the reference
// notes, section (c)). Pure functions of bytes; no sockets here.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { crc32 } from "node:zlib";

export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
const FINGERPRINT_XOR = 0x5354554e;
const INTEGRITY_LENGTH = 20;

/** STUN/TURN methods (12 bits). */
export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;
export type MethodName = keyof typeof Method;

export type StunClass = "request" | "indication" | "success" | "error";
const CLASS_BITS: Record<StunClass, number> = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 };

/** Attribute types used here. */
export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028,
} as const;

/** IANA protocol numbers for REQUESTED-TRANSPORT. */
export const TRANSPORT_UDP = 17;

export interface StunAttribute {
  type: number;
  value: Buffer;
}

export interface StunMessage {
  method: number;
  cls: StunClass;
  /** 12 bytes. */
  transactionId: Buffer;
  attributes: StunAttribute[];
}

export interface TransportAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

export class StunDecodeError extends Error {
  override name = "StunDecodeError";
}

// ---------------------------------------------------------------------------------------------------
// Message type

/** The 16-bit message type: method bits M0-M11 interleaved with class bits C0 (bit 4) and C1 (bit 8). */
export function messageType(method: number, cls: StunClass): number {
  const m = method & 0xfff;
  return ((m & 0xf80) << 2) | ((m & 0x070) << 1) | (m & 0x00f) | CLASS_BITS[cls];
}

export function splitType(type: number): { method: number; cls: StunClass } {
  const method = ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f);
  const bits = type & 0x0110;
  const cls = (Object.keys(CLASS_BITS) as StunClass[]).find((c) => CLASS_BITS[c] === bits) ?? "request";
  return { method, cls };
}

export function methodName(method: number): string {
  const hit = (Object.keys(Method) as MethodName[]).find((k) => Method[k] === method);
  return hit ?? `0x${method.toString(16).padStart(3, "0")}`;
}

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

// ---------------------------------------------------------------------------------------------------
// Encoding

export interface EncodeOptions {
  /** Key for MESSAGE-INTEGRITY (long-term: MD5(user:realm:pass); short-term: the password). */
  integrityKey?: Buffer;
  fingerprint?: boolean;
  /** Byte used to pad attribute values (RFC 8489: arbitrary; 0 by default). */
  padByte?: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function attributeBytes(attr: StunAttribute, padByte: number): Buffer {
  const out = Buffer.alloc(4 + pad4(attr.value.length), padByte);
  out.writeUInt16BE(attr.type, 0);
  out.writeUInt16BE(attr.value.length, 2);
  attr.value.copy(out, 4);
  return out;
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  if (transactionId.length !== 12) throw new RangeError("a STUN transaction ID is 12 bytes");
  const h = Buffer.alloc(HEADER_LENGTH);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(h, 8);
  return h;
}

/**
 * Encode a message. MESSAGE-INTEGRITY and FINGERPRINT, when asked for, are computed and appended last
 * (in that order), each over the message with the header length already counting the attribute itself.
 * Attributes of those two types in `msg.attributes` are dropped.
 */
export function encode(msg: StunMessage, options: EncodeOptions = {}): Buffer {
  const padByte = options.padByte ?? 0;
  const type = messageType(msg.method, msg.cls);
  const body = Buffer.concat(
    msg.attributes
      .filter((a) => a.type !== Attr.MessageIntegrity && a.type !== Attr.Fingerprint)
      .map((a) => attributeBytes(a, padByte)),
  );
  let message = Buffer.concat([header(type, body.length, msg.transactionId), body]);
  if (options.integrityKey) {
    message.writeUInt16BE(message.length - HEADER_LENGTH + 4 + INTEGRITY_LENGTH, 2);
    const mac = createHmac("sha1", options.integrityKey).update(message).digest();
    message = Buffer.concat([message, attributeBytes({ type: Attr.MessageIntegrity, value: mac }, 0)]);
  }
  if (options.fingerprint) {
    message.writeUInt16BE(message.length - HEADER_LENGTH + 8, 2);
    const value = Buffer.alloc(4);
    value.writeUInt32BE((crc32(message) ^ FINGERPRINT_XOR) >>> 0, 0);
    message = Buffer.concat([message, attributeBytes({ type: Attr.Fingerprint, value }, 0)]);
  }
  message.writeUInt16BE(message.length - HEADER_LENGTH, 2);
  return message;
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/** Does this look like a STUN message (top two bits 0, magic cookie, length a multiple of 4)? */
export function isStun(buf: Buffer): boolean {
  return (
    buf.length >= HEADER_LENGTH &&
    (buf[0]! & 0xc0) === 0 &&
    buf.readUInt32BE(4) === MAGIC_COOKIE &&
    buf.readUInt16BE(2) % 4 === 0 &&
    buf.length === HEADER_LENGTH + buf.readUInt16BE(2)
  );
}

/**
 * For a stream (TCP/TLS): how many bytes the message at the start of `buf` takes, once 4 bytes are
 * there (RFC 8489 §6.2.2: framing by the header length). undefined = not enough bytes yet.
 * ChannelData frames (first two bits 01) are framed too (length + 4, padded to 4 over streams).
 */
export function frameLength(buf: Buffer): number | undefined {
  if (buf.length < 4) return undefined;
  const top = buf[0]! & 0xc0;
  if (top === 0) return HEADER_LENGTH + buf.readUInt16BE(2);
  if (top === 0x40) return 4 + pad4(buf.readUInt16BE(2));
  throw new StunDecodeError(`not a STUN or ChannelData frame (first byte 0x${buf[0]!.toString(16)})`);
}

export function decode(buf: Buffer): StunMessage {
  if (buf.length < HEADER_LENGTH) throw new StunDecodeError(`message of ${buf.length} bytes is shorter than a STUN header`);
  const type = buf.readUInt16BE(0);
  if ((type & 0xc000) !== 0) throw new StunDecodeError("the two top bits of the message type are not zero");
  const length = buf.readUInt16BE(2);
  if (buf.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunDecodeError("no magic cookie (not an RFC 5389/8489 STUN message)");
  if (length % 4 !== 0) throw new StunDecodeError(`message length ${length} is not a multiple of 4`);
  if (buf.length !== HEADER_LENGTH + length) {
    throw new StunDecodeError(`header says ${length} bytes of attributes, ${buf.length - HEADER_LENGTH} present`);
  }
  const attributes: StunAttribute[] = [];
  let off = HEADER_LENGTH;
  while (off < buf.length) {
    if (off + 4 > buf.length) throw new StunDecodeError("truncated attribute header");
    const attrType = buf.readUInt16BE(off);
    const attrLength = buf.readUInt16BE(off + 2);
    if (off + 4 + attrLength > buf.length) throw new StunDecodeError(`attribute 0x${attrType.toString(16)} runs past the end`);
    attributes.push({ type: attrType, value: Buffer.from(buf.subarray(off + 4, off + 4 + attrLength)) });
    off += 4 + pad4(attrLength);
  }
  return { ...splitType(type), transactionId: Buffer.from(buf.subarray(8, 20)), attributes };
}

export function getAttribute(msg: StunMessage, type: number): Buffer | undefined {
  return msg.attributes.find((a) => a.type === type)?.value;
}

// ---------------------------------------------------------------------------------------------------
// MESSAGE-INTEGRITY and FINGERPRINT over received bytes

/** Byte offset of the first attribute of `type` in an encoded message, or -1. */
function attributeOffset(raw: Buffer, type: number): number {
  let off = HEADER_LENGTH;
  while (off + 4 <= raw.length) {
    const t = raw.readUInt16BE(off);
    if (t === type) return off;
    off += 4 + pad4(raw.readUInt16BE(off + 2));
  }
  return -1;
}

export type IntegrityVerdict = "valid" | "invalid" | "absent";

/** Check MESSAGE-INTEGRITY of an encoded message with `key` (RFC 8489 §14.5). */
export function verifyIntegrity(raw: Buffer, key: Buffer): IntegrityVerdict {
  const off = attributeOffset(raw, Attr.MessageIntegrity);
  if (off < 0) return "absent";
  if (raw.readUInt16BE(off + 2) !== INTEGRITY_LENGTH || off + 4 + INTEGRITY_LENGTH > raw.length) return "invalid";
  const covered = Buffer.from(raw.subarray(0, off));
  covered.writeUInt16BE(off + 4 + INTEGRITY_LENGTH - HEADER_LENGTH, 2);
  const expected = createHmac("sha1", key).update(covered).digest();
  return timingSafeEqual(expected, raw.subarray(off + 4, off + 4 + INTEGRITY_LENGTH)) ? "valid" : "invalid";
}

/** Check FINGERPRINT of an encoded message (RFC 8489 §14.7); it must be the last attribute. */
export function verifyFingerprint(raw: Buffer): IntegrityVerdict {
  const off = attributeOffset(raw, Attr.Fingerprint);
  if (off < 0) return "absent";
  if (raw.readUInt16BE(off + 2) !== 4 || off + 8 !== raw.length) return "invalid";
  const covered = Buffer.from(raw.subarray(0, off));
  covered.writeUInt16BE(off + 8 - HEADER_LENGTH, 2);
  return ((crc32(covered) ^ FINGERPRINT_XOR) >>> 0) === raw.readUInt32BE(off + 4) ? "valid" : "invalid";
}

// ---------------------------------------------------------------------------------------------------
// Attribute values

export function stringValue(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

export function u32Value(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

export function readU32(value: Buffer | undefined): number | undefined {
  return value && value.length >= 4 ? value.readUInt32BE(0) : undefined;
}

/** REQUESTED-TRANSPORT: protocol number then three reserved bytes (RFC 8656 §18.6). */
export function requestedTransportValue(protocol: number): Buffer {
  return Buffer.from([protocol, 0, 0, 0]);
}

/** ERROR-CODE (RFC 8489 §14.8): class (hundreds) in byte 2, number in byte 3, then the reason phrase. */
export function errorCodeValue(code: number, reason: string): Buffer {
  const head = Buffer.from([0, 0, Math.floor(code / 100) & 0x7, code % 100]);
  return Buffer.concat([head, Buffer.from(reason, "utf8")]);
}

export function readErrorCode(value: Buffer | undefined): { code: number; reason: string } | undefined {
  if (!value || value.length < 4) return undefined;
  return { code: (value[2]! & 0x7) * 100 + value[3]!, reason: value.subarray(4).toString("utf8") };
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split(".").map(Number));
}

function ipv6Bytes(address: string): Buffer {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const o = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const words = (part: string): number[] => (part === "" ? [] : part.split(":").map((w) => parseInt(w, 16)));
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function ipv6Text(bytes: Buffer): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(bytes.readUInt16BE(i).toString(16));
  // Compress the longest run of zero words (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(":");
  return `${words.slice(0, best).join(":")}::${words.slice(best + bestLen).join(":")}`;
}

function xorMask(family: 4 | 6, transactionId: Buffer): Buffer {
  const cookie = u32Value(MAGIC_COOKIE);
  return family === 4 ? cookie : Buffer.concat([cookie, transactionId]);
}

/** XOR-MAPPED-ADDRESS / XOR-PEER-ADDRESS / XOR-RELAYED-ADDRESS value (RFC 8489 §14.2). */
export function xorAddressValue(addr: { address: string; port: number }, transactionId: Buffer): Buffer {
  const family: 4 | 6 = isIPv4(addr.address) ? 4 : isIPv6(addr.address) ? 6 : (() => {
    throw new RangeError(`not an IP address: ${addr.address}`);
  })();
  const ip = family === 4 ? ipv4Bytes(addr.address) : ipv6Bytes(addr.address);
  const mask = xorMask(family, transactionId);
  const out = Buffer.alloc(4 + ip.length);
  out[1] = family === 4 ? 0x01 : 0x02;
  out.writeUInt16BE((addr.port ^ (MAGIC_COOKIE >>> 16)) & 0xffff, 2);
  for (let i = 0; i < ip.length; i++) out[4 + i] = ip[i]! ^ mask[i]!;
  return out;
}

export function readXorAddress(value: Buffer | undefined, transactionId: Buffer): TransportAddress | undefined {
  if (!value || value.length < 8) return undefined;
  const family = value[1] === 0x01 ? 4 : value[1] === 0x02 ? 6 : undefined;
  if (!family || value.length < (family === 4 ? 8 : 20)) return undefined;
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = xorMask(family, transactionId);
  const ip = Buffer.alloc(family === 4 ? 4 : 16);
  for (let i = 0; i < ip.length; i++) ip[i] = value[4 + i]! ^ mask[i]!;
  return { family, address: family === 4 ? [...ip].join(".") : ipv6Text(ip), port };
}

/** The decoded view of the attributes this tool reads. */
export interface DecodedAttributes {
  username?: string;
  realm?: string;
  nonce?: string;
  software?: string;
  lifetime?: number;
  errorCode?: { code: number; reason: string };
  xorMappedAddress?: TransportAddress;
  xorRelayedAddress?: TransportAddress;
  xorPeerAddress?: TransportAddress;
  data?: Buffer;
}

export function readAttributes(msg: StunMessage): DecodedAttributes {
  const text = (type: number): string | undefined => getAttribute(msg, type)?.toString("utf8");
  const out: DecodedAttributes = {};
  const username = text(Attr.Username);
  const realm = text(Attr.Realm);
  const nonce = text(Attr.Nonce);
  const software = text(Attr.Software);
  const lifetime = readU32(getAttribute(msg, Attr.Lifetime));
  const errorCode = readErrorCode(getAttribute(msg, Attr.ErrorCode));
  const mapped = readXorAddress(getAttribute(msg, Attr.XorMappedAddress), msg.transactionId);
  const relayed = readXorAddress(getAttribute(msg, Attr.XorRelayedAddress), msg.transactionId);
  const peer = readXorAddress(getAttribute(msg, Attr.XorPeerAddress), msg.transactionId);
  const data = getAttribute(msg, Attr.Data);
  if (username !== undefined) out.username = username;
  if (realm !== undefined) out.realm = realm;
  if (nonce !== undefined) out.nonce = nonce;
  if (software !== undefined) out.software = software;
  if (lifetime !== undefined) out.lifetime = lifetime;
  if (errorCode) out.errorCode = errorCode;
  if (mapped) out.xorMappedAddress = mapped;
  if (relayed) out.xorRelayedAddress = relayed;
  if (peer) out.xorPeerAddress = peer;
  if (data) out.data = data;
  return out;
}
