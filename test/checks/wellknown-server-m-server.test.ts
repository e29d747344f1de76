import check from "../../checks/wellknown-server-m-server.js";
import { testCheck } from "../support/check-tester.js";
import { jsonResponse, response, wellKnown } from "./_fixtures-wellknown.js";

const mServer = (value: string) => ({ wellKnownServer: wellKnown(jsonResponse({ "m.server": value })) });

testCheck(check, {
  valid: [
    {
      name: "host with port",
      facts: mServer("matrix.example.org:443"),
      summary: /peers connect to matrix\.example\.org port 443/,
      details: { host: "matrix.example.org", port: 443, kind: "dns" },
    },
    {
      name: "host without port: SRV then 8448",
      facts: mServer("matrix.example.org"),
      summary: /SRV then :8448 will be used/,
      details: { port: null },
    },
    {
      name: "delegates to itself",
      facts: mServer("example.org"),
      summary: /delegates to itself \(allowed, unnecessary\)/,
    },
    {
      name: "delegates to its own host on another port",
      facts: mServer("example.org:443"),
      summary: /its own host on port 443/,
    },
    {
      name: "loopback allowed for a test federation",
      facts: mServer("127.0.0.1:8448"),
      ctx: { allowPrivateAddresses: true },
      status: "warn",
      summary: /IP literal/,
    },
    {
      name: "localhost allowed with --allow-private-addresses",
      facts: mServer("localhost:8448"),
      ctx: { allowPrivateAddresses: true },
    },
    { name: "skipped without valid JSON", facts: { wellKnownServer: wellKnown(response(200, "nope")) }, status: "skip", summary: /wellknown-server-json/ },
    { name: "skipped on 404", facts: { wellKnownServer: wellKnown(response(404)) }, status: "skip" },
  ],
  invalid: [
    {
      name: "https:// scheme and trailing slash",
      facts: mServer("https://matrix.example.org/"),
      summary: /m\.server "https:\/\/matrix\.example\.org\/" is not a valid server name: it has a URL scheme.*peers ignore the delegation/,
      fix: /Use "matrix\.example\.org".*add :443.*return 200 '\{"m\.server": "matrix\.example\.org"\}'/s,
      details: { corrected: "matrix.example.org" },
    },
    {
      name: "scheme with port",
      facts: mServer("https://matrix.example.org:443"),
      fix: /Use "matrix\.example\.org:443" \(host\[:port\], no scheme, path or slash\)/,
    },
    {
      name: "path",
      facts: mServer("matrix.example.org:8448/_matrix"),
      summary: /contains '\/'/,
      details: { corrected: "matrix.example.org:8448" },
    },
    {
      name: "port out of range",
      facts: mServer("matrix.example.org:70000"),
      summary: /port 70000 is outside 1-65535/,
      fix: /example\.org:8448/,
    },
    {
      name: "unbracketed IPv6 literal",
      facts: mServer("2001:db8::5"),
      summary: /must be written in brackets/,
      details: { corrected: "[2001:db8::5]" },
    },
    {
      name: "underscore in the host",
      facts: mServer("matrix_server.example.org"),
      summary: /contains the character '_'/,
    },
    {
      name: "localhost",
      facts: mServer("localhost:8448"),
      summary: /points at localhost/,
      fix: /"m\.server": "example\.org:443".*--allow-private-addresses/s,
    },
    {
      name: "private IPv4 literal",
      facts: mServer("192.168.1.5:8448"),
      summary: /a private address/,
      details: { addressClass: "private" },
    },
    {
      name: "unique-local IPv6 literal",
      facts: mServer("[fd00::5]:8448"),
      summary: /unique-local/,
    },
    {
      name: "public IP literal",
      facts: mServer("203.0.113.5:8448"),
      status: "warn",
      summary: /IP literal.*valid for 203\.0\.113\.5/,
      fix: /IN A 203\.0\.113\.5/,
    },
    {
      name: "leading whitespace",
      facts: mServer(" matrix.example.org:443"),
      details: { corrected: "matrix.example.org:443" },
    },
  ],
});
