import { defineCheck, fail, pass } from "../src/engine/check.js";
import { hostOfServerName } from "../src/engine/describe.js";
import type { DiscoveryFact, DiscoveryStep, Endpoint } from "../src/engine/facts.js";

const FAILED_DNS = new Set(["servfail", "refused", "timeout", "error"]);

export default defineCheck({
  id: "federation-discovery",
  category: "federation",
  title: "Peers can discover where to reach the server",
  docs: "https://spec.matrix.org/latest/server-server-api/#resolving-server-names",
  requires: ["discovery"],
  run({ discovery }) {
    const serverHost = hostOfServerName(discovery.serverName);
    if (discovery.failure !== undefined || discovery.step === undefined) {
      const failure = discovery.failure ?? "no resolution step decided";
      const ignored = discovery.wellKnownIgnoredBecause !== undefined ? ` (the well-known was not used: ${discovery.wellKnownIgnoredBecause})` : "";
      return fail(`discovery of ${discovery.serverName} failed: ${failure}${ignored}`, fixForFailure(discovery, serverHost), {
        step: discovery.step ?? null,
        failure,
      });
    }

    const step = discovery.step;
    const firstTarget = discovery.targets[0];
    const host = discovery.endpoints[0]?.host ?? firstTarget?.host ?? hostOfServerName(discovery.delegatedTo ?? discovery.serverName);
    const port = discovery.targets.find((t) => t.host === host)?.port ?? discovery.endpoints[0]?.port ?? 8448;
    const hostHeader = discovery.hostHeader ?? discovery.serverName;
    const tlsName = discovery.tlsName ?? hostOfServerName(hostHeader);
    const addresses = discovery.endpoints.map(formatEndpoint);
    const details = {
      step,
      host,
      port,
      hostHeader,
      tlsName,
      addresses,
      ...(discovery.delegatedTo !== undefined && { delegatedTo: discovery.delegatedTo }),
      ...(discovery.srvService !== undefined && { srvService: discovery.srvService }),
    };

    if (addresses.length === 0) {
      const hosts = discovery.targets.length > 0 ? discovery.targets.map((t) => t.host) : [host];
      const failedLookups = discovery.targets
        .flatMap((t) => [t.addresses.a, t.addresses.aaaa])
        .filter((l) => FAILED_DNS.has(l.status))
        .map((l) => `${l.type} ${l.name} ${l.status}`);
      return fail(
        `step ${step}: ${describeStep(discovery, step)}, but no A/AAAA for ${hosts.join(", ")}` +
          (failedLookups.length > 0 ? ` (${failedLookups.join(", ")})` : ""),
        `Publish the address of ${hosts[0]}: \`${hosts[0]}. 3600 IN A <public IPv4>\` and/or \`${hosts[0]}. 3600 IN AAAA <public IPv6>\`; ` +
          `check with \`dig +short A ${hosts[0]}\``,
        details,
      );
    }

    const sni = discovery.sni === false ? ", no SNI" : "";
    const shown = addresses.length > 4 ? `${addresses.slice(0, 4).join(", ")} +${addresses.length - 4}` : addresses.join(", ");
    let summary = `step ${step}: ${describeStep(discovery, step)} → ${shown} (Host ${hostHeader}, TLS name ${tlsName}${sni})`;
    if (discovery.wellKnownIgnoredBecause !== undefined && !step.startsWith("3")) {
      summary += `; the well-known was not used: ${discovery.wellKnownIgnoredBecause}`;
    }
    return pass(summary, details);
  },
});

function describeStep(discovery: DiscoveryFact, step: DiscoveryStep): string {
  const delegated = discovery.delegatedTo ?? "?";
  const srvTargets = discovery.targets
    .filter((t) => t.srv)
    .map((t) => `${t.host}:${t.port}`)
    .join(", ");
  const srvName = (service: string, on: string): string => `SRV ${service}.${hostOfServerName(on)} → ${srvTargets || "?"}`;
  switch (step) {
    case "1":
      return `IP literal ${discovery.serverName}`;
    case "2":
      return `explicit port in ${discovery.serverName}`;
    case "3.1":
      return `well-known delegates to IP literal ${delegated}`;
    case "3.2":
      return `well-known delegates to ${delegated}`;
    case "3.3":
      return `well-known delegates to ${delegated}, ${srvName("_matrix-fed._tcp", delegated)}`;
    case "3.4":
      return `well-known delegates to ${delegated}, deprecated ${srvName("_matrix._tcp", delegated)}`;
    case "3.5":
      return `well-known delegates to ${delegated}, no SRV, port 8448`;
    case "4":
      return srvName("_matrix-fed._tcp", discovery.serverName);
    case "5":
      return `deprecated ${srvName("_matrix._tcp", discovery.serverName)}`;
    case "6":
      return `no well-known delegation, no SRV: ${hostOfServerName(discovery.serverName)} port 8448`;
  }
}

function fixForFailure(discovery: DiscoveryFact, serverHost: string): string {
  const broken = discovery.srvLookups.find((l) => FAILED_DNS.has(l.status));
  if (broken) {
    return (
      `Make the authoritative DNS for ${broken.name} answer (NOERROR, with or without records): ` +
      `\`dig +trace SRV ${broken.name}\` shows which server fails; only NXDOMAIN/NODATA let peers fall through to port 8448`
    );
  }
  const unavailable = discovery.srvLookups.find((l) => l.status === "ok" && (l.srv ?? []).every((r) => r.target === "." || r.target === ""));
  if (unavailable) {
    return (
      `${unavailable.name} says the service is not available (target "."): delete that record, or point it at the federation listener, ` +
      `e.g. \`${unavailable.name}. 3600 IN SRV 10 0 8448 ${unavailable.name.replace(/^(_[^.]+\.)+/, "")}.\``
    );
  }
  const lookupHost = discovery.targets[0]?.host ?? hostOfServerName(discovery.delegatedTo ?? discovery.serverName);
  return (
    `Give peers one working path, e.g. serve \`{"m.server": "${serverHost}:443"}\` at https://${serverHost}/.well-known/matrix/server ` +
    `(with federation on 443), or publish \`${lookupHost}. 3600 IN A <public IPv4>\` and listen on 8448; ` +
    `check with \`curl https://${serverHost}/.well-known/matrix/server\` and \`dig SRV _matrix-fed._tcp.${lookupHost}\``
  );
}

function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.address.startsWith("[")) return `${endpoint.address}:${endpoint.port}`;
  return endpoint.family === 6 || endpoint.address.includes(":") ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}
