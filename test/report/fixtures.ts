// Reports for the renderer tests: one with every status, one whose strings are hostile.
import type { CheckResult, RunReport, RunSummary } from "../../src/engine/types.js";

export function makeReport(checks: CheckResult[], target = "example.org"): RunReport {
  const summary: RunSummary = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const c of checks) summary[c.status] += 1;
  return {
    schemaVersion: 1,
    tool: { name: "matrix-doctor", version: "0.1.0" },
    target,
    startedAt: "2025-11-26T07:00:00.000Z",
    durationMs: 1432,
    summary,
    checks,
  };
}

/** One check per status, spread over three categories (given out of contract order on purpose). */
export function everyStatus(): RunReport {
  return makeReport([
    {
      id: "tls-expiry",
      category: "tls",
      title: "Certificates are valid for at least 14 more days",
      status: "fail",
      summary: "federation 203.0.113.7:8448: the certificate expires in 3 days",
      fix: "certbot renew\nsystemctl reload nginx",
      docs: "https://spec.matrix.org/latest/server-server-api/#tls",
      durationMs: 12,
    },
    {
      id: "dns-server-name",
      category: "dns",
      title: "Server name is valid",
      status: "pass",
      summary: "example.org (DNS name)",
      durationMs: 0.4,
    },
    {
      id: "dns-srv",
      category: "dns",
      title: "SRV records for federation are sound",
      status: "skip",
      summary: "no SRV records: discovery uses the well-known",
      durationMs: 3,
    },
    {
      id: "client-cors-versions",
      category: "client",
      title: "Client API allows web clients (CORS on /versions)",
      status: "warn",
      summary: "Access-Control-Allow-Origin is missing on /_matrix/client/versions",
      fix: "add_header Access-Control-Allow-Origin * always;",
      docs: "https://spec.matrix.org/latest/client-server-api/#web-browser-clients",
      durationMs: 1534.5,
    },
    {
      id: "client-versions",
      category: "client",
      title: "Client API answers /_matrix/client/versions",
      status: "error",
      summary: "check crashed: TypeError: Cannot read properties of undefined (reading 'versions')",
      durationMs: 1,
    },
    {
      id: "tls-protocol",
      category: "tls",
      title: "TLS 1.2 or newer is negotiated",
      status: "pass",
      summary: "TLSv1.3 on every endpoint",
      durationMs: 2,
    },
  ]);
}

/** Strings a hostile or broken server could put into findings (they echo server answers). */
export const HOSTILE = {
  title: "Title: with, commas, colons: and 100% \r\nnew lines",
  summary:
    'line one | pipe <script>alert("x")</script> & \'quote\'\r\nline two 50% ::error title=x::injected\n::warning::again\x00\x07\x1b[31mred\x1b[0m\uFFFE\uD800 end',
  fix: "first | line `with` backticks <b>bold</b> *not emphasised*\nsecond line must not appear",
  docs: "https://example.org/docs/a path(with)parens|pipe?q=<x>#frag",
};

export function hostileReport(): RunReport {
  return makeReport(
    [
      {
        id: "wellknown-server-json",
        category: "wellknown",
        title: HOSTILE.title,
        status: "fail",
        summary: HOSTILE.summary,
        fix: HOSTILE.fix,
        docs: HOSTILE.docs,
        durationMs: 5,
      },
      {
        id: "client-support",
        category: "client",
        title: "Support contacts <are> published",
        status: "warn",
        summary: "no support file | see [here](javascript:alert(1))",
        fix: "\n\n  publish /.well-known/matrix/support  \nmore",
        docs: "javascript:alert(1)",
        durationMs: 1,
      },
      {
        id: "dns-srv",
        category: "dns",
        title: "SRV records",
        status: "skip",
        summary: "skipped because | of <reasons>\nacross lines",
        durationMs: 0,
      },
    ],
    "evil.example|<img src=x>",
  );
}
