import { describe, expect, it } from "vitest";
import {
  NET_ERROR_WORDS,
  curlTarget,
  describeNetError,
  exchangeEndpoint,
  federationEndpoint,
  handshakeEndpoint,
  hostnameOfUrl,
  hostOfServerName,
  hostOfUrl,
  isJsonObject,
  nginxMatrixLocationBlock,
  nginxMatrixRegexLocation,
} from "../../src/engine/describe.js";
import type { HttpExchange, TlsHandshakeFact } from "../../src/engine/facts.js";
import { CLIENT_ORIGIN } from "../../src/matrix/client-origin.js";

const exchange = (over: Partial<HttpExchange>): HttpExchange => ({
  method: "GET",
  url: "https://example.org/_matrix/client/versions",
  port: 443,
  hostHeader: "example.org",
  durationMs: 5,
  ...over,
});

const handshake = (over: Partial<TlsHandshakeFact>): TlsHandshakeFact => ({
  listener: "federation",
  address: "192.0.2.1",
  port: 8448,
  expectedName: "example.org",
  ok: true,
  durationMs: 5,
  ...over,
});

describe("describeNetError", () => {
  it("puts the class in words before the message", () => {
    expect(describeNetError({ code: "refused", message: "connect ECONNREFUSED 192.0.2.1:443" })).toBe(
      "connection refused (connect ECONNREFUSED 192.0.2.1:443)",
    );
    expect(describeNetError({ code: "aborted", message: "deadline" })).toBe("aborted at the run deadline (deadline)");
  });

  it("has words for every error class", () => {
    expect(Object.keys(NET_ERROR_WORDS).sort()).toEqual(
      ["aborted", "dns", "other", "protocol", "refused", "reset", "timeout", "tls", "too-large", "unreachable"],
    );
  });
});

describe("hosts", () => {
  it("hostOfUrl keeps the port, hostnameOfUrl drops it, both return a non-URL unchanged", () => {
    const table: [url: string, host: string, hostname: string][] = [
      ["https://example.org:8448/x", "example.org:8448", "example.org"],
      ["https://[2001:db8::1]:8448/", "[2001:db8::1]:8448", "[2001:db8::1]"],
      ["not a url", "not a url", "not a url"],
    ];
    for (const [url, host, hostname] of table) expect([hostOfUrl(url), hostnameOfUrl(url)]).toEqual([host, hostname]);
  });

  it("hostOfServerName drops the port and IPv6 brackets", () => {
    const table = { "example.org": "example.org", "example.org:8448": "example.org", "[2001:db8::1]:8448": "2001:db8::1", "[2001:db8::1]": "2001:db8::1" };
    for (const [serverName, host] of Object.entries(table)) expect(hostOfServerName(serverName)).toBe(host);
  });
});

describe("endpoints", () => {
  it("exchangeEndpoint names the address connected to, IPv6 in brackets", () => {
    expect(exchangeEndpoint(exchange({ address: "192.0.2.1" }))).toBe("192.0.2.1:443");
    expect(exchangeEndpoint(exchange({ address: "2001:db8::1" }))).toBe("[2001:db8::1]:443");
  });

  it("exchangeEndpoint falls back on the URL's host without its port", () => {
    expect(exchangeEndpoint(exchange({ url: "https://matrix.example.org:8443/x", port: 8443 }))).toBe("matrix.example.org:8443");
    expect(exchangeEndpoint(exchange({ url: "https://[2001:db8::1]:8443/x", port: 8443 }))).toBe("[2001:db8::1]:8443");
  });

  it("the URL host with its port stripped is the hostname, for every URL a probe records", () => {
    for (const url of ["https://example.org/", "https://example.org:8448/a", "https://[2001:db8::1]/", "https://[::1]:443/", "http://192.0.2.1:80/"]) {
      expect(hostOfUrl(url).replace(/:\d+$/, "")).toBe(hostnameOfUrl(url));
    }
  });

  it("federationEndpoint labels the federation address, or the Host header's name", () => {
    expect(federationEndpoint(exchange({ address: "2001:db8::1", port: 8448 }))).toBe("federation [2001:db8::1]:8448");
    expect(federationEndpoint(exchange({ hostHeader: "example.org:8448", port: 8448 }))).toBe("federation example.org:8448");
  });

  it("handshakeEndpoint labels the listener and address", () => {
    expect(handshakeEndpoint(handshake({}))).toBe("federation 192.0.2.1:8448");
    expect(handshakeEndpoint(handshake({ listener: "client", address: "2001:db8::1", port: 443 }))).toBe("client [2001:db8::1]:443");
  });

  it("curlTarget resolves the SNI name to the address connected to", () => {
    expect(curlTarget(exchange({ servername: "example.org", address: "2001:db8::1", port: 8448 }))).toEqual({
      host: "example.org",
      resolve: " --resolve example.org:8448:[2001:db8::1]",
    });
    expect(curlTarget(exchange({ hostHeader: "192.0.2.1:8448", address: "192.0.2.1", port: 8448 }))).toEqual({ host: "192.0.2.1", resolve: "" });
    expect(curlTarget(exchange({ hostHeader: "example.org" }))).toEqual({ host: "example.org", resolve: "" });
  });
});

describe("isJsonObject", () => {
  it("accepts objects only", () => {
    expect(isJsonObject({ a: 1 })).toBe(true);
    expect(isJsonObject({})).toBe(true);
    for (const value of [null, [], "x", 1, true, undefined]) expect(isJsonObject(value)).toBe(false);
  });
});

describe("nginx snippets", () => {
  it("the regex location routes /_matrix and /_synapse/client to the upstream", () => {
    const line = nginxMatrixRegexLocation("http://127.0.0.1:8008");
    expect(line).toBe(
      "location ~* ^(\\/_matrix|\\/_synapse\\/client) { proxy_pass http://127.0.0.1:8008; proxy_set_header X-Forwarded-For $remote_addr; " +
        "proxy_set_header X-Forwarded-Proto $scheme; proxy_set_header Host $host; client_max_body_size 50M; proxy_http_version 1.1; }",
    );
    expect(nginxMatrixRegexLocation("http://10.0.0.2:8008")).toContain("proxy_pass http://10.0.0.2:8008;");
  });

  it("the location block is Synapse's reverse-proxy example", () => {
    expect(nginxMatrixLocationBlock("http://127.0.0.1:8008")).toBe(
      "location /_matrix {\n    proxy_pass http://127.0.0.1:8008;\n    proxy_set_header X-Forwarded-For $remote_addr;\n" +
        "    proxy_set_header X-Forwarded-Proto $scheme;\n    proxy_set_header Host $host;\n    client_max_body_size 50M;\n}",
    );
  });
});

describe("CLIENT_ORIGIN", () => {
  it("is the Origin the client probe sends", () => {
    expect(CLIENT_ORIGIN).toBe("https://app.element.io");
  });
});
