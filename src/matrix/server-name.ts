// The server-name grammar of the spec appendix ("Server Name"):
//   server_name = hostname [ ":" port ]; port = 1*5DIGIT
//   hostname    = IPv4address / "[" IPv6address "]" / dns-name
//   dns-name    = 1*255dns-char; dns-char = DIGIT / ALPHA / "-" / "."
// Used for the CLI argument, for m.server values and by the discovery probe.

import { isIP } from "node:net";
import type { ServerNameFact } from "../engine/facts.js";

const DNS_NAME = /^[0-9A-Za-z.-]{1,255}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;
const PORT = /^[0-9]{1,5}$/;

export function parseServerName(raw: string): ServerNameFact {
  const invalid = (invalidReason: string): ServerNameFact => ({ raw, valid: false, invalidReason, host: raw, kind: "dns" });
  if (raw.length === 0) return invalid("it is empty");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return invalid("it has a URL scheme; give only the host name, e.g. example.org");
  if (raw.includes("/")) return invalid("it contains '/'; give only the host name and an optional port");

  let hostPart: string;
  let portPart: string | undefined;
  if (raw.startsWith("[")) {
    const close = raw.indexOf("]");
    if (close < 0) return invalid("an IPv6 literal must be closed with ']'");
    hostPart = raw.slice(1, close);
    const rest = raw.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return invalid("only ':port' may follow an IPv6 literal");
      portPart = rest.slice(1);
    }
    if (!IPV6_CHARS.test(hostPart) || isIP(hostPart) !== 6) return invalid(`'${hostPart}' is not an IPv6 address`);
  } else {
    const colon = raw.lastIndexOf(":");
    if (colon >= 0) {
      if (raw.indexOf(":") !== colon) return invalid("an IPv6 address must be written in brackets, e.g. [2001:db8::1]");
      hostPart = raw.slice(0, colon);
      portPart = raw.slice(colon + 1);
    } else {
      hostPart = raw;
    }
    if (hostPart.length === 0) return invalid("the host name is empty");
    if (!DNS_NAME.test(hostPart)) {
      const bad = [...hostPart].find((c) => !/[0-9A-Za-z.-]/.test(c));
      return invalid(bad ? `it contains the character '${bad}', which a server name may not` : "the host name is longer than 255 characters");
    }
  }

  let port: number | undefined;
  if (portPart !== undefined) {
    if (!PORT.test(portPart)) return invalid(`'${portPart}' is not a port (1 to 5 digits)`);
    port = Number(portPart);
    // The grammar allows 5 digits; a port above 65535 cannot be connected to (judgement).
    if (port < 1 || port > 65535) return invalid(`port ${port} is outside 1-65535`);
  }

  const family = isIP(hostPart);
  const kind = family === 4 ? "ipv4" : family === 6 ? "ipv6" : "dns";
  if (kind === "dns" && /^[0-9.]+$/.test(hostPart)) return invalid(`'${hostPart}' looks like an IPv4 address but is not one`);
  return { raw, valid: true, host: hostPart, kind, ...(port !== undefined && { port }) };
}

/** "host:port" with IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
