// The built-in probes, by the fact each produces.

import type { FactName } from "../engine/facts.js";
import type { Probe } from "../engine/probe.js";
import { clientApiProbe, clientWellKnownProbe, supportProbe } from "./client.js";
import { discoveryProbe } from "./discovery.js";
import { federationEndpointsProbe, serverKeysProbe } from "./federation.js";
import { serverNameProbe } from "./server-name.js";
import { clientTlsProbe, federationTlsProbe } from "./tls.js";
import { wellKnownServerProbe } from "./well-known-server.js";
import { homeserverConfigProbe } from "./homeserver-config.js";
import { postgresProbe } from "./postgres.js";
import { systemdProbe } from "./systemd.js";
import { turnProbe } from "./turn.js";

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
  homeserverConfig: homeserverConfigProbe,
  postgres: postgresProbe,
  systemd: systemdProbe,
  turn: turnProbe,
} satisfies { [K in FactName]: Probe<K> };
