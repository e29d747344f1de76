// TURN URIs (RFC 7065): turn:host[:port][?transport=udp|tcp], turns:host[:port][?transport=tcp].
// Defaults: turn → port 3478, UDP; turns → port 5349, TCP under TLS.

import { isIP } from "node:net";

export type TurnTransport = "udp" | "tcp" | "tls";

export interface ParsedTurnUri {
  uri: string;
  valid: boolean;
  invalidReason?: string;
  scheme?: "turn" | "turns";
  /** Without brackets for IPv6. */
  host?: string;
  port?: number;
  /** How we talk to it: udp, tcp, or tls (turns: over TCP). */
  transport?: TurnTransport;
  /** The transport parameter as written, if any. */
  transportParam?: string;
  hostIsIp?: boolean;
}

export function parseTurnUri(uri: string): ParsedTurnUri {
  const bad = (invalidReason: string): ParsedTurnUri => ({ uri, valid: false, invalidReason });
  const m = /^([A-Za-z]+):(.*)$/.exec(uri.trim());
  if (!m) return bad("no scheme (expected turn: or turns:)");
  const scheme = m[1]!.toLowerCase();
  if (scheme !== "turn" && scheme !== "turns") {
    return bad(scheme === "stun" || scheme === "stuns" ? `${scheme}: is a STUN-only URI; clients need turn: or turns:` : `unknown scheme ${scheme}:`);
  }
  let rest = m[2]!;
  if (rest.startsWith("//")) return bad("turn URIs have no // (write turn:host:port, not turn://host)");
  let transportParam: string | undefined;
  const q = rest.indexOf("?");
  if (q >= 0) {
    const query = rest.slice(q + 1);
    rest = rest.slice(0, q);
    const tm = /^transport=([A-Za-z]+)$/.exec(query);
    if (!tm) return bad(`unknown query "${query}" (only ?transport=udp or ?transport=tcp is defined)`);
    transportParam = tm[1]!.toLowerCase();
    if (transportParam !== "udp" && transportParam !== "tcp") return bad(`unknown transport "${tm[1]}"`);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0) return bad("unclosed [ in an IPv6 host");
    host = rest.slice(1, end);
    const after = rest.slice(end + 1);
    if (after !== "" && !after.startsWith(":")) return bad(`unexpected "${after}" after the IPv6 host`);
    portText = after === "" ? undefined : after.slice(1);
    if (isIP(host) !== 6) return bad(`"${host}" is not an IPv6 address`);
  } else {
    const parts = rest.split(":");
    if (parts.length > 2) return bad("an IPv6 host must be written in brackets");
    host = parts[0]!;
    portText = parts[1];
  }
  if (host === "") return bad("no host");
  if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host)) {
    return bad(`"${host}" is not a valid host name`);
  }
  let port = scheme === "turns" ? 5349 : 3478;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return bad(`bad port "${portText}"`);
    port = Number(portText);
  }
  if (scheme === "turns" && transportParam === "udp") {
    return { uri, valid: false, invalidReason: "turns:…?transport=udp means DTLS, which matrix-doctor does not test", scheme, host, port, transportParam };
  }
  const transport: TurnTransport = scheme === "turns" ? "tls" : transportParam === "tcp" ? "tcp" : "udp";
  return {
    uri,
    valid: true,
    scheme,
    host: host.replace(/\.$/, ""),
    port,
    transport,
    ...(transportParam && { transportParam }),
    hostIsIp: isIP(host) !== 0,
  };
}
