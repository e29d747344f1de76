// The homeserver's own well-known settings are valid and agree with what https://<server name>/.well-known/matrix/*
// really serves (when those facts were gathered).
//
// Dendrite (setup/config/config_global.go, v0.13.8): well_known_client_name must start with http:// or https://
// (else Dendrite refuses to start); well_known_server_name / well_known_client_name are served at
// /.well-known/matrix/{server,client} only when non-empty. Synapse (synapse/config/server.py, rest/well_known.py):
// /.well-known/matrix/client is served only when public_baseurl is set explicitly (its default
// https://<server_name>/ is also what SSO, e-mail and the admin API links use); serve_server_wellknown serves
// {"m.server": "<host>:<port or 443>"}.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { ClientWellKnownFact, WellKnownServerFact } from "../src/engine/facts.js";
import type { HomeserverConfigFact } from "../src/engine/facts/config.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";
import { parseServerName } from "../src/matrix/server-name.js";
import { readServerWellKnown } from "../src/matrix/well-known.js";

const NGINX_WELL_KNOWN = "location /.well-known/matrix/ { proxy_pass http://127.0.0.1:8008; }";

/** https://Example.org/ and https://example.org compare equal; undefined when not an http(s) URL. */
function normaliseUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return undefined;
  }
}

interface Served {
  /** m.server peers read, or why there is none. */
  server?: { mServer?: string; reason?: string; url: string };
  client?: { baseUrl?: string; reason?: string; url: string };
}

function served(wellKnownServer: WellKnownServerFact | undefined, clientWellKnown: ClientWellKnownFact | undefined): Served {
  const out: Served = {};
  if (wellKnownServer) {
    const reading = readServerWellKnown(wellKnownServer.primary);
    out.server = reading.usable ? { mServer: reading.mServer, url: wellKnownServer.url } : { reason: reading.reason, url: wellKnownServer.url };
  }
  if (clientWellKnown) {
    out.client =
      clientWellKnown.baseUrlSource === "well-known"
        ? { baseUrl: clientWellKnown.baseUrl, url: clientWellKnown.url }
        : { reason: clientWellKnown.autoDiscovery?.homeserver.error ?? "no usable m.homeserver.base_url", url: clientWellKnown.url };
  }
  return out;
}

function dendriteFindings(fact: HomeserverConfigFact, s: Served): Finding[] {
  const findings: Finding[] = [];
  const wk = fact.wellKnown;
  const clientAt = at(fact, "global.well_known_client_name");
  const serverAt = at(fact, "global.well_known_server_name");
  if (wk.clientName !== undefined && !/^https?:\/\//.test(wk.clientName)) {
    findings.push({
      level: "fail",
      text: `global.well_known_client_name "${wk.clientName}" (${clientAt}) has no http:// or https://: Dendrite refuses to start`,
      fix: `Write the full base URL: \`well_known_client_name: "https://${wk.clientName.replace(/^\/+/, "")}"\` under global: in ${fact.path}.`,
      docs: DOCS.dendriteSample,
    });
  } else if (wk.clientName !== undefined && s.client) {
    if (s.client.baseUrl === undefined) {
      findings.push({
        level: "warn",
        text: `Dendrite would serve base_url ${wk.clientName} (${clientAt}), but ${s.client.url} gives clients none (${s.client.reason}): the reverse proxy does not pass /.well-known/matrix/ to Dendrite`,
        fix: `In the nginx server block for the server name: \`${NGINX_WELL_KNOWN}\`, then \`systemctl reload nginx\` (or serve the JSON from nginx and clear well_known_client_name).`,
        docs: DOCS.dendriteDomain,
      });
    } else if (normaliseUrl(s.client.baseUrl) !== normaliseUrl(wk.clientName)) {
      findings.push({
        level: "warn",
        text: `global.well_known_client_name is ${wk.clientName} (${clientAt}), but ${s.client.url} serves base_url ${s.client.baseUrl}: something in front of Dendrite answers instead, and the two disagree`,
        fix: `Make them one value: \`well_known_client_name: "${s.client.baseUrl}"\` in ${fact.path}, or change the file nginx serves to {"m.homeserver": {"base_url": "${wk.clientName}"}}.`,
        docs: DOCS.dendriteDomain,
      });
    }
  }
  if (wk.serverName !== undefined) {
    const parsed = parseServerName(wk.serverName);
    if (!parsed.valid) {
      findings.push({
        level: "fail",
        text: `global.well_known_server_name "${wk.serverName}" (${serverAt}) is not a valid server name (${parsed.invalidReason}): peers ignore such an m.server`,
        fix: `Write host and port only: \`well_known_server_name: "matrix.example.org:443"\` under global: in ${fact.path}.`,
        docs: DOCS.dendriteDomain,
      });
    } else if (s.server) {
      findings.push(...servedServerMismatch(fact, "global.well_known_server_name", serverAt, wk.serverName, s.server));
    }
  }
  return findings;
}

function servedServerMismatch(fact: HomeserverConfigFact, key: string, where: string, expected: string, server: NonNullable<Served["server"]>): Finding[] {
  const name = fact.implementation === "dendrite" ? "Dendrite" : "Synapse";
  const docs = fact.implementation === "dendrite" ? DOCS.dendriteDomain : DOCS.synapseDelegate;
  if (server.mServer === undefined) {
    return [
      {
        level: "warn",
        text: `${name} would serve m.server ${expected} (${key}, ${where}), but peers get no usable ${server.url} (${server.reason}): the reverse proxy does not pass /.well-known/matrix/ to ${name}`,
        fix: `In the nginx server block for the server name on port 443: \`${NGINX_WELL_KNOWN}\`, then \`systemctl reload nginx\`.`,
        docs,
      },
    ];
  }
  if (server.mServer !== expected) {
    return [
      {
        level: "warn",
        text: `${key} (${where}) makes ${name} serve m.server ${expected}, but ${server.url} serves ${server.mServer}: something else answers, and the two disagree`,
        fix:
          fact.implementation === "dendrite"
            ? `Make them one value: \`well_known_server_name: "${server.mServer}"\` in ${fact.path}, or serve {"m.server": "${expected}"} from nginx.`
            : `Make them one value: remove serve_server_wellknown from ${fact.path} if nginx's {"m.server": "${server.mServer}"} is right, or let nginx pass /.well-known/matrix/ to Synapse.`,
        docs,
      },
    ];
  }
  return [];
}

function synapseFindings(fact: HomeserverConfigFact, s: Served): Finding[] {
  const findings: Finding[] = [];
  const wk = fact.wellKnown;
  const defaultBase = `https://${fact.serverName ?? "example.org"}/`;
  if (wk.publicBaseurl === undefined) {
    const servedBase = s.client?.baseUrl;
    if (!(servedBase !== undefined && normaliseUrl(servedBase) === normaliseUrl(defaultBase))) {
      const value = servedBase ?? `https://matrix.${fact.serverName ?? "example.org"}/`;
      findings.push({
        level: "warn",
        text:
          `public_baseurl is not set: Synapse serves no /.well-known/matrix/client and writes ${defaultBase} into SSO redirects, e-mails and admin links` +
          (servedBase !== undefined ? `, while ${s.client?.url} tells clients ${servedBase}` : ""),
        fix: `Set the URL clients reach the client API at: \`public_baseurl: "${value}"\` in ${fact.path}, then \`systemctl restart matrix-synapse\`.`,
        docs: DOCS.synapseKey("public_baseurl"),
      });
    }
  } else {
    const url = normaliseUrl(wk.publicBaseurl);
    if (url === undefined || /[?#]/.test(wk.publicBaseurl)) {
      findings.push({
        level: "fail",
        text: `public_baseurl "${wk.publicBaseurl}" (${at(fact, "public_baseurl")}) is not an http(s) base URL without query or fragment: Synapse refuses to start or hands clients a broken URL`,
        fix: `Write \`public_baseurl: "https://matrix.${fact.serverName ?? "example.org"}/"\` in ${fact.path}.`,
        docs: DOCS.synapseKey("public_baseurl"),
      });
    } else if (s.client?.baseUrl !== undefined && normaliseUrl(s.client.baseUrl) !== url) {
      findings.push({
        level: "warn",
        text: `public_baseurl is ${wk.publicBaseurl} (${at(fact, "public_baseurl")}), but ${s.client.url} serves base_url ${s.client.baseUrl}: clients and Synapse's own links disagree`,
        fix: `Make them one value: \`public_baseurl: "${s.client.baseUrl}"\` in ${fact.path}, or fix the file nginx serves.`,
        docs: DOCS.synapseKey("public_baseurl"),
      });
    }
  }
  if (wk.servedServer !== undefined && s.server) {
    findings.push(...servedServerMismatch(fact, "serve_server_wellknown", at(fact, "serve_server_wellknown"), wk.servedServer, s.server));
  }
  return findings;
}

export default defineCheck({
  id: "config-well-known",
  category: "config",
  title: "Well-known settings are valid and match what is served",
  docs: DOCS.dendriteDomain,
  requires: ["homeserverConfig"],
  optional: ["wellKnownServer", "clientWellKnown"],
  run({ homeserverConfig: fact, wellKnownServer, clientWellKnown }): Outcome {
    const s = served(wellKnownServer, clientWellKnown);
    const findings = fact.implementation === "dendrite" ? dendriteFindings(fact, s) : synapseFindings(fact, s);
    const wk = fact.wellKnown;
    const details = {
      config: wk,
      ...(s.server && { servedServer: s.server.mServer ?? null }),
      ...(s.client && { servedClientBaseUrl: s.client.baseUrl ?? null }),
    };
    const parts: string[] = [];
    if (wk.servedServer) parts.push(`the homeserver serves m.server ${wk.servedServer}`);
    if (wk.servedClientBaseUrl) parts.push(`base_url ${wk.servedClientBaseUrl}`);
    if (parts.length === 0) {
      const served = [s.server?.mServer && `${s.server.url} serves m.server ${s.server.mServer}`, s.client?.baseUrl && `the client well-known gives ${s.client.baseUrl}`].filter(Boolean);
      parts.push(
        served.length > 0
          ? `no well-known in the config; ${served.join(", ")} (from the reverse proxy)`
          : "no well-known in the config: peers use SRV or port 8448 and clients https://<server name> unless the reverse proxy serves the files",
      );
    }
    const compared = (wk.servedServer || wk.servedClientBaseUrl) && (s.server || s.client) ? "; agrees with what is served" : "";
    return verdict(findings, `${parts.join(", ")}${compared}`, details);
  },
});
