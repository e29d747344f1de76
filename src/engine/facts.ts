// Facts: what probes observed, typed and serialisable. Probes never judge; checks (in checks/) judge
// these objects and nothing else. Every network failure is recorded as data (`error`), so a check can
// say "timed out" or "connection refused" instead of crashing.

import type { NetError } from "./types.js";
import type { HomeserverConfigFact } from "./facts/config.js";
import type { PostgresFact } from "./facts/postgres.js";
import type { SystemdFact } from "./facts/systemd.js";
import type { TurnFact } from "./facts/turn.js";

export type { HomeserverConfigFact, PostgresFact, SystemdFact, TurnFact };

// ---------------------------------------------------------------------------------------------------
// Server name

export type HostKind = "dns" | "ipv4" | "ipv6";

/** The server name as parsed by the spec's grammar (appendix "Server Name"). */
export interface ServerNameFact {
  raw: string;
  valid: boolean;
  /** Why the grammar rejects it, when it does. */
  invalidReason?: string;
  /** Hostname without brackets for IPv6 (e.g. `::1`), as used to connect. */
  host: string;
  kind: HostKind;
  port?: number;
}

// ---------------------------------------------------------------------------------------------------
// DNS

export type DnsRecordType = "A" | "AAAA" | "SRV" | "CNAME";

/** Outcome classes of one DNS question. NODATA and NXDOMAIN are answers, the rest are failures. */
export type DnsStatus = "ok" | "nodata" | "nxdomain" | "servfail" | "refused" | "timeout" | "error";

export interface SrvRecord {
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DnsLookup {
  name: string;
  type: DnsRecordType;
  status: DnsStatus;
  /** A/AAAA: addresses; CNAME: canonical names. */
  values?: string[];
  srv?: SrvRecord[];
  message?: string;
  durationMs: number;
}

/** A and AAAA of one host, asked separately so a broken family is visible. */
export interface HostAddresses {
  host: string;
  a: DnsLookup;
  aaaa: DnsLookup;
}

// ---------------------------------------------------------------------------------------------------
// HTTP

/** Headers with lower-cased names; repeated headers joined with ", " (set-cookie dropped). */
export type Headers = Record<string, string>;

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Body as UTF-8 text, at most `maxBytes` of it. */
  body: string;
  bodyBytes: number;
  /** True when the body was longer than the cap and reading stopped there. */
  truncated: boolean;
  /** Set when the connection was TLS. */
  tls?: { authorized: boolean; authorizationError?: string; protocol?: string };
}

/** One request to one address, and what came back (or the error). */
export interface HttpExchange {
  method: string;
  url: string;
  /** The IP address connected to (never looked up again through the system resolver). */
  address?: string;
  port: number;
  hostHeader: string;
  /** SNI sent; absent for IP literals and plain HTTP. */
  servername?: string;
  response?: HttpResponse;
  error?: NetError;
  durationMs: number;
}

/** A GET that follows redirects (loop-detected, at most 10 hops). */
export interface HttpFetch {
  url: string;
  /** Every request made, in order: redirects first, the final response last. */
  hops: HttpExchange[];
  redirectLoop: boolean;
  tooManyRedirects: boolean;
  /** The last exchange, convenience copy of hops[hops.length - 1]. */
  final: HttpExchange;
}

// ---------------------------------------------------------------------------------------------------
// Well-known server (/.well-known/matrix/server)

export interface WellKnownServerFact {
  /** The hostname of the server name; the file is fetched from https://<host>/ on port 443. */
  host: string;
  url: string;
  /** A/AAAA of the host. */
  addresses: HostAddresses;
  /** The fetch as a peer makes it (first address that answered, redirects followed). */
  primary: HttpFetch;
  /** The same fetch against every A/AAAA address (first hop pinned to that address). */
  perAddress: { address: string; fetch: HttpFetch }[];
}

// ---------------------------------------------------------------------------------------------------
// Federation discovery (server-server API, "Resolving server names")

export type DiscoveryStep = "1" | "2" | "3.1" | "3.2" | "3.3" | "3.4" | "3.5" | "4" | "5" | "6";

export interface DiscoveryTarget {
  /** The host to resolve (an SRV target, the delegated host, or the server host). */
  host: string;
  port: number;
  /** From SRV, when the target came from an SRV record. */
  srv?: SrvRecord & { service: "_matrix-fed._tcp" | "_matrix._tcp" };
  /** True when the SRV target is itself a CNAME (forbidden by RFC 2782). */
  targetIsCname?: boolean;
  /** What the CNAME points to, when targetIsCname. */
  cname?: string;
  addresses: HostAddresses;
}

export interface DiscoveryFact {
  serverName: string;
  /** The step that decided, or absent when discovery failed. */
  step?: DiscoveryStep;
  /** Why discovery failed (e.g. SRV lookup SERVFAIL), when it did. */
  failure?: string;
  /** Name sent in Host. */
  hostHeader?: string;
  /** Name the certificate must be valid for; SNI unless it is an IP address. */
  tlsName?: string;
  /** Whether SNI is sent (not for IP literals). */
  sni?: boolean;
  /** The m.server value that was used, when the well-known decided. */
  delegatedTo?: string;
  /** Why the well-known did not decide (when it did not). */
  wellKnownIgnoredBecause?: string;
  srvLookups: DnsLookup[];
  /** The SRV service that decided, when one did. */
  srvService?: "_matrix-fed._tcp" | "_matrix._tcp";
  /** SRV records that exist on the server name but are ignored because the well-known delegated. */
  ignoredSrv?: DnsLookup[];
  targets: DiscoveryTarget[];
  /** Every ip:port peers may connect to, in order. IPv6 in brackets. */
  endpoints: Endpoint[];
}

export interface Endpoint {
  address: string;
  family: 4 | 6;
  port: number;
  /** The target host this address came from. */
  host: string;
}

// ---------------------------------------------------------------------------------------------------
// TLS

export interface CertSummary {
  subject: string;
  issuer: string;
  /** subjectAltName as Node prints it, e.g. "DNS:example.org, IP Address:1.2.3.4". */
  subjectAltName?: string;
  validFrom: string;
  validTo: string;
  /** validTo as milliseconds since the epoch. */
  notAfterMs: number;
  notBeforeMs: number;
  fingerprint256: string;
  serialNumber: string;
  selfSigned: boolean;
  /** AIA "CA Issuers" URL, if the certificate names one. */
  caIssuersUrl?: string;
}

export type ChainDiagnosis =
  | "trusted"
  | "missing-intermediate"
  | "incomplete-or-unknown-ca"
  | "unknown-ca"
  | "self-signed"
  | "expired"
  | "not-yet-valid"
  | "other";

export interface TlsHandshakeFact {
  listener: "client" | "federation";
  address: string;
  port: number;
  /** SNI sent, absent for IP names. */
  servername?: string;
  /** The name the certificate must cover. */
  expectedName: string;
  ok: boolean;
  error?: NetError;
  /** The TCP connection was accepted (so a timeout after it is a server that does not answer TLS). */
  tcpConnected?: boolean;
  protocol?: string;
  cipher?: string;
  /** Negotiated ALPN protocol, or false when none was agreed. */
  alpn?: string | false;
  /** Certificates as the server presented them, leaf first (trust anchors added by Node are marked). */
  chain?: CertSummary[];
  /** How many certificates the server itself sent. */
  sentCount?: number;
  /** Chain verified against the system roots plus --ca-file (name checked separately). */
  chainTrusted?: boolean;
  /** OpenSSL's verdict code, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED. */
  verifyError?: string;
  diagnosis?: ChainDiagnosis;
  /** When diagnosis is missing-intermediate: the issuer fetched through AIA. */
  aiaIssuer?: { url: string; subject: string; completesChain: boolean };
  /** Whether the leaf covers expectedName (RFC 6125 rules as Node's checkServerIdentity applies them). */
  nameMatches?: boolean;
  nameError?: string;
  durationMs: number;
}

export interface TlsFact {
  listener: "client" | "federation";
  /** The name every handshake expected. */
  expectedName: string;
  handshakes: TlsHandshakeFact[];
}

// ---------------------------------------------------------------------------------------------------
// Federation endpoints

export interface FederationEndpointsFact {
  /** GET /_matrix/federation/v1/version per endpoint, with the spec's Host header. */
  version: HttpExchange[];
  /** GET of an unknown federation path on the first endpoint: expected 404 JSON M_UNRECOGNIZED. */
  unknownPath?: HttpExchange;
}

export interface ServerKeysFact {
  serverName: string;
  /** GET /_matrix/key/v2/server per endpoint. The body is kept raw: checks verify signatures over it. */
  responses: HttpExchange[];
}

// ---------------------------------------------------------------------------------------------------
// Client discovery

/** What matrix-js-sdk's AutoDiscovery (the code Element uses) concludes from the client well-known. */
export interface ClientAutoDiscovery {
  homeserver: { state: string; error?: string | null; baseUrl?: string | null };
  identityServer: { state: string; error?: string | null; baseUrl?: string | null };
}

export interface ClientWellKnownFact {
  host: string;
  url: string;
  fetch: HttpFetch;
  /** The base URL clients would use: from m.homeserver when valid, else https://<host>. */
  baseUrl: string;
  /** Where baseUrl came from. */
  baseUrlSource: "well-known" | "server-name";
  /** Only when the file was a JSON object: the SDK's verdict. */
  autoDiscovery?: ClientAutoDiscovery;
}

export interface ClientApiFact {
  baseUrl: string;
  /** GET <base_url>/_matrix/client/versions (with an Origin header, redirects followed). */
  versions: HttpFetch;
  /** OPTIONS <base_url>/_matrix/client/v3/login as a browser preflight with Authorization. */
  preflight: HttpExchange;
  /** GET <identity base_url>/_matrix/identity/v2 when the well-known names one. */
  identityServer?: { baseUrl: string; fetch: HttpFetch };
}

export interface SupportFact {
  url: string;
  fetch: HttpFetch;
}

// ---------------------------------------------------------------------------------------------------
// The fact map: every probe produces exactly one of these, by name.

export interface FactMap {
  serverName: ServerNameFact;
  wellKnownServer: WellKnownServerFact;
  discovery: DiscoveryFact;
  federationTls: TlsFact;
  clientTls: TlsFact;
  federationEndpoints: FederationEndpointsFact;
  serverKeys: ServerKeysFact;
  clientWellKnown: ClientWellKnownFact;
  clientApi: ClientApiFact;
  support: SupportFact;
  // Server-side facts (need inputs: --homeserver-config or flags); defined in facts/<area>.ts.
  homeserverConfig: HomeserverConfigFact;
  postgres: PostgresFact;
  systemd: SystemdFact;
  turn: TurnFact;
}

export type FactName = keyof FactMap;
