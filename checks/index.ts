// The built-in checks, in report order within each category. Each file's default export is one
// check whose id equals the file name (test/checks/registry.test.ts enforces it).

import type { Check } from "../src/engine/check.js";
import dnsServerName from "./dns-server-name.js";
import dnsSrv from "./dns-srv.js";
import dnsAddresses from "./dns-addresses.js";
import wellknownServerFetch from "./wellknown-server-fetch.js";
import wellknownServerJson from "./wellknown-server-json.js";
import wellknownServerMServer from "./wellknown-server-m-server.js";
import wellknownServerSize from "./wellknown-server-size.js";
import wellknownServerRedirects from "./wellknown-server-redirects.js";
import wellknownServerContentType from "./wellknown-server-content-type.js";
import wellknownServerCache from "./wellknown-server-cache.js";
import wellknownServerConsistent from "./wellknown-server-consistent.js";
import tlsHandshake from "./tls-handshake.js";
import tlsCertificate from "./tls-certificate.js";
import tlsExpiry from "./tls-expiry.js";
import tlsProtocol from "./tls-protocol.js";
import tlsConsistent from "./tls-consistent.js";
import federationDiscovery from "./federation-discovery.js";
import federationVersion from "./federation-version.js";
import federationRouting from "./federation-routing.js";
import federationKeysServerName from "./federation-keys-server-name.js";
import federationKeysValidity from "./federation-keys-validity.js";
import federationKeysEd25519 from "./federation-keys-ed25519.js";
import federationKeysSignatures from "./federation-keys-signatures.js";
import federationKeysConsistent from "./federation-keys-consistent.js";
import clientWellknown from "./client-wellknown.js";
import clientVersions from "./client-versions.js";
import clientIdentityServer from "./client-identity-server.js";
import clientCorsWellknown from "./client-cors-wellknown.js";
import clientCorsVersions from "./client-cors-versions.js";
import clientCorsPreflight from "./client-cors-preflight.js";
import clientSupport from "./client-support.js";

export const CHECKS: readonly Check[] = [
  dnsServerName,
  dnsSrv,
  dnsAddresses,
  wellknownServerFetch,
  wellknownServerJson,
  wellknownServerMServer,
  wellknownServerSize,
  wellknownServerRedirects,
  wellknownServerContentType,
  wellknownServerCache,
  wellknownServerConsistent,
  tlsHandshake,
  tlsCertificate,
  tlsExpiry,
  tlsProtocol,
  tlsConsistent,
  federationDiscovery,
  federationVersion,
  federationRouting,
  federationKeysServerName,
  federationKeysValidity,
  federationKeysEd25519,
  federationKeysSignatures,
  federationKeysConsistent,
  clientWellknown,
  clientVersions,
  clientIdentityServer,
  clientCorsWellknown,
  clientCorsVersions,
  clientCorsPreflight,
  clientSupport,
];
