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
import turnConfig from "./turn-config.js";
import turnDns from "./turn-dns.js";
import turnReachable from "./turn-reachable.js";
import turnAllocate from "./turn-allocate.js";
import turnRelayAddress from "./turn-relay-address.js";
import turnDeniedPeers from "./turn-denied-peers.js";
import turnTls from "./turn-tls.js";
import turnCleanup from "./turn-cleanup.js";
import postgresConnect from "./postgres-connect.js";
import postgresVersion from "./postgres-version.js";
import postgresEncoding from "./postgres-encoding.js";
import postgresLocale from "./postgres-locale.js";
import postgresConnectionBudget from "./postgres-connection-budget.js";
import postgresConnectionsInUse from "./postgres-connections-in-use.js";
import postgresLongTransactions from "./postgres-long-transactions.js";
import postgresSchema from "./postgres-schema.js";
import systemdReachable from "./systemd-reachable.js";
import systemdHomeserverUnit from "./systemd-homeserver-unit.js";
import systemdCrashLoop from "./systemd-crash-loop.js";
import systemdLimits from "./systemd-limits.js";
import systemdDependencies from "./systemd-dependencies.js";
import systemdCertbotTimer from "./systemd-certbot-timer.js";
import configServerName from "./config-server-name.js";
import configSigningKey from "./config-signing-key.js";
import configDendriteVersion from "./config-dendrite-version.js";
import configDatabaseSections from "./config-database-sections.js";
import configConnectionPools from "./config-connection-pools.js";
import configWellKnown from "./config-well-known.js";
import configRegistration from "./config-registration.js";
import configTurn from "./config-turn.js";
import configTlsValidation from "./config-tls-validation.js";
import configUnknownKeys from "./config-unknown-keys.js";

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
  turnConfig,
  turnDns,
  turnReachable,
  turnAllocate,
  turnRelayAddress,
  turnDeniedPeers,
  turnTls,
  turnCleanup,
  postgresConnect,
  postgresVersion,
  postgresEncoding,
  postgresLocale,
  postgresConnectionBudget,
  postgresConnectionsInUse,
  postgresLongTransactions,
  postgresSchema,
  systemdReachable,
  systemdHomeserverUnit,
  systemdCrashLoop,
  systemdLimits,
  systemdDependencies,
  systemdCertbotTimer,
  configServerName,
  configSigningKey,
  configDendriteVersion,
  configDatabaseSections,
  configConnectionPools,
  configWellKnown,
  configRegistration,
  configTurn,
  configTlsValidation,
  configUnknownKeys,
];
