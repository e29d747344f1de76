// The spec's server-name resolution ("Resolving server names", steps 1-6), exactly: which step
// decides, which addresses, ports, Host header and TLS name peers will use. Only "not found" falls
// through from one SRV name to the next; a SERVFAIL or timeout ends discovery with a failure.

import type { DiscoveryFact, DiscoveryStep, DiscoveryTarget, DnsLookup, Endpoint, SrvRecord } from "../engine/facts.js";
import { defineProbe, FactUnavailable, type ProbeContext } from "../engine/probe.js";
import { readServerWellKnown } from "../matrix/well-known.js";
import { hostPort } from "../matrix/server-name.js";
import { isNotFound } from "../net/dns.js";

type Service = "_matrix-fed._tcp" | "_matrix._tcp";

function endpointsOf(targets: DiscoveryTarget[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const t of targets) {
    for (const address of t.addresses.a.values ?? []) out.push({ address, family: 4, port: t.port, host: t.host });
    for (const address of t.addresses.aaaa.values ?? []) out.push({ address, family: 6, port: t.port, host: t.host });
  }
  return out;
}

async function direct(ctx: ProbeContext, host: string, port: number): Promise<DiscoveryTarget> {
  return { host, port, addresses: await ctx.net.resolveHost(host) };
}

/** Steps 3.3-3.5 and 4-6: SRV _matrix-fed, then legacy _matrix, then host:8448. */
async function viaSrv(
  ctx: ProbeContext,
  host: string,
  steps: { fed: DiscoveryStep; legacy: DiscoveryStep; fallback: DiscoveryStep },
): Promise<Pick<DiscoveryFact, "step" | "failure" | "srvLookups" | "srvService" | "targets">> {
  const srvLookups: DnsLookup[] = [];
  for (const [service, step] of [
    ["_matrix-fed._tcp", steps.fed],
    ["_matrix._tcp", steps.legacy],
  ] as [Service, DiscoveryStep][]) {
    const answer = await ctx.net.dns(`${service}.${host}`, "SRV");
    srvLookups.push(answer);
    if (answer.status === "ok" && answer.srv && answer.srv.length > 0) {
      const usable = answer.srv.filter((r) => r.target !== "" && r.target !== ".");
      if (usable.length === 0) {
        return { srvLookups, targets: [], failure: `${service}.${host} SRV says the service is not available (target ".")` };
      }
      const targets = await Promise.all(usable.map((r) => srvTarget(ctx, r, service)));
      return { step, srvLookups, srvService: service, targets };
    }
    if (!isNotFound(answer.status) && answer.status !== "ok") {
      return {
        srvLookups,
        targets: [],
        failure: `the SRV lookup for ${service}.${host} failed (${answer.status.toUpperCase()}${answer.message ? `: ${answer.message}` : ""}); peers do not fall back when DNS fails`,
      };
    }
  }
  return { step: steps.fallback, srvLookups, targets: [await direct(ctx, host, 8448)] };
}

async function srvTarget(ctx: ProbeContext, record: SrvRecord, service: Service): Promise<DiscoveryTarget> {
  const target = record.target.replace(/\.$/, "");
  const [cname, addresses] = await Promise.all([ctx.net.dns(target, "CNAME"), ctx.net.resolveHost(target)]);
  return {
    host: target,
    port: record.port,
    srv: { ...record, target, service },
    ...(cname.status === "ok" && { targetIsCname: true, ...(cname.values?.[0] && { cname: cname.values[0] }) }),
    addresses,
  };
}

export const discoveryProbe = defineProbe({
  fact: "discovery",
  async run(ctx) {
    const name = await ctx.fact("serverName");
    if (!name.valid) throw new FactUnavailable(`the server name is invalid: ${name.invalidReason}`);
    const finish = (fact: Omit<DiscoveryFact, "serverName" | "endpoints">): DiscoveryFact => ({
      serverName: name.raw,
      ...fact,
      endpoints: endpointsOf(fact.targets),
    });

    // Step 1: IP literal. Host is the server name as given; the certificate must cover the IP; no SNI.
    if (name.kind !== "dns") {
      const port = name.port ?? 8448;
      return finish({ step: "1", hostHeader: name.raw, tlsName: name.host, sni: false, srvLookups: [], targets: [await direct(ctx, name.host, port)] });
    }
    // Step 2: hostname with an explicit port.
    if (name.port !== undefined) {
      return finish({
        step: "2",
        hostHeader: hostPort(name.host, name.port),
        tlsName: name.host,
        sni: true,
        srvLookups: [],
        targets: [await direct(ctx, name.host, name.port)],
      });
    }
    // Step 3: the well-known.
    const wellKnown = await ctx.fact("wellKnownServer");
    const reading = readServerWellKnown(wellKnown.primary);
    if (reading.usable) {
      const d = reading.delegated;
      const base = { delegatedTo: reading.mServer };
      if (d.kind !== "dns") {
        // 3.1: the Host header is the IP literal (with the port when one was given).
        return finish({
          ...base,
          step: "3.1",
          hostHeader: reading.mServer,
          tlsName: d.host,
          sni: false,
          srvLookups: [],
          targets: [await direct(ctx, d.host, d.port ?? 8448)],
        });
      }
      if (d.port !== undefined) {
        return finish({
          ...base,
          step: "3.2",
          hostHeader: hostPort(d.host, d.port),
          tlsName: d.host,
          sni: true,
          srvLookups: [],
          targets: [await direct(ctx, d.host, d.port)],
        });
      }
      const [srv, ignored] = await Promise.all([
        viaSrv(ctx, d.host, { fed: "3.3", legacy: "3.4", fallback: "3.5" }),
        // SRV records on the server name itself are ignored once a well-known delegates: report them.
        d.host === name.host ? Promise.resolve([]) : ignoredSrv(ctx, name.host),
      ]);
      return finish({ ...base, ...srv, hostHeader: d.host, tlsName: d.host, sni: true, ...(ignored.length > 0 && { ignoredSrv: ignored }) });
    }
    const srv = await viaSrv(ctx, name.host, { fed: "4", legacy: "5", fallback: "6" });
    return finish({ ...srv, wellKnownIgnoredBecause: reading.reason, hostHeader: name.host, tlsName: name.host, sni: true });
  },
});

async function ignoredSrv(ctx: ProbeContext, host: string): Promise<DnsLookup[]> {
  const answers = await Promise.all(["_matrix-fed._tcp", "_matrix._tcp"].map((s) => ctx.net.dns(`${s}.${host}`, "SRV")));
  return answers.filter((a) => a.status === "ok" && (a.srv?.length ?? 0) > 0);
}
