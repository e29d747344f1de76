// The CORS preflight a browser sends before any authenticated or JSON request (CS "Web Browser Clients"):
// OPTIONS <base_url>/_matrix/client/v3/login with Access-Control-Request-Method: POST and
// Access-Control-Request-Headers: authorization,content-type. If it fails, Element Web cannot log in.

import { defineCheck, fail, pass, skip, warn, type Outcome } from "../src/engine/check.js";
import { describeNetError, exchangeEndpoint, hostOfUrl } from "../src/engine/describe.js";
import type { HttpExchange } from "../src/engine/facts.js";
import { CLIENT_ORIGIN } from "../src/matrix/client-origin.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#web-browser-clients";

const SPEC_METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS"] as const;

/** A comma-separated header as lower-case tokens. */
function tokens(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== "");
}

function fixFor(preflight: HttpExchange): string {
  const host = hostOfUrl(preflight.url);
  return [
    "Synapse and Dendrite answer the preflight with these headers themselves, so the proxy must pass OPTIONS on /_matrix",
    `through unchanged (no limit_except, no "if ($request_method = OPTIONS) { return ...; }", no WAF rule blocking OPTIONS). Check on the server:`,
    `curl -si -X OPTIONS http://127.0.0.1:8008/_matrix/client/v3/login -H 'Origin: ${CLIENT_ORIGIN}' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization,content-type'`,
    `If the proxy on ${host} must send them itself, put the spec's lines in its location /_matrix (and proxy_hide_header each of them, so they are not sent twice):`,
    "add_header Access-Control-Allow-Origin * always;",
    'add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;',
    'add_header Access-Control-Allow-Headers "X-Requested-With, Content-Type, Authorization" always;',
  ].join("\n");
}

export default defineCheck({
  id: "client-cors-preflight",
  category: "client",
  title: "Client API answers browser preflight requests (CORS)",
  docs: DOCS,
  requires: ["clientApi"],
  run({ clientApi }): Outcome {
    const { preflight, versions } = clientApi;
    const endpoint = exchangeEndpoint(preflight);
    const request = `OPTIONS ${preflight.url} (${endpoint})`;

    if (preflight.error || !preflight.response) {
      if (versions.final.error) {
        return skip(`the client API at ${clientApi.baseUrl} is unreachable (reported by client-versions)`);
      }
      const problem = preflight.error ? describeNetError(preflight.error) : "got no response";
      // Judgement: GET works but OPTIONS does not, so something in front treats OPTIONS differently.
      return fail(`${request} ${problem}, although GET works: browsers cannot log in`, fixFor(preflight), {
        url: preflight.url,
        endpoint,
        error: preflight.error ?? null,
      });
    }

    const { status, headers } = preflight.response;
    const acao = headers["access-control-allow-origin"]?.trim() ?? "";
    const allowHeaders = tokens(headers["access-control-allow-headers"]);
    const allowMethods = tokens(headers["access-control-allow-methods"]);
    const details = {
      url: preflight.url,
      endpoint,
      status,
      allowOrigin: acao || null,
      allowHeaders: headers["access-control-allow-headers"] ?? null,
      allowMethods: headers["access-control-allow-methods"] ?? null,
    };

    if (status < 200 || status > 299) {
      const hint =
        status === 405
          ? ": the proxy or a firewall rejects OPTIONS"
          : status === 502 || status === 504
            ? ": the proxy cannot reach the homeserver"
            : status === 404
              ? ": /_matrix is not proxied to the homeserver"
              : "";
      return fail(`${request} returned HTTP ${status}, not 2xx${hint}: browsers cannot log in`, fixFor(preflight), details);
    }

    const failures: string[] = [];
    const warnings: string[] = [];
    if (acao === "") failures.push("no Access-Control-Allow-Origin");
    else if (acao.includes(",")) failures.push(`Access-Control-Allow-Origin sent more than once ("${acao}")`);
    // Judgement: a fixed origin other than the one sent keeps every other web client out.
    else if (acao !== "*" && acao !== CLIENT_ORIGIN) warnings.push(`Access-Control-Allow-Origin is only ${acao}`);

    // The Fetch spec never lets "*" stand for Authorization, so it must be named (judgement: we require it
    // explicitly even though "*" covers Content-Type).
    if (!allowHeaders.includes("authorization")) {
      failures.push(
        allowHeaders.includes("*")
          ? 'Access-Control-Allow-Headers is "*", which does not cover Authorization'
          : "Access-Control-Allow-Headers lacks Authorization",
      );
    }
    // Judgement: JSON bodies (Content-Type: application/json) also need a preflight, so a missing
    // Content-Type breaks login just as surely; "*" does cover it.
    if (!allowHeaders.includes("content-type") && !allowHeaders.includes("*")) {
      failures.push("Access-Control-Allow-Headers lacks Content-Type");
    }

    // "*" stands for every method in requests without credentials, which is how Matrix clients call.
    const missingMethods = allowMethods.includes("*")
      ? []
      : SPEC_METHODS.filter((method) => !allowMethods.includes(method.toLowerCase()));
    if (missingMethods.length > 0) {
      const blocked = missingMethods.filter((method) => method === "PUT" || method === "DELETE");
      warnings.push(
        `Access-Control-Allow-Methods lacks ${missingMethods.join(", ")}` +
          (blocked.length > 0 ? ` (browsers block ${blocked.join(" and ")} requests, e.g. sending messages)` : ""),
      );
    }

    const withMissing = { ...details, missingMethods };
    if (failures.length > 0) {
      return fail(`${request}: ${[...failures, ...warnings].join("; ")}: browsers cannot log in`, fixFor(preflight), withMissing);
    }
    if (warnings.length > 0) {
      return warn(`${request}: ${warnings.join("; ")}`, fixFor(preflight), withMissing);
    }
    return pass(`${request} returned ${status} allowing origin ${acao} with Authorization`, withMissing);
  },
});
