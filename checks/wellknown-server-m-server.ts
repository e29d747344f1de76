import { isIPv6 } from "node:net";
import { defineCheck, fail, pass, skip, warn } from "../src/engine/check.js";
import { parseServerName } from "../src/matrix/server-name.js";
import { classifyAddress } from "../src/net/address-class.js";
import { okResponseOf, parseWellKnownServerBody } from "./wellknown-server-json.js";

export default defineCheck({
  id: "wellknown-server-m-server",
  category: "wellknown",
  title: "m.server is a valid host[:port] (no scheme, no path)",
  docs: "https://spec.matrix.org/latest/server-server-api/#getwell-knownmatrixserver",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }, ctx) {
    const ok = okResponseOf(wellKnownServer.primary);
    if ("skip" in ok) return skip(ok.skip);
    const body = parseWellKnownServerBody(ok.body);
    if (!body.ok) return skip(`no usable m.server: ${body.problem} (see wellknown-server-json)`);

    const mServer = body.mServer;
    const serverHost = wellKnownServer.host;
    const location = `location = /.well-known/matrix/server {\n    default_type application/json;\n    return 200 '{"m.server": "VALUE"}';\n}`;
    const serve = (value: string): string => location.replace("VALUE", value);

    // The same grammar the discovery probe applies, so this verdict and the discovery step agree.
    const parsed = parseServerName(mServer);
    if (!parsed.valid) {
      // The shared parser's advice after ";" is written for the command line; the fix below replaces it.
      const problem = parsed.invalidReason?.split(";")[0] ?? "it does not match host[:port]";
      const corrected = correctServerName(mServer);
      return fail(
        `m.server "${mServer}" is not a valid server name: ${problem}; peers ignore the delegation`,
        corrected
          ? `Use "${corrected}" (host[:port], no scheme, path or slash${corrected.includes(":") ? "" : `; add :443 if federation is served on 443 behind your reverse proxy`}):\n${serve(corrected)}`
          : `Set m.server to host[:port] of the federation listener, e.g.:\n${serve(`${serverHost}:8448`)}`,
        { mServer, problem, corrected: corrected ?? null },
      );
    }

    const details = { mServer, host: parsed.host, port: parsed.port ?? null, kind: parsed.kind };
    const addressClass = parsed.kind === "dns" ? undefined : classifyAddress(parsed.host);
    const isLocalhost = parsed.kind === "dns" && /(^|\.)localhost\.?$/i.test(parsed.host);
    if ((isLocalhost || (addressClass && addressClass !== "public")) && !ctx.allowPrivateAddresses) {
      return fail(
        `m.server "${mServer}" points at ${isLocalhost ? "localhost" : `a ${addressClass} address`}: peers on the internet cannot reach it`,
        `Delegate to the public name of the federation listener, e.g.:\n${serve(`${serverHost}:443`)}\n` +
          "(for a LAN-only federation, run matrix-doctor with --allow-private-addresses)",
        { ...details, addressClass: isLocalhost ? "loopback" : addressClass },
      );
    }
    // NAME-IPLIT in the reference applies to m.server as to the server name itself.
    if (parsed.kind !== "dns") {
      return warn(
        `m.server "${mServer}" is an IP literal: peers send no SNI and Host ${mServer}, so the certificate must be valid for ${parsed.host}`,
        `Delegate to a DNS name with a normal certificate, e.g. publish \`matrix.${serverHost}. 3600 IN ${parsed.kind === "ipv6" ? "AAAA" : "A"} ${parsed.host}\` and serve:\n` +
          serve(`matrix.${serverHost}:${parsed.port ?? 8448}`),
        details,
      );
    }

    const sameHost = parsed.host.toLowerCase().replace(/\.$/, "") === serverHost.toLowerCase();
    if (sameHost && parsed.port === undefined) {
      return pass(`m.server "${mServer}" delegates to itself (allowed, unnecessary): SRV then :8448 will be used`, details);
    }
    if (sameHost) return pass(`m.server "${mServer}" delegates to its own host on port ${parsed.port}`, details);
    if (parsed.port === undefined) {
      return pass(`m.server "${mServer}" has no port: SRV then :8448 will be used`, details);
    }
    return pass(`m.server "${mServer}": peers connect to ${parsed.host} port ${parsed.port}`, details);
  },
});

/** What the user most likely meant: scheme, path, slash and whitespace removed, IPv6 bracketed. */
function correctServerName(value: string): string | undefined {
  let candidate = value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, "");
  if (isIPv6(candidate)) candidate = `[${candidate}]`;
  return parseServerName(candidate).valid ? candidate : undefined;
}
