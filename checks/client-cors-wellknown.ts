// CORS on the client well-known: a browser (Element Web) fetches it cross-origin, so every response in
// the chain must allow that. Spec: CS "Well-known URIs" (SHOULD offer CORS, on redirects since v1.20);
// MSC2499: also on a 404, so web clients can tell "no file" from a network error.

import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { exchangeEndpoint, hostOfUrl } from "../src/engine/describe.js";
import type { Headers, HttpExchange } from "../src/engine/facts.js";
import { CLIENT_ORIGIN } from "../src/matrix/client-origin.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#well-known-uris";
const MSC2499 = "https://github.com/matrix-org/matrix-spec-proposals/blob/main/proposals/2499-client-well-known-fixes.md";

type AcaoVerdict = "ok" | "missing" | "multiple" | "restricted";

function judgeAcao(headers: Headers): { verdict: AcaoVerdict; value: string | null } {
  const value = headers["access-control-allow-origin"]?.trim() ?? "";
  if (value === "") return { verdict: "missing", value: null };
  // Repeated headers are joined with ", "; browsers reject more than one value.
  if (value.includes(",")) return { verdict: "multiple", value };
  if (value === "*" || value === CLIENT_ORIGIN) return { verdict: "ok", value };
  return { verdict: "restricted", value };
}

interface HopProblem {
  severity: "warn" | "fail";
  summary: string;
  fix: string;
  msc2499: boolean;
}

function hopProblem(hop: HttpExchange, status: number, headers: Headers, isFinal: boolean): HopProblem | undefined {
  const { verdict, value } = judgeAcao(headers);
  if (verdict === "ok") return undefined;
  const host = hostOfUrl(hop.url);
  const isRedirect = status >= 300 && status < 400;
  const where = isRedirect
    ? `the ${status} redirect ${hop.url} (${exchangeEndpoint(hop)}) → ${headers.location ?? "?"}`
    : `the ${status} response of ${hop.url} (${exchangeEndpoint(hop)})`;

  if (verdict === "multiple") {
    return {
      severity: isRedirect || status === 200 ? "fail" : "warn",
      summary: `${where} sends Access-Control-Allow-Origin more than once ("${value}"): browsers reject it`,
      fix:
        `Send the header once on ${host}: keep a single add_header Access-Control-Allow-Origin * always; ` +
        `(check the server block, the location and any proxy or CDN in front that adds its own).`,
      msc2499: false,
    };
  }
  if (verdict === "restricted") {
    // Judgement: a fixed origin lets one web client in and keeps every other one (and self-hosted Element) out.
    return {
      severity: "warn",
      summary: `${where} allows only the origin ${value}: other web clients cannot read it`,
      fix: `On ${host} use add_header Access-Control-Allow-Origin * always; instead of a fixed origin.`,
      msc2499: false,
    };
  }
  if (isRedirect) {
    return {
      severity: "fail",
      summary: `${where} has no Access-Control-Allow-Origin: browsers stop at the redirect, so web clients such as Element Web cannot discover the server`,
      fix:
        `In the nginx server block for ${host} that issues the redirect add: add_header Access-Control-Allow-Origin * always; ` +
        `(without "always" nginx drops it on redirects), or serve the file on ${host} directly instead of redirecting.`,
      msc2499: false,
    };
  }
  const location =
    "location = /.well-known/matrix/client {\n    default_type application/json;\n" +
    "    add_header Access-Control-Allow-Origin * always;\n    ...\n}";
  if (status === 200 && isFinal) {
    return {
      severity: "fail",
      summary: `${where} has no Access-Control-Allow-Origin: browsers cannot read it: web clients such as Element Web cannot discover the server`,
      fix: `In the nginx server block for ${host}:\n${location}\n("always" also sends it on redirects and errors), then check: curl -si -H 'Origin: ${CLIENT_ORIGIN}' ${hop.url}`,
      msc2499: false,
    };
  }
  // A 404 (or another error) without CORS: browsers see a network error instead of "no file here".
  return {
    severity: "warn",
    summary: `${where} has no Access-Control-Allow-Origin: web clients cannot tell "no well-known" from a network error`,
    fix:
      `In the nginx server block for ${host} add: add_header Access-Control-Allow-Origin * always; ` +
      `("always" makes nginx send it on ${status} responses too), or publish the file:\n${location}`,
    msc2499: status === 404,
  };
}

export default defineCheck({
  id: "client-cors-wellknown",
  category: "client",
  title: "Client well-known is readable by web clients (CORS)",
  docs: DOCS,
  requires: ["clientWellKnown"],
  run({ clientWellKnown }): Outcome {
    const { hops, final } = clientWellKnown.fetch;
    if (final.error || !final.response) {
      return skip(`GET ${final.url} failed at the network level (reported by client-wellknown)`);
    }

    const problems: HopProblem[] = [];
    const hopDetails = hops.map((hop, index) => {
      if (!hop.response) return { url: hop.url, status: null, acao: null };
      // By position, not identity: facts are plain data and may have been through JSON (fixtures).
      const problem = hopProblem(hop, hop.response.status, hop.response.headers, index === hops.length - 1);
      if (problem) problems.push(problem);
      return { url: hop.url, status: hop.response.status, acao: hop.response.headers["access-control-allow-origin"] ?? null };
    });
    const details = { url: clientWellKnown.url, hops: hopDetails };

    const worst = problems.find((problem) => problem.severity === "fail") ?? problems[0];
    if (!worst) {
      const finalNote = final.response.status === 200 ? "" : ` (final status ${final.response.status})`;
      return pass(
        `every response (${hops.length}) for ${clientWellKnown.url} carries Access-Control-Allow-Origin${finalNote}`,
        details,
      );
    }
    const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : "";
    const fix = [...new Set(problems.map((problem) => problem.fix))].join("\n");
    return {
      status: worst.severity,
      summary: worst.summary + more,
      fix,
      details,
      // A lone 404 problem is MSC2499's rule, not the spec's, so point at the proposal.
      docs: worst.msc2499 && problems.length === 1 ? MSC2499 : DOCS,
    };
  },
});
