import { defineCheck, pass, skip, warn } from "../src/engine/check.js";

export default defineCheck({
  id: "wellknown-server-content-type",
  category: "wellknown",
  title: "Server well-known is served as application/json",
  docs: "https://spec.matrix.org/latest/server-server-api/#getwell-knownmatrixserver",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }) {
    const res = wellKnownServer.primary.final.response;
    if (!res) return skip("no response from the well-known (see wellknown-server-fetch)");
    if (res.status !== 200) return skip(`the well-known answered ${res.status}, not 200 (see wellknown-server-fetch)`);

    const header = res.headers["content-type"];
    const mediaType = header?.split(";")[0]?.trim().toLowerCase();
    if (mediaType === "application/json") return pass(`Content-Type: ${header}`, { contentType: header });

    const found = header === undefined ? "no Content-Type" : `Content-Type ${header}`;
    return warn(
      `${wellKnownServer.url} is served with ${found} (should be application/json; peers parse it anyway)`,
      `In the nginx server block for ${wellKnownServer.host}:\n` +
        "location = /.well-known/matrix/server {\n" +
        "    default_type application/json;\n" +
        "    # for a static file whose extension maps to another type, clear the mapping first:\n" +
        "    # types { } default_type application/json;\n" +
        "    ...\n" +
        "}\n" +
        "(nginx's `add_header Content-Type application/json;` would add a second Content-Type header rather than replace it)",
      { contentType: header ?? null },
    );
  },
});
