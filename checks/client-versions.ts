// GET <base_url>/_matrix/client/versions: the first request every client makes, and the one the spec's
// discovery uses to validate base_url (CS "Well-known URIs" step 3.5.2, versions.yaml).

import { defineCheck, fail, pass, type Outcome } from "../src/engine/check.js";
import { describeNetError, exchangeEndpoint, hostnameOfUrl, isJsonObject, nginxMatrixLocationBlock } from "../src/engine/describe.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#get_matrixclientversions";

/** The reverse-proxy block from Synapse's reverse_proxy.md (no path after the port: nginx would rewrite the URI). */
const PROXY_BLOCK = nginxMatrixLocationBlock("http://127.0.0.1:8008");

/** Sort key of a spec version: every vX.Y is newer than every r0.x.y; unknown strings sort first. */
function versionRank(version: string): number[] {
  const modern = /^v(\d+)\.(\d+)$/.exec(version);
  if (modern) return [2, Number(modern[1]), Number(modern[2]), 0];
  const legacy = /^r(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (legacy) return [1, Number(legacy[1]), Number(legacy[2]), Number(legacy[3])];
  return [0, 0, 0, 0];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function newestVersion(versions: string[]): string | undefined {
  return [...versions].sort((a, b) => compareRanks(versionRank(a), versionRank(b))).at(-1);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export default defineCheck({
  id: "client-versions",
  category: "client",
  title: "Client API answers /_matrix/client/versions",
  docs: DOCS,
  requires: ["clientApi"],
  optional: ["clientWellKnown"],
  run({ clientApi, clientWellKnown }): Outcome {
    const { baseUrl, versions: versionsFetch } = clientApi;
    const final = versionsFetch.final;
    const url = versionsFetch.url;
    const baseHost = hostnameOfUrl(baseUrl);
    const baseUrlSource = clientWellKnown?.baseUrlSource ?? null;
    // Without a client well-known the base URL is a guess from the server name; say so, since the fix may
    // be to publish the well-known rather than to serve the client API on the server name.
    const sourceNote =
      baseUrlSource === "server-name" ? ` (base URL from the server name: there is no client well-known)` : "";
    const details = { url, baseUrl, baseUrlSource, hops: versionsFetch.hops.length };
    const curl = `curl -si ${url}`;

    if (versionsFetch.redirectLoop || versionsFetch.tooManyRedirects) {
      return fail(
        `GET ${url} ends in ${versionsFetch.redirectLoop ? "a redirect loop" : "too many redirects"}${sourceNote}`,
        `Stop redirecting /_matrix on ${baseHost}; proxy it to the homeserver instead:\n${PROXY_BLOCK}\nthen check with: ${curl}`,
        { ...details, redirects: versionsFetch.hops.map((hop) => hop.url) },
      );
    }

    if (final.error || !final.response) {
      const problem = final.error ? describeNetError(final.error) : "got no response";
      return fail(
        `GET ${final.url} (${exchangeEndpoint(final)}) ${problem}${sourceNote}`,
        `Make ${hostnameOfUrl(final.url)}:${final.port} answer HTTPS: check that nginx listens there (ss -ltnp 'sport = :${final.port}') ` +
          `and the firewall allows it, and that ${hostnameOfUrl(final.url)} resolves to this server (dig +short ${hostnameOfUrl(final.url)}), then: ${curl}`,
        { ...details, endpoint: exchangeEndpoint(final), error: final.error ?? null },
      );
    }

    const { status, body, headers } = final.response;
    const trimmed = body.trim();
    const looksLikeHtml = trimmed.startsWith("<") || (headers["content-type"] ?? "").includes("text/html");
    const endpoint = exchangeEndpoint(final);

    if (status === 502 || status === 503 || status === 504) {
      return fail(
        `GET ${final.url} (${endpoint}) returned HTTP ${status}: the proxy cannot reach the homeserver${sourceNote}`,
        `On the server: systemctl status dendrite (or matrix-synapse); curl -s http://127.0.0.1:8008/_matrix/client/versions. ` +
          `Make sure proxy_pass on ${baseHost} points where the homeserver listens:\n${PROXY_BLOCK}`,
        { ...details, status, endpoint },
      );
    }
    if (status === 404 && looksLikeHtml) {
      return fail(
        `GET ${final.url} (${endpoint}) returned an HTML 404: /_matrix is not proxied to the homeserver on ${baseHost}${sourceNote}`,
        `In the nginx server block for ${baseHost}:443 add:\n${PROXY_BLOCK}\nthen: nginx -t && systemctl reload nginx && ${curl}`,
        { ...details, status, endpoint },
      );
    }
    if (status === 404) {
      // A JSON 404 comes from the homeserver itself: the path it received was not /_matrix/client/versions.
      return fail(
        `GET ${final.url} (${endpoint}) returned a JSON 404 from the homeserver: the proxy rewrites the path${sourceNote}`,
        `Remove any path after the port in proxy_pass (proxy_pass http://127.0.0.1:8008; not http://127.0.0.1:8008/):\n${PROXY_BLOCK}`,
        { ...details, status, endpoint, bodyStart: trimmed.slice(0, 120) },
      );
    }
    if (status !== 200) {
      return fail(
        `GET ${final.url} (${endpoint}) returned HTTP ${status}, not 200${sourceNote}`,
        `Serve /_matrix on ${baseHost} from the homeserver without access rules in front of it:\n${PROXY_BLOCK}\nthen check with: ${curl}`,
        { ...details, status, endpoint },
      );
    }

    const parsed = parseJson(trimmed);
    if (!isJsonObject(parsed)) {
      const what = looksLikeHtml
        ? "is an HTML page: /_matrix is not proxied to the homeserver"
        : parsed === undefined
          ? "is not valid JSON"
          : "is not a JSON object";
      return fail(
        `the body of ${final.url} (${endpoint}) ${what}${sourceNote}`,
        `In the nginx server block for ${baseHost}:443 proxy /_matrix to the homeserver:\n${PROXY_BLOCK}\nthen check with: ${curl}`,
        { ...details, status, endpoint, bodyStart: trimmed.slice(0, 80) },
      );
    }

    const versions = parsed.versions;
    if (!Array.isArray(versions) || !versions.every((version): version is string => typeof version === "string")) {
      return fail(
        `${final.url} (${endpoint}) has no "versions" list of strings: clients reject the server ("Homeserver URL does not appear to be a valid Matrix homeserver")${sourceNote}`,
        `Something other than a Matrix homeserver answers ${url}; point proxy_pass at the homeserver:\n${PROXY_BLOCK}`,
        { ...details, status, endpoint, keys: Object.keys(parsed) },
      );
    }
    // Judgement: an empty list is schema-valid, but no client finds a version it speaks, so it fails.
    if (versions.length === 0) {
      return fail(
        `${final.url} (${endpoint}) lists no spec versions: clients find none they support${sourceNote}`,
        `Upgrade the homeserver or fix its configuration so that curl -s ${url} lists versions such as "v1.11".`,
        { ...details, status, endpoint, versions },
      );
    }

    const latest = newestVersion(versions) ?? null;
    const unstable = isJsonObject(parsed.unstable_features) ? parsed.unstable_features : {};
    // Count the features the server says are enabled; false entries advertise a feature that is off.
    const unstableFeatures = Object.values(unstable).filter((enabled) => enabled === true).length;
    return pass(
      `${url} answers: newest spec version ${latest} (${versions.length} versions, ${unstableFeatures} unstable features)${sourceNote}`,
      { ...details, status, versions, latest, unstableFeatures },
    );
  },
});
