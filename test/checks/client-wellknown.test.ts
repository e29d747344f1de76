import check from "../../checks/client-wellknown.js";
import { testCheck } from "../support/check-tester.js";
import {
  BASE_URL,
  WELL_KNOWN_URL,
  answer,
  autoDiscoveryFailure,
  autoDiscoverySuccess,
  clientWellKnown,
  clientWellKnownMissing,
  clientWellKnownWithBody,
  exchange,
  failedFetch,
  fetchOf,
  redirect,
} from "./_fixtures-client.js";

const INVALID_HOMESERVER = "Homeserver URL does not appear to be a valid Matrix homeserver";

testCheck(check, {
  valid: [
    {
      name: "healthy delegation to matrix.example.org",
      facts: { clientWellKnown: clientWellKnown() },
      summary: /^Element-compatible discovery: https:\/\/matrix\.example\.org$/,
      details: { baseUrl: BASE_URL, sdkState: "SUCCESS" },
    },
    {
      name: "followed a redirect to www",
      facts: {
        clientWellKnown: clientWellKnown({
          fetch: fetchOf(
            redirect(WELL_KNOWN_URL, "https://www.example.org/.well-known/matrix/client"),
            ...answer("https://www.example.org/.well-known/matrix/client", 200, { "m.homeserver": { base_url: BASE_URL } }).hops,
          ),
        }),
      },
      details: { hops: 2 },
    },
    {
      name: "base_url with trailing slash and extra keys",
      facts: {
        clientWellKnown: clientWellKnownWithBody(
          { "m.homeserver": { base_url: `${BASE_URL}/` }, "org.matrix.msc4143.rtc_foci": [] },
          autoDiscoverySuccess(),
        ),
      },
    },
    {
      name: "no SDK verdict available",
      facts: { clientWellKnown: clientWellKnownWithBody({ "m.homeserver": { base_url: BASE_URL } }) },
      summary: /verdict unavailable/,
    },
  ],
  invalid: [
    {
      name: "404: no client well-known",
      facts: { clientWellKnown: clientWellKnownMissing() },
      status: "warn",
      summary: /no client well-known: clients cannot discover https:\/\/example\.org; users must type the homeserver URL/,
      fix: /location = \/\.well-known\/matrix\/client \{\n {4}default_type application\/json;\n {4}add_header Access-Control-Allow-Origin \*;\n {4}return 200 '\{"m\.homeserver":\{"base_url":"https:\/\/example\.org"\}\}';\n\}/,
    },
    {
      name: "404 for an IPv6 server name",
      facts: {
        clientWellKnown: {
          ...clientWellKnownMissing(),
          host: "2001:db8::10",
          url: "https://[2001:db8::10]/.well-known/matrix/client",
          baseUrl: "https://[2001:db8::10]",
        },
      },
      status: "warn",
      fix: /"base_url":"https:\/\/\[2001:db8::10\]".*curl -si https:\/\/\[2001:db8::10\]\/\.well-known/s,
    },
    {
      name: "500 from the server",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 500, "oops", {}) }) },
      summary: /HTTP 500.*FAIL_PROMPT/,
      details: { status: 500 },
    },
    {
      name: "connection timed out",
      facts: { clientWellKnown: clientWellKnown({ fetch: failedFetch(WELL_KNOWN_URL, { code: "timeout", message: "no answer in 10 s" }) }) },
      summary: /203\.0\.113\.10:443\) timed out/,
    },
    {
      name: "connection refused on IPv6",
      facts: {
        clientWellKnown: clientWellKnown({
          fetch: fetchOf(exchange({ url: WELL_KNOWN_URL, address: "2001:db8::10", error: { code: "refused", message: "ECONNREFUSED" } })),
        }),
      },
      summary: /\[2001:db8::10\]:443\) connection refused/,
    },
    {
      name: "redirect loop",
      facts: {
        clientWellKnown: clientWellKnown({
          fetch: {
            ...fetchOf(redirect(WELL_KNOWN_URL, "https://www.example.org/.well-known/matrix/client"), redirect("https://www.example.org/.well-known/matrix/client", WELL_KNOWN_URL)),
            redirectLoop: true,
          },
        }),
      },
      summary: /redirect loop/,
    },
    {
      name: "HTML page served with 200",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, "<!DOCTYPE html><html>welcome</html>", { "content-type": "text/html" }) }) },
      summary: /looks like HTML/,
    },
    {
      name: "invalid JSON",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, '{"m.homeserver": {"base_url": "https://matrix.example.org",}}') }) },
      summary: /not valid JSON/,
    },
    {
      name: "JSON array",
      facts: { clientWellKnown: clientWellKnownWithBody([{ "m.homeserver": { base_url: BASE_URL } }]) },
      summary: /is an array, not a JSON object/,
    },
    {
      name: "empty body",
      facts: { clientWellKnown: clientWellKnown({ fetch: answer(WELL_KNOWN_URL, 200, "") }) },
      summary: /empty body/,
    },
    {
      name: "m.server pasted instead of m.homeserver",
      facts: {
        clientWellKnown: clientWellKnownWithBody(
          { "m.server": "matrix.example.org:443" },
          autoDiscoveryFailure("FAIL_PROMPT", "Invalid homeserver discovery response"),
        ),
      },
      summary: /"m\.homeserver" is missing/,
      fix: /"base_url":"https:\/\/example\.org"/,
    },
    {
      name: "m.homeserver without base_url",
      facts: { clientWellKnown: clientWellKnownWithBody({ "m.homeserver": { url: BASE_URL } }) },
      summary: /no "base_url".*Invalid base_url for m\.homeserver/,
    },
    {
      name: "base_url is a bare host name",
      facts: {
        clientWellKnown: clientWellKnownWithBody(
          { "m.homeserver": { base_url: "matrix.example.org" } },
          autoDiscoveryFailure("FAIL_ERROR", "Invalid base_url for m.homeserver"),
        ),
      },
      summary: /"matrix\.example\.org" is not an http\(s\) URL/,
    },
    {
      name: "SDK: /versions does not answer",
      facts: {
        clientWellKnown: clientWellKnownWithBody(
          { "m.homeserver": { base_url: BASE_URL } },
          autoDiscoveryFailure("FAIL_ERROR", INVALID_HOMESERVER, BASE_URL),
        ),
      },
      summary: /Element would show "Homeserver URL does not appear to be a valid Matrix homeserver"/,
      fix: /https:\/\/matrix\.example\.org\/_matrix\/client\/versions.*proxy_pass http:\/\/127\.0\.0\.1:8008;/s,
      details: { sdkState: "FAIL_ERROR", sdkError: INVALID_HOMESERVER },
    },
    {
      name: "SDK: base_url includes /_matrix",
      facts: {
        clientWellKnown: clientWellKnownWithBody(
          { "m.homeserver": { base_url: `${BASE_URL}/_matrix` } },
          autoDiscoveryFailure("FAIL_ERROR", INVALID_HOMESERVER, `${BASE_URL}/_matrix`),
        ),
      },
      fix: /must not contain \/_matrix: use "https:\/\/matrix\.example\.org"/,
    },
    {
      name: "SDK: homeserver too old",
      facts: {
        clientWellKnown: clientWellKnownWithBody(
          { "m.homeserver": { base_url: BASE_URL } },
          autoDiscoveryFailure("FAIL_ERROR", "The homeserver does not meet the version requirements", BASE_URL),
        ),
      },
      fix: /upgrade the homeserver/,
    },
    {
      name: "plain http base_url",
      facts: {
        clientWellKnown: clientWellKnownWithBody({ "m.homeserver": { base_url: "http://matrix.example.org" } }, autoDiscoverySuccess("http://matrix.example.org")),
      },
      status: "warn",
      summary: /plain http/,
      fix: /"base_url":"https:\/\/matrix\.example\.org"/,
    },
  ],
});
