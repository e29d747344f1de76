import check from "../../checks/dns-server-name.js";
import { testCheck } from "../support/check-tester.js";
import { serverNameFact } from "./_fixtures-wellknown.js";

const longName = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.org`;

testCheck(check, {
  valid: [
    {
      name: "plain DNS name",
      facts: { serverName: serverNameFact("example.org") },
      summary: /example\.org is a valid server name.*no explicit port/,
      details: { host: "example.org", kind: "dns", port: null },
    },
    {
      name: "DNS name with an explicit port",
      facts: { serverName: serverNameFact("matrix.example.org:8448") },
      summary: /explicit port 8448/,
      details: { host: "matrix.example.org", port: 8448 },
    },
    {
      name: "hyphens and digits",
      facts: { serverName: serverNameFact("my-server-2.example.org") },
    },
    {
      name: "exactly 230 characters is still fine",
      facts: { serverName: serverNameFact(`${"a".repeat(218)}.example.org`) },
    },
  ],
  invalid: [
    {
      name: "invalid grammar with a scheme and path: suggests the bare name",
      facts: {
        serverName: serverNameFact("https://example.org/", { valid: false, invalidReason: "contains a scheme" }),
      },
      summary: /not a valid server name: contains a scheme/,
      fix: /matrix-doctor example\.org$/,
    },
    {
      name: "a user ID instead of a server name",
      facts: { serverName: serverNameFact("@alice:example.org", { valid: false, invalidReason: "bad character @" }) },
      fix: /matrix-doctor example\.org/,
    },
    {
      name: "invalid grammar with no obvious correction",
      facts: { serverName: serverNameFact("exa mple_org", { valid: false, invalidReason: "bad character" }) },
      fix: /server_name/,
      details: { raw: "exa mple_org" },
    },
    {
      name: "IPv4 literal",
      facts: { serverName: serverNameFact("203.0.113.7") },
      status: "warn",
      summary: /IP literal.*no SNI/,
      fix: /openssl s_client -connect 203\.0\.113\.7:8448.*subjectAltName/,
      details: { kind: "ipv4" },
    },
    {
      name: "IPv6 literal with a port",
      facts: { serverName: serverNameFact("[2001:db8::7]:8449") },
      status: "warn",
      fix: /AAAA 2001:db8::7.*-connect \[2001:db8::7\]:8449/s,
      details: { kind: "ipv6", port: 8449 },
    },
    {
      name: "upper-case letters",
      facts: { serverName: serverNameFact("Example.org") },
      status: "warn",
      summary: /upper-case/,
      fix: /server_name: "example\.org"/,
    },
    {
      name: "longer than 230 characters",
      facts: { serverName: serverNameFact(longName) },
      status: "warn",
      summary: /is 255 characters long/,
      fix: /shorter server_name/,
    },
    {
      name: "upper case and too long together",
      facts: { serverName: serverNameFact(longName.toUpperCase()) },
      status: "warn",
      summary: /upper-case.*characters long/,
    },
  ],
});
