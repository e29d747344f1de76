// The built-in probes, by the fact each produces.

import type { FactName } from "../engine/facts.js";
import type { Probe } from "../engine/probe.js";
import { clientApiProbe, clientWellKnownProbe, supportProbe } from "./client.js";
import { discoveryProbe } from "./discovery.js";
import { federationEndpointsProbe, serverKeysProbe } from "./federation.js";
import { serverNameProbe } from "./server-name.js";
import { clientTlsProbe, federationTlsProbe } from "./tls.js";
import { wellKnownServerProbe } from "./well-known-server.js";

export const PROBES = {
  serverName: serverNameProbe,
  wellKnownServer: wellKnownServerProbe,
  discovery: discoveryProbe,
  federationTls: federationTlsProbe,
  clientTls: clientTlsProbe,
  federationEndpoints: federationEndpointsProbe,
  serverKeys: serverKeysProbe,
  clientWellKnown: clientWellKnownProbe,
  clientApi: clientApiProbe,
  support: supportProbe,
} satisfies { [K in FactName]: Probe<K> };
