// Which part of the address space an IP literal belongs to, so checks can tell addresses peers on the
// internet can reach from ones they cannot. Pure: no lookups.

import { isIPv4, isIPv6 } from "node:net";

export type AddressClass =
  | "public"
  | "private"
  | "loopback"
  | "link-local"
  | "cgnat"
  | "unique-local"
  | "unspecified";

/**
 * Classifies an IPv4 or IPv6 literal (brackets and an IPv6 zone id are accepted). IPv4-mapped IPv6
 * addresses are classified as the IPv4 address. Returns undefined for anything that is not an IP.
 */
export function classifyAddress(ip: string): AddressClass | undefined {
  const bare = ip.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (isIPv4(bare)) return classifyIPv4(bare.split(".").map(Number));
  if (isIPv6(bare)) return classifyIPv6(bare);
  return undefined;
}

/** True for addresses peers on the public internet cannot reach. */
export function isNonPublicAddress(ip: string): boolean {
  const addressClass = classifyAddress(ip);
  return addressClass !== undefined && addressClass !== "public";
}

function classifyIPv4(octets: number[]): AddressClass {
  const [a = 0, b = 0] = octets;
  // 0.0.0.0/8 is "this network": never a valid destination.
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a === 100 && b >= 64 && b <= 127) return "cgnat";
  return "public";
}

function classifyIPv6(text: string): AddressClass {
  const words = ipv6Words(text);
  if (words.every((w) => w === 0)) return "unspecified";
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return "loopback";
  // ::ffff:a.b.c.d — the IPv4 address is what the packets reach.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    const hi = words[6] ?? 0;
    const lo = words[7] ?? 0;
    return classifyIPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  }
  const first = words[0] ?? 0;
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xfe00) === 0xfc00) return "unique-local";
  return "public";
}

/** The eight 16-bit words of a valid IPv6 literal (the caller has checked it with isIPv6). */
function ipv6Words(text: string): number[] {
  let body = text.toLowerCase();
  // An embedded dotted-quad tail stands for the last two words.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(body);
  if (dotted) {
    const [o1, o2, o3, o4] = dotted.slice(1).map(Number) as [number, number, number, number];
    body = `${body.slice(0, dotted.index)}${((o1 << 8) | o2).toString(16)}:${((o3 << 8) | o4).toString(16)}`;
  }
  const [head = "", tail] = body.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((w) => parseInt(w, 16)));
  const headWords = parse(head);
  if (tail === undefined) return headWords;
  const tailWords = parse(tail);
  return [...headWords, ...new Array<number>(8 - headWords.length - tailWords.length).fill(0), ...tailWords];
}
