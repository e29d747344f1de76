// TLS handshakes on both listeners: federation (every ip:port discovery found, with the spec's TLS
// name) and client (the base_url host, on every A/AAAA address).

import type { TlsFact } from "../engine/facts.js";
import { defineProbe, FactUnavailable } from "../engine/probe.js";
import { addressesOf } from "../net/dns.js";
import { sniFor } from "../net/tls.js";

export const federationTlsProbe = defineProbe({
  fact: "federationTls",
  async run(ctx): Promise<TlsFact> {
    const discovery = await ctx.fact("discovery");
    if (!discovery.tlsName || discovery.endpoints.length === 0) {
      throw new FactUnavailable(discovery.failure ? `federation discovery failed: ${discovery.failure}` : "federation discovery found no address");
    }
    const expectedName = discovery.tlsName;
    const servername = discovery.sni ? sniFor(expectedName) : undefined;
    const handshakes = await Promise.all(
      discovery.endpoints.map((e) =>
        ctx.net.handshake({ listener: "federation", address: e.address, port: e.port, ...(servername && { servername }), expectedName }),
      ),
    );
    return { listener: "federation", expectedName, handshakes };
  },
});

export const clientTlsProbe = defineProbe({
  fact: "clientTls",
  async run(ctx): Promise<TlsFact> {
    const wellKnown = await ctx.fact("clientWellKnown");
    const url = new URL(wellKnown.baseUrl);
    if (url.protocol !== "https:") throw new FactUnavailable(`the client base URL ${wellKnown.baseUrl} is not https`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port ? Number(url.port) : 443;
    const addresses = addressesOf(await ctx.net.resolveHost(host));
    if (addresses.length === 0) throw new FactUnavailable(`${host} has no A or AAAA record`);
    const servername = sniFor(host);
    const handshakes = await Promise.all(
      addresses.map(async (address) => {
        // The same handshake as on the federation listener is made once; label our copy as the client's.
        const h = await ctx.net.handshake({ listener: "client", address, port, ...(servername && { servername }), expectedName: host });
        return { ...h, listener: "client" as const };
      }),
    );
    return { listener: "client", expectedName: host, handshakes };
  },
});
