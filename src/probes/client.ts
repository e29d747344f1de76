// Client discovery as clients do it: the client well-known (redirects followed, each hop kept for the
// CORS checks), judged by matrix-js-sdk's AutoDiscovery (the code Element runs), then the client API
// at the base URL, a browser's CORS preflight, and the support file (MSC1929).

import { AsyncLocalStorage } from "node:async_hooks";
import type { ClientAutoDiscovery, ClientWellKnownFact } from "../engine/facts.js";
import { defineProbe, FactUnavailable } from "../engine/probe.js";
import { CLIENT_ORIGIN } from "../matrix/client-origin.js";
import type { Net } from "../net/net.js";

/** Sent on every client request so the server's CORS headers show, as from a web client. */
const CLIENT_HEADERS = { origin: CLIENT_ORIGIN, accept: "application/json" };

// AutoDiscovery takes one global fetch function; route each call to the network of the run that made it.
const currentNet = new AsyncLocalStorage<Net>();
let sdkReady: Promise<typeof import("matrix-js-sdk/lib/autodiscovery.js")> | undefined;

function loadSdk(): Promise<typeof import("matrix-js-sdk/lib/autodiscovery.js")> {
  sdkReady ??= (async () => {
    const [sdk, { logger }] = await Promise.all([import("matrix-js-sdk/lib/autodiscovery.js"), import("matrix-js-sdk/lib/logger.js")]);
    logger.disableAll(); // the SDK logs its verdicts to the console; we report them ourselves
    sdk.AutoDiscovery.setFetchFn(async (input) => {
      const net = currentNet.getStore();
      if (!net) throw new Error("AutoDiscovery fetch outside a matrix-doctor run");
      const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
      const result = await net.fetch(url, { headers: CLIENT_HEADERS });
      const res = result.final.response;
      if (!res) throw new TypeError(result.final.error?.message ?? "fetch failed");
      // A browser or app refuses a certificate it cannot verify; so must the SDK's verdict.
      if (res.tls && !res.tls.authorized) throw new TypeError(`certificate rejected (${res.tls.authorizationError ?? "untrusted"})`);
      return new Response(res.status === 204 || res.status === 304 ? null : res.body, { status: res.status, headers: res.headers });
    });
    return sdk;
  })();
  return sdkReady;
}

function baseUrlFrom(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const hs = (body as Record<string, unknown>)["m.homeserver"];
  if (typeof hs !== "object" || hs === null) return undefined;
  const base = (hs as Record<string, unknown>)["base_url"];
  if (typeof base !== "string") return undefined;
  try {
    const url = new URL(base);
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    return url.toString().replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

export const clientWellKnownProbe = defineProbe({
  fact: "clientWellKnown",
  async run(ctx): Promise<ClientWellKnownFact> {
    const name = await ctx.fact("serverName");
    if (!name.valid) throw new FactUnavailable(`the server name is invalid: ${name.invalidReason}`);
    // Clients take the hostname of the server name, without the port (spec: client "Server Discovery").
    const hostForUrl = name.kind === "ipv6" ? `[${name.host}]` : name.host;
    const url = `https://${hostForUrl}/.well-known/matrix/client`;
    const fetch = await ctx.net.fetch(url, { headers: CLIENT_HEADERS, maxBodyBytes: 64 * 1024 });
    const res = fetch.final.response;
    let body: unknown;
    let autoDiscovery: ClientAutoDiscovery | undefined;
    if (res && res.status === 200) {
      try {
        body = JSON.parse(res.body);
      } catch {
        body = undefined;
      }
    }
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      const sdk = await loadSdk();
      const verdict = await currentNet.run(ctx.net, () => sdk.AutoDiscovery.fromDiscoveryConfig(body as Record<string, never>));
      const hs = verdict["m.homeserver"];
      const is = verdict["m.identity_server"];
      const text = (e: unknown): string | null => (e === null || e === undefined ? null : e instanceof Error ? e.message : String(e));
      autoDiscovery = {
        homeserver: { state: String(hs.state), error: text(hs.error), baseUrl: hs.base_url ?? null },
        identityServer: { state: String(is.state), error: text(is.error), baseUrl: is.base_url ?? null },
      };
    }
    const fromWellKnown = baseUrlFrom(body);
    return {
      host: name.host,
      url,
      fetch,
      baseUrl: fromWellKnown ?? `https://${hostForUrl}`,
      baseUrlSource: fromWellKnown ? "well-known" : "server-name",
      ...(autoDiscovery && { autoDiscovery }),
    };
  },
});

export const clientApiProbe = defineProbe({
  fact: "clientApi",
  async run(ctx) {
    const wellKnown = await ctx.fact("clientWellKnown");
    const baseUrl = wellKnown.baseUrl;
    const preflightUrl = new URL(`${baseUrl}/_matrix/client/v3/login`);
    const host = preflightUrl.hostname.replace(/^\[|\]$/g, "");
    const identityBase = identityBaseUrl(wellKnown);
    const [versions, preflight, identityServer] = await Promise.all([
      ctx.net.fetch(`${baseUrl}/_matrix/client/versions`, { headers: CLIENT_HEADERS }),
      (async () => {
        const addrs = await ctx.net.resolveHost(host);
        const address = addrs.a.values?.[0] ?? addrs.aaaa.values?.[0];
        if (!address) {
          return {
            method: "OPTIONS",
            url: preflightUrl.toString(),
            port: preflightUrl.port ? Number(preflightUrl.port) : 443,
            hostHeader: preflightUrl.host,
            error: { code: "dns" as const, message: `${host} has no address` },
            durationMs: 0,
          };
        }
        return ctx.net.exchange({
          method: "OPTIONS",
          url: preflightUrl.toString(),
          address,
          headers: {
            origin: CLIENT_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type",
          },
          maxBodyBytes: 16 * 1024,
        });
      })(),
      identityBase ? ctx.net.fetch(`${identityBase}/_matrix/identity/v2`, { headers: CLIENT_HEADERS }) : Promise.resolve(undefined),
    ]);
    return { baseUrl, versions, preflight, ...(identityBase && identityServer && { identityServer: { baseUrl: identityBase, fetch: identityServer } }) };
  },
});

function identityBaseUrl(wellKnown: ClientWellKnownFact): string | undefined {
  const res = wellKnown.fetch.final.response;
  if (!res || res.status !== 200) return undefined;
  try {
    const body = JSON.parse(res.body) as Record<string, unknown>;
    const is = body["m.identity_server"] as Record<string, unknown> | undefined;
    const base = typeof is?.["base_url"] === "string" ? new URL(is["base_url"]) : undefined;
    return base ? base.toString().replace(/\/+$/, "") : undefined;
  } catch {
    return undefined;
  }
}

export const supportProbe = defineProbe({
  fact: "support",
  async run(ctx) {
    const name = await ctx.fact("serverName");
    if (!name.valid) throw new FactUnavailable(`the server name is invalid: ${name.invalidReason}`);
    const hostForUrl = name.kind === "ipv6" ? `[${name.host}]` : name.host;
    const url = `https://${hostForUrl}/.well-known/matrix/support`;
    return { url, fetch: await ctx.net.fetch(url, { headers: CLIENT_HEADERS, maxBodyBytes: 64 * 1024 }) };
  },
});
