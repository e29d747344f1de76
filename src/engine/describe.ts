// Wording helpers shared by the checks: how a network error, an endpoint, a host or an nginx snippet is written in
// a finding. Nothing here judges: every rule (what passes, warns or fails) stays in the check's own file.

import { isIPv6 } from "node:net";
import { hostPort } from "../matrix/server-name.js";
import type { HttpExchange, TlsHandshakeFact } from "./facts.js";
import type { NetError, NetErrorCode } from "./types.js";

/** A network failure class in words, as the client checks write it. */
export const NET_ERROR_WORDS: Readonly<Record<NetErrorCode, string>> = {
  timeout: "timed out",
  refused: "connection refused",
  reset: "connection reset",
  unreachable: "host unreachable",
  dns: "DNS lookup failed",
  tls: "TLS handshake failed",
  "too-large": "response too large",
  protocol: "HTTP protocol error",
  aborted: "aborted at the run deadline",
  other: "failed",
};

/** "connection refused (connect ECONNREFUSED 192.0.2.1:443)". */
export function describeNetError(error: NetError): string {
  return `${NET_ERROR_WORDS[error.code]} (${error.message})`;
}

/** The host of a URL with its port, if any ("example.org:8448", "[2001:db8::1]"); the input when it is no URL. */
export function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The host of a URL without its port ("example.org", "[2001:db8::1]"); the input when it is no URL. */
export function hostnameOfUrl(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** The host part of a server name: brackets removed from IPv6, port dropped. */
export function hostOfServerName(serverName: string): string {
  if (serverName.startsWith("[")) return serverName.slice(1, serverName.indexOf("]"));
  return serverName.replace(/:\d+$/, "");
}

/** address:port an HTTP exchange actually connected to (the URL's host when no address was recorded), IPv6 in brackets. */
export function exchangeEndpoint(exchange: HttpExchange): string {
  const address = exchange.address ?? hostnameOfUrl(exchange.url);
  return `${address.includes(":") && !address.startsWith("[") ? `[${address}]` : address}:${exchange.port}`;
}

/** "federation host:port" for a request to a federation endpoint (the Host header's name when no address was recorded). */
export function federationEndpoint(exchange: HttpExchange): string {
  return `federation ${hostPort(exchange.address ?? exchange.hostHeader.replace(/:\d+$/, ""), exchange.port)}`;
}

/** "federation host:port" or "client host:port" for a TLS handshake. */
export function handshakeEndpoint(h: TlsHandshakeFact): string {
  return `${h.listener} ${hostPort(h.address, h.port)}`;
}

/** The name to put in a curl URL for this exchange, and the --resolve option that sends it to the same address. */
export function curlTarget(exchange: HttpExchange): { host: string; resolve: string } {
  const host = exchange.servername ?? exchange.hostHeader.replace(/:\d+$/, "");
  const address = exchange.address;
  const resolve = address && address !== host ? ` --resolve ${host}:${exchange.port}:${isIPv6(address) ? `[${address}]` : address}` : "";
  return { host, resolve };
}

/** A parsed JSON value that is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The one-line nginx location that sends all of /_matrix (and /_synapse/client) to the homeserver at `upstream`
 * (e.g. "http://127.0.0.1:8008"; nothing after the port, or nginx rewrites request paths).
 */
export function nginxMatrixRegexLocation(upstream: string): string {
  return (
    `location ~* ^(\\/_matrix|\\/_synapse\\/client) { proxy_pass ${upstream}; proxy_set_header X-Forwarded-For $remote_addr; ` +
    "proxy_set_header X-Forwarded-Proto $scheme; proxy_set_header Host $host; client_max_body_size 50M; proxy_http_version 1.1; }"
  );
}

/** The multi-line `location /_matrix` block of Synapse's reverse_proxy.md, proxying to `upstream`. */
export function nginxMatrixLocationBlock(upstream: string): string {
  return (
    `location /_matrix {\n    proxy_pass ${upstream};\n    proxy_set_header X-Forwarded-For $remote_addr;\n` +
    "    proxy_set_header X-Forwarded-Proto $scheme;\n    proxy_set_header Host $host;\n    client_max_body_size 50M;\n}"
  );
}
