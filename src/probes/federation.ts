// Federation endpoints, asked of every address discovery found, with the Host header and SNI the
// spec prescribes for the deciding step.

import type { DiscoveryFact, Endpoint, HttpExchange } from "../engine/facts.js";
import { defineProbe, FactUnavailable, type ProbeContext } from "../engine/probe.js";
import { hostPort } from "../matrix/server-name.js";
import { sniFor } from "../net/tls.js";

/** A path under /_matrix/federation/ that no homeserver implements: it must answer 404 M_UNRECOGNIZED. */
export const UNKNOWN_FEDERATION_PATH = "/_matrix/federation/unstable/dev.matrix-doctor.unknown";

function usableDiscovery(discovery: DiscoveryFact): DiscoveryFact & { hostHeader: string; tlsName: string } {
  if (!discovery.hostHeader || !discovery.tlsName || discovery.endpoints.length === 0) {
    throw new FactUnavailable(discovery.failure ? `federation discovery failed: ${discovery.failure}` : "federation discovery found no address");
  }
  return discovery as DiscoveryFact & { hostHeader: string; tlsName: string };
}

function get(ctx: ProbeContext, d: DiscoveryFact & { hostHeader: string; tlsName: string }, e: Endpoint, path: string, maxBodyBytes: number): Promise<HttpExchange> {
  const servername = d.sni ? sniFor(d.tlsName) : undefined;
  return ctx.net.exchange({
    method: "GET",
    url: `https://${hostPort(e.address, e.port)}${path}`,
    address: e.address,
    hostHeader: d.hostHeader,
    ...(servername && { servername }),
    maxBodyBytes,
  });
}

export const federationEndpointsProbe = defineProbe({
  fact: "federationEndpoints",
  async run(ctx) {
    const d = usableDiscovery(await ctx.fact("discovery"));
    const [version, unknownPath] = await Promise.all([
      Promise.all(d.endpoints.map((e) => get(ctx, d, e, "/_matrix/federation/v1/version", 64 * 1024))),
      get(ctx, d, d.endpoints[0]!, UNKNOWN_FEDERATION_PATH, 64 * 1024),
    ]);
    return { version, unknownPath };
  },
});

export const serverKeysProbe = defineProbe({
  fact: "serverKeys",
  async run(ctx) {
    const d = usableDiscovery(await ctx.fact("discovery"));
    const responses = await Promise.all(d.endpoints.map((e) => get(ctx, d, e, "/_matrix/key/v2/server", 256 * 1024)));
    return { serverName: d.serverName, responses };
  },
});
