import { defineProbe, FactUnavailable } from "../engine/probe.js";
import { addressesOf } from "../net/dns.js";

/**
 * GET https://<hostname>/.well-known/matrix/server, from every A/AAAA address of the host (peers pick
 * any of them, so a split answer matters). The spec skips this step for IP literals and explicit ports.
 */
export const wellKnownServerProbe = defineProbe({
  fact: "wellKnownServer",
  async run(ctx) {
    const name = await ctx.fact("serverName");
    if (!name.valid) throw new FactUnavailable(`the server name is invalid: ${name.invalidReason}`);
    if (name.kind !== "dns") throw new FactUnavailable("the server name is an IP literal; the spec skips the well-known lookup");
    if (name.port !== undefined) throw new FactUnavailable("the server name has an explicit port; the spec skips the well-known lookup");
    const url = `https://${name.host}/.well-known/matrix/server`;
    const addresses = await ctx.net.resolveHost(name.host);
    const perAddress = await Promise.all(
      addressesOf(addresses).map(async (address) => ({ address, fetch: await ctx.net.fetch(url, { firstAddress: address, maxBodyBytes: 64 * 1024 }) })),
    );
    // What a peer sees: the first address that answers, as in fetchOne's fallback order.
    const primary =
      perAddress.find((p) => p.fetch.hops[0]?.response)?.fetch ??
      perAddress[0]?.fetch ??
      (await ctx.net.fetch(url, { maxBodyBytes: 64 * 1024 }));
    return { host: name.host, url, addresses, primary, perAddress };
  },
});
