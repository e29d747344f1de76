import check from "../../checks/tls-protocol.js";
import { testCheck } from "../support/check-tester.js";
import { V6, clientHandshake, clientTls, failedHandshake, federationTls, handshake, healthyTls } from "./_fixtures-tls.js";

testCheck(check, {
  valid: [
    {
      name: "TLS 1.3 with h2 everywhere",
      facts: healthyTls(),
      summary: /^federation: TLSv1\.3, ALPN h2 \(2 endpoints\); client: TLSv1\.3, ALPN h2 \(2 endpoints\)$/,
    },
    {
      name: "details per endpoint",
      facts: { federationTls: federationTls([handshake()]) },
      details: { endpoints: [{ endpoint: "federation 203.0.113.10:8448", protocol: "TLSv1.3", alpn: "h2", cipher: "TLS_AES_256_GCM_SHA384" }] },
    },
    {
      name: "TLS 1.2 and http/1.1 are fine",
      facts: { federationTls: federationTls([handshake({ protocol: "TLSv1.2", alpn: "http/1.1", cipher: "ECDHE-RSA-AES128-GCM-SHA256" })]) },
      summary: /TLSv1\.2, ALPN http\/1\.1/,
    },
    {
      name: "no ALPN on the federation listener is mentioned, not judged",
      facts: { federationTls: federationTls([handshake({ alpn: false }), handshake({ address: V6, alpn: false })]) },
      summary: /ALPN none \(2 endpoints\); no ALPN on federation means HTTP\/1\.1/,
    },
    {
      name: "nothing completed",
      facts: { federationTls: federationTls([failedHandshake({ error: { code: "refused", message: "x" } })]) },
      status: "skip",
    },
  ],
  invalid: [
    {
      name: "TLS 1.1 on the client listener",
      facts: { federationTls: federationTls(), clientTls: clientTls([clientHandshake({ protocol: "TLSv1.1", alpn: "http/1.1" })]) },
      status: "warn",
      summary: /^client 203\.0\.113\.10:443 negotiated TLSv1\.1: TLS 1\.0 and 1\.1 are deprecated \(RFC 8996\)$/,
      fix: /`ssl_protocols TLSv1\.2 TLSv1\.3;`/,
    },
    {
      name: "TLS 1.0 on federation IPv6",
      facts: { federationTls: federationTls([handshake(), handshake({ address: V6, protocol: "TLSv1" })]) },
      status: "warn",
      summary: /federation \[2001:db8::10\]:8448 negotiated TLSv1:/,
    },
  ],
});
