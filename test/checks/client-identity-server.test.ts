import check from "../../checks/client-identity-server.js";
import { testCheck } from "../support/check-tester.js";
import {
  BASE_URL,
  answer,
  autoDiscoverySuccess,
  clientApi,
  clientWellKnown,
  clientWellKnownMissing,
  clientWellKnownWithBody,
  failedFetch,
} from "./_fixtures-client.js";

const IS_URL = "https://vector.im";
const IS_V2 = `${IS_URL}/_matrix/identity/v2`;
const withIdentity = (identity: unknown) =>
  clientWellKnownWithBody({ "m.homeserver": { base_url: BASE_URL }, "m.identity_server": identity }, autoDiscoverySuccess());

testCheck(check, {
  valid: [
    {
      name: "no identity server",
      facts: { clientWellKnown: clientWellKnown(), clientApi: clientApi() },
      summary: /none configured/,
      details: { configured: false },
    },
    {
      name: "identity server answers",
      facts: {
        clientWellKnown: withIdentity({ base_url: IS_URL }),
        clientApi: clientApi({ identityServer: { baseUrl: IS_URL, fetch: answer(IS_V2, 200, {}) } }),
      },
      summary: /answers https:\/\/vector\.im\/_matrix\/identity\/v2/,
    },
    {
      name: "configured, SDK accepted it, no probe",
      facts: {
        clientWellKnown: {
          ...withIdentity({ base_url: IS_URL }),
          autoDiscovery: { ...autoDiscoverySuccess(), identityServer: { state: "SUCCESS", error: null, baseUrl: IS_URL } },
        },
      },
      summary: /accepted by matrix-js-sdk/,
    },
    {
      name: "configured, not probed",
      facts: { clientWellKnown: withIdentity({ base_url: IS_URL }) },
      summary: /not probed/,
    },
    {
      name: "no client well-known → skip",
      facts: { clientWellKnown: clientWellKnownMissing() },
      status: "skip",
      summary: /client-wellknown/,
    },
  ],
  invalid: [
    {
      name: "m.identity_server without base_url",
      facts: { clientWellKnown: withIdentity({}) },
      summary: /has no base_url.*FAIL_PROMPT/,
      fix: /remove "m\.identity_server".*\{"m\.homeserver":\{"base_url":"https:\/\/matrix\.example\.org"\}\}/,
    },
    {
      name: "m.identity_server is a string",
      facts: { clientWellKnown: withIdentity("https://vector.im") },
      summary: /has no base_url/,
    },
    {
      name: "base_url not a URL",
      facts: { clientWellKnown: withIdentity({ base_url: "vector.im" }) },
      summary: /not an http\(s\) URL/,
    },
    {
      name: "identity server times out",
      facts: {
        clientWellKnown: withIdentity({ base_url: IS_URL }),
        clientApi: clientApi({ identityServer: { baseUrl: IS_URL, fetch: failedFetch(IS_V2, { code: "timeout", message: "10 s" }) } }),
      },
      status: "warn",
      summary: /\(203\.0\.113\.20:443\) timed out .*identity lookups/,
      fix: /curl -si https:\/\/vector\.im\/_matrix\/identity\/v2/,
    },
    {
      name: "identity server 404",
      facts: {
        clientWellKnown: withIdentity({ base_url: IS_URL }),
        clientApi: clientApi({ identityServer: { baseUrl: IS_URL, fetch: answer(IS_V2, 404, "<html>", {}) } }),
      },
      status: "warn",
      summary: /HTTP 404/,
    },
    {
      name: "identity server answers HTML",
      facts: {
        clientWellKnown: withIdentity({ base_url: IS_URL }),
        clientApi: clientApi({ identityServer: { baseUrl: IS_URL, fetch: answer(IS_V2, 200, "<html></html>", {}) } }),
      },
      status: "warn",
      summary: /did not return a JSON object/,
    },
    {
      name: "SDK verdict only: identity server invalid",
      facts: {
        clientWellKnown: {
          ...withIdentity({ base_url: IS_URL }),
          autoDiscovery: {
            ...autoDiscoverySuccess(),
            identityServer: { state: "FAIL_PROMPT", error: "Identity server URL does not appear to be a valid identity server", baseUrl: IS_URL },
          },
        },
      },
      status: "warn",
      summary: /"Identity server URL does not appear to be a valid identity server"/,
    },
  ],
});

