// The optional m.identity_server entry of the client well-known (CS "Well-known URIs" step 3.6): when it
// is present it needs a base_url, and that URL must answer GET /_matrix/identity/v2.

import { defineCheck, fail, pass, skip, warn, type Outcome } from "../src/engine/check.js";
import { describeNetError, exchangeEndpoint, isJsonObject } from "../src/engine/describe.js";
import type { HttpFetch } from "../src/engine/facts.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#well-known-uris";

function jsonObjectBody(fetch: HttpFetch): Record<string, unknown> | undefined {
  const response = fetch.final.response;
  if (!response || response.status !== 200) return undefined;
  try {
    const parsed: unknown = JSON.parse(response.body);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    return false;
  }
}

export default defineCheck({
  id: "client-identity-server",
  category: "client",
  title: "Identity server in the client well-known is valid",
  docs: DOCS,
  requires: ["clientWellKnown"],
  optional: ["clientApi"],
  run({ clientWellKnown, clientApi }): Outcome {
    const wellKnown = jsonObjectBody(clientWellKnown.fetch);
    if (!wellKnown) {
      return skip(`no client well-known JSON to read at ${clientWellKnown.url} (reported by client-wellknown)`);
    }

    const identity = wellKnown["m.identity_server"];
    // Judgement: null is treated as absent, as matrix-js-sdk does (it only looks at truthy values).
    if (identity === undefined || identity === null) {
      return pass("none configured (no m.identity_server in the client well-known)", { configured: false });
    }

    const homeserverBase = isJsonObject(wellKnown["m.homeserver"]) ? wellKnown["m.homeserver"].base_url : undefined;
    const withoutIdentity = JSON.stringify(
      typeof homeserverBase === "string" ? { "m.homeserver": { base_url: homeserverBase } } : { "m.homeserver": { base_url: clientWellKnown.baseUrl } },
    );
    const removeFix = `or remove "m.identity_server" from ${clientWellKnown.url}, e.g. serve ${withoutIdentity}`;

    const baseUrl = isJsonObject(identity) ? identity.base_url : undefined;
    if (typeof baseUrl !== "string" || baseUrl === "") {
      return fail(
        `${clientWellKnown.url}: m.identity_server has no base_url: clients stop with FAIL_PROMPT ("Invalid identity server discovery response")`,
        `Give it a base_url, e.g. "m.identity_server": {"base_url": "https://vector.im"}, ${removeFix}`,
        { configured: true, value: identity },
      );
    }
    if (!isHttpUrl(baseUrl)) {
      return fail(
        `${clientWellKnown.url}: m.identity_server.base_url "${baseUrl}" is not an http(s) URL: clients stop with FAIL_PROMPT ("Invalid base_url for m.identity_server")`,
        `Use a full URL with scheme, e.g. "m.identity_server": {"base_url": "https://vector.im"}, ${removeFix}`,
        { configured: true, baseUrl },
      );
    }

    const v2Url = `${baseUrl.replace(/\/+$/, "")}/_matrix/identity/v2`;
    const endpointFix = `Make ${v2Url} answer 200 with a JSON object (curl -si ${v2Url}), ${removeFix}`;
    const probed = clientApi?.identityServer;
    if (probed) {
      const final = probed.fetch.final;
      const details = { configured: true, baseUrl, url: probed.fetch.url, endpoint: exchangeEndpoint(final) };
      if (final.error || !final.response) {
        const problem = final.error ? describeNetError(final.error) : "got no response";
        return warn(
          `identity server ${baseUrl}: GET ${final.url} (${exchangeEndpoint(final)}) ${problem}: identity lookups (invites by email, finding contacts) fail`,
          endpointFix,
          { ...details, error: final.error ?? null },
        );
      }
      if (final.response.status !== 200) {
        return warn(
          `identity server ${baseUrl}: GET ${final.url} (${exchangeEndpoint(final)}) returned HTTP ${final.response.status}: matrix-js-sdk reports "Identity server URL does not appear to be a valid identity server"`,
          endpointFix,
          { ...details, status: final.response.status },
        );
      }
      if (!jsonObjectBody(probed.fetch)) {
        return warn(
          `identity server ${baseUrl}: ${final.url} (${exchangeEndpoint(final)}) did not return a JSON object: matrix-js-sdk reports "Identity server URL does not appear to be a valid identity server"`,
          endpointFix,
          { ...details, status: 200, bodyStart: final.response.body.trim().slice(0, 80) },
        );
      }
      return pass(`identity server ${baseUrl} answers ${v2Url}`, { ...details, status: 200 });
    }

    // No probe of our own: fall back on the SDK's verdict, which it only reaches when the homeserver passed.
    const sdk = clientWellKnown.autoDiscovery?.identityServer;
    if (sdk && (sdk.state === "FAIL_PROMPT" || sdk.state === "FAIL_ERROR")) {
      return warn(
        `identity server ${baseUrl}: matrix-js-sdk reports ${sdk.error ? `"${sdk.error}"` : sdk.state}: identity lookups fail`,
        endpointFix,
        { configured: true, baseUrl, sdkState: sdk.state, sdkError: sdk.error ?? null },
      );
    }
    if (sdk?.state === "SUCCESS") {
      return pass(`identity server ${baseUrl} accepted by matrix-js-sdk`, { configured: true, baseUrl, sdkState: sdk.state });
    }
    return pass(`identity server ${baseUrl} configured (its endpoint was not probed)`, { configured: true, baseUrl, probed: false });
  },
});
