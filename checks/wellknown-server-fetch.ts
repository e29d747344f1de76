import { defineCheck, pass, skip, warn } from "../src/engine/check.js";
import { NET_ERROR_WORDS } from "../src/engine/describe.js";
import type { HttpExchange } from "../src/engine/facts.js";
import type { NetErrorCode } from "../src/engine/types.js";

/** The shared words, except where this check has always said it its own way. */
const ERROR_WORDS: Record<NetErrorCode, string> = {
  ...NET_ERROR_WORDS,
  unreachable: "network unreachable",
  aborted: "aborted",
  other: "request failed",
};

export default defineCheck({
  id: "wellknown-server-fetch",
  category: "wellknown",
  title: "Server well-known can be fetched",
  docs: "https://spec.matrix.org/latest/server-server-api/#resolving-server-names",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }) {
    const { primary, host } = wellKnownServer;
    if (primary.redirectLoop || primary.tooManyRedirects) {
      return skip("the redirects never end at a response (see wellknown-server-redirects)");
    }
    const final = primary.final;
    const endpoint = endpointOf(final);
    const details = { url: final.url, address: final.address ?? null, port: final.port, durationMs: final.durationMs };
    const serveFile =
      `location = /.well-known/matrix/server {\n    default_type application/json;\n    return 200 '{"m.server": "${host}:443"}';\n}\n` +
      `(in the nginx server block for ${host} on 443; put your federation host:port in m.server, or \`return 404;\` if you do not delegate)`;

    if (final.error) {
      const words = ERROR_WORDS[final.error.code];
      return warn(
        `GET ${final.url} (${endpoint}) ${words}: ${final.error.message}; peers fall through to SRV / port 8448, cache the failure for up to an hour and back off`,
        fixForError(final.error.code, host, final.port),
        { ...details, error: final.error },
      );
    }
    const res = final.response;
    if (!res) return skip("the probe recorded neither a response nor an error");

    // The probe does not reject certificates, so an untrusted one shows up on a hop's response.
    const untrusted = primary.hops.find((h) => h.response?.tls && !h.response.tls.authorized);
    if (untrusted) {
      const tlsError = untrusted.response?.tls?.authorizationError ?? "not trusted";
      const untrustedHost = new URL(untrusted.url).hostname;
      return warn(
        `${untrusted.url} (${endpointOf(untrusted)}) presents a certificate peers reject (${tlsError}); they treat it as no well-known`,
        fixForError("tls", untrustedHost, untrusted.port),
        { ...details, status: res.status, tlsError },
      );
    }
    if (res.status === 200) {
      return pass(`200 from ${final.url} (${endpoint}, ${final.durationMs} ms)`, { ...details, status: 200 });
    }
    if (res.status === 404) {
      return pass("no delegation (404): peers go on to SRV / port 8448", { ...details, status: 404 });
    }
    return warn(
      `${final.url} (${endpoint}) answered ${res.status}: peers treat it as no well-known (SRV / port 8448) and cache the error for an hour`,
      `Answer 200 with the delegation, or 404 if there is none:\n${serveFile}`,
      { ...details, status: res.status },
    );
  },
});

function endpointOf(exchange: HttpExchange): string {
  if (!exchange.address) return `port ${exchange.port}`;
  return exchange.address.includes(":") ? `[${exchange.address}]:${exchange.port}` : `${exchange.address}:${exchange.port}`;
}

function fixForError(code: NetErrorCode, host: string, port: number): string {
  switch (code) {
    case "tls":
      return (
        `Serve a certificate for ${host} from a public CA with its full chain, e.g. \`certbot certonly --nginx -d ${host}\` and in nginx ` +
        `\`ssl_certificate /etc/letsencrypt/live/${host}/fullchain.pem;\` — check with \`openssl s_client -connect ${host}:${port} -servername ${host} </dev/null\``
      );
    case "timeout":
    case "refused":
    case "unreachable":
    case "reset":
      return (
        `Listen on ${port} for ${host} and let it through the firewall: nginx \`listen ${port} ssl; listen [::]:${port} ssl;\` in the server block ` +
        `for ${host}, \`ufw allow ${port}/tcp\` (and the router's port forward); check with \`curl -v https://${host}/.well-known/matrix/server\``
      );
    case "dns":
      return (
        `Make \`dig A ${host}\` return the web server's address: publish \`${host}. 3600 IN A <public IPv4>\` (and AAAA for IPv6), ` +
        "or repair the zone's name servers if the lookup fails (see dns-addresses)"
      );
    default:
      return `Make https://${host}/.well-known/matrix/server answer 200 with {"m.server": "${host}:443"} (your federation host:port) or 404; check with \`curl -v https://${host}/.well-known/matrix/server\``;
  }
}
