import check from "../../checks/tls-consistent.js";
import { testCheck } from "../support/check-tester.js";
import {
  INTERMEDIATE,
  OTHER_CERT_FINGERPRINT,
  V6,
  cert,
  clientHandshake,
  clientTls,
  failedHandshake,
  federationTls,
  handshake,
  healthyTls,
} from "./_fixtures-tls.js";

const snakeoil = cert({ subject: "CN=debian", subjectAltName: "DNS:debian", fingerprint256: OTHER_CERT_FINGERPRINT, selfSigned: true });

testCheck(check, {
  valid: [
    {
      name: "one certificate on both families, both listeners",
      facts: healthyTls(),
      summary: /^federation: one certificate on all 2 addresses; client: one certificate on all 2 addresses$/,
      details: { listeners: { federation: [{ address: "203.0.113.10:8448" }, { address: "[2001:db8::10]:8448" }] } },
    },
    { name: "a single address", facts: { federationTls: federationTls([handshake()]) }, summary: /its only address/ },
    {
      name: "failed handshakes are not compared",
      facts: { federationTls: federationTls([handshake(), failedHandshake({ address: V6, error: { code: "refused", message: "x" } })]) },
    },
    {
      name: "listeners may use different certificates from each other",
      facts: {
        federationTls: federationTls(),
        clientTls: clientTls([clientHandshake({ chain: [cert({ fingerprint256: OTHER_CERT_FINGERPRINT }), INTERMEDIATE] })]),
      },
    },
    {
      name: "nothing completed",
      facts: { federationTls: federationTls([failedHandshake({ error: { code: "timeout", message: "timed out" } })]) },
      status: "skip",
    },
  ],
  invalid: [
    {
      name: "IPv6 falls into the default server with the snakeoil certificate",
      facts: {
        federationTls: federationTls([
          handshake(),
          handshake({ address: V6, chain: [snakeoil], chainTrusted: false, diagnosis: "self-signed", nameMatches: false }),
        ]),
      },
      status: "warn",
      summary:
        /^federation serves 2 different certificates: 203\.0\.113\.10:8448 → CN=example\.test \(6A:1F:0C:44\), \[2001:db8::10\]:8448 → CN=debian \(C3:77:0E:5A\); IPv6 is broken: \[2001:db8::10\]:8448 is not valid for example\.test$/,
      fix: /`listen \[::\]:8448 ssl http2;`/,
    },
    {
      name: "two valid certificates (separately renewed backends)",
      facts: {
        clientTls: clientTls([clientHandshake(), clientHandshake({ address: V6, chain: [cert({ fingerprint256: OTHER_CERT_FINGERPRINT }), INTERMEDIATE] })]),
        federationTls: federationTls(),
      },
      status: "warn",
      summary: /^client serves 2 different certificates: 203\.0\.113\.10:443 → CN=example\.test \(6A:1F:0C:44\), \[2001:db8::10\]:443 → CN=example\.test \(C3:77:0E:5A\)$/,
      fix: /^client: .*listen 443 ssl http2;.*copy the renewed certificate/,
    },
    {
      name: "an untrusted certificate on one of two IPv4 addresses",
      facts: {
        federationTls: federationTls([
          handshake(),
          handshake({ address: "203.0.113.11", chain: [cert({ fingerprint256: OTHER_CERT_FINGERPRINT })], chainTrusted: false, diagnosis: "missing-intermediate" }),
        ]),
      },
      status: "warn",
      summary: /broken on 203\.0\.113\.11:8448: 203\.0\.113\.11:8448 is not trusted \(missing-intermediate\)/,
    },
  ],
});
