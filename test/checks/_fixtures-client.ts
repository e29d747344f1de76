// Fact fixtures for the client checks: a healthy example.org deployment (client well-known on the
// base domain delegating to matrix.example.org, Synapse-style CORS headers) that each case modifies.

import type {
  ClientApiFact,
  ClientAutoDiscovery,
  ClientWellKnownFact,
  Headers as HttpHeaders,
  HttpExchange,
  HttpFetch,
  SupportFact,
} from "../../src/engine/facts.js";
import type { NetError } from "../../src/engine/types.js";

export const HOST = "example.org";
export const BASE_URL = "https://matrix.example.org";
export const WELL_KNOWN_URL = `https://${HOST}/.well-known/matrix/client`;
export const SUPPORT_URL = `https://${HOST}/.well-known/matrix/support`;
export const VERSIONS_URL = `${BASE_URL}/_matrix/client/versions`;
export const PREFLIGHT_URL = `${BASE_URL}/_matrix/client/v3/login`;

export const CORS = { "access-control-allow-origin": "*" } as const;
export const JSON_TYPE = { "content-type": "application/json" } as const;

/** Synapse's answer to an OPTIONS preflight. */
export const SYNAPSE_PREFLIGHT_HEADERS: HttpHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "X-Requested-With, Content-Type, Authorization, Date",
  "access-control-expose-headers": "Synapse-Trace-Id, Server",
};

/** Dendrite's answer to an OPTIONS preflight (it answers 200, not 204). */
export const DENDRITE_PREFLIGHT_HEADERS: HttpHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "Origin, X-Requested-With, Content-Type, Accept, Authorization",
};

export const NGINX_404_HTML =
  "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
export const NGINX_502_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

export interface ExchangeSpec {
  url: string;
  method?: string;
  status?: number;
  headers?: HttpHeaders;
  body?: string;
  address?: string;
  error?: NetError;
}

/** One exchange; a response unless `error` is given. */
export function exchange(spec: ExchangeSpec): HttpExchange {
  const url = new URL(spec.url);
  const body = spec.body ?? "";
  return {
    method: spec.method ?? "GET",
    url: spec.url,
    address: spec.address ?? (url.hostname === HOST ? "203.0.113.10" : "203.0.113.20"),
    port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
    hostHeader: url.host,
    ...(url.protocol === "https:" && { servername: url.hostname }),
    ...(spec.error
      ? { error: spec.error }
      : {
          response: {
            status: spec.status ?? 200,
            headers: spec.headers ?? {},
            body,
            bodyBytes: Buffer.byteLength(body),
            truncated: false,
            ...(url.protocol === "https:" && { tls: { authorized: true, protocol: "TLSv1.3" } }),
          },
        }),
    durationMs: 12,
  };
}

/** A redirect hop from `from` to `to`. */
export function redirect(from: string, to: string, status = 301, headers: HttpHeaders = {}): HttpExchange {
  return exchange({ url: from, status, headers: { location: to, "content-type": "text/html", ...headers }, body: "" });
}

export function fetchOf(...hops: HttpExchange[]): HttpFetch {
  const final = hops[hops.length - 1];
  if (!final) throw new Error("fetchOf needs at least one hop");
  return { url: hops[0]!.url, hops, redirectLoop: false, tooManyRedirects: false, final };
}

/** A single-hop GET answered with `body` (JSON-stringified unless it is a string). */
export function answer(url: string, status: number, body: unknown, headers: HttpHeaders = { ...CORS, ...JSON_TYPE }): HttpFetch {
  return fetchOf(exchange({ url, status, headers, body: typeof body === "string" ? body : JSON.stringify(body) }));
}

export const failedFetch = (url: string, error: NetError): HttpFetch => fetchOf(exchange({ url, error }));

export const autoDiscoverySuccess = (baseUrl = BASE_URL): ClientAutoDiscovery => ({
  homeserver: { state: "SUCCESS", error: null, baseUrl },
  identityServer: { state: "PROMPT", error: null, baseUrl: null },
});

export const autoDiscoveryFailure = (state: string, error: string, baseUrl: string | null = null): ClientAutoDiscovery => ({
  homeserver: { state, error, baseUrl },
  identityServer: { state: "PROMPT", error: null, baseUrl: null },
});

export const HEALTHY_WELL_KNOWN_BODY = { "m.homeserver": { base_url: BASE_URL } };

export function clientWellKnown(overrides: Partial<ClientWellKnownFact> = {}): ClientWellKnownFact {
  return {
    host: HOST,
    url: WELL_KNOWN_URL,
    fetch: answer(WELL_KNOWN_URL, 200, HEALTHY_WELL_KNOWN_BODY),
    baseUrl: BASE_URL,
    baseUrlSource: "well-known",
    autoDiscovery: autoDiscoverySuccess(),
    ...overrides,
  };
}

/** A client well-known serving `body` with status 200 (and CORS), the SDK verdict given or absent. */
export function clientWellKnownWithBody(body: unknown, autoDiscovery?: ClientAutoDiscovery): ClientWellKnownFact {
  const fact = clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, body) });
  if (autoDiscovery) fact.autoDiscovery = autoDiscovery;
  else delete fact.autoDiscovery;
  return fact;
}

/** No client well-known: 404 from nginx, base URL falls back to the server name. */
export function clientWellKnownMissing(headers: HttpHeaders = { "content-type": "text/html" }): ClientWellKnownFact {
  const fact = clientWellKnown({
    fetch: answer(WELL_KNOWN_URL, 404, NGINX_404_HTML, headers),
    baseUrl: `https://${HOST}`,
    baseUrlSource: "server-name",
  });
  delete fact.autoDiscovery;
  return fact;
}

export const HEALTHY_VERSIONS_BODY = {
  versions: ["r0.0.1", "r0.6.1", "v1.1", "v1.2", "v1.5", "v1.11", "v1.9"],
  unstable_features: { "org.matrix.msc3916.stable": true, "org.matrix.msc2716": false, "uk.half-shot.msc2666.query_mutual_rooms": true },
};

export function clientApi(overrides: Partial<ClientApiFact> = {}): ClientApiFact {
  return {
    baseUrl: BASE_URL,
    versions: answer(VERSIONS_URL, 200, HEALTHY_VERSIONS_BODY),
    preflight: exchange({ url: PREFLIGHT_URL, method: "OPTIONS", status: 204, headers: SYNAPSE_PREFLIGHT_HEADERS }),
    ...overrides,
  };
}

export function preflight(status: number, headers: HttpHeaders): HttpExchange {
  return exchange({ url: PREFLIGHT_URL, method: "OPTIONS", status, headers });
}

export const HEALTHY_SUPPORT_BODY = {
  contacts: [
    { matrix_id: "@admin:example.org", email_address: "admin@example.org", role: "m.role.admin" },
    { email_address: "security@example.org", role: "m.role.security" },
  ],
  support_page: "https://example.org/support.html",
};

export function support(fetch: HttpFetch = answer(SUPPORT_URL, 200, HEALTHY_SUPPORT_BODY)): SupportFact {
  return { url: SUPPORT_URL, fetch };
}

export const supportWithBody = (body: unknown, headers?: HttpHeaders): SupportFact =>
  support(answer(SUPPORT_URL, 200, body, headers));
