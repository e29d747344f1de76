// GET /_matrix/key/v2/server works on every endpoint and the key document's server_name is exactly the server
// name (names are case-sensitive). This is the key-fetch check: a non-200 or non-JSON answer from the key endpoint
// and a slow key fetch fail here, and the other federation-keys- checks then skip. In the federation tester's
// experience a wrong server_name usually means the delegated host was tested instead of the server name.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import { nginxMatrixRegexLocation } from "../src/engine/describe.js";
import type { FederationEndpointsFact, HttpExchange } from "../src/engine/facts.js";
import { readKeyResponse, type KeyResponseReading } from "../src/matrix/signing.js";

const SLOW_MS = 3_000;
// matrix.org and the federation tester stop waiting for a key fetch after 10 s, and peers then reject our events.
const TOO_SLOW_MS = 10_000;
const KEY_PATH = "/_matrix/key/v2/server";

const NGINX_MATRIX_LOCATION = nginxMatrixRegexLocation("http://127.0.0.1:8008");

interface Finding {
  endpoint: string;
  level: "ok" | "warn" | "fail" | "unreached";
  text: string;
  fix?: string;
  serverName?: string;
}

/**
 * The key fetch failed on the network although the version request to the same address got an answer.
 * Judgement: only then is the network error the key endpoint's own problem rather than reachability's.
 */
function versionAnswered(exchange: HttpExchange, endpoints: FederationEndpointsFact | undefined): boolean {
  return (endpoints?.version ?? []).some((v) => v.response !== undefined && v.address === exchange.address && v.port === exchange.port);
}

function fetchProblem(reading: KeyResponseReading, endpoints: FederationEndpointsFact | undefined): Finding | undefined {
  const endpoint = `federation ${reading.endpoint}`;
  if (reading.kind === "network-error") {
    if (!versionAnswered(reading.exchange, endpoints)) return { endpoint, level: "unreached", text: "not reached" };
    const what = reading.error.code === "timeout" ? "timed out" : `failed (${reading.error.message})`;
    return {
      endpoint,
      level: "fail",
      text: `GET ${KEY_PATH} ${what}, although the version endpoint answered`,
      fix: `The homeserver stalls on key requests: \`journalctl -u dendrite -n 50\` (or matrix-synapse), and time \`curl -s http://127.0.0.1:8008${KEY_PATH}\` on the server.`,
    };
  }
  if (reading.kind === "bad-response") {
    const status = reading.status;
    if (status === 502 || status === 504) {
      return {
        endpoint,
        level: "fail",
        text: `GET ${KEY_PATH} ${reading.problem}: the reverse proxy cannot reach the homeserver (is it running on 127.0.0.1:8008?)`,
        fix: `\`systemctl status dendrite\` (or matrix-synapse) and \`journalctl -u dendrite -n 50\`; nginx's \`proxy_pass http://127.0.0.1:8008;\` must match the homeserver's listener.`,
      };
    }
    return {
      endpoint,
      level: "fail",
      text: `GET ${KEY_PATH} ${reading.problem}`,
      fix:
        `Peers fetch signing keys from ${KEY_PATH}, outside /_matrix/federation: route all of /_matrix to the homeserver in the nginx server block ` +
        `that listens on ${reading.exchange.port}: \`${NGINX_MATRIX_LOCATION}\`, then \`systemctl reload nginx\`; ` +
        `\`curl -s http://127.0.0.1:8008${KEY_PATH}\` on the server shows what the homeserver itself answers.`,
    };
  }
  const seconds = (reading.exchange.durationMs / 1000).toFixed(1);
  const slowFix = `Time the homeserver directly: \`curl -s -o /dev/null -w '%{time_total}\\n' http://127.0.0.1:8008${KEY_PATH}\` on the server; if that is fast, the delay is in the network or nginx.`;
  if (reading.exchange.durationMs >= TOO_SLOW_MS) {
    return { endpoint, level: "fail", text: `GET ${KEY_PATH} took ${seconds} s; matrix.org gives up on key fetches after 10 s`, fix: slowFix };
  }
  if (reading.exchange.durationMs > SLOW_MS) {
    return { endpoint, level: "warn", text: `GET ${KEY_PATH} took ${seconds} s (over 3 s; peers give up at 10 s)`, fix: slowFix };
  }
  return undefined;
}

function nameFinding(reading: Extract<KeyResponseReading, { kind: "document" }>, expected: string): Finding {
  const endpoint = `federation ${reading.endpoint}`;
  const served = reading.document["server_name"];
  if (typeof served !== "string") {
    return {
      endpoint,
      level: "fail",
      text: "the key document has no server_name",
      fix: `Something other than the homeserver answers ${KEY_PATH}: compare with \`curl -s http://127.0.0.1:8008${KEY_PATH}\` on the server.`,
    };
  }
  if (served === expected) return { endpoint, level: "ok", text: `server_name "${served}"`, serverName: served };

  // Judgement: a tested name below the served one (matrix.example.org vs example.org) is the delegated host.
  const caseOnly = served.toLowerCase() === expected.toLowerCase() ? " (they differ only in letter case, and server names are case-sensitive)" : "";
  const reconfigure =
    `set Dendrite \`global.server_name: ${expected}\` (dendrite.yaml) or Synapse \`server_name: "${expected}"\` (homeserver.yaml); ` +
    `an existing server needs a fresh database for a new name`;
  const fix = expected.endsWith(`.${served}`)
    ? `You probably tested the delegated host: the server name is what follows ':' in user IDs, here "${served}"; run ` +
      `\`matrix-doctor ${served}\`. Only if user IDs should end in :${expected}, ${reconfigure}.`
    : `The homeserver's server_name is "${served}". If it should be "${expected}", ${reconfigure}. If "${served}" is right, the wrong ` +
      `name was tested: run \`matrix-doctor ${served}\`.`;
  return { endpoint, level: "fail", text: `keys are for server_name "${served}", not "${expected}"${caseOnly}`, serverName: served, fix };
}

export default defineCheck({
  id: "federation-keys-server-name",
  category: "federation",
  title: "Key endpoint answers with the right server_name",
  docs: "https://spec.matrix.org/latest/server-server-api/#get_matrixkeyv2server",
  requires: ["serverKeys"],
  optional: ["federationEndpoints"],
  run({ serverKeys, federationEndpoints }): Outcome {
    const readings = serverKeys.responses.map(readKeyResponse);
    if (readings.length === 0) return { status: "skip", summary: "no key document was fetched: discovery found no federation endpoint" };

    const findings = readings.flatMap((reading) => {
      const problem = fetchProblem(reading, federationEndpoints);
      if (reading.kind !== "document") return problem ? [problem] : [];
      const name = nameFinding(reading, serverKeys.serverName);
      // A slow but correct answer is still judged for its name; the name problem is the graver one.
      return problem && name.level === "ok" ? [{ ...problem, serverName: name.serverName }] : [name];
    });
    const reached = findings.filter((f) => f.level !== "unreached");
    if (reached.length === 0) {
      return { status: "skip", summary: `no endpoint answered GET ${KEY_PATH} (tls-handshake and federation-version report why)` };
    }

    const details = {
      serverName: serverKeys.serverName,
      endpoints: readings.map((r) => ({
        endpoint: `federation ${r.endpoint}`,
        ...(r.kind === "document" && { serverNameServed: r.document["server_name"] }),
        ...(r.kind === "bad-response" && { status: r.status }),
        ...(r.kind === "network-error" && { error: r.error.code }),
        durationMs: r.exchange.durationMs,
      })),
    };
    const worst = reached.some((f) => f.level === "fail") ? "fail" : reached.some((f) => f.level === "warn") ? "warn" : "pass";
    if (worst === "pass") {
      const count = reached.length === 1 ? "1 endpoint" : `${reached.length} endpoints`;
      return { status: "pass", summary: `key documents name server_name "${serverKeys.serverName}" (${count})`, details };
    }
    const problems = reached.filter((f) => f.level === worst);
    // Identical findings on several endpoints are told once, naming all of them.
    const byText = new Map<string, Finding[]>();
    for (const f of problems) byText.set(f.text, [...(byText.get(f.text) ?? []), f]);
    const [[text, group] = ["", []], ...others] = byText;
    const more = others.length > 0 ? ` (+${others.length} more problem${others.length > 1 ? "s" : ""})` : "";
    const fix = [...new Set(problems.map((f) => f.fix ?? ""))].filter((f) => f !== "").join("\n");
    return { status: worst, summary: `${group.map((f) => f.endpoint).join(", ")}: ${text}${more}`, fix, details };
  },
});
