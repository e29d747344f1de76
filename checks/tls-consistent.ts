// Each listener serves the same certificate on every address. A different certificate on one address, typically
// IPv6 falling into nginx's default server block because only `listen 8448` was written, breaks federation for
// the peers that happen to use that address while the tester's own connection looks fine. Trust and name of each
// certificate are failed by tls-certificate, so (judgement) this check only warns about the difference and says
// which side is the broken one, where the reference would fail that family a second time.

import { isIPv6 } from "node:net";
import { defineCheck, pass, skip, warn } from "../src/engine/check.js";
import type { TlsHandshakeFact } from "../src/engine/facts.js";
import { hostPort } from "../src/matrix/server-name.js";

function endpointOf(h: TlsHandshakeFact): string {
  return hostPort(h.address, h.port);
}

/** The first four bytes of the fingerprint are enough to tell certificates apart in a message. */
function shortFingerprint(fingerprint: string): string {
  return fingerprint.split(":").slice(0, 4).join(":");
}

/** Why a certificate would be rejected by peers, if it would. */
function brokenBecause(h: TlsHandshakeFact): string | undefined {
  if (h.nameMatches === false) return `not valid for ${h.expectedName}`;
  if (h.chainTrusted === false) return `not trusted (${h.diagnosis ?? h.verifyError ?? "chain does not verify"})`;
  return undefined;
}

interface ListenerFinding {
  listener: "client" | "federation";
  consistent: boolean;
  text: string;
  port: number;
  expectedName: string;
}

function judgeListener(listener: "client" | "federation", handshakes: TlsHandshakeFact[]): ListenerFinding | undefined {
  const served = handshakes.filter((h) => h.ok && h.chain?.[0]);
  const first = served[0];
  if (!first) return undefined;
  const fingerprints = new Set(served.map((h) => h.chain?.[0]?.fingerprint256));
  const base = { listener, port: first.port, expectedName: first.expectedName };
  if (fingerprints.size <= 1) {
    const count = served.length === 1 ? "its only address" : `all ${served.length} addresses`;
    return { ...base, consistent: true, text: `${listener}: one certificate on ${count}` };
  }

  const listing = served
    .map((h) => `${endpointOf(h)} → ${h.chain?.[0]?.subject ?? "?"} (${shortFingerprint(h.chain?.[0]?.fingerprint256 ?? "")})`)
    .join(", ");
  const broken = served.filter((h) => brokenBecause(h) !== undefined);
  let verdict = "";
  if (broken.length > 0 && broken.length < served.length) {
    const families = new Set(broken.map((h) => (isIPv6(h.address) ? "IPv6" : "IPv4")));
    const healthyFamilies = new Set(served.filter((h) => !broken.includes(h)).map((h) => (isIPv6(h.address) ? "IPv6" : "IPv4")));
    const [family] = families;
    const who =
      families.size === 1 && family && !healthyFamilies.has(family) ? `${family} is broken` : `broken on ${broken.map(endpointOf).join(", ")}`;
    verdict = `; ${who}: ${broken.map((h) => `${endpointOf(h)} is ${brokenBecause(h)}`).join(", ")}`;
  }
  return { ...base, consistent: false, text: `${listener} serves ${fingerprints.size} different certificates: ${listing}${verdict}` };
}

export default defineCheck({
  id: "tls-consistent",
  category: "tls",
  title: "Every address serves the same certificate",
  docs: "https://nginx.org/en/docs/http/request_processing.html",
  requires: ["federationTls"],
  optional: ["clientTls"],
  run({ federationTls, clientTls }) {
    const findings = [
      judgeListener("federation", federationTls.handshakes),
      judgeListener("client", clientTls?.handshakes ?? []),
    ].filter((f): f is ListenerFinding => f !== undefined);
    if (findings.length === 0) return skip("no TLS handshake completed (tls-handshake reports why)");

    const details = {
      listeners: Object.fromEntries(
        [federationTls, ...(clientTls ? [clientTls] : [])].map((fact) => [
          fact.listener,
          fact.handshakes
            .filter((h) => h.ok && h.chain?.[0])
            .map((h) => ({ address: endpointOf(h), subject: h.chain?.[0]?.subject, fingerprint256: h.chain?.[0]?.fingerprint256 })),
        ]),
      ),
    };
    const differing = findings.filter((f) => !f.consistent);
    if (differing.length === 0) return pass(findings.map((f) => f.text).join("; "), details);

    const fix = differing
      .map(
        (f) =>
          `${f.listener}: give every address the same server block for ${f.expectedName}, listening on both families — ` +
          `\`listen ${f.port} ssl http2;\` and \`listen [::]:${f.port} ssl http2;\` — with ` +
          `\`ssl_certificate /etc/letsencrypt/live/${f.expectedName}/fullchain.pem;\` (an address without its own \`listen\` ` +
          `line lands in nginx's default server and gets that block's certificate). If the addresses are separate machines, ` +
          `copy the renewed certificate to each of them.`,
      )
      .join("\n");
    return warn(differing.map((f) => f.text).join("; "), fix, details);
  },
});
