// GET /_matrix/federation/v1/version answers 200 JSON {server:{name,version}} on every federation endpoint, as
// every peer's first request would. The usual failures each get their own diagnosis: the proxy cannot reach the
// homeserver (502/504), the proxy does not route /_matrix to it (HTML 404), the homeserver has no federation
// listener (JSON 404), or it answers too slowly. name/version in details feed matrix_doctor_server_version_info.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import { curlTarget, federationEndpoint, nginxMatrixRegexLocation } from "../src/engine/describe.js";
import type { HttpExchange, TlsFact } from "../src/engine/facts.js";

// Judgement: the latency thresholds of FED-LATENCY apply here to the version request and in
// federation-keys-server-name to the key fetch, each where that request is judged.
const SLOW_MS = 3_000;
// matrix.org and the federation tester give up on a key or version fetch after 10 s.
const TOO_SLOW_MS = 10_000;

const NGINX_MATRIX_LOCATION = nginxMatrixRegexLocation("http://127.0.0.1:8008");

/** A curl command that repeats the probe's request: same address, same Host and SNI. */
function curlCommand(exchange: HttpExchange): string {
  const { host, resolve } = curlTarget(exchange);
  return `curl -sv${resolve} https://${host}:${exchange.port}/_matrix/federation/v1/version`;
}

function routeFix(exchange: HttpExchange): string {
  return (
    `Route /_matrix to the homeserver in the nginx server block that listens on ${exchange.port}: \`${NGINX_MATRIX_LOCATION}\` ` +
    `(nothing after the port in proxy_pass: a URI or trailing slash makes nginx rewrite request paths, which breaks signed requests), then \`systemctl reload nginx\`.`
  );
}

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\b/i.test(contentType.trim());
}

function bodyStart(body: string): string {
  return body.trimStart().slice(0, 30).replace(/\s+/g, " ");
}

interface Finding {
  endpoint: string;
  level: "ok" | "warn" | "fail" | "unreached";
  /** What was found, without the endpoint. */
  text: string;
  fix?: string;
  name?: string;
  version?: string;
  status?: number;
  durationMs: number;
}

function judge(exchange: HttpExchange, handshakeFailed: boolean): Finding {
  const base = { endpoint: federationEndpoint(exchange), durationMs: exchange.durationMs };
  const response = exchange.response;
  if (!response) {
    const error = exchange.error ?? { code: "other", message: "no response" };
    // No TLS session means tls-handshake already has this endpoint's red line.
    if (handshakeFailed) return { ...base, level: "unreached", text: "not reached (tls-handshake reports why)" };
    const text = error.code === "timeout" ? "timed out waiting for the answer" : `request failed: ${error.message}`;
    return {
      ...base,
      level: "fail",
      text,
      fix:
        `Repeat the request with \`${curlCommand(exchange)}\`. If TLS completes but no answer comes, the homeserver hangs or nginx waits on it: ` +
        `\`systemctl status dendrite\` (or matrix-synapse) and \`journalctl -u dendrite -n 50\`.`,
    };
  }

  const { status, body, headers } = response;
  const contentType = headers["content-type"];
  const withStatus = { ...base, status };
  if (status === 502 || status === 504) {
    return {
      ...withStatus,
      level: "fail",
      text: `HTTP ${status}: the reverse proxy cannot reach the homeserver (is it running on 127.0.0.1:8008?)`,
      fix:
        `Check the homeserver: \`systemctl status dendrite\` (or \`systemctl status matrix-synapse\`) and \`journalctl -u dendrite -n 50\`; ` +
        `nginx's \`proxy_pass http://127.0.0.1:8008;\` must name the address and port the homeserver listens on (\`ss -tlnp | grep 8008\`).`,
    };
  }

  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(body);
  } catch {
    isJson = false;
  }
  const errcode =
    typeof parsed === "object" && parsed !== null && "errcode" in parsed && typeof parsed.errcode === "string" ? parsed.errcode : undefined;

  if (status === 404 && !isJson) {
    return {
      ...withStatus,
      level: "fail",
      text: `HTTP 404 (${contentType ?? "no content-type"}) from the proxy itself: /_matrix/federation is not routed to the homeserver`,
      fix: routeFix(exchange),
    };
  }
  // Judgement: a JSON 404 comes from the homeserver itself, so its federation API is switched off.
  if (status === 404) {
    return {
      ...withStatus,
      level: "fail",
      text: `HTTP 404 ${errcode ?? "JSON"} from the homeserver: it does not serve the federation API on this listener`,
      fix:
        `Enable federation in the homeserver: Dendrite \`global: disable_federation: false\` in dendrite.yaml; Synapse: add \`federation\` ` +
        `to the listener's resources in homeserver.yaml (\`resources: [{names: [client, federation]}]\`), then restart it.`,
    };
  }
  if (status !== 200) {
    return {
      ...withStatus,
      level: "fail",
      text: `HTTP ${status}${errcode ? ` ${errcode}` : ""} (${contentType ?? "no content-type"}, starting "${bodyStart(body)}")`,
      fix: `Repeat the request with \`${curlCommand(exchange)}\` and read the homeserver's and nginx's logs (\`journalctl -u dendrite -n 50\`, /var/log/nginx/error.log) for this request.`,
    };
  }
  if (!isJson) {
    return {
      ...withStatus,
      level: "fail",
      text: `HTTP 200 but not JSON (${contentType ?? "no content-type"}, starting "${bodyStart(body)}"): something other than the homeserver answers /_matrix`,
      fix: routeFix(exchange),
    };
  }
  const server = typeof parsed === "object" && parsed !== null && "server" in parsed ? parsed.server : undefined;
  const name = typeof server === "object" && server !== null && "name" in server && typeof server.name === "string" ? server.name : undefined;
  const version =
    typeof server === "object" && server !== null && "version" in server && typeof server.version === "string" ? server.version : undefined;
  if (name === undefined || version === undefined) {
    return {
      ...withStatus,
      level: "fail",
      text: `HTTP 200 JSON without server.name and server.version ("${bodyStart(body)}")`,
      fix: `Something other than a homeserver answers /_matrix/federation/v1/version; ${routeFix(exchange)}`,
    };
  }

  const found = { ...withStatus, name, version };
  if (exchange.durationMs >= TOO_SLOW_MS) {
    return {
      ...found,
      level: "fail",
      text: `answered after ${(exchange.durationMs / 1000).toFixed(1)} s; peers such as matrix.org give up after 10 s`,
      fix: `Find what is slow: \`${curlCommand(exchange)}\` on the server itself (via 127.0.0.1:8008) and through nginx; check the homeserver's load and its database.`,
    };
  }
  if (exchange.durationMs > SLOW_MS) {
    return {
      ...found,
      level: "warn",
      text: `answered after ${(exchange.durationMs / 1000).toFixed(1)} s (over 3 s; peers time out at 10 s)`,
      fix: `Find what is slow: time \`${curlCommand(exchange)}\` against 127.0.0.1:8008 on the server and through nginx; check the homeserver's load and its database.`,
    };
  }
  if (!isJsonType(contentType)) {
    return {
      ...found,
      level: "warn",
      text: `answered with Content-Type ${contentType ?? "(none)"} instead of application/json`,
      fix: `Do not override the homeserver's Content-Type in nginx: remove \`default_type\`/\`add_header Content-Type\` lines from the /_matrix location (\`${NGINX_MATRIX_LOCATION}\`).`,
    };
  }
  return { ...found, level: "ok", text: `${name} ${version}` };
}

function handshakeFailedFor(exchange: HttpExchange, tls: TlsFact | undefined): boolean {
  return (tls?.handshakes ?? []).some((h) => !h.ok && h.address === exchange.address && h.port === exchange.port);
}

export default defineCheck({
  id: "federation-version",
  category: "federation",
  title: "Federation API answers on every endpoint",
  docs: "https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1version",
  requires: ["federationEndpoints"],
  optional: ["federationTls"],
  run({ federationEndpoints, federationTls }): Outcome {
    const findings = federationEndpoints.version.map((exchange) => judge(exchange, handshakeFailedFor(exchange, federationTls)));
    if (findings.length === 0) return { status: "skip", summary: "no federation endpoint to ask: discovery found no addresses" };
    const reached = findings.filter((f) => f.level !== "unreached");
    if (reached.length === 0) return { status: "skip", summary: "no federation endpoint completed a TLS handshake (tls-handshake reports why)" };

    const answered = findings.find((f) => f.name !== undefined);
    const details = {
      ...(answered && { name: answered.name, version: answered.version }),
      endpoints: findings.map((f) => ({
        endpoint: f.endpoint,
        ...(f.status !== undefined && { status: f.status }),
        ...(f.name !== undefined && { name: f.name, version: f.version }),
        durationMs: f.durationMs,
        ...(f.level !== "ok" && { problem: f.text }),
      })),
    };
    const unreached = findings.filter((f) => f.level === "unreached").map((f) => f.endpoint);
    const unreachedNote = unreached.length > 0 ? `; ${unreached.join(", ")} not reached (tls-handshake reports why)` : "";

    const worst = findings.some((f) => f.level === "fail") ? "fail" : findings.some((f) => f.level === "warn") ? "warn" : "pass";
    if (worst !== "pass") {
      const problems = findings.filter((f) => f.level === worst);
      const [first] = problems;
      const more = problems.length > 1 ? `; also ${worst === "fail" ? "failing" : "warned"}: ${problems.slice(1).map((f) => f.endpoint).join(", ")}` : "";
      const fixes = [...new Set(problems.map((f) => f.fix ?? ""))].filter((f) => f !== "").join("\n");
      return { status: worst, summary: `${first?.endpoint}: ${first?.text}${more}`, fix: fixes, details };
    }

    // Judgement: different software behind one name is a half-finished upgrade or a stray backend; warn.
    const servers = [...new Set(reached.map((f) => f.text))];
    if (servers.length > 1) {
      const listing = reached.map((f) => `${f.endpoint} → ${f.text}`).join(", ");
      return {
        status: "warn",
        summary: `endpoints run different servers: ${listing}`,
        fix: `Every address of ${federationEndpoints.version[0]?.hostHeader ?? "the server"} should reach the same homeserver: upgrade the odd backend or take it out of DNS/the load balancer.`,
        details,
      };
    }
    const count = reached.length === 1 ? "1 endpoint" : `${reached.length} endpoints`;
    return { status: "pass", summary: `${servers[0]} (${count})${unreachedNote}`, details };
  },
});
