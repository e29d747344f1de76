// CORS on the client API (CS "Web Browser Clients"): /_matrix/client/versions is the first request a
// web client makes, so without Access-Control-Allow-Origin there Element Web cannot use the server.

import { defineCheck, fail, pass, skip, warn, type Outcome } from "../src/engine/check.js";
import { exchangeEndpoint, hostOfUrl } from "../src/engine/describe.js";
import type { Headers } from "../src/engine/facts.js";
import { CLIENT_ORIGIN } from "../src/matrix/client-origin.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#web-browser-clients";

type AcaoVerdict = "ok" | "missing" | "multiple" | "restricted";

function judgeAcao(headers: Headers): { verdict: AcaoVerdict; value: string | null } {
  const value = headers["access-control-allow-origin"]?.trim() ?? "";
  if (value === "") return { verdict: "missing", value: null };
  // Repeated headers are joined with ", "; browsers reject more than one value.
  if (value.includes(",")) return { verdict: "multiple", value };
  if (value === "*" || value === CLIENT_ORIGIN) return { verdict: "ok", value };
  return { verdict: "restricted", value };
}

export default defineCheck({
  id: "client-cors-versions",
  category: "client",
  title: "Client API allows web clients (CORS on /versions)",
  docs: DOCS,
  requires: ["clientApi"],
  run({ clientApi }): Outcome {
    const { hops, final, url } = clientApi.versions;
    if (final.error || !final.response) {
      return skip(`GET ${final.url} failed at the network level (reported by client-versions)`);
    }
    // Judgement: headers on an error page are secondary; the missing API is client-versions' finding.
    if (final.response.status !== 200) {
      return skip(`GET ${final.url} returned HTTP ${final.response.status} (reported by client-versions)`);
    }

    const hopDetails = hops.map((hop) => ({
      url: hop.url,
      status: hop.response?.status ?? null,
      acao: hop.response?.headers["access-control-allow-origin"] ?? null,
    }));
    const details = { url, hops: hopDetails };
    // Browsers check CORS on every redirect they follow, so a redirect hop counts like the final answer.
    for (const hop of hops) {
      if (!hop.response) continue;
      const { verdict, value } = judgeAcao(hop.response.headers);
      if (verdict === "ok") continue;
      const host = hostOfUrl(hop.url);
      const where = `${hop.response.status} ${hop.url} (${exchangeEndpoint(hop)})`;
      const checkOnServer = `curl -si -H 'Origin: ${CLIENT_ORIGIN}' http://127.0.0.1:8008/_matrix/client/versions | grep -i access-control`;

      if (verdict === "multiple") {
        return fail(
          `${where} sends Access-Control-Allow-Origin more than once ("${value}"): browsers reject the response`,
          `The homeserver (Synapse, Dendrite) sends the header itself; remove "add_header Access-Control-Allow-Origin" from the ` +
            `nginx location /_matrix on ${host}, or drop the homeserver's copy there with: proxy_hide_header Access-Control-Allow-Origin;`,
          details,
        );
      }
      if (verdict === "restricted") {
        // Judgement: a fixed origin lets one web client in and keeps every other one out.
        return warn(
          `${where} allows only the origin ${value}: other web clients cannot use the server`,
          `Send Access-Control-Allow-Origin: * on ${host}: remove the fixed value from the proxy (the homeserver sends "*" itself) or use add_header Access-Control-Allow-Origin * always;`,
          details,
        );
      }
      return fail(
        `${where} has no Access-Control-Allow-Origin: browsers block it, so web clients such as Element Web cannot use the server`,
        `Synapse and Dendrite send it themselves, so the proxy or a CDN strips it: check on the server with ${checkOnServer}; ` +
          `remove any "proxy_hide_header Access-Control-Allow-Origin" on ${host}, or add to its location /_matrix: ` +
          `add_header Access-Control-Allow-Origin * always;`,
        details,
      );
    }
    const value = final.response.headers["access-control-allow-origin"];
    return pass(`${url} carries Access-Control-Allow-Origin: ${value}`, details);
  },
});
