// What the run trusts: the system roots plus --ca-file. Building a TLS context from ~150 roots costs
// about 1 MiB of native memory, so each trust set gets its contexts once per process (the exporter
// runs many probes with the same set), not one per connection.

import { X509Certificate } from "node:crypto";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";

export interface Trust {
  /** PEM certificates: the system roots and the extra ones. */
  ca: readonly string[];
  /** For ordinary clients: Node's default protocol floor (TLS 1.2). */
  strict: SecureContext;
  /** For observing handshakes: accepts TLS 1.0/1.1 and weak ciphers so an old server is reported as such, not as down. */
  legacy: SecureContext;
  /** The trust anchors, parsed (for diagnosing chains). */
  anchors(): readonly X509Certificate[];
}

const cache = new Map<string, Trust>();

export function trustFor(extraCa: readonly string[]): Trust {
  const key = extraCa.join("\n");
  let trust = cache.get(key);
  if (!trust) {
    const ca = [...rootCertificates, ...extraCa];
    let anchors: X509Certificate[] | undefined;
    trust = {
      ca,
      strict: createSecureContext({ ca }),
      legacy: createSecureContext({ ca, minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" }),
      anchors: () =>
        (anchors ??= ca.flatMap((pem) => {
          try {
            return [new X509Certificate(pem)];
          } catch {
            return []; // a malformed extra CA is reported when --ca-file is read
          }
        })),
    };
    // Runs with different --ca-file contents are rare; keep the cache from growing without bound anyway.
    if (cache.size >= 8) cache.delete(cache.keys().next().value!);
    cache.set(key, trust);
  }
  return trust;
}
