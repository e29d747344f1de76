import { defineCheck, fail, pass, warn } from "../src/engine/check.js";
import { hostOfServerName } from "../src/engine/describe.js";
import type { DiscoveryFact, DnsStatus, SrvRecord } from "../src/engine/facts.js";

const FAILED: ReadonlySet<DnsStatus> = new Set(["servfail", "refused", "timeout", "error"]);
const STATUS_WORDS: Record<DnsStatus, string> = {
  ok: "answered",
  nodata: "has no records (NODATA)",
  nxdomain: "does not exist (NXDOMAIN)",
  servfail: "failed with SERVFAIL",
  refused: "was REFUSED",
  timeout: "timed out",
  error: "failed",
};

interface Finding {
  level: "fail" | "warn" | "info";
  summary: string;
  fix?: string;
}

export default defineCheck({
  id: "dns-srv",
  category: "dns",
  title: "SRV records for federation are sound",
  docs: "https://spec.matrix.org/latest/server-server-api/#resolving-server-names",
  requires: ["discovery"],
  run({ discovery }) {
    const findings: Finding[] = [
      ...failedLookups(discovery),
      ...cnameTargets(discovery),
      ...legacyRecords(discovery),
      ...unavailableService(discovery),
    ];
    const used = discovery.srvLookups.filter((l) => l.status === "ok" && (l.srv?.length ?? 0) > 0);
    const details = {
      lookups: discovery.srvLookups.map((l) => ({ name: l.name, status: l.status, records: (l.srv ?? []).map(formatRecord) })),
      srvService: discovery.srvService ?? null,
      ignored: (discovery.ignoredSrv ?? []).map((l) => ({ name: l.name, records: (l.srv ?? []).map(formatRecord) })),
    };

    const problems = findings.filter((f) => f.level !== "info");
    if (problems.length > 0) {
      const worst = problems.some((f) => f.level === "fail") ? fail : warn;
      return worst(
        problems.map((f) => f.summary).join("; "),
        problems.map((f) => f.fix ?? "").filter(Boolean).join("\n"),
        details,
      );
    }

    const notes: string[] = [];
    for (const l of used) notes.push(`${l.name} → ${(l.srv ?? []).map(formatRecord).join(", ")}`);
    const ignored = (discovery.ignoredSrv ?? []).filter((l) => (l.srv?.length ?? 0) > 0);
    if (ignored.length > 0) {
      notes.push(
        `SRV on ${discovery.serverName} (${ignored.map((l) => l.name).join(", ")}) is ignored because the well-known delegates` +
          (discovery.delegatedTo ? ` to ${discovery.delegatedTo}` : "") +
          "; peers look up SRV on the delegated host instead",
      );
    }
    if (notes.length === 0) {
      return pass(
        discovery.srvLookups.length === 0 ? "no SRV records looked up; not needed for this server name" : "no SRV records; not needed",
        details,
      );
    }
    return pass(notes.join("; "), details);
  },
});

function failedLookups(discovery: DiscoveryFact): Finding[] {
  return discovery.srvLookups
    .filter((l) => l.type === "SRV" && FAILED.has(l.status))
    .map((l) => ({
      level: "fail",
      summary:
        `SRV lookup ${l.name} ${STATUS_WORDS[l.status]}${l.message ? ` (${l.message})` : ""}: ` +
        "discovery stops there (only NXDOMAIN/NODATA fall through), so peers cannot federate",
      fix:
        `Make the authoritative name servers for ${ownerOf(l.name)} answer SRV queries (NOERROR, with or without records); ` +
        `\`dig +trace SRV ${l.name}\` shows which server fails (for DNSSEC-signed zones also run \`delv SRV ${l.name}\`)`,
    }));
}

function cnameTargets(discovery: DiscoveryFact): Finding[] {
  return discovery.targets
    .filter((t) => t.srv && t.targetIsCname)
    .map((t) => {
      const canonical = t.cname;
      const service = t.srv?.service ?? "_matrix-fed._tcp";
      const owner = `${service}.${srvOwnerHost(discovery, service)}`;
      const record = t.srv ?? { priority: 10, weight: 0, port: t.port };
      return {
        level: "fail",
        summary: `SRV target ${t.host} (from ${owner}) is a CNAME${canonical ? ` to ${canonical}` : ""}, which RFC 2782 forbids`,
        fix:
          `Point the SRV record at the canonical host: \`${owner}. 3600 IN SRV ${record.priority} ${record.weight} ${record.port} ` +
          `${canonical ?? "<canonical host of " + t.host + ">"}.\`, or replace the CNAME ${t.host} with its own A/AAAA records ` +
          `(see \`dig CNAME ${t.host}\`)`,
      };
    });
}

function legacyRecords(discovery: DiscoveryFact): Finding[] {
  const legacyUsed = discovery.srvService === "_matrix._tcp" || discovery.targets.some((t) => t.srv?.service === "_matrix._tcp");
  if (!legacyUsed) return [];
  const legacy = discovery.srvLookups.filter((l) => l.name.startsWith("_matrix._tcp.") && l.status === "ok");
  const records: { owner: string; record: SrvRecord }[] = legacy.flatMap((l) =>
    (l.srv ?? []).map((record) => ({ owner: l.name.slice("_matrix._tcp.".length), record })),
  );
  if (records.length === 0) {
    // The lookup itself was not recorded: rebuild the records from the targets that came from it.
    const owner = srvOwnerHost(discovery, "_matrix._tcp");
    for (const t of discovery.targets) if (t.srv?.service === "_matrix._tcp") records.push({ owner, record: t.srv });
  }
  const owners = [...new Set(records.map((r) => r.owner))];
  return [
    {
      level: "warn",
      summary: `federation uses the deprecated SRV service _matrix._tcp.${owners.join(", _matrix._tcp.")}; publish _matrix-fed._tcp instead`,
      fix:
        "Publish the same records under the current service name (keep the old ones until peers update):\n" +
        records
          .map(({ owner, record }) => `_matrix-fed._tcp.${owner}. 3600 IN SRV ${record.priority} ${record.weight} ${record.port} ${withDot(record.target)}`)
          .join("\n"),
    },
  ];
}

// Judgement: an SRV answer whose only target is "." means "service not available here" (RFC 2782),
// which Synapse turns into a connection error. It may be deliberate, so warn rather than fail.
function unavailableService(discovery: DiscoveryFact): Finding[] {
  return discovery.srvLookups
    .filter((l) => l.status === "ok" && l.srv?.length === 1 && (l.srv[0]?.target === "." || l.srv[0]?.target === ""))
    .map((l) => ({
      level: "warn",
      summary: `${l.name} has the target "." (service explicitly not available): peers will not federate with this host`,
      fix: `If federation should work, delete that record or point it at the host that serves federation: \`${l.name}. 3600 IN SRV 10 0 8448 ${withDot(ownerOf(l.name))}\``,
    }));
}

/** The host the SRV lookups of a service were made on (the delegated host, else the server name). */
function srvOwnerHost(discovery: DiscoveryFact, service: string): string {
  const named = discovery.srvLookups.find((l) => l.name.startsWith(`${service}.`));
  if (named) return named.name.slice(service.length + 1);
  return hostOfServerName(discovery.delegatedTo ?? discovery.serverName);
}

/** The host an SRV name is published on: `_matrix-fed._tcp.example.org` → `example.org`. */
const ownerOf = (srvName: string): string => srvName.replace(/^(_[^.]+\.)+/, "").replace(/\.$/, "");
const withDot = (host: string): string => (host.endsWith(".") ? host : `${host}.`);
const formatRecord = (r: SrvRecord): string => `${r.target.replace(/\.$/, "")}:${r.port} (priority ${r.priority}, weight ${r.weight})`;
