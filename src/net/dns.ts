// DNS questions through c-ares (node:dns Resolver), never getaddrinfo: with --resolver every name of
// the run is asked of that server, and each answer class (NODATA, NXDOMAIN, SERVFAIL, timeout) stays
// distinguishable, because the spec treats "not found" and "failed" differently.

import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { DnsLookup, DnsRecordType, DnsStatus, HostAddresses } from "../engine/facts.js";
import { deadlineSignal, errorCode } from "./errors.js";

export interface DnsOptions {
  /** "host", "host:port", "[v6]:port"; absent = system servers from resolv.conf. */
  server?: string;
  /** Per-question budget in milliseconds. */
  timeoutMs: number;
  signal: AbortSignal;
}

const STATUS_BY_CODE: Record<string, DnsStatus> = {
  ENODATA: "nodata",
  ENOTFOUND: "nxdomain",
  ESERVFAIL: "servfail",
  EREFUSED: "refused",
  ETIMEOUT: "timeout",
  ECANCELLED: "timeout",
};

/** Normalise "host", "host:port", "[v6]:port" into the form Resolver.setServers accepts. */
export function normaliseResolver(server: string): string {
  if (isIP(server) === 6) return `[${server}]:53`;
  if (server.startsWith("[")) return server.includes("]:") ? server : `${server}:53`;
  return server.includes(":") ? server : `${server}:53`;
}

export async function lookup(name: string, type: DnsRecordType, options: DnsOptions): Promise<DnsLookup> {
  const started = performance.now();
  const finish = (status: DnsStatus, rest: Partial<DnsLookup> = {}): DnsLookup => ({
    name,
    type,
    status,
    ...rest,
    durationMs: Math.round(performance.now() - started),
  });
  // One Resolver per question so cancelling it on the deadline cancels only this question.
  const resolver = new Resolver({ timeout: Math.max(200, Math.floor(options.timeoutMs / 2)), tries: 2 });
  if (options.server) resolver.setServers([normaliseResolver(options.server)]);
  const signal = deadlineSignal(options.signal, options.timeoutMs);
  if (signal.aborted) return finish("timeout", { message: "run deadline reached before the question was asked" });
  const onAbort = (): void => resolver.cancel();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    switch (type) {
      case "A":
        return finish("ok", { values: await resolver.resolve4(name) });
      case "AAAA":
        return finish("ok", { values: await resolver.resolve6(name) });
      case "CNAME":
        return finish("ok", { values: await resolver.resolveCname(name) });
      case "SRV": {
        const records = await resolver.resolveSrv(name);
        const srv = records
          .map((r) => ({ target: r.name, port: r.port, priority: r.priority, weight: r.weight }))
          // RFC 2782: lowest priority first; among equals, heavier weight first (deterministic here).
          .sort((x, y) => x.priority - y.priority || y.weight - x.weight);
        return finish("ok", { srv });
      }
    }
  } catch (err) {
    const code = errorCode(err);
    const status = STATUS_BY_CODE[code] ?? "error";
    const message = signal.aborted ? "timed out" : err instanceof Error ? err.message : String(err);
    return finish(status, { message });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** A and AAAA of a host, asked separately (an IP literal answers itself). */
export async function resolveHost(host: string, options: DnsOptions, ask = lookup): Promise<HostAddresses> {
  const family = isIP(host);
  if (family !== 0) {
    const literal = (type: DnsRecordType, wanted: number): DnsLookup => ({
      name: host,
      type,
      status: family === wanted ? "ok" : "nodata",
      ...(family === wanted && { values: [host] }),
      durationMs: 0,
    });
    return { host, a: literal("A", 4), aaaa: literal("AAAA", 6) };
  }
  const [a, aaaa] = await Promise.all([ask(host, "A", options), ask(host, "AAAA", options)]);
  return { host, a, aaaa };
}

/** NODATA and NXDOMAIN mean "no such record"; anything else that is not ok is a failure. */
export function isNotFound(status: DnsStatus): boolean {
  return status === "nodata" || status === "nxdomain";
}

export function addressesOf(h: HostAddresses): string[] {
  return [...(h.a.values ?? []), ...(h.aaaa.values ?? [])];
}
