// The certificate on every endpoint chains to a trusted CA and covers the name peers expect (the server name or
// the delegated host, never the SRV target). The most common breakages get their own diagnosis: a leaf served
// without its intermediate (cert.pem instead of fullchain.pem), a self-signed or private-CA certificate, a
// certificate for another name. Expiry of the leaf is left to tls-expiry so one problem gives one red line.

import { isIP } from "node:net";
import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { handshakeEndpoint } from "../src/engine/describe.js";
import type { CertSummary, TlsHandshakeFact } from "../src/engine/facts.js";
import { hostPort } from "../src/matrix/server-name.js";

const NGINX_CHAINS_DOC = "https://nginx.org/en/docs/http/configuring_https_servers.html#chains";

/** "DNS:a, IP Address:1.2.3.4" → "a, 1.2.3.4"; the subject CN when there is no subjectAltName. */
function certifiedNames(leaf: CertSummary): string {
  if (leaf.subjectAltName) return leaf.subjectAltName.split(/,\s*/).map((name) => name.replace(/^(DNS|IP Address):/, "")).join(", ");
  const cn = /CN=([^,/\n]+)/.exec(leaf.subject)?.[1];
  return cn ? `${cn} (subject CN only, no subjectAltName)` : `"${leaf.subject}" (no subjectAltName)`;
}

function serveLines(name: string): string {
  return `\`ssl_certificate /etc/letsencrypt/live/${name}/fullchain.pem;\` and \`ssl_certificate_key /etc/letsencrypt/live/${name}/privkey.pem;\``;
}

interface Problem {
  /** What is wrong, without the endpoint (so identical problems on several endpoints are told once). */
  text: string;
  fix: string;
  docs?: string;
}

function chainProblem(h: TlsHandshakeFact, leaf: CertSummary, now: number): Problem | undefined {
  const name = h.expectedName;
  const trustedCertbot =
    `\`certbot certonly --nginx -d ${name}\`, then in the nginx server block ${serveLines(name)}, and \`systemctl reload nginx\``;
  const diagnosis = h.diagnosis ?? (h.chainTrusted === false ? "other" : "trusted");
  switch (diagnosis) {
    case "trusted":
      return undefined;
    case "missing-intermediate": {
      const missing = h.aiaIssuer?.subject ?? leaf.issuer;
      const sent = (h.sentCount ?? 1) <= 1 ? "the server sends only its leaf certificate" : `the server sends ${h.sentCount} certificates but not the one that issued the leaf`;
      return {
        text: `incomplete chain: ${sent}; missing intermediate ${missing}`,
        fix: `Serve the full chain: in the nginx server block for ${name} write \`ssl_certificate /etc/letsencrypt/live/${name}/fullchain.pem;\` (not cert.pem), then \`systemctl reload nginx\`.`,
        docs: NGINX_CHAINS_DOC,
      };
    }
    case "incomplete-or-unknown-ca":
      return {
        text:
          `the chain does not reach a trusted root (${h.verifyError ?? "unable to get issuer"}): either an intermediate ` +
          `certificate is missing, or the issuer "${leaf.issuer}" is not a publicly trusted CA`,
        fix:
          `If "${leaf.issuer}" is a public CA, serve the full chain: \`ssl_certificate /etc/letsencrypt/live/${name}/fullchain.pem;\` ` +
          `(leaf followed by its intermediates). If it is a private CA, peers will never trust it: get a public certificate with ${trustedCertbot}. ` +
          `(For a private test federation, give matrix-doctor the CA with --ca-file.)`,
        docs: NGINX_CHAINS_DOC,
      };
    case "unknown-ca":
    case "self-signed": {
      const what = diagnosis === "self-signed" ? "a self-signed certificate" : `a certificate from an unknown CA ("${leaf.issuer}")`;
      return {
        text: `${what}; peers require a certificate from a CA in their trust store`,
        fix: `Get a publicly trusted certificate: ${trustedCertbot}. (For a private test federation with its own CA, give matrix-doctor the CA with --ca-file.)`,
      };
    }
    case "expired":
    case "not-yet-valid": {
      // A dated leaf is tls-expiry's finding; judgement: an expired certificate further up the chain is a chain problem.
      const dated = (h.chain ?? []).slice(1).find((c) => c.notAfterMs <= now || c.notBeforeMs > now);
      if (!dated) return undefined;
      return {
        text: `the chain contains a certificate outside its validity period: "${dated.subject}" (valid ${dated.validFrom} to ${dated.validTo})`,
        fix: `Serve the chain the CA issues today: \`certbot renew --force-renewal --cert-name ${name}\` and \`ssl_certificate /etc/letsencrypt/live/${name}/fullchain.pem;\`, then \`systemctl reload nginx\`.`,
        docs: NGINX_CHAINS_DOC,
      };
    }
    case "other":
      return {
        text: `the certificate chain does not verify (${h.verifyError ?? "no reason given"})`,
        fix:
          `Look at what is served: \`openssl s_client -connect ${hostPort(h.address, h.port)}${h.servername ? ` -servername ${h.servername}` : ""} -showcerts\`; ` +
          `a certbot certificate served as \`ssl_certificate /etc/letsencrypt/live/${name}/fullchain.pem;\` verifies for every peer.`,
      };
  }
}

function nameProblem(h: TlsHandshakeFact, leaf: CertSummary): Problem | undefined {
  if (h.nameMatches !== false) return undefined;
  const name = h.expectedName;
  const text = `certificate is for ${certifiedNames(leaf)}, not ${name}`;
  if (isIP(name)) {
    return {
      text,
      fix:
        `Peers connect to the IP literal ${name}, so the certificate must list \`IP Address:${name}\` in its subjectAltName. ` +
        `Simpler: use a DNS server name, or delegate with /.well-known/matrix/server to a host name and get a certificate for it.`,
    };
  }
  const federationNote =
    h.listener === "federation"
      ? ` The federation certificate must name ${name}: the server name or the host delegated to in /.well-known/matrix/server, never the SRV target.`
      : "";
  return {
    text,
    fix: `Get a certificate for ${name}: \`certbot certonly --nginx -d ${name}\`, serve it with ${serveLines(name)} in the server block that listens on port ${h.port}, then \`systemctl reload nginx\`.${federationNote}`,
  };
}

export default defineCheck({
  id: "tls-certificate",
  category: "tls",
  title: "Certificates are trusted and cover the expected name",
  docs: "https://spec.matrix.org/latest/server-server-api/#tls",
  requires: ["federationTls"],
  optional: ["clientTls"],
  run({ federationTls, clientTls }, ctx): Outcome {
    const completed = [...federationTls.handshakes, ...(clientTls?.handshakes ?? [])].filter((h) => h.ok && h.chain?.[0]);
    if (completed.length === 0) return skip("no TLS handshake completed (tls-handshake reports why)");

    // Problems keyed by their text, each with the endpoints that show it.
    const problems = new Map<string, Problem & { endpoints: string[] }>();
    let leafExpiredOnly = false;
    for (const h of completed) {
      const leaf = h.chain?.[0];
      if (!leaf) continue;
      const found = [chainProblem(h, leaf, ctx.now), nameProblem(h, leaf)].filter((p): p is Problem => p !== undefined);
      if (found.length === 0 && (h.diagnosis === "expired" || h.diagnosis === "not-yet-valid")) leafExpiredOnly = true;
      for (const problem of found) {
        const entry = problems.get(problem.text) ?? { ...problem, endpoints: [] };
        entry.endpoints.push(handshakeEndpoint(h));
        problems.set(problem.text, entry);
      }
    }

    const details = {
      endpoints: completed.map((h) => ({
        endpoint: handshakeEndpoint(h),
        expectedName: h.expectedName,
        names: h.chain?.[0] ? certifiedNames(h.chain[0]) : undefined,
        issuer: h.chain?.[0]?.issuer,
        chainTrusted: h.chainTrusted,
        diagnosis: h.diagnosis,
        ...(h.verifyError && { verifyError: h.verifyError }),
        nameMatches: h.nameMatches,
      })),
    };

    const [first, ...rest] = problems.values();
    if (!first) {
      const names = [...new Set(completed.map((h) => h.expectedName))].join(", ");
      const issuers = [...new Set(completed.map((h) => h.chain?.[0]?.issuer ?? "?"))].join("; ");
      return leafExpiredOnly
        ? pass(`chain and name are right for ${names} apart from the expired or not-yet-valid leaf, which tls-expiry reports`, details)
        : pass(`trusted certificates for ${names} on ${completed.length} endpoint(s) (issuer ${issuers})`, details);
    }
    const more = rest.length > 0 ? ` (+${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
    const fix = [first, ...rest].map((p) => p.fix).filter((f, i, all) => all.indexOf(f) === i).join("\n");
    return {
      status: "fail",
      summary: `${first.endpoints.join(", ")}: ${first.text}${more}`,
      fix,
      details,
      ...(first.docs && { docs: first.docs }),
    };
  },
});
