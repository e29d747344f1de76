// Fact fixtures for the dns-*, wellknown-* and federation-discovery checks: a healthy baseline
// (example.org delegating to matrix.example.org:443 through its well-known) and small builders to
// bend it per case.

import type {
  ClientWellKnownFact,
  DiscoveryFact,
  DiscoveryTarget,
  DnsLookup,
  DnsRecordType,
  DnsStatus,
  Endpoint,
  HostAddresses,
  HttpExchange,
  HttpFetch,
  HttpResponse,
  ServerNameFact,
  SrvRecord,
  WellKnownServerFact,
} from "../../src/engine/facts.js";
import type { NetError } from "../../src/engine/types.js";

export const SERVER = "example.org";
export const DELEGATE = "matrix.example.org";
export const V4 = "203.0.113.10";
export const V6 = "2001:db8::10";
export const DELEGATE_V4 = "203.0.113.20";
export const DELEGATE_V6 = "2001:db8::20";

export function lookup(name: string, type: DnsRecordType, result: string[] | DnsStatus, message?: string): DnsLookup {
  if (Array.isArray(result)) {
    return { name, type, status: result.length > 0 ? "ok" : "nodata", values: result, durationMs: 3 };
  }
  return { name, type, status: result, ...(message !== undefined && { message }), durationMs: result === "timeout" ? 5000 : 3 };
}

export function hostAddresses(host: string, v4: string[] | DnsStatus, v6: string[] | DnsStatus): HostAddresses {
  return { host, a: lookup(host, "A", v4), aaaa: lookup(host, "AAAA", v6) };
}

export function srvLookup(name: string, records: SrvRecord[] | DnsStatus): DnsLookup {
  if (Array.isArray(records)) {
    return { name, type: "SRV", status: records.length > 0 ? "ok" : "nodata", srv: records, durationMs: 4 };
  }
  return { name, type: "SRV", status: records, durationMs: records === "timeout" ? 5000 : 4 };
}

export function serverNameFact(raw: string, overrides: Partial<ServerNameFact> = {}): ServerNameFact {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (bracketed) {
    const port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    return { raw, valid: true, host: bracketed[1] ?? "", kind: "ipv6", ...(port !== undefined && { port }), ...overrides };
  }
  const [host = "", portText] = raw.split(":");
  const kind = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? "ipv4" : "dns";
  return {
    raw,
    valid: true,
    host,
    kind,
    ...(portText !== undefined && { port: Number(portText) }),
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------
// HTTP

export function response(status: number, body = "", headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers,
    body,
    bodyBytes: Buffer.byteLength(body),
    truncated: false,
    tls: { authorized: true, protocol: "TLSv1.3" },
  };
}

export function jsonResponse(value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return response(200, JSON.stringify(value), { "content-type": "application/json", ...headers });
}

export function exchange(url: string, result: HttpResponse | NetError, address = V4): HttpExchange {
  const host = new URL(url).hostname;
  const base = {
    method: "GET",
    url,
    address,
    port: 443,
    hostHeader: host,
    servername: host,
    durationMs: 12,
  };
  return "code" in result ? { ...base, error: result } : { ...base, response: result };
}

export function redirect(url: string, status: number, location: string, address = V4): HttpExchange {
  return exchange(url, response(status, "", { location }), address);
}

export function httpFetch(hops: HttpExchange[], flags: Partial<Pick<HttpFetch, "redirectLoop" | "tooManyRedirects">> = {}): HttpFetch {
  const final = hops[hops.length - 1];
  if (!final) throw new Error("a fetch needs at least one exchange");
  return {
    url: hops[0]?.url ?? final.url,
    hops,
    redirectLoop: flags.redirectLoop ?? false,
    tooManyRedirects: flags.tooManyRedirects ?? false,
    final,
  };
}

export const WK_URL = `https://${SERVER}/.well-known/matrix/server`;
export const HEALTHY_BODY = { "m.server": `${DELEGATE}:443` };

/** A well-known fact where every address answers with the same result. */
export function wellKnown(result: HttpResponse | NetError = jsonResponse(HEALTHY_BODY)): WellKnownServerFact {
  return wellKnownFromFetches(
    [V4, V6].map((address) => ({ address, fetch: httpFetch([exchange(WK_URL, result, address)]) })),
  );
}

/** A well-known fact whose primary fetch is the given one (also used as the only per-address fetch). */
export function wellKnownPrimary(primary: HttpFetch): WellKnownServerFact {
  return {
    host: SERVER,
    url: WK_URL,
    addresses: hostAddresses(SERVER, [V4], []),
    primary,
    perAddress: [{ address: V4, fetch: primary }],
  };
}

export function wellKnownFromFetches(perAddress: { address: string; fetch: HttpFetch }[]): WellKnownServerFact {
  const primary = perAddress.find((p) => p.fetch.final.response)?.fetch ?? perAddress[0]?.fetch;
  if (!primary) throw new Error("a well-known fact needs at least one fetch");
  const v4 = perAddress.filter((p) => !p.address.includes(":")).map((p) => p.address);
  const v6 = perAddress.filter((p) => p.address.includes(":")).map((p) => p.address);
  return {
    host: SERVER,
    url: WK_URL,
    addresses: hostAddresses(SERVER, v4, v6),
    primary,
    perAddress,
  };
}

// ---------------------------------------------------------------------------------------------------
// Discovery

export function target(host: string, port: number, v4: string[] | DnsStatus, v6: string[] | DnsStatus, extra: Partial<DiscoveryTarget> = {}): DiscoveryTarget {
  return { host, port, addresses: hostAddresses(host, v4, v6), ...extra };
}

export function endpointsOf(targets: DiscoveryTarget[]): Endpoint[] {
  return targets.flatMap((t) => [
    ...(t.addresses.a.values ?? []).map((address) => ({ address, family: 4 as const, port: t.port, host: t.host })),
    ...(t.addresses.aaaa.values ?? []).map((address) => ({ address, family: 6 as const, port: t.port, host: t.host })),
  ]);
}

/** Step 3.2: the well-known delegates to matrix.example.org:443. */
export function discovery(overrides: Partial<DiscoveryFact> = {}): DiscoveryFact {
  const targets = overrides.targets ?? [target(DELEGATE, 443, [DELEGATE_V4], [DELEGATE_V6])];
  return {
    serverName: SERVER,
    step: "3.2",
    hostHeader: `${DELEGATE}:443`,
    tlsName: DELEGATE,
    sni: true,
    delegatedTo: `${DELEGATE}:443`,
    srvLookups: [],
    targets,
    endpoints: endpointsOf(targets),
    ...overrides,
  };
}

export const srv = (target: string, port: number, priority = 10, weight = 5): SrvRecord => ({ target, port, priority, weight });

/** Step 4: no well-known, `_matrix-fed._tcp.example.org` points at fed.example.org:8448. */
export function srvDiscovery(overrides: Partial<DiscoveryFact> = {}): DiscoveryFact {
  const record = srv("fed.example.org", 8448);
  const targets = [target("fed.example.org", 8448, [DELEGATE_V4], [], { srv: { ...record, service: "_matrix-fed._tcp" } })];
  return discovery({
    step: "4",
    hostHeader: SERVER,
    tlsName: SERVER,
    delegatedTo: undefined,
    wellKnownIgnoredBecause: "404",
    srvService: "_matrix-fed._tcp",
    srvLookups: [srvLookup(`_matrix-fed._tcp.${SERVER}`, [record])],
    targets,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------------
// Client well-known

export function clientWellKnown(baseUrl: string): ClientWellKnownFact {
  const url = `https://${SERVER}/.well-known/matrix/client`;
  return {
    host: SERVER,
    url,
    fetch: httpFetch([exchange(url, jsonResponse({ "m.homeserver": { base_url: baseUrl } }))]),
    baseUrl,
    baseUrlSource: "well-known",
  };
}
