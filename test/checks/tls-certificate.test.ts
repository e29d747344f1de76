import check from "../../checks/tls-certificate.js";
import { TEST_NOW, testCheck } from "../support/check-tester.js";
import {
  DAY,
  INTERMEDIATE,
  V6,
  cert,
  clientHandshake,
  clientTls,
  failedHandshake,
  federationTls,
  handshake,
  healthyTls,
} from "./_fixtures-tls.js";

const missingIntermediate = handshake({
  chain: [cert()],
  sentCount: 1,
  chainTrusted: false,
  verifyError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  diagnosis: "missing-intermediate",
  aiaIssuer: { url: "http://r11.i.lencr.org/", subject: "C=US, O=Let's Encrypt, CN=R11", completesChain: true },
});

const selfSigned = handshake({
  chain: [cert({ issuer: "CN=example.test", selfSigned: true, subjectAltName: "DNS:example.test" })],
  sentCount: 1,
  chainTrusted: false,
  verifyError: "DEPTH_ZERO_SELF_SIGNED_CERT",
  diagnosis: "self-signed",
});

const wrongName = handshake({
  expectedName: "example.test",
  chain: [cert({ subject: "CN=matrix.example.test", subjectAltName: "DNS:matrix.example.test" }), INTERMEDIATE],
  nameMatches: false,
  nameError: "Hostname/IP does not match certificate's altnames",
});

const expiredLeaf = handshake({
  chain: [cert({ notAfterMs: TEST_NOW - 2 * DAY }), INTERMEDIATE],
  chainTrusted: false,
  verifyError: "CERT_HAS_EXPIRED",
  diagnosis: "expired",
});

testCheck(check, {
  valid: [
    { name: "both listeners trusted", facts: healthyTls(), summary: /trusted certificates for example\.test on 4 endpoint/ },
    {
      name: "a failed handshake is left to tls-handshake",
      facts: { federationTls: federationTls([handshake(), failedHandshake({ address: V6, error: { code: "refused", message: "x" } })]) },
    },
    {
      name: "expired leaf only: tls-expiry reports it",
      facts: { federationTls: federationTls([expiredLeaf]) },
      summary: /apart from the expired or not-yet-valid leaf, which tls-expiry reports/,
    },
    {
      name: "no completed handshake",
      facts: { federationTls: federationTls([failedHandshake({ error: { code: "timeout", message: "timed out" } })]) },
      status: "skip",
      summary: /tls-handshake/,
    },
  ],
  invalid: [
    {
      name: "cert.pem instead of fullchain.pem",
      facts: { federationTls: federationTls([missingIntermediate]) },
      summary:
        /^federation 203\.0\.113\.10:8448: incomplete chain: the server sends only its leaf certificate; missing intermediate C=US, O=Let's Encrypt, CN=R11$/,
      fix: /ssl_certificate \/etc\/letsencrypt\/live\/example\.test\/fullchain\.pem;` \(not cert\.pem\)/,
      details: { endpoints: [{ diagnosis: "missing-intermediate", verifyError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }] },
    },
    {
      name: "the same problem on both families is told once",
      facts: { federationTls: federationTls([missingIntermediate, { ...missingIntermediate, address: V6 }]) },
      summary: /^federation 203\.0\.113\.10:8448, federation \[2001:db8::10\]:8448: incomplete chain/,
    },
    {
      name: "incomplete or unknown CA",
      facts: {
        federationTls: federationTls([
          handshake({
            chain: [cert({ issuer: "CN=Corp Issuing CA 2", caIssuersUrl: undefined })],
            sentCount: 1,
            chainTrusted: false,
            verifyError: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            diagnosis: "incomplete-or-unknown-ca",
          }),
        ]),
      },
      summary: /either an intermediate certificate is missing, or the issuer "CN=Corp Issuing CA 2" is not a publicly trusted CA/,
      fix: /fullchain\.pem.*certbot certonly --nginx -d example\.test/,
    },
    {
      name: "self-signed",
      facts: { federationTls: federationTls([selfSigned]) },
      summary: /self-signed certificate; peers require a certificate from a CA/,
      fix: /certbot certonly --nginx -d example\.test/,
    },
    {
      name: "unknown CA on the client listener",
      facts: {
        federationTls: federationTls(),
        clientTls: clientTls([clientHandshake({ chainTrusted: false, diagnosis: "unknown-ca", verifyError: "SELF_SIGNED_CERT_IN_CHAIN" })]),
      },
      summary: /^client 203\.0\.113\.10:443: a certificate from an unknown CA/,
    },
    {
      name: "certificate for the delegated host, not the server name",
      facts: { federationTls: federationTls([wrongName]) },
      summary: /certificate is for matrix\.example\.test, not example\.test/,
      fix: /certbot certonly --nginx -d example\.test.*never the SRV target/,
    },
    {
      name: "name problem on the client listener has no federation note",
      facts: {
        federationTls: federationTls(),
        clientTls: clientTls([clientHandshake({ nameMatches: false, chain: [cert({ subjectAltName: "DNS:www.example.test" })] })]),
      },
      summary: /client 203\.0\.113\.10:443: certificate is for www\.example\.test, not example\.test/,
      fix: /port 443/,
    },
    {
      name: "IP-literal server name",
      facts: {
        federationTls: federationTls([
          handshake({ expectedName: "203.0.113.10", servername: undefined, nameMatches: false, chain: [cert({ subjectAltName: undefined })] }),
        ]),
      },
      summary: /certificate is for example\.test \(subject CN only, no subjectAltName\), not 203\.0\.113\.10/,
      fix: /IP Address:203\.0\.113\.10/,
    },
    {
      name: "chain and name both wrong: both reported",
      facts: { federationTls: federationTls([{ ...selfSigned, nameMatches: false }]) },
      summary: /self-signed.*\(\+1 more problem\)/,
      fix: /certbot certonly[^\n]*\n.*certbot certonly --nginx -d example\.test/s,
    },
    {
      name: "expired intermediate in the chain",
      facts: {
        federationTls: federationTls([
          handshake({
            chain: [cert(), { ...INTERMEDIATE, subject: "O=Digital Signature Trust Co., CN=DST Root CA X3", notAfterMs: TEST_NOW - 400 * DAY }],
            chainTrusted: false,
            diagnosis: "expired",
            verifyError: "CERT_HAS_EXPIRED",
          }),
        ]),
      },
      summary: /outside its validity period: "O=Digital Signature Trust Co\., CN=DST Root CA X3"/,
      fix: /certbot renew --force-renewal --cert-name example\.test/,
    },
    {
      name: "other verify error",
      facts: {
        federationTls: federationTls([handshake({ address: V6, chainTrusted: false, diagnosis: "other", verifyError: "CERT_SIGNATURE_FAILURE" })]),
      },
      summary: /does not verify \(CERT_SIGNATURE_FAILURE\)/,
      fix: /s_client -connect \[2001:db8::10\]:8448 -servername example\.test -showcerts/,
    },
  ],
});
