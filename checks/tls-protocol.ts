// The negotiated TLS version is 1.2 or newer (RFC 8996 deprecates TLS 1.0 and 1.1), and the ALPN result is
// reported. Judgement: a federation listener without ALPN still passes, because Matrix peers speak HTTP/1.1
// without it; it is mentioned so an operator who expected h2 can see it.

import { defineCheck, pass, skip, warn } from "../src/engine/check.js";
import { handshakeEndpoint } from "../src/engine/describe.js";
import type { TlsHandshakeFact } from "../src/engine/facts.js";

const DEPRECATED = new Set(["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"]);

function alpnName(h: TlsHandshakeFact): string {
  return h.alpn === undefined ? "unknown" : h.alpn === false ? "none" : h.alpn;
}

export default defineCheck({
  id: "tls-protocol",
  category: "tls",
  title: "TLS 1.2 or newer is negotiated",
  docs: "https://www.rfc-editor.org/rfc/rfc8996",
  requires: ["federationTls"],
  optional: ["clientTls"],
  run({ federationTls, clientTls }) {
    const completed = [...federationTls.handshakes, ...(clientTls?.handshakes ?? [])].filter((h) => h.ok);
    if (completed.length === 0) return skip("no TLS handshake completed (tls-handshake reports why)");

    const details = {
      endpoints: completed.map((h) => ({
        endpoint: handshakeEndpoint(h),
        protocol: h.protocol ?? "unknown",
        ...(h.cipher && { cipher: h.cipher }),
        alpn: alpnName(h),
      })),
    };
    const old = completed.filter((h) => h.protocol !== undefined && DEPRECATED.has(h.protocol));
    if (old.length > 0) {
      const names = [...new Set(completed.map((h) => h.expectedName))].join(", ");
      return warn(
        `${old.map((h) => `${handshakeEndpoint(h)} negotiated ${h.protocol}`).join(", ")}: TLS 1.0 and 1.1 are deprecated (RFC 8996)`,
        `Allow only current versions: in nginx's http block (or every server block for ${names}) write \`ssl_protocols TLSv1.2 TLSv1.3;\`, then \`nginx -t && systemctl reload nginx\`.`,
        details,
      );
    }

    // One phrase per distinct (listener, protocol, ALPN), e.g. "federation: TLSv1.3, ALPN h2 (2 endpoints)".
    const groups = new Map<string, number>();
    for (const h of completed) {
      const key = `${h.listener}: ${h.protocol ?? "protocol not reported"}, ALPN ${alpnName(h)}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    const phrases = [...groups].map(([key, n]) => `${key} (${n} endpoint${n === 1 ? "" : "s"})`);
    const noAlpn = completed.some((h) => h.listener === "federation" && h.alpn === false);
    const note = noAlpn ? "; no ALPN on federation means HTTP/1.1, which peers accept" : "";
    return pass(`${phrases.join("; ")}${note}`, details);
  },
});
