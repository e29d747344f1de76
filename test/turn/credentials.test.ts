import { describe, expect, it } from "vitest";
import { Secret } from "../../src/engine/secret.js";
import { longTermKey, mintCredentials, parseLifetime, parseRestUsername } from "../../src/turn/credentials.js";
import { parseTurnUri } from "../../src/turn/uri.js";

describe("TURN REST credentials", () => {
  it("match `echo -n $u | openssl dgst -hmac $secret -sha1 -binary | base64` (Synapse docs/turn-howto.md)", () => {
    // Expected values computed with the openssl command line and Python's hashlib.md5.
    const creds = mintCredentials(new Secret("s3cr3t"), "@alice:example.org", 1_700_000_000_999);
    expect(creds.username).toBe("1700000000:@alice:example.org");
    expect(creds.password.reveal()).toBe("/47Hr0ajIe2jPBRH3YAntwss12Y=");
    expect(creds.expiresAtMs).toBe(1_700_000_000_000);
    expect(JSON.stringify(creds)).not.toContain("/47Hr0");
    expect(longTermKey(creds.username, "turn.example.org", creds.password).toString("hex")).toBe("9c07ed72a5b0692710f88bc461d372d0");
  });

  it("parses REST usernames", () => {
    expect(parseRestUsername("1700000000:@alice:example.org")).toEqual({ expiresAtMs: 1_700_000_000_000, userId: "@alice:example.org" });
    expect(parseRestUsername("static-user")).toBeUndefined();
  });

  it("parses lifetimes as Dendrite (Go durations) and Synapse do", () => {
    expect(parseLifetime("5m", "dendrite")).toBe(300_000);
    expect(parseLifetime("1h30m", "dendrite")).toBe(5_400_000);
    expect(parseLifetime("1d", "dendrite")).toBeUndefined();
    expect(parseLifetime("1d", "synapse")).toBe(86_400_000);
    expect(parseLifetime("3600000", "synapse")).toBe(3_600_000);
    expect(parseLifetime(86_400_000)).toBe(86_400_000);
    expect(parseLifetime("soon")).toBeUndefined();
  });
});

describe("TURN URIs (RFC 7065)", () => {
  it("applies the defaults", () => {
    expect(parseTurnUri("turn:turn.example.org")).toMatchObject({ valid: true, host: "turn.example.org", port: 3478, transport: "udp" });
    expect(parseTurnUri("turn:turn.example.org?transport=tcp")).toMatchObject({ port: 3478, transport: "tcp" });
    expect(parseTurnUri("turns:turn.example.org")).toMatchObject({ port: 5349, transport: "tls" });
    expect(parseTurnUri("turns:turn.example.org:443?transport=tcp")).toMatchObject({ port: 443, transport: "tls" });
    expect(parseTurnUri("turn:[2001:db8::1]:3479")).toMatchObject({ host: "2001:db8::1", port: 3479, hostIsIp: true });
    expect(parseTurnUri("turn:192.0.2.1")).toMatchObject({ host: "192.0.2.1", hostIsIp: true });
  });

  it("rejects what clients cannot use", () => {
    expect(parseTurnUri("stun:stun.example.org").valid).toBe(false);
    expect(parseTurnUri("turn://turn.example.org").invalidReason).toMatch(/no \/\//);
    expect(parseTurnUri("turn:turn.example.org?transport=sctp").valid).toBe(false);
    expect(parseTurnUri("turn:turn.example.org:99999").valid).toBe(false);
    expect(parseTurnUri("turns:turn.example.org?transport=udp").invalidReason).toMatch(/DTLS/);
    expect(parseTurnUri("turn:2001:db8::1").invalidReason).toMatch(/brackets/);
    expect(parseTurnUri("turn.example.org:3478").valid).toBe(false);
  });
});
