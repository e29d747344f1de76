import { defineCheck, pass, skip, warn } from "../src/engine/check.js";
import type { HttpFetch } from "../src/engine/facts.js";

export type WellKnownBody = { ok: true; mServer: string } | { ok: false; problem: string; looksLikeClientFile: boolean };

/** The well-known body as a peer reads it: a JSON object with a non-empty string `m.server`. */
export function parseWellKnownServerBody(body: string): WellKnownBody {
  if (body.trim() === "") return { ok: false, problem: "the body is empty", looksLikeClientFile: false };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `the body is not JSON (${reason})`, looksLikeClientFile: false };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, problem: `the body is ${kind}, not a JSON object`, looksLikeClientFile: false };
  }
  const looksLikeClientFile = "m.homeserver" in value;
  if (!("m.server" in value)) return { ok: false, problem: "the object has no `m.server` key", looksLikeClientFile };
  const mServer = (value as Record<string, unknown>)["m.server"];
  if (typeof mServer !== "string") {
    return { ok: false, problem: `\`m.server\` is ${mServer === null ? "null" : `a ${Array.isArray(mServer) ? "list" : typeof mServer}`}, not a string`, looksLikeClientFile };
  }
  // gomatrixserverlib treats an empty m.server as "No m.server key found".
  if (mServer.trim() === "") return { ok: false, problem: "`m.server` is an empty string", looksLikeClientFile };
  return { ok: true, mServer };
}

/** The 200 response of a well-known fetch, or why there is none (naming the check that reports it). */
export function okResponseOf(fetch: HttpFetch): { body: string } | { skip: string } {
  const res = fetch.final.response;
  if (!res) return { skip: "no response from the well-known (see wellknown-server-fetch)" };
  if (res.status !== 200) return { skip: `the well-known answered ${res.status}, not 200 (see wellknown-server-fetch)` };
  return { body: res.body };
}

export default defineCheck({
  id: "wellknown-server-json",
  category: "wellknown",
  title: "Server well-known is a JSON object with a string m.server",
  docs: "https://spec.matrix.org/latest/server-server-api/#getwell-knownmatrixserver",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }) {
    const final = wellKnownServer.primary.final.response;
    const ok = okResponseOf(wellKnownServer.primary);
    if ("skip" in ok) return skip(ok.skip);
    if (final?.truncated) return skip("the body was cut off at the size limit (see wellknown-server-size)");

    const parsed = parseWellKnownServerBody(ok.body);
    const endpoint = `${wellKnownServer.primary.final.address ?? wellKnownServer.host}:${wellKnownServer.primary.final.port}`;
    if (parsed.ok) return pass(`m.server is "${parsed.mServer}"`, { mServer: parsed.mServer });

    const example = JSON.stringify({ "m.server": `${wellKnownServer.host}:443` });
    return warn(
      `${wellKnownServer.url} (${endpoint}): ${parsed.problem}${parsed.looksLikeClientFile ? " — this looks like the client well-known (m.homeserver)" : ""}; ` +
        "peers treat it as no well-known and fall through to SRV / port 8448",
      `Serve a JSON object naming the federation host and port, e.g. in the nginx server block for ${wellKnownServer.host}:\n` +
        "location = /.well-known/matrix/server {\n" +
        "    default_type application/json;\n" +
        `    return 200 '${example}';\n` +
        "}\n" +
        `(replace ${wellKnownServer.host}:443 with the host:port where federation is served; return 404 instead if you do not delegate)`,
      { problem: parsed.problem, body: ok.body.slice(0, 200) },
    );
  },
});
