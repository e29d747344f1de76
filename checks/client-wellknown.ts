// Client discovery (CS API "Well-known URIs"): GET https://<host>/.well-known/matrix/client, judged as
// the spec's algorithm and as matrix-js-sdk's AutoDiscovery (what Element shows the user) judge it.

import { defineCheck, fail, pass, warn, type Outcome } from "../src/engine/check.js";
import { describeNetError, exchangeEndpoint, hostnameOfUrl, isJsonObject, nginxMatrixLocationBlock } from "../src/engine/describe.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#well-known-uris";

/** The nginx block that serves a correct file; `baseUrl` is what clients should use. */
function nginxBlock(baseUrl: string): string {
  return [
    "location = /.well-known/matrix/client {",
    "    default_type application/json;",
    "    add_header Access-Control-Allow-Origin *;",
    `    return 200 '{"m.homeserver":{"base_url":"${baseUrl}"}}';`,
    "}",
  ].join("\n");
}

function serveFix(host: string, baseUrl: string, what: string): string {
  return (
    `${what} In the nginx server block for ${host}:443:\n${nginxBlock(baseUrl)}\n` +
    `(use the host that serves /_matrix/client as base_url if it is not ${hostnameOfUrl(baseUrl)}), ` +
    `then check with: curl -si https://${host}/.well-known/matrix/client`
  );
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

export default defineCheck({
  id: "client-wellknown",
  category: "client",
  title: "Client well-known lets clients discover the homeserver",
  docs: DOCS,
  requires: ["clientWellKnown"],
  run({ clientWellKnown: fact }): Outcome {
    const { url, fetch: wellKnownFetch } = fact;
    // The fact holds an IPv6 server name without brackets; URLs and nginx need them.
    const host = fact.host.includes(":") ? `[${fact.host}]` : fact.host;
    const final = wellKnownFetch.final;
    const fallbackBaseUrl = `https://${host}`;
    const baseDetails = { url, hops: wellKnownFetch.hops.length };

    if (wellKnownFetch.redirectLoop || wellKnownFetch.tooManyRedirects) {
      const why = wellKnownFetch.redirectLoop ? "a redirect loop" : "too many redirects";
      return fail(
        `GET ${url} ends in ${why} (${wellKnownFetch.hops.map((hop) => hop.url).join(" → ")}): clients cannot discover the server`,
        serveFix(host, fallbackBaseUrl, `Serve the file directly instead of redirecting.`),
        { ...baseDetails, redirects: wellKnownFetch.hops.map((hop) => hop.url) },
      );
    }

    if (final.error || !final.response) {
      const problem = final.error ? describeNetError(final.error) : "got no response";
      return fail(
        `GET ${final.url} (${exchangeEndpoint(final)}) ${problem}: clients cannot discover the server (FAIL_PROMPT)`,
        `Make https://${hostnameOfUrl(final.url)}:${final.port} answer: check that nginx listens on 443 for ${hostnameOfUrl(final.url)} ` +
          `(ss -ltnp 'sport = :443') and that the firewall allows it, then: curl -sv ${final.url}`,
        { ...baseDetails, endpoint: exchangeEndpoint(final), error: final.error ?? null },
      );
    }

    const { status, body } = final.response;
    if (status === 404) {
      // The spec's IGNORE: not an error, but users must type the homeserver URL themselves.
      return warn(
        `no client well-known: clients cannot discover ${fact.baseUrl}; users must type the homeserver URL (${final.url} is 404 at ${exchangeEndpoint(final)})`,
        serveFix(host, fallbackBaseUrl, "Publish the file."),
        { ...baseDetails, status, baseUrl: fact.baseUrl, baseUrlSource: fact.baseUrlSource },
      );
    }
    if (status !== 200) {
      return fail(
        `GET ${final.url} (${exchangeEndpoint(final)}) returned HTTP ${status}: clients stop discovery with FAIL_PROMPT ("Invalid homeserver discovery response")`,
        serveFix(host, fallbackBaseUrl, `Return 200 with the JSON file instead of ${status}.`),
        { ...baseDetails, status },
      );
    }

    const trimmed = body.trim();
    if (trimmed === "") {
      return fail(
        `GET ${final.url} returned 200 with an empty body: clients stop discovery with FAIL_PROMPT ("Invalid homeserver discovery response")`,
        serveFix(host, fallbackBaseUrl, "Serve the JSON body."),
        { ...baseDetails, status },
      );
    }
    const parsed = parseJson(trimmed);
    if (!parsed.ok || !isJsonObject(parsed.value)) {
      const looksLikeHtml = trimmed.startsWith("<");
      const what = looksLikeHtml
        ? "looks like HTML, not JSON (a web page or the site's catch-all is served instead of the file)"
        : parsed.ok
          ? `is ${typeName(parsed.value)}, not a JSON object`
          : `is not valid JSON${final.response.truncated ? " (the body was truncated: it is far too large)" : ""}`;
      return fail(
        `the body of ${final.url} ${what}: clients stop discovery with FAIL_PROMPT ("Invalid homeserver discovery response")`,
        serveFix(host, fallbackBaseUrl, "Serve a JSON object (an exact-match location wins over the site's other locations)."),
        { ...baseDetails, status, contentType: final.response.headers["content-type"] ?? null, bodyStart: trimmed.slice(0, 80) },
      );
    }

    const homeserver = parsed.value["m.homeserver"];
    if (!isJsonObject(homeserver) || typeof homeserver.base_url !== "string" || homeserver.base_url === "") {
      const [what, sdkError] = !isJsonObject(homeserver)
        ? ['"m.homeserver" is missing', "Invalid homeserver discovery response"]
        : ['"m.homeserver" has no "base_url" string', "Invalid base_url for m.homeserver"];
      return fail(
        `${url}: ${what}: clients stop discovery with FAIL_PROMPT ("${sdkError}")`,
        serveFix(host, fallbackBaseUrl, `Add {"m.homeserver":{"base_url":"${fallbackBaseUrl}"}} to the file.`),
        { ...baseDetails, status, keys: Object.keys(parsed.value) },
      );
    }

    const baseUrl = homeserver.base_url;
    let parsedBaseUrl: URL | undefined;
    try {
      parsedBaseUrl = new URL(baseUrl);
    } catch {
      parsedBaseUrl = undefined;
    }
    // matrix-js-sdk also rejects URLs without a host or with a scheme other than http(s).
    if (!parsedBaseUrl || !parsedBaseUrl.hostname || !["http:", "https:"].includes(parsedBaseUrl.protocol)) {
      return fail(
        `${url}: m.homeserver.base_url "${baseUrl}" is not an http(s) URL: clients stop with FAIL_ERROR ("Invalid base_url for m.homeserver")`,
        serveFix(host, fallbackBaseUrl, `Set base_url to a full URL with scheme, e.g. "${fallbackBaseUrl}".`),
        { ...baseDetails, status, baseUrl },
      );
    }

    const sdk = fact.autoDiscovery?.homeserver;
    const details = {
      ...baseDetails,
      status,
      baseUrl,
      sdkState: sdk?.state ?? null,
      sdkError: sdk?.error ?? null,
    };

    if (sdk && sdk.state !== "SUCCESS") {
      const shown = sdk.error ? `"${sdk.error}"` : `state ${sdk.state}`;
      // Judgement: fromDiscoveryConfig only ends in SUCCESS or FAIL_*; any other state (PROMPT) is
      // unexpected and reported as a warning rather than a failure.
      const verdict = sdk.state === "FAIL_ERROR" || sdk.state === "FAIL_PROMPT" ? fail : warn;
      return verdict(
        `Element would show ${shown} for ${host} (matrix-js-sdk AutoDiscovery: ${sdk.state}, base_url ${baseUrl})`,
        sdkFix(sdk.error ?? "", baseUrl, parsedBaseUrl, host),
        details,
      );
    }

    if (parsedBaseUrl.protocol !== "https:") {
      return warn(
        `${url}: m.homeserver.base_url ${baseUrl} is plain http: passwords and access tokens cross the network unencrypted, and Element Web on https cannot call it (mixed content)`,
        serveFix(host, `https://${parsedBaseUrl.host}`, `Serve the client API over TLS and point base_url at it.`),
        details,
      );
    }

    return pass(
      sdk
        ? `Element-compatible discovery: ${baseUrl}`
        : `discovery names ${baseUrl} (matrix-js-sdk verdict unavailable)`,
      details,
    );
  },
});

/** A fix aimed at the SDK's reason for rejecting the discovery. */
function sdkFix(error: string, baseUrl: string, parsedBaseUrl: URL, host: string): string {
  const versionsUrl = `${baseUrl.replace(/\/+$/, "")}/_matrix/client/versions`;
  if (error === "Homeserver URL does not appear to be a valid Matrix homeserver") {
    const hints: string[] = [];
    if (parsedBaseUrl.pathname.includes("/_matrix")) {
      hints.push(`base_url must not contain /_matrix: use "${parsedBaseUrl.protocol}//${parsedBaseUrl.host}"`);
    }
    if (parsedBaseUrl.port === "8448") {
      hints.push("8448 is the federation port; clients normally use 443");
    }
    return (
      `${versionsUrl} must answer 200 JSON with a "versions" list (see client-versions). ` +
      (hints.length > 0 ? `${hints.join("; ")}. ` : "") +
      `On ${parsedBaseUrl.host}, proxy /_matrix to the homeserver:\n${nginxMatrixLocationBlock("http://127.0.0.1:8008")}\n` +
      `then check with: curl -si ${versionsUrl}`
    );
  }
  if (error === "The homeserver does not meet the version requirements") {
    return (
      `${versionsUrl} lists none of the spec versions v1.1–v1.9 that matrix-js-sdk requires: upgrade the homeserver ` +
      `(any Synapse or Dendrite release from the last years advertises them), then check with: curl -s ${versionsUrl}`
    );
  }
  if (error === "Invalid base_url for m.homeserver") {
    return `Set "m.homeserver": {"base_url": "https://${parsedBaseUrl.host || host}"} in https://${host}/.well-known/matrix/client.`;
  }
  return `Serve {"m.homeserver":{"base_url":"${baseUrl}"}} at https://${host}/.well-known/matrix/client and make ${versionsUrl} answer 200 JSON.`;
}
