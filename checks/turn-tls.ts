// turns: endpoints present a certificate clients accept: chained to a trusted CA, covering the TURN host
// name, not expired (warn under 14 days). Judged from the run's TLS handshake with the endpoint, the same
// observation the tls-* checks use for the homeserver.

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import { DOCS, endpointLabel, outcomeOf, type Problem } from "../src/turn/verdict.js";

const DAY_MS = 86_400_000;
const WARN_DAYS = 14;

function certFix(host: string): string {
  return (
    `Get a certificate for ${host}: \`certbot certonly --standalone -d ${host}\` (or via your web server), then in /etc/turnserver.conf ` +
    `\`cert=/etc/letsencrypt/live/${host}/fullchain.pem\` and \`pkey=/etc/letsencrypt/live/${host}/privkey.pem\` (readable by the turnserver user), and \`systemctl restart coturn\`.`
  );
}

export default defineCheck({
  id: "turn-tls",
  category: "turn",
  title: "TURN over TLS presents a valid certificate",
  docs: DOCS.synapseCoturn,
  requires: ["turn"],
  run({ turn }, ctx): Outcome {
    const tls = turn.endpoints.filter((e) => e.transport === "tls");
    if (tls.length === 0) {
      return skip(
        turn.uris.some((u) => u.scheme === "turns") ? "no turns: endpoint has an address" : "no turns: URI (clients behind firewalls that only pass 443/TLS cannot reach TURN)",
      );
    }
    const problems: Problem[] = [];
    const endpoints: Record<string, unknown>[] = [];
    for (const e of tls) {
      const h = e.tls?.handshake;
      const label = endpointLabel(e);
      if (!h) continue;
      const leaf = h.chain?.[0];
      endpoints.push({
        uri: e.uri,
        address: e.address,
        ok: h.ok,
        ...(h.protocol && { protocol: h.protocol }),
        ...(leaf && { subjectAltName: leaf.subjectAltName, issuer: leaf.issuer, notAfter: leaf.validTo }),
        chainTrusted: h.chainTrusted,
        nameMatches: h.nameMatches,
        ...(h.verifyError && { verifyError: h.verifyError }),
      });
      if (!h.ok) {
        problems.push({
          level: "fail",
          text: `TLS handshake with ${label} failed: ${h.error?.message ?? "unknown error"}`,
          fix: certFix(e.host),
        });
        continue;
      }
      if (!leaf) continue;
      if (h.chainTrusted === false) {
        const missing = h.diagnosis === "missing-intermediate" || h.diagnosis === "incomplete-or-unknown-ca";
        problems.push({
          level: "fail",
          text: `${label}: the certificate is not trusted (${h.diagnosis ?? h.verifyError ?? "untrusted"}${h.verifyError ? `, ${h.verifyError}` : ""})`,
          fix: missing
            ? `Serve the full chain: \`cert=/etc/letsencrypt/live/${e.host}/fullchain.pem\` (not cert.pem) in /etc/turnserver.conf, then \`systemctl restart coturn\`.`
            : certFix(e.host),
        });
      }
      if (h.nameMatches === false) {
        problems.push({
          level: "fail",
          text: `${label}: the certificate does not cover ${e.host} (${h.nameError ?? `it is for ${leaf.subjectAltName ?? leaf.subject}`})`,
          fix: certFix(e.host),
        });
      }
      const left = leaf.notAfterMs - ctx.now;
      if (left <= 0) {
        problems.push({ level: "fail", text: `${label}: the certificate expired on ${leaf.validTo}`, fix: `${certFix(e.host)} Renew automatically with a deploy hook: \`certbot renew --deploy-hook "systemctl restart coturn"\`.` });
      } else if (left < WARN_DAYS * DAY_MS) {
        problems.push({
          level: "warn",
          text: `${label}: the certificate expires in ${Math.floor(left / DAY_MS)} days (${leaf.validTo})`,
          fix: `Renew it and let coturn load the new one: \`certbot renew --deploy-hook "systemctl restart coturn"\` (coturn reads cert= at start).`,
        });
      } else if (leaf.notBeforeMs > ctx.now) {
        problems.push({ level: "fail", text: `${label}: the certificate is not valid before ${leaf.validFrom}`, fix: "Check the clock of the machine that issued it and of this machine (`timedatectl`)." });
      }
    }
    const soonest = Math.min(...tls.map((e) => e.tls?.handshake.chain?.[0]?.notAfterMs ?? Infinity));
    const days = Number.isFinite(soonest) ? Math.floor((soonest - ctx.now) / DAY_MS) : undefined;
    return outcomeOf(
      problems,
      `trusted certificate for ${[...new Set(tls.map((e) => e.host))].join(", ")} on ${tls.length} turns: endpoint(s)${days !== undefined ? `, valid for ${days} more days` : ""}`,
      { endpoints, ...(Number.isFinite(soonest) && { notAfterMs: soonest }) },
    );
  },
});
