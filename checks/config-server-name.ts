// The config's server_name is present and is a server name by the spec's grammar, written in lower case, and it
// is the name this run checks. The server name ends every user ID and cannot change once the server has users, so
// the check also flags the classic mix-up of naming the server after the host it runs on (matrix.example.org)
// while the config delegates as if the bare domain were the server name.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { HomeserverConfigFact } from "../src/engine/facts.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";
import { parseServerName } from "../src/matrix/server-name.js";

/** Host labels that name the machine rather than the domain (Synapse docs: "avoid a matrix specific subdomain"). */
const HOST_LABELS = new Set(["matrix", "synapse", "dendrite", "conduit", "hs", "homeserver"]);

function setting(fact: HomeserverConfigFact, value: string): string {
  return fact.implementation === "dendrite" ? `\`global:\\n  server_name: ${value}\` in ${fact.path}` : `\`server_name: "${value}"\` in ${fact.path}`;
}

export default defineCheck({
  id: "config-server-name",
  category: "config",
  title: "server_name is set and is a valid server name",
  docs: DOCS.synapseKey("server_name"),
  requires: ["homeserverConfig"],
  optional: ["serverName"],
  run({ homeserverConfig: fact, serverName: target }): Outcome {
    const key = fact.implementation === "dendrite" ? "global.server_name" : "server_name";
    const docs = fact.implementation === "dendrite" ? DOCS.dendriteConfig : DOCS.synapseKey("server_name");
    const name = fact.serverName;
    const where = at(fact, key, fact.serverNameLine);
    if (name === undefined) {
      const refuses = fact.implementation === "dendrite" ? `Dendrite refuses to start (missing config key "global.server_name")` : "Synapse refuses to start";
      return {
        status: "fail",
        summary: `${fact.path} sets no ${key}: ${refuses}`,
        fix: `Set the domain that ends your user IDs: ${setting(fact, "example.org")} (your own domain), then \`${fact.implementation === "dendrite" ? "systemctl restart dendrite" : "systemctl restart matrix-synapse"}\`.`,
        docs,
      };
    }

    const details: Record<string, unknown> = { serverName: name, key, implementation: fact.implementation };
    const parsed = parseServerName(name);
    if (!parsed.valid) {
      const suggestion = name.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
      const suggest = parseServerName(suggestion).valid && suggestion !== "" ? suggestion : "example.org";
      return {
        status: "fail",
        summary: `${key} "${name}" (${where}) is not a valid server name: ${parsed.invalidReason}`,
        fix: `Write only the host name and an optional port: ${setting(fact, suggest)}. The server name cannot change once users and rooms exist; on a server that has run with the wrong name this needs a fresh database.`,
        details,
        docs,
      };
    }

    const findings: Finding[] = [];
    if (parsed.host === "localhost" || parsed.host.endsWith(".localhost")) {
      findings.push({
        level: "fail",
        text: `${key} is "${name}" (${where}), the sample's placeholder: no other server can reach it and user IDs end in :${name}`,
        fix: `Set your own domain before the first start: ${setting(fact, "example.org")}. A server that already has users needs a fresh database for a new name.`,
        docs,
      });
    }
    if (name !== name.toLowerCase()) {
      findings.push({
        level: "warn",
        text: `${key} "${name}" (${where}) has upper-case letters: Matrix compares server names case-sensitively, so :${name} and :${name.toLowerCase()} are different servers while DNS treats them alike`,
        fix: `Use ${setting(fact, name.toLowerCase())} on a fresh install; on a server with users keep the name as it is (changing it needs a fresh database) and always write it exactly so.`,
        docs: DOCS.synapseKey("server_name"),
      });
    }
    if (target && target.raw !== name) {
      findings.push({
        level: "warn",
        text: `this run checks ${target.raw}, but ${fact.path} has ${key} "${name}": the remote checks and the config checks look at different servers`,
        fix: `Check the server the config belongs to: \`matrix-doctor ${name} --homeserver-config ${fact.path}\` (or pass the config of ${target.raw}).`,
      });
    }

    // A host-like server name next to delegation settings that point elsewhere suggests the bare domain was meant.
    const firstLabel = parsed.kind === "dns" ? (parsed.host.split(".")[0] ?? "") : "";
    const parent = parsed.host.slice(firstLabel.length + 1);
    const delegatedHost = fact.wellKnown.servedServer ? parseServerName(fact.wellKnown.servedServer) : undefined;
    const hostLike = HOST_LABELS.has(firstLabel.toLowerCase()) && parent.includes(".");
    if (hostLike && delegatedHost?.valid && delegatedHost.host !== parsed.host) {
      const wkKey = fact.implementation === "dendrite" ? "global.well_known_server_name" : "serve_server_wellknown";
      findings.push({
        level: "warn",
        text: `${key} is the host name "${name}" while ${wkKey} delegates to ${fact.wellKnown.servedServer}: delegation is for a server named after the bare domain (${parent}), and user IDs here end in :${name}`,
        fix:
          `If user IDs should end in :${parent}, the server name must be ${parent} (${setting(fact, parent)}; a fresh database for an existing server), with /.well-known/matrix/server on ${parent} delegating to ${name}:443. ` +
          `If :${name} is right, delegation is not needed: remove ${wkKey} from ${fact.path}.`,
        docs: fact.implementation === "dendrite" ? DOCS.dendriteDomain : DOCS.synapseDelegate,
      });
    }

    const note = hostLike
      ? ` (a host-like name: user IDs end in :${name}; Synapse's docs advise the bare domain with delegation, but the name cannot change once users exist)`
      : "";
    return verdict(findings, `${key} is "${name}" (${where})${note}`, details);
  },
});
