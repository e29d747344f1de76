import { describe, expect, it } from "vitest";
import check from "../../checks/dns-addresses.js";
import { classifyAddress } from "../../src/net/address-class.js";
import { testCheck } from "../support/check-tester.js";
import {
  clientWellKnown,
  discovery,
  hostAddresses,
  srvDiscovery,
  target,
  wellKnown,
  DELEGATE,
  DELEGATE_V4,
  DELEGATE_V6,
  SERVER,
} from "./_fixtures-wellknown.js";

const withWellKnownAddresses = (v4: Parameters<typeof hostAddresses>[1], v6: Parameters<typeof hostAddresses>[2]) => ({
  ...wellKnown(),
  addresses: hostAddresses(SERVER, v4, v6),
});
const privateTarget = discovery({ targets: [target(DELEGATE, 443, ["192.168.1.20"], [])] });

testCheck(check, {
  valid: [
    {
      name: "well-known host and delegated host, dual stack",
      facts: { discovery: discovery(), wellKnownServer: wellKnown() },
      summary: /example\.org A 203\.0\.113\.10, AAAA 2001:db8::10; matrix\.example\.org A 203\.0\.113\.20, AAAA 2001:db8::20/,
      details: { hosts: [{ host: SERVER, roles: ["well-known"] }, { host: DELEGATE, roles: ["federation"], ipv4: [DELEGATE_V4], ipv6: [DELEGATE_V6] }] },
    },
    {
      name: "only IPv4 is information, not a problem",
      facts: { discovery: srvDiscovery() },
      summary: /fed\.example\.org IPv4 only \(A 203\.0\.113\.20\)/,
    },
    {
      name: "only IPv6",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, "nodata", [DELEGATE_V6])] }) },
      summary: /IPv6 only/,
    },
    {
      name: "the same host in several roles is listed once",
      facts: {
        discovery: discovery({ step: "6", targets: [target(SERVER, 8448, ["203.0.113.10"], [])] }),
        wellKnownServer: withWellKnownAddresses(["203.0.113.10"], []),
        clientWellKnown: clientWellKnown("https://example.org"),
      },
      details: { hosts: [{ host: SERVER, roles: ["well-known", "federation", "client base_url"] }] },
    },
    {
      name: "client base_url host on another name that this run did not resolve",
      facts: { discovery: discovery(), clientWellKnown: clientWellKnown("https://chat.example.org/") },
      summary: /chat\.example\.org \(client base_url\): not resolved by this run/,
    },
    {
      name: "private addresses accepted with --allow-private-addresses",
      facts: { discovery: privateTarget },
      ctx: { allowPrivateAddresses: true },
      summary: /non-public addresses accepted.*192\.168\.1\.20 \(private\)/,
    },
    {
      name: "IP-literal target needs no DNS",
      facts: {
        discovery: discovery({
          step: "1",
          serverName: "203.0.113.7",
          targets: [target("203.0.113.7", 8448, ["203.0.113.7"], [])],
        }),
      },
      summary: /no host names to resolve/,
    },
  ],
  invalid: [
    {
      name: "delegated host has no A/AAAA",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, "nodata", "nodata")], endpoints: [] }) },
      summary: /matrix\.example\.org \(federation\) has no A or AAAA records/,
      fix: /matrix\.example\.org\. 3600 IN A <public IPv4>/,
    },
    {
      name: "delegated host does not exist",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, "nxdomain", "nxdomain")], endpoints: [] }) },
      summary: /does not exist \(NXDOMAIN\)/,
    },
    {
      name: "A lookup timed out",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, "timeout", [DELEGATE_V6])] }) },
      summary: /A lookup for matrix\.example\.org timed out/,
      fix: /dig \+trace A matrix\.example\.org/,
    },
    {
      name: "AAAA SERVFAIL on the well-known host",
      facts: { discovery: discovery(), wellKnownServer: withWellKnownAddresses(["203.0.113.10"], "servfail") },
      summary: /AAAA lookup for example\.org SERVFAIL/,
    },
    {
      name: "server name without addresses while SRV delegates: warn",
      facts: { discovery: srvDiscovery(), wellKnownServer: withWellKnownAddresses("nodata", "nodata") },
      status: "warn",
      summary: /example\.org \(well-known\) has no A or AAAA records: no well-known can be served/,
      fix: /example\.org\. 3600 IN A/,
    },
    {
      name: "private (RFC 1918) address",
      facts: { discovery: privateTarget },
      status: "warn",
      summary: /matrix\.example\.org → 192\.168\.1\.20 \(private\).*cannot reach/,
      fix: /--allow-private-addresses/,
      details: { nonPublic: [{ host: DELEGATE, address: "192.168.1.20", class: "private" }] },
    },
    {
      name: "loopback AAAA on the well-known host",
      facts: { discovery: discovery(), wellKnownServer: withWellKnownAddresses(["203.0.113.10"], ["::1"]) },
      status: "warn",
      summary: /example\.org → ::1 \(loopback\)/,
      fix: /IN A <public address>|IN AAAA <public address>/,
    },
    {
      name: "several non-public addresses of one host are grouped",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, ["10.0.0.1"], ["fd00::1"])] }) },
      status: "warn",
      summary: /matrix\.example\.org → 10\.0\.0\.1 \(private\), fd00::1 \(unique-local\);/,
    },
    {
      name: "CGNAT address",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, ["100.72.1.2"], [])] }) },
      status: "warn",
      summary: /cgnat/,
    },
    {
      name: "IP-literal target in a private range",
      facts: {
        discovery: discovery({ step: "1", serverName: "10.0.0.5", targets: [target("10.0.0.5", 8448, ["10.0.0.5"], [])] }),
      },
      status: "warn",
      summary: /10\.0\.0\.5 \(private\)/,
    },
    {
      name: "a missing host and a private one: fail wins, both reported",
      facts: {
        discovery: discovery({
          targets: [target(DELEGATE, 443, ["10.1.2.3"], []), target("backup.example.org", 443, "nxdomain", "nxdomain")],
        }),
      },
      status: "fail",
      summary: /backup\.example\.org.*NXDOMAIN.*10\.1\.2\.3/,
    },
  ],
});

describe("classifyAddress", () => {
  it.each([
    ["203.0.113.10", "public"],
    ["8.8.8.8", "public"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.0.1", "private"],
    ["127.0.0.2", "loopback"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.254", "cgnat"],
    ["100.128.0.1", "public"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["2001:db8::1", "public"],
    ["::ffff:192.168.1.1", "private"],
    ["::ffff:c000:0201", "public"],
    ["::ffff:7f00:1", "loopback"],
  ])("%s is %s", (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it("returns undefined for host names", () => {
    expect(classifyAddress("example.org")).toBeUndefined();
  });
});
