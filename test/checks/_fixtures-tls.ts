// Fixtures for the TLS checks: a healthy baseline of Let's Encrypt-style certificates served by nginx on the
// federation listener (example.test:8448, IPv4 and IPv6) and the client listener (example.test:443), with
// dates relative to TEST_NOW. Cases modify copies of the baseline.

import type { CertSummary, TlsFact, TlsHandshakeFact } from "../../src/engine/facts.js";
import { TEST_NOW } from "../support/check-tester.js";

export const DAY = 86_400_000;
export const SERVER_NAME = "example.test";
export const V4 = "203.0.113.10";
export const V6 = "2001:db8::10";

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function cert(overrides: Partial<CertSummary> = {}): CertSummary {
  const notBeforeMs = overrides.notBeforeMs ?? TEST_NOW - 30 * DAY;
  const notAfterMs = overrides.notAfterMs ?? TEST_NOW + 60 * DAY;
  return {
    subject: "CN=example.test",
    issuer: "C=US, O=Let's Encrypt, CN=R11",
    subjectAltName: "DNS:example.test, DNS:www.example.test",
    validFrom: iso(notBeforeMs),
    validTo: iso(notAfterMs),
    notAfterMs,
    notBeforeMs,
    fingerprint256: "6A:1F:0C:44:9B:3E:21:7D:90:5A:AB:11:C2:08:6E:F4:33:19:7A:D0:5C:4E:81:2B:9F:60:3D:E7:55:0A:BC:12",
    serialNumber: "04A1B2C3D4E5F60718293A4B5C6D7E8F9A0B",
    selfSigned: false,
    caIssuersUrl: "http://r11.i.lencr.org/",
    ...overrides,
  };
}

export const INTERMEDIATE: CertSummary = cert({
  subject: "C=US, O=Let's Encrypt, CN=R11",
  issuer: "C=US, O=Internet Security Research Group, CN=ISRG Root X1",
  subjectAltName: undefined,
  notBeforeMs: TEST_NOW - 600 * DAY,
  notAfterMs: TEST_NOW + 400 * DAY,
  fingerprint256: "59:1E:9C:E6:C8:63:D3:A0:79:E9:FA:BE:17:78:E5:E8:CA:58:A2:D2:7D:43:E9:2E:71:8B:0E:B6:19:AB:57:21",
  caIssuersUrl: "http://x1.i.lencr.org/",
});

export const OTHER_CERT_FINGERPRINT = "C3:77:0E:5A:19:84:FE:2B:6D:00:91:AA:4E:73:B8:12:5F:C6:09:E1:2D:48:7B:93:A0:1C:66:F5:D2:38:4B:07";

export function handshake(overrides: Partial<TlsHandshakeFact> = {}): TlsHandshakeFact {
  return {
    listener: "federation",
    address: V4,
    port: 8448,
    servername: SERVER_NAME,
    expectedName: SERVER_NAME,
    ok: true,
    protocol: "TLSv1.3",
    cipher: "TLS_AES_256_GCM_SHA384",
    alpn: "h2",
    chain: [cert(), INTERMEDIATE],
    sentCount: 2,
    chainTrusted: true,
    diagnosis: "trusted",
    nameMatches: true,
    durationMs: 12,
    ...overrides,
  };
}

/** A handshake that never completed. */
export function failedHandshake(overrides: Partial<TlsHandshakeFact> & Pick<TlsHandshakeFact, "error">): TlsHandshakeFact {
  return {
    listener: "federation",
    address: V4,
    port: 8448,
    servername: SERVER_NAME,
    expectedName: SERVER_NAME,
    ok: false,
    durationMs: 3,
    ...overrides,
  };
}

export function federationTls(handshakes: TlsHandshakeFact[] = [handshake(), handshake({ address: V6 })]): TlsFact {
  return { listener: "federation", expectedName: SERVER_NAME, handshakes };
}

export function clientTls(handshakes: TlsHandshakeFact[] = [clientHandshake(), clientHandshake({ address: V6 })]): TlsFact {
  return { listener: "client", expectedName: SERVER_NAME, handshakes };
}

export function clientHandshake(overrides: Partial<TlsHandshakeFact> = {}): TlsHandshakeFact {
  return handshake({ listener: "client", port: 443, ...overrides });
}

/** Both listeners healthy. */
export function healthyTls(): { federationTls: TlsFact; clientTls: TlsFact } {
  return { federationTls: federationTls(), clientTls: clientTls() };
}
