import { defineCheck, fail, pass, skip } from "../src/engine/check.js";

/** gomatrixserverlib's WellKnownMaxSize and Synapse's WELL_KNOWN_MAX_SIZE. */
const MAX_BYTES = 50 * 1024;

export default defineCheck({
  id: "wellknown-server-size",
  category: "wellknown",
  title: "Server well-known is at most 50 KiB",
  docs: "https://spec.matrix.org/latest/server-server-api/#getwell-knownmatrixserver",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }) {
    const res = wellKnownServer.primary.final.response;
    if (!res) return skip("no response from the well-known (see wellknown-server-fetch)");
    // Peers only read the body of a 200; a large 404 page does not matter.
    if (res.status !== 200) return skip(`the well-known answered ${res.status}, not 200 (see wellknown-server-fetch)`);

    const details = { bodyBytes: res.bodyBytes, truncated: res.truncated, limitBytes: MAX_BYTES };
    if (!res.truncated && res.bodyBytes <= MAX_BYTES) {
      return pass(`${res.bodyBytes} bytes (limit ${MAX_BYTES})`, details);
    }
    // The body may be cut off, so look for m.server textually rather than parsing it.
    const mServer = /"m\.server"\s*:\s*"([^"\\]{1,300})"/.exec(res.body)?.[1] ?? `${wellKnownServer.host}:443`;
    const size = res.truncated ? `at least ${res.bodyBytes} bytes (reading stopped there)` : `${res.bodyBytes} bytes`;
    return fail(
      `${wellKnownServer.url} is ${size}, over the ${MAX_BYTES}-byte limit: gomatrixserverlib rejects it and Synapse treats it as an error`,
      "Serve only the delegation object:\n" +
        "location = /.well-known/matrix/server {\n" +
        "    default_type application/json;\n" +
        `    return 200 '{"m.server": "${mServer}"}';\n` +
        "}",
      details,
    );
  },
});
