import check from "../../checks/tls-expiry.js";
import { TEST_NOW, testCheck } from "../support/check-tester.js";
import { DAY, INTERMEDIATE, V6, cert, clientHandshake, clientTls, failedHandshake, federationTls, handshake, healthyTls } from "./_fixtures-tls.js";

const withLeaf = (notAfterMs: number, notBeforeMs = TEST_NOW - 80 * DAY) => [cert({ notAfterMs, notBeforeMs }), INTERMEDIATE];

testCheck(check, {
  valid: [
    {
      name: "60 days left on both listeners",
      facts: healthyTls(),
      summary: /valid for 60 days or more \(soonest: federation 203\.0\.113\.10:8448 until 2027-01-25T12:00:00\.000Z\)/,
      details: {
        daysLeft: 60,
        notAfterMs: TEST_NOW + 60 * DAY,
        listeners: { federation: { notAfterMs: TEST_NOW + 60 * DAY }, client: { notAfterMs: TEST_NOW + 60 * DAY } },
      },
    },
    {
      name: "soonest across listeners is reported",
      facts: {
        federationTls: federationTls(),
        clientTls: clientTls([clientHandshake({ chain: withLeaf(TEST_NOW + 20 * DAY) })]),
      },
      summary: /20 days or more \(soonest: client 203\.0\.113\.10:443/,
      details: { listeners: { federation: { notAfterMs: TEST_NOW + 60 * DAY }, client: { notAfterMs: TEST_NOW + 20 * DAY } } },
    },
    { name: "exactly 14 days left", facts: { federationTls: federationTls([handshake({ chain: withLeaf(TEST_NOW + 14 * DAY) })]) } },
    {
      name: "only completed handshakes are judged",
      facts: { federationTls: federationTls([failedHandshake({ error: { code: "refused", message: "x" } })]) },
      status: "skip",
      summary: /tls-handshake/,
    },
  ],
  invalid: [
    {
      name: "expired",
      facts: { federationTls: federationTls([handshake({ chain: withLeaf(TEST_NOW - 3 * DAY), diagnosis: "expired", chainTrusted: false })]) },
      summary: /^the certificate on federation 203\.0\.113\.10:8448 expired 3 days ago \(2026-11-23T12:00:00\.000Z\)$/,
      fix: /certbot renew.*systemctl status certbot\.timer/,
      details: { daysLeft: -3 },
    },
    {
      name: "expired on IPv6 only (stale certificate in another server block)",
      facts: {
        federationTls: federationTls([handshake(), handshake({ address: V6, chain: withLeaf(TEST_NOW - 1 * DAY) })]),
      },
      summary: /federation \[2001:db8::10\]:8448 expired 1 day ago/,
    },
    {
      name: "expires in 9 days",
      facts: { federationTls: federationTls([handshake({ chain: withLeaf(TEST_NOW + 9.5 * DAY) }), handshake({ address: V6, chain: withLeaf(TEST_NOW + 9.5 * DAY) })]) },
      status: "warn",
      summary: /federation 203\.0\.113\.10:8448, federation \[2001:db8::10\]:8448 expires in 9 days/,
      fix: /journalctl -u certbot/,
    },
    {
      name: "not yet valid",
      facts: { federationTls: federationTls([handshake({ chain: withLeaf(TEST_NOW + 90 * DAY, TEST_NOW + 2 * DAY) })]) },
      summary: /not valid before 2026-11-28T12:00:00\.000Z/,
      fix: /timedatectl/,
    },
  ],
});
