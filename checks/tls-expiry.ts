// The leaf certificate on every endpoint is inside its validity period, with at least 14 days left
// (rust-federation-tester's alert threshold). The soonest expiry per listener feeds the
// matrix_doctor_tls_cert_not_after_timestamp_seconds{listener} metric through details.

import { defineCheck, fail, pass, skip, warn } from "../src/engine/check.js";
import { handshakeEndpoint } from "../src/engine/describe.js";

const DAY_MS = 86_400_000;
const WARN_DAYS = 14;

function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

interface LeafDates {
  endpoint: string;
  listener: "client" | "federation";
  expectedName: string;
  notBeforeMs: number;
  notAfterMs: number;
}

function renewFix(name: string): string {
  return (
    `Renew with \`certbot renew --cert-name ${name}\` and reload nginx (\`systemctl reload nginx\`). Renewal must be automatic: ` +
    `\`systemctl status certbot.timer\` should show it active, and \`certbot renew --deploy-hook "systemctl reload nginx"\` makes nginx ` +
    `load the new files. If /etc/letsencrypt/live/${name}/ already holds a newer certificate, nginx was simply not reloaded.`
  );
}

export default defineCheck({
  id: "tls-expiry",
  category: "tls",
  title: "Certificates are valid for at least 14 more days",
  docs: "https://eff-certbot.readthedocs.io/en/stable/using.html#automated-renewals",
  requires: ["federationTls"],
  optional: ["clientTls"],
  run({ federationTls, clientTls }, ctx) {
    const leaves: LeafDates[] = [];
    for (const h of [...federationTls.handshakes, ...(clientTls?.handshakes ?? [])]) {
      const leaf = h.ok ? h.chain?.[0] : undefined;
      if (!leaf) continue;
      leaves.push({ endpoint: handshakeEndpoint(h), listener: h.listener, expectedName: h.expectedName, notBeforeMs: leaf.notBeforeMs, notAfterMs: leaf.notAfterMs });
    }
    if (leaves.length === 0) return skip("no TLS handshake completed (tls-handshake reports why)");

    const soonestPerListener: Partial<Record<"client" | "federation", { notAfterMs: number; notAfter: string }>> = {};
    for (const leaf of leaves) {
      const current = soonestPerListener[leaf.listener];
      if (!current || leaf.notAfterMs < current.notAfterMs) {
        soonestPerListener[leaf.listener] = { notAfterMs: leaf.notAfterMs, notAfter: new Date(leaf.notAfterMs).toISOString() };
      }
    }
    const bySoonest = [...leaves].sort((a, b) => a.notAfterMs - b.notAfterMs);
    const soonest = bySoonest[0] as LeafDates;
    const daysLeft = Math.floor((soonest.notAfterMs - ctx.now) / DAY_MS);
    const notAfter = new Date(soonest.notAfterMs).toISOString();
    const details = {
      notAfter,
      notAfterMs: soonest.notAfterMs,
      daysLeft,
      listeners: soonestPerListener,
      endpoints: leaves.map((l) => ({
        endpoint: l.endpoint,
        notBefore: new Date(l.notBeforeMs).toISOString(),
        notAfter: new Date(l.notAfterMs).toISOString(),
        daysLeft: Math.floor((l.notAfterMs - ctx.now) / DAY_MS),
      })),
    };
    /** The endpoints sharing the worst date, so two addresses with one certificate read as one finding. */
    const sameAs = (date: (l: LeafDates) => number, value: number) =>
      leaves.filter((l) => date(l) === value).map((l) => l.endpoint).join(", ");

    if (soonest.notAfterMs <= ctx.now) {
      const ago = Math.floor((ctx.now - soonest.notAfterMs) / DAY_MS);
      return fail(
        `the certificate on ${sameAs((l) => l.notAfterMs, soonest.notAfterMs)} expired ${ago === 0 ? "today" : `${days(ago)} ago`} (${notAfter})`,
        renewFix(soonest.expectedName),
        details,
      );
    }
    const early = [...leaves].sort((a, b) => b.notBeforeMs - a.notBeforeMs)[0];
    if (early && early.notBeforeMs > ctx.now) {
      return fail(
        `the certificate on ${sameAs((l) => l.notBeforeMs, early.notBeforeMs)} is not valid before ${new Date(early.notBeforeMs).toISOString()}`,
        `Either this machine's clock or the server's is wrong (check both with \`timedatectl\` and enable NTP: \`timedatectl set-ntp true\`), ` +
          `or the certificate was issued with a future start date: reissue it with \`certbot certonly --nginx -d ${early.expectedName}\`.`,
        details,
      );
    }
    if (daysLeft < WARN_DAYS) {
      return warn(
        `the certificate on ${sameAs((l) => l.notAfterMs, soonest.notAfterMs)} expires in ${days(daysLeft)} (${notAfter})`,
        `${renewFix(soonest.expectedName)} certbot renews 30 days before expiry, so fewer than ${WARN_DAYS} days left means renewal is failing: see \`journalctl -u certbot\`.`,
        details,
      );
    }
    return pass(`certificates valid for ${days(daysLeft)} or more (soonest: ${soonest.endpoint} until ${notAfter})`, details);
  },
});
