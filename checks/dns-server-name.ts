import { defineCheck, fail, pass, warn } from "../src/engine/check.js";

const GRAMMAR_DOCS = "https://spec.matrix.org/latest/appendices/#server-name";
const MAX_RECOMMENDED_LENGTH = 230;

export default defineCheck({
  id: "dns-server-name",
  category: "dns",
  title: "Server name is a valid, conventional host name",
  docs: GRAMMAR_DOCS,
  requires: ["serverName"],
  run({ serverName }) {
    const name = serverName.raw;
    if (!serverName.valid) {
      const suggestion = suggestServerName(name);
      return fail(
        `"${name}" is not a valid server name: ${serverName.invalidReason ?? "it does not match the grammar"}`,
        suggestion !== undefined && suggestion !== name
          ? `Use the bare server name (host[:port], no scheme or path): matrix-doctor ${suggestion}`
          : "Give the server_name from your homeserver config (homeserver.yaml `server_name`, dendrite.yaml `global.server_name`), " +
              "e.g. `matrix-doctor example.org` — a host name, IPv4 or [IPv6] literal with an optional :port",
        { raw: name, reason: serverName.invalidReason ?? null },
      );
    }

    const details = { raw: name, host: serverName.host, kind: serverName.kind, port: serverName.port ?? null };
    const problems: { summary: string; fix: string }[] = [];
    if (serverName.kind !== "dns") {
      const port = serverName.port ?? 8448;
      const connectTo = serverName.kind === "ipv6" ? `[${serverName.host}]:${port}` : `${serverName.host}:${port}`;
      problems.push({
        summary: `${name} is an IP literal: peers send no SNI and the certificate must be valid for the IP address itself`,
        fix:
          `Prefer a DNS name for a new deployment (e.g. \`matrix.example.org. 3600 IN ${serverName.kind === "ipv6" ? "AAAA" : "A"} ${serverName.host}\` ` +
          "and that name as server_name). If you keep the IP, the federation certificate must carry " +
          `subjectAltName IP:${serverName.host}; check with \`openssl s_client -connect ${connectTo} </dev/null | openssl x509 -noout -ext subjectAltName\``,
      });
    }
    if (/[A-Z]/.test(name)) {
      problems.push({
        summary: `${name} contains upper-case letters (the spec recommends lower case; server names are case-sensitive in user IDs)`,
        fix:
          `For a new deployment set \`server_name: "${name.toLowerCase()}"\` in the homeserver config. An existing server cannot ` +
          `change its server_name: keep using exactly "${name}" everywhere (MXIDs, well-known, certificates)`,
      });
    }
    if (name.length > MAX_RECOMMENDED_LENGTH) {
      problems.push({
        summary: `${name.slice(0, 40)}… is ${name.length} characters long (the spec recommends at most ${MAX_RECOMMENDED_LENGTH}; user IDs are capped at 255 bytes)`,
        fix: "Pick a shorter server_name for a new deployment (e.g. the registrable domain, `example.org`); long names leave little room for user-ID localparts",
      });
    }
    if (problems.length > 0) {
      return warn(problems.map((p) => p.summary).join("; "), problems.map((p) => p.fix).join("\n"), details);
    }

    const where = serverName.port === undefined ? "no explicit port" : `explicit port ${serverName.port}`;
    return pass(`${name} is a valid server name (host ${serverName.host}, ${where})`, details);
  },
});

/** A best guess at what the user meant: scheme, path, user-ID localpart and whitespace removed. */
function suggestServerName(raw: string): string | undefined {
  let candidate = raw.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  candidate = candidate.replace(/[/?#].*$/, "");
  // "@alice:example.org" → the part after the first colon is the server name.
  if (candidate.startsWith("@")) candidate = candidate.slice(candidate.indexOf(":") + 1);
  candidate = candidate.replace(/\.$/, "");
  return isServerNameShape(candidate) ? candidate : undefined;
}

function isServerNameShape(value: string): boolean {
  return /^(\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Za-z.-]{1,255})(:\d{1,5})?$/.test(value);
}

