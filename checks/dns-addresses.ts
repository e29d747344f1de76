import { isIP } from "node:net";
import { defineCheck, fail, pass, warn } from "../src/engine/check.js";
import type { DnsLookup, DnsStatus, HostAddresses } from "../src/engine/facts.js";
import { classifyAddress, type AddressClass } from "../src/net/address-class.js";

type Role = "well-known" | "federation" | "client base_url";

interface HostOnPath {
  host: string;
  roles: Role[];
  /** Absent when no probe resolved this host (only the client base_url host can be in that state). */
  addresses?: HostAddresses;
}

const FAILED: ReadonlySet<DnsStatus> = new Set(["servfail", "refused", "timeout", "error"]);
const FAILURE_WORDS: Partial<Record<DnsStatus, string>> = {
  servfail: "SERVFAIL",
  refused: "REFUSED",
  timeout: "timed out",
  error: "failed",
};

export default defineCheck({
  id: "dns-addresses",
  category: "dns",
  title: "Every host on the federation path has A/AAAA records with public addresses",
  docs: "https://spec.matrix.org/latest/server-server-api/#resolving-server-names",
  requires: ["discovery"],
  optional: ["wellKnownServer", "clientWellKnown"],
  run({ discovery, wellKnownServer, clientWellKnown }, ctx) {
    const hosts = hostsOnPath(discovery.targets.map((t) => t.addresses), wellKnownServer?.addresses, clientWellKnown?.baseUrl);
    // IP-literal targets (steps 1 and 3.1) need no DNS: the endpoint address is the literal itself.
    const literalEndpoints = discovery.endpoints.filter((e) => isIP(e.host) !== 0);

    const failures: { summary: string; fix: string }[] = [];
    const warnings: { summary: string; fix: string }[] = [];
    const notes: string[] = [];
    const nonPublic: { host: string; address: string; class: AddressClass }[] = [];

    for (const entry of hosts) {
      if (isIP(entry.host) !== 0) continue;
      if (!entry.addresses) {
        notes.push(`${entry.host} (${entry.roles.join(", ")}): not resolved by this run`);
        continue;
      }
      const { a, aaaa } = entry.addresses;
      const v4 = values(a);
      const v6 = values(aaaa);
      for (const address of [...v4, ...v6]) {
        const addressClass = classifyAddress(address);
        if (addressClass && addressClass !== "public") nonPublic.push({ host: entry.host, address, class: addressClass });
      }

      const broken = [a, aaaa].filter((l) => FAILED.has(l.status));
      if (broken.length > 0) {
        failures.push({
          summary: `${broken.map((l) => `${l.type} lookup for ${entry.host} ${FAILURE_WORDS[l.status] ?? l.status}`).join(", ")}`,
          fix:
            `Make the authoritative name servers for ${entry.host} answer A and AAAA queries (NOERROR, with or without records); ` +
            `\`dig +trace ${broken[0]?.type ?? "A"} ${entry.host}\` shows which server fails`,
        });
        continue;
      }
      if (v4.length === 0 && v6.length === 0) {
        const why = a.status === "nxdomain" ? "does not exist (NXDOMAIN)" : "has no A or AAAA records";
        const record = {
          summary: `${entry.host} (${entry.roles.join(", ")}) ${why}`,
          fix: `Publish the public address of ${entry.host}: \`${entry.host}. 3600 IN A <public IPv4>\` and/or \`${entry.host}. 3600 IN AAAA <public IPv6>\``,
        };
        // Judgement: a server name that only delegates through SRV needs no address of its own for
        // federation; without one, only the well-known files (client discovery) are lost.
        if (entry.roles.length === 1 && entry.roles[0] === "well-known" && discovery.step !== undefined) {
          warnings.push({
            summary: `${record.summary}: no well-known can be served from it (peers fall through to SRV, clients cannot discover the homeserver)`,
            fix: record.fix,
          });
        } else {
          failures.push(record);
        }
        continue;
      }
      notes.push(`${entry.host} ${describeFamilies(v4, v6)}`);
    }

    for (const endpoint of literalEndpoints) {
      const addressClass = classifyAddress(endpoint.address);
      if (addressClass && addressClass !== "public") nonPublic.push({ host: endpoint.host, address: endpoint.address, class: addressClass });
    }

    const details = {
      hosts: hosts.map((h) => ({
        host: h.host,
        roles: h.roles,
        a: h.addresses?.a.status ?? null,
        aaaa: h.addresses?.aaaa.status ?? null,
        ipv4: h.addresses ? values(h.addresses.a) : [],
        ipv6: h.addresses ? values(h.addresses.aaaa) : [],
      })),
      nonPublic,
      allowPrivateAddresses: ctx.allowPrivateAddresses,
    };

    if (nonPublic.length > 0) {
      const listed = listNonPublic(nonPublic);
      if (ctx.allowPrivateAddresses) {
        notes.push(`non-public addresses accepted (--allow-private-addresses): ${listed}`);
      } else {
        const firstV4 = nonPublic.find((n) => isIP(n.address) === 4);
        warnings.push({
          summary: `non-public addresses published: ${listed}; peers on the internet cannot reach them`,
          fix:
            `Publish the public address instead, e.g. \`${nonPublic[0]?.host}. 3600 IN ${firstV4 ? "A" : "AAAA"} <public address>\` ` +
            "(split-horizon DNS: make sure the public view answers with the public address). " +
            "For a LAN-only federation, run matrix-doctor with --allow-private-addresses",
        });
      }
    }

    if (failures.length > 0) {
      return fail(
        [...failures, ...warnings].map((f) => f.summary).join("; "),
        [...failures, ...warnings].map((f) => f.fix).join("\n"),
        details,
      );
    }
    if (warnings.length > 0) {
      return warn(warnings.map((w) => w.summary).join("; "), warnings.map((w) => w.fix).join("\n"), details);
    }
    if (notes.length === 0) return pass("no host names to resolve (IP literal)", details);
    return pass(notes.join("; "), details);
  },
});

function hostsOnPath(targets: HostAddresses[], wellKnown: HostAddresses | undefined, clientBaseUrl: string | undefined): HostOnPath[] {
  const byName = new Map<string, HostOnPath>();
  const add = (host: string, role: Role, addresses?: HostAddresses): void => {
    const key = host.replace(/\.$/, "").toLowerCase();
    const existing = byName.get(key);
    if (existing) {
      if (!existing.roles.includes(role)) existing.roles.push(role);
      existing.addresses ??= addresses;
    } else {
      byName.set(key, { host: key, roles: [role], ...(addresses && { addresses }) });
    }
  };
  if (wellKnown) add(wellKnown.host, "well-known", wellKnown);
  for (const t of targets) add(t.host, "federation", t);
  const clientHost = baseUrlHost(clientBaseUrl);
  if (clientHost) add(clientHost, "client base_url");
  return [...byName.values()];
}

function baseUrlHost(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return undefined;
  try {
    return new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined;
  }
}

const values = (lookup: DnsLookup): string[] => (lookup.status === "ok" ? (lookup.values ?? []) : []);

function describeFamilies(v4: string[], v6: string[]): string {
  const list = (xs: string[]): string => (xs.length > 3 ? `${xs.slice(0, 3).join(", ")} +${xs.length - 3}` : xs.join(", "));
  if (v6.length === 0) return `IPv4 only (A ${list(v4)})`;
  if (v4.length === 0) return `IPv6 only (AAAA ${list(v6)})`;
  return `A ${list(v4)}, AAAA ${list(v6)}`;
}

/** "host → addr (class), addr (class)" per host; an IP-literal host is listed once, as itself. */
function listNonPublic(entries: { host: string; address: string; class: AddressClass }[]): string {
  const byHost = new Map<string, string[]>();
  for (const e of entries) {
    const shown = `${e.address} (${e.class})`;
    const list = byHost.get(e.host) ?? [];
    if (!list.includes(shown)) list.push(shown);
    byHost.set(e.host, list);
  }
  return [...byHost]
    .map(([host, shown]) => (shown.length === 1 && shown[0]?.startsWith(`${host} `) ? shown[0] : `${host} → ${shown.join(", ")}`))
    .join("; ");
}
