// Every federation (and client) endpoint completes a TLS handshake. The probe connects without rejecting
// untrusted certificates, so a failure here means no TLS session at all: nothing listens, packets are dropped,
// or the listener does not speak TLS. Certificate trust, names and dates are judged by the other tls- checks.

import { isIPv6 } from "node:net";
import { defineCheck, fail, pass, skip } from "../src/engine/check.js";
import { handshakeEndpoint } from "../src/engine/describe.js";
import type { TlsHandshakeFact } from "../src/engine/facts.js";
import { hostPort } from "../src/matrix/server-name.js";

function listenLine(h: TlsHandshakeFact): string {
  return isIPv6(h.address) ? `listen [::]:${h.port} ssl http2;` : `listen ${h.port} ssl http2;`;
}

function sClient(h: TlsHandshakeFact): string {
  return `openssl s_client -connect ${hostPort(h.address, h.port)}${h.servername ? ` -servername ${h.servername}` : ""}`;
}

/** "wrong version number" and friends: OpenSSL got a plain-HTTP answer where it expected a TLS record. */
const PLAIN_HTTP = /wrong version number|packet length too long|http request|unknown protocol/i;

function describeFailure(h: TlsHandshakeFact): string {
  const error = h.error ?? { code: "other", message: "the handshake did not complete" };
  const where = handshakeEndpoint(h);
  switch (error.code) {
    case "refused":
      return `nothing listens on ${where} (connection refused)`;
    case "timeout":
      return h.tcpConnected
        ? `${where} accepted the connection but never answered the TLS handshake (timed out)`
        : `${where} timed out (no answer to the connection or the TLS handshake)`;
    case "unreachable":
      return `${where} is unreachable (${error.message})`;
    case "reset":
      return `${where} reset the connection during the TLS handshake`;
    case "tls":
      return PLAIN_HTTP.test(error.message)
        ? `${where} answers in plain HTTP, not TLS (${error.message})`
        : `TLS handshake with ${where} failed: ${error.message}`;
    default:
      return `TLS handshake with ${where} failed: ${error.message}`;
  }
}

function fixFor(h: TlsHandshakeFact): string {
  const error = h.error ?? { code: "other", message: "" };
  const where = handshakeEndpoint(h);
  const family = isIPv6(h.address) ? "IPv6" : "IPv4";
  switch (error.code) {
    case "refused":
      return (
        `${where}: make nginx listen there: in the server block for ${h.expectedName} add \`${listenLine(h)}\`, run ` +
        `\`nginx -t && systemctl reload nginx\`, and open the port in the firewall: \`ufw allow ${h.port}/tcp\` ` +
        `(or forward ${h.port}/tcp to this host on the router). \`ss -tlnp | grep ':${h.port}'\` shows what listens.`
      );
    case "timeout":
      if (h.tcpConnected) {
        return (
          `${where}: something listens but hangs: see what owns the port (\`ss -tlnp | grep ':${h.port}'\`), check that it is nginx ` +
          `with \`${listenLine(h)}\` and not a stuck or plain-TCP service, restart it (\`systemctl restart nginx\`), and test with \`${sClient(h)}\`.`
        );
      }
      return (
        `${where}: packets are dropped on the way: open the port in the firewall (\`ufw allow ${h.port}/tcp\`, and the ` +
        `cloud provider's security group) and forward it to this host; then \`nc -vz ${h.address} ${h.port}\` from another network should connect.`
      );
    case "unreachable":
      return (
        `${where}: no route to this ${family} address: if it is no longer served, remove the ${family === "IPv6" ? "AAAA" : "A"} ` +
        `record that points at it; otherwise fix the host's ${family} connectivity (\`ip -${family === "IPv6" ? 6 : 4} route\`).`
      );
    case "tls":
      if (PLAIN_HTTP.test(error.message)) {
        return `${where}: the port is served without TLS: write \`${listenLine(h)}\` (with \`ssl\`) in the nginx server block for ${h.expectedName}, then \`systemctl reload nginx\`.`;
      }
      return (
        `${where}: check what the server sends with \`${sClient(h)}\`; the nginx server block needs \`${listenLine(h)}\`, ` +
        `\`server_name ${h.expectedName};\`, \`ssl_certificate /etc/letsencrypt/live/${h.expectedName}/fullchain.pem;\` and ` +
        `\`ssl_certificate_key /etc/letsencrypt/live/${h.expectedName}/privkey.pem;\`.`
      );
    default:
      return (
        `${where}: something cuts the connection before TLS completes (a firewall, or a service that does not speak TLS ` +
        `on this port): compare with \`${sClient(h)}\` and make sure nginx owns the port with \`${listenLine(h)}\`.`
      );
  }
}

export default defineCheck({
  id: "tls-handshake",
  category: "tls",
  title: "TLS handshakes succeed on every endpoint",
  docs: "https://spec.matrix.org/latest/server-server-api/#tls",
  requires: ["federationTls"],
  optional: ["clientTls"],
  run({ federationTls, clientTls }) {
    const handshakes = [...federationTls.handshakes, ...(clientTls?.handshakes ?? [])];
    if (handshakes.length === 0) return skip("no endpoint to connect to: discovery found no addresses");

    const details = {
      endpoints: handshakes.map((h) => ({
        endpoint: handshakeEndpoint(h),
        ok: h.ok,
        ...(h.error && { error: h.error.code, message: h.error.message }),
        durationMs: h.durationMs,
      })),
    };
    const failed = handshakes.filter((h) => !h.ok);
    const [first] = failed;
    if (!first) return pass(`TLS handshake completed on ${handshakes.map(handshakeEndpoint).join(", ")}`, details);

    const others = failed.slice(1).map(handshakeEndpoint);
    const summary = describeFailure(first) + (others.length > 0 ? `; also failed: ${others.join(", ")}` : "");
    return fail(summary, [...new Set(failed.map(fixFor))].join("\n"), details);
  },
});
