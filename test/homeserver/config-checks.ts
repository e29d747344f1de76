// The config checks in their intended order (checks/index.ts registers them; this list lets the config tests run
// them all without depending on the registry).

import serverName from "../../checks/config-server-name.js";
import signingKey from "../../checks/config-signing-key.js";
import dendriteVersion from "../../checks/config-dendrite-version.js";
import databaseSections from "../../checks/config-database-sections.js";
import connectionPools from "../../checks/config-connection-pools.js";
import wellKnown from "../../checks/config-well-known.js";
import registration from "../../checks/config-registration.js";
import turn from "../../checks/config-turn.js";
import tlsValidation from "../../checks/config-tls-validation.js";
import unknownKeys from "../../checks/config-unknown-keys.js";

export const CONFIG_CHECKS = [serverName, signingKey, dendriteVersion, databaseSections, connectionPools, wellKnown, registration, turn, tlsValidation, unknownKeys];
