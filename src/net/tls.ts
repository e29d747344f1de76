// One TLS handshake, observed rather than enforced: the handshake completes whatever the certificate,
// and the facts say why a peer would refuse it (OpenSSL's verdict, the name, the chain as sent, and
// whether a missing intermediate explains an untrusted chain).

import { X509Certificate } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import type { CertSummary, ChainDiagnosis, TlsHandshakeFact } from "../engine/facts.js";
import { deadlineSignal, toNetError } from "./errors.js";
import type { Trust } from "./trust.js";

export interface HandshakeRequest {
  listener: "client" | "federation";
  address: string;
  port: number;
  /** SNI to send; absent for IP names (RFC 6066 forbids IP literals in SNI). */
  servername?: string;
  expectedName: string;
  /** System roots plus --ca-file. */
  trust: Trust;
  timeoutMs: number;
  signal: AbortSignal;
  /** Fetch a certificate (DER or PEM) from an AIA URL; undefined when it cannot be had. */
  fetchIssuer(url: string): Promise<Buffer | undefined>;
}

function summarise(cert: tls.PeerCertificate): CertSummary {
  const x509 = new X509Certificate(cert.raw);
  const caIssuers = /CA Issuers - URI:(\S+)/.exec(x509.infoAccess ?? "")?.[1];
  return {
    subject: x509.subject.replace(/\n/g, ", "),
    issuer: x509.issuer.replace(/\n/g, ", "),
    ...(x509.subjectAltName && { subjectAltName: x509.subjectAltName }),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    notAfterMs: Date.parse(x509.validTo),
    notBeforeMs: Date.parse(x509.validFrom),
    fingerprint256: x509.fingerprint256,
    serialNumber: x509.serialNumber,
    selfSigned: x509.checkIssued(x509),
    ...(caIssuers && { caIssuersUrl: caIssuers }),
  };
}

/** The chain Node reports, leaf first; stops at a self-reference (self-signed roots point to themselves). */
function walkChain(leaf: tls.DetailedPeerCertificate): tls.DetailedPeerCertificate[] {
  const chain: tls.DetailedPeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = leaf;
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

const DIAGNOSIS_BY_CODE: Record<string, ChainDiagnosis> = {
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "not-yet-valid",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT: "unknown-ca",
  SELF_SIGNED_CERT_IN_CHAIN: "unknown-ca",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed",
};

export async function tlsHandshake(req: HandshakeRequest): Promise<TlsHandshakeFact> {
  const started = performance.now();
  const base: TlsHandshakeFact = {
    listener: req.listener,
    address: req.address,
    port: req.port,
    ...(req.servername && { servername: req.servername }),
    expectedName: req.expectedName,
    ok: false,
    durationMs: 0,
  };
  const signal = deadlineSignal(req.signal, req.timeoutMs);
  let tcpConnected = false;
  const socket = await new Promise<tls.TLSSocket | Error>((resolve) => {
    if (signal.aborted) return resolve(Object.assign(new Error("timed out"), { name: "TimeoutError" }));
    const s = tls.connect({
      host: req.address,
      port: req.port,
      ...(req.servername && { servername: req.servername }),
      // Accepts old protocols so that a TLS 1.0/1.1-only server is reported as such, not as "down".
      secureContext: req.trust.legacy,
      rejectUnauthorized: false,
      // The name is judged separately, so OpenSSL's verdict is about the chain alone.
      checkServerIdentity: () => undefined,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    const onAbort = (): void => {
      s.destroy();
      resolve(Object.assign(new Error("timed out"), { name: "TimeoutError" }));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    s.once("connect", () => (tcpConnected = true));
    s.once("secureConnect", () => {
      signal.removeEventListener("abort", onAbort);
      resolve(s);
    });
    s.once("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      resolve(err);
    });
  });
  if (socket instanceof Error) {
    return { ...base, error: toNetError(socket), tcpConnected, durationMs: Math.round(performance.now() - started) };
  }
  try {
    const peer = socket.getPeerCertificate(true);
    const chainRaw = peer && peer.raw ? walkChain(peer) : [];
    const chain = chainRaw.map(summarise);
    const anchors = req.trust.anchors();
    const anchorPrints = new Set(anchors.map((a) => a.fingerprint256));
    // Node appends the trust anchor it found to the chain; count only what the server sent.
    let sentCount = chain.length;
    while (sentCount > 1 && anchorPrints.has(chain[sentCount - 1]!.fingerprint256)) sentCount--;
    const verifyError = socket.authorizationError ? String(socket.authorizationError) : undefined;
    let diagnosis: ChainDiagnosis = verifyError ? (DIAGNOSIS_BY_CODE[verifyError] ?? "other") : "trusted";
    let aiaIssuer: TlsHandshakeFact["aiaIssuer"];
    if (verifyError === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" && chainRaw[0]) {
      diagnosis = "incomplete-or-unknown-ca";
      const leaf = new X509Certificate(chainRaw[0].raw);
      const url = chain[0]?.caIssuersUrl;
      if (url) {
        const der = await req.fetchIssuer(url);
        if (der) {
          try {
            const issuer = new X509Certificate(der);
            const completesChain = issuedBy(leaf, issuer) && anchors.some((root) => issuedBy(issuer, root));
            aiaIssuer = { url, subject: issuer.subject.replace(/\n/g, ", "), completesChain };
            if (completesChain) diagnosis = "missing-intermediate";
          } catch {
            aiaIssuer = { url, subject: "(not a certificate)", completesChain: false };
          }
        }
      }
    }
    let nameMatches: boolean | undefined;
    let nameError: string | undefined;
    if (peer && peer.raw) {
      const identityError = tls.checkServerIdentity(req.expectedName, peer);
      nameMatches = identityError === undefined;
      if (identityError) nameError = identityError.message;
    }
    const protocol = socket.getProtocol();
    const cipher = socket.getCipher();
    return {
      ...base,
      ok: true,
      ...(protocol && { protocol }),
      ...(cipher && { cipher: cipher.standardName || cipher.name }),
      alpn: socket.alpnProtocol ?? false,
      chain,
      sentCount,
      chainTrusted: diagnosis === "trusted" || diagnosis === "expired" || diagnosis === "not-yet-valid",
      ...(verifyError && { verifyError }),
      diagnosis,
      ...(aiaIssuer && { aiaIssuer }),
      ...(nameMatches !== undefined && { nameMatches }),
      ...(nameError && { nameError }),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    socket.destroy();
  }
}

/** IP names are not sent as SNI. */
export function sniFor(name: string): string | undefined {
  return net.isIP(name) ? undefined : name;
}
