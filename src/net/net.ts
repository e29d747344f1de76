// The network of one run: every DNS question, HTTP request and TLS handshake goes through here, is
// memoised (two probes asking the same thing cause one request) and is logged for --verbose.

import type { DnsLookup, DnsRecordType, HostAddresses, HttpExchange, HttpFetch, TlsHandshakeFact } from "../engine/facts.js";
import { lookup, resolveHost } from "./dns.js";
import { httpRequest, type HttpRequest } from "./http.js";
import { tlsHandshake, type HandshakeRequest } from "./tls.js";
import { trustFor } from "./trust.js";

export interface NetOptions {
  resolver?: string;
  extraCa: string[];
  signal: AbortSignal;
  log(message: string): void;
  /** Per-operation budgets in milliseconds. */
  timeouts?: Partial<Timeouts>;
}

export interface Timeouts {
  dns: number;
  connect: number;
  http: number;
  tls: number;
}

const DEFAULT_TIMEOUTS: Timeouts = { dns: 5_000, connect: 5_000, http: 10_000, tls: 8_000 };
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface FetchOptions {
  /** Connect the first hop to this address instead of the first one DNS returns. */
  firstAddress?: string;
  headers?: Record<string, string>;
  maxBodyBytes?: number;
  /** base64 for binary payloads (AIA certificates); text otherwise. */
  bodyEncoding?: "utf8" | "base64";
}

export type ExchangeOptions = Omit<HttpRequest, "trust" | "connectTimeoutMs" | "timeoutMs" | "signal" | "maxBodyBytes"> & {
  maxBodyBytes?: number;
};

export interface Net {
  dns(name: string, type: DnsRecordType): Promise<DnsLookup>;
  resolveHost(host: string): Promise<HostAddresses>;
  /** One request to one address. */
  exchange(options: ExchangeOptions): Promise<HttpExchange>;
  /** A GET that follows redirects, each hop through our own DNS. */
  fetch(url: string, options?: FetchOptions): Promise<HttpFetch>;
  handshake(options: Omit<HandshakeRequest, "trust" | "timeoutMs" | "signal" | "fetchIssuer">): Promise<TlsHandshakeFact>;
  /** Every operation that really went on the wire, in order (for --verbose and request counting). */
  readonly wire: string[];
}

export function createNet(options: NetOptions): Net {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const trust = trustFor(options.extraCa);
  const memo = new Map<string, Promise<unknown>>();
  const wire: string[] = [];
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let hit = memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      wire.push(key);
      options.log(key);
      hit = make();
      memo.set(key, hit);
    }
    return hit;
  };
  const dnsOptions = {
    ...(options.resolver && { server: options.resolver }),
    timeoutMs: timeouts.dns,
    signal: options.signal,
  };

  const dns = (name: string, type: DnsRecordType): Promise<DnsLookup> =>
    once(`dns ${type} ${name}`, () => lookup(name, type, dnsOptions));

  const netApi: Net = {
    dns,
    resolveHost: (host) => resolveHost(host, dnsOptions, (name, type) => dns(name, type)),
    exchange: (req) => {
      const headerKey = Object.entries(req.headers ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
      const key = `http ${req.method} ${req.url} @${req.address}${req.hostHeader ? ` host=${req.hostHeader}` : ""}${
        req.servername ? ` sni=${req.servername}` : ""
      }${headerKey ? ` [${headerKey}]` : ""}${req.bodyEncoding === "base64" ? " (binary)" : ""}`;
      return once(key, () =>
        httpRequest({
          ...req,
          maxBodyBytes: req.maxBodyBytes ?? 1024 * 1024,
          trust,
          connectTimeoutMs: timeouts.connect,
          timeoutMs: timeouts.http,
          signal: options.signal,
        }),
      );
    },
    fetch: (url, fetchOptions = {}) => followRedirects(netApi, url, fetchOptions),
    handshake: (req) =>
      once(`tls ${req.address}:${req.port} sni=${req.servername ?? "-"} expect=${req.expectedName}`, () =>
        tlsHandshake({
          ...req,
          trust,
          timeoutMs: timeouts.tls,
          signal: options.signal,
          fetchIssuer: async (issuerUrl) => {
            if (!issuerUrl.startsWith("http://")) return undefined; // AIA is plain HTTP by convention
            const result = await netApi.fetch(issuerUrl, { maxBodyBytes: 64 * 1024, bodyEncoding: "base64" });
            const res = result.final.response;
            if (!res || res.status !== 200 || res.truncated) return undefined;
            return Buffer.from(res.body, "base64");
          },
        }),
      ),
    wire,
  };
  return netApi;
}

function hostOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

async function followRedirects(netApi: Net, startUrl: string, options: FetchOptions): Promise<HttpFetch> {
  const hops: HttpExchange[] = [];
  const visited = new Set<string>();
  let url = startUrl;
  let redirectLoop = false;
  let tooManyRedirects = false;
  for (;;) {
    visited.add(url);
    const parsed = new URL(url);
    const exchange = await fetchOne(netApi, parsed, hops.length === 0 ? options.firstAddress : undefined, options);
    hops.push(exchange);
    const res = exchange.response;
    const location = res?.headers.location;
    if (!res || !REDIRECT_STATUSES.has(res.status) || !location) break;
    const next = new URL(location, url).toString();
    if (visited.has(next)) {
      redirectLoop = true;
      break;
    }
    if (hops.length > MAX_REDIRECTS) {
      tooManyRedirects = true;
      break;
    }
    url = next;
  }
  return { url: startUrl, hops, redirectLoop, tooManyRedirects, final: hops[hops.length - 1]! };
}

/** One hop: resolve the URL's host through our DNS and try its addresses in order until one answers. */
async function fetchOne(
  netApi: Net,
  url: URL,
  pinned: string | undefined,
  options: FetchOptions,
): Promise<HttpExchange> {
  const request = (address: string): Promise<HttpExchange> =>
    netApi.exchange({
      method: "GET",
      url: url.toString(),
      address,
      ...(options.headers && { headers: options.headers }),
      ...(options.maxBodyBytes && { maxBodyBytes: options.maxBodyBytes }),
      ...(options.bodyEncoding && { bodyEncoding: options.bodyEncoding }),
    });
  if (pinned) return request(pinned);
  const host = hostOf(url);
  const addrs = await netApi.resolveHost(host);
  const candidates = [...(addrs.a.values ?? []), ...(addrs.aaaa.values ?? [])];
  if (candidates.length === 0) {
    const why = [addrs.a, addrs.aaaa].map((l) => `${l.type} ${l.status}`).join(", ");
    return {
      method: "GET",
      url: url.toString(),
      port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
      hostHeader: url.host,
      error: { code: "dns", message: `${host} has no address (${why})` },
      durationMs: 0,
    };
  }
  let last: HttpExchange | undefined;
  for (const address of candidates) {
    last = await request(address);
    // Like a browser or a homeserver, move on to the next address only when this one did not answer.
    if (last.response || last.error?.code === "timeout") break;
  }
  return last!;
}
