import check from "../../checks/tls-handshake.js";
import { testCheck } from "../support/check-tester.js";
import { V6, clientHandshake, clientTls, failedHandshake, federationTls, handshake, healthyTls } from "./_fixtures-tls.js";

testCheck(check, {
  valid: [
    { name: "both listeners, both families", facts: healthyTls(), summary: /federation 203\.0\.113\.10:8448.*client \[2001:db8::10\]:443/ },
    { name: "federation only (no client fact)", facts: { federationTls: federationTls() } },
    {
      name: "untrusted certificate still counts as a completed handshake",
      facts: { federationTls: federationTls([handshake({ chainTrusted: false, diagnosis: "self-signed" })]) },
    },
    { name: "no endpoints", facts: { federationTls: federationTls([]) }, status: "skip", summary: /no addresses/ },
  ],
  invalid: [
    {
      name: "nothing listens on the federation port",
      facts: { federationTls: federationTls([failedHandshake({ error: { code: "refused", message: "connect ECONNREFUSED 203.0.113.10:8448" } })]) },
      summary: /^nothing listens on federation 203\.0\.113\.10:8448 \(connection refused\)$/,
      fix: /`listen 8448 ssl http2;`.*ufw allow 8448\/tcp/,
      details: { endpoints: [{ endpoint: "federation 203.0.113.10:8448", ok: false, error: "refused" }] },
    },
    {
      name: "IPv6 times out while IPv4 works",
      facts: { federationTls: federationTls([handshake(), failedHandshake({ address: V6, error: { code: "timeout", message: "timed out" } })]) },
      summary: /federation \[2001:db8::10\]:8448 timed out/,
      fix: /ufw allow 8448\/tcp/,
    },
    {
      name: "the port accepts the connection but never answers TLS (a hung server, not a firewall)",
      facts: {
        federationTls: federationTls([failedHandshake({ tcpConnected: true, error: { code: "timeout", message: "timed out" } })]),
      },
      summary: /accepted the connection but never answered the TLS handshake/,
      fix: /something listens but hangs.*ss -tlnp/,
    },
    {
      name: "client listener refused on IPv6",
      facts: {
        federationTls: federationTls(),
        clientTls: clientTls([clientHandshake(), failedHandshake({ listener: "client", address: V6, port: 443, error: { code: "refused", message: "refused" } })]),
      },
      summary: /nothing listens on client \[2001:db8::10\]:443/,
      fix: /`listen \[::\]:443 ssl http2;`/,
    },
    {
      name: "TLS alert",
      facts: {
        federationTls: federationTls([
          failedHandshake({ error: { code: "tls", message: "tlsv1 unrecognized name (SSL alert number 112)" } }),
        ]),
      },
      summary: /TLS handshake with federation 203\.0\.113\.10:8448 failed: tlsv1 unrecognized name/,
      fix: /openssl s_client -connect 203\.0\.113\.10:8448 -servername example\.test.*server_name example\.test;/,
    },
    {
      name: "plain HTTP on the TLS port",
      facts: {
        federationTls: federationTls([failedHandshake({ error: { code: "tls", message: "ssl3_get_record:wrong version number" } })]),
      },
      summary: /answers in plain HTTP/,
      fix: /with `ssl`/,
    },
    {
      name: "unreachable IPv6 address",
      facts: { federationTls: federationTls([failedHandshake({ address: V6, error: { code: "unreachable", message: "connect ENETUNREACH" } })]) },
      summary: /unreachable/,
      fix: /AAAA/,
    },
    {
      name: "several failures are all named",
      facts: {
        federationTls: federationTls([
          failedHandshake({ error: { code: "refused", message: "refused" } }),
          failedHandshake({ address: V6, error: { code: "refused", message: "refused" } }),
        ]),
      },
      summary: /also failed: federation \[2001:db8::10\]:8448/,
      fix: /listen \[::\]:8448 ssl http2;/,
    },
  ],
});
