import { describe, expect, it } from "vitest";
import check from "../../checks/federation-discovery.js";
import { runCheck, testCheck } from "../support/check-tester.js";
import { discovery, endpointsOf, srv, srvDiscovery, srvLookup, target, DELEGATE, DELEGATE_V4, DELEGATE_V6, SERVER } from "./_fixtures-wellknown.js";

const ipLiteral = discovery({
  serverName: "203.0.113.7",
  step: "1",
  hostHeader: "203.0.113.7",
  tlsName: "203.0.113.7",
  sni: false,
  delegatedTo: undefined,
  targets: [target("203.0.113.7", 8448, ["203.0.113.7"], [])],
});
const ipLiteral6Targets = [target("2001:db8::7", 8448, [], ["2001:db8::7"])];
const srvRecord = srv("fed.example.org", 8448);
const step33Targets = [target("fed.example.org", 8448, [DELEGATE_V4], [], { srv: { ...srvRecord, service: "_matrix-fed._tcp" as const } })];

testCheck(check, {
  valid: [
    {
      name: "step 3.2: well-known with a port",
      facts: { discovery: discovery() },
      summary:
        /^step 3\.2: well-known delegates to matrix\.example\.org:443 → 203\.0\.113\.20:443, \[2001:db8::20\]:443 \(Host matrix\.example\.org:443, TLS name matrix\.example\.org\)$/,
      details: {
        step: "3.2",
        host: DELEGATE,
        port: 443,
        hostHeader: `${DELEGATE}:443`,
        tlsName: DELEGATE,
        addresses: [`${DELEGATE_V4}:443`, `[${DELEGATE_V6}]:443`],
        delegatedTo: `${DELEGATE}:443`,
      },
    },
    {
      name: "step 3.3: well-known without a port, then _matrix-fed SRV",
      facts: {
        discovery: discovery({
          step: "3.3",
          hostHeader: DELEGATE,
          delegatedTo: DELEGATE,
          srvService: "_matrix-fed._tcp",
          srvLookups: [srvLookup(`_matrix-fed._tcp.${DELEGATE}`, [srvRecord])],
          targets: step33Targets,
          endpoints: endpointsOf(step33Targets),
        }),
      },
      summary: /step 3\.3: well-known delegates to matrix\.example\.org, SRV _matrix-fed\._tcp\.matrix\.example\.org → fed\.example\.org:8448 → 203\.0\.113\.20:8448 \(Host matrix\.example\.org, TLS name matrix\.example\.org\)/,
      details: { host: "fed.example.org", port: 8448, hostHeader: DELEGATE, tlsName: DELEGATE, srvService: "_matrix-fed._tcp" },
    },
    {
      name: "step 3.5: well-known without a port, no SRV",
      facts: {
        discovery: discovery({
          step: "3.5",
          hostHeader: DELEGATE,
          delegatedTo: DELEGATE,
          targets: [target(DELEGATE, 8448, [DELEGATE_V4], [])],
          endpoints: endpointsOf([target(DELEGATE, 8448, [DELEGATE_V4], [])]),
        }),
      },
      summary: /step 3\.5: well-known delegates to matrix\.example\.org, no SRV, port 8448 → 203\.0\.113\.20:8448/,
      details: { host: DELEGATE, port: 8448 },
    },
    {
      name: "step 4: SRV, well-known ignored (404)",
      facts: { discovery: srvDiscovery() },
      summary: /^step 4: SRV _matrix-fed\._tcp\.example\.org → fed\.example\.org:8448 → 203\.0\.113\.20:8448 \(Host example\.org, TLS name example\.org\); the well-known was not used: 404$/,
      details: { step: "4", host: "fed.example.org", port: 8448, hostHeader: SERVER, tlsName: SERVER, srvService: "_matrix-fed._tcp" },
    },
    {
      name: "step 5: deprecated SRV",
      facts: { discovery: srvDiscovery({ step: "5", srvService: "_matrix._tcp", wellKnownIgnoredBecause: undefined }) },
      summary: /step 5: deprecated SRV _matrix\._tcp\.example\.org → fed\.example\.org:8448/,
    },
    {
      name: "step 6: plain port 8448",
      facts: {
        discovery: discovery({
          step: "6",
          hostHeader: SERVER,
          tlsName: SERVER,
          delegatedTo: undefined,
          wellKnownIgnoredBecause: "m.server is not a string",
          targets: [target(SERVER, 8448, ["203.0.113.10"], [])],
          endpoints: endpointsOf([target(SERVER, 8448, ["203.0.113.10"], [])]),
        }),
      },
      summary: /step 6: no well-known delegation, no SRV: example\.org port 8448 → 203\.0\.113\.10:8448.*well-known was not used: m\.server is not a string/,
      details: { host: SERVER, port: 8448, addresses: ["203.0.113.10:8448"] },
    },
    {
      name: "step 1: IP literal, no SNI",
      facts: { discovery: { ...ipLiteral, endpoints: endpointsOf(ipLiteral.targets) } },
      summary: /^step 1: IP literal 203\.0\.113\.7 → 203\.0\.113\.7:8448 \(Host 203\.0\.113\.7, TLS name 203\.0\.113\.7, no SNI\)$/,
      details: { host: "203.0.113.7", tlsName: "203.0.113.7" },
    },
    {
      name: "step 1: IPv6 literal addresses are bracketed",
      facts: {
        discovery: discovery({
          serverName: "[2001:db8::7]",
          step: "1",
          hostHeader: "[2001:db8::7]",
          tlsName: "2001:db8::7",
          sni: false,
          delegatedTo: undefined,
          targets: ipLiteral6Targets,
          endpoints: endpointsOf(ipLiteral6Targets),
        }),
      },
      details: { addresses: ["[2001:db8::7]:8448"] },
    },
    {
      name: "step 2: explicit port",
      facts: {
        discovery: discovery({
          serverName: `${SERVER}:8449`,
          step: "2",
          hostHeader: `${SERVER}:8449`,
          tlsName: SERVER,
          delegatedTo: undefined,
          targets: [target(SERVER, 8449, ["203.0.113.10"], [])],
          endpoints: endpointsOf([target(SERVER, 8449, ["203.0.113.10"], [])]),
        }),
      },
      summary: /step 2: explicit port in example\.org:8449 → 203\.0\.113\.10:8449 \(Host example\.org:8449/,
    },
  ],
  invalid: [
    {
      name: "SRV SERVFAIL stops discovery",
      facts: {
        discovery: discovery({
          step: undefined,
          failure: "SRV lookup for _matrix-fed._tcp.example.org failed: SERVFAIL",
          srvLookups: [srvLookup(`_matrix-fed._tcp.${SERVER}`, "servfail")],
          targets: [],
          endpoints: [],
        }),
      },
      summary: /discovery of example\.org failed: SRV lookup .* SERVFAIL/,
      fix: /dig \+trace SRV _matrix-fed\._tcp\.example\.org/,
      details: { step: null },
    },
    {
      name: "other failure gets a path to publish",
      facts: { discovery: discovery({ step: undefined, failure: "no usable target", targets: [], endpoints: [], delegatedTo: undefined }) },
      fix: /"m\.server": "example\.org:443".*example\.org\. 3600 IN A <public IPv4>/s,
    },
    {
      name: "step decided but the host has no addresses",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, "nxdomain", "nxdomain")], endpoints: [] }) },
      summary: /^step 3\.2: well-known delegates to matrix\.example\.org:443, but no A\/AAAA for matrix\.example\.org$/,
      fix: /matrix\.example\.org\. 3600 IN A <public IPv4>/,
      details: { step: "3.2", host: DELEGATE, addresses: [] },
    },
    {
      name: "no addresses because the lookups timed out",
      facts: { discovery: discovery({ targets: [target(DELEGATE, 443, "timeout", "timeout")], endpoints: [] }) },
      summary: /\(A matrix\.example\.org timeout, AAAA matrix\.example\.org timeout\)/,
    },
    {
      name: 'SRV target "." (service not available)',
      facts: {
        discovery: srvDiscovery({
          step: undefined,
          srvService: undefined,
          failure: '_matrix-fed._tcp.example.org SRV says the service is not available (target ".")',
          srvLookups: [srvLookup(`_matrix-fed._tcp.${SERVER}`, [srv(".", 0)])],
          targets: [],
          endpoints: [],
        }),
      },
      summary: /not available.*\(the well-known was not used: 404\)/,
      fix: /_matrix-fed\._tcp\.example\.org\. 3600 IN SRV 10 0 8448 example\.org\./,
    },
    {
      name: "neither a step nor a failure",
      facts: { discovery: discovery({ step: undefined, targets: [], endpoints: [] }) },
      summary: /no resolution step decided/,
    },
  ],
});

describe("federation-discovery details contract", () => {
  it("has exactly the documented keys", () => {
    const out = runCheck(check, { discovery: discovery() });
    expect(Object.keys(out.details ?? {}).sort()).toEqual(
      ["addresses", "delegatedTo", "host", "hostHeader", "port", "step", "tlsName"].sort(),
    );
  });
  it("adds srvService only when present and survives JSON", () => {
    const out = runCheck(check, { discovery: srvDiscovery() });
    expect(Object.keys(out.details ?? {}).sort()).toEqual(["addresses", "host", "hostHeader", "port", "srvService", "step", "tlsName"]);
    expect(JSON.parse(JSON.stringify(out.details))).toEqual(out.details);
  });
});
