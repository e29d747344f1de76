import check from "../../checks/dns-srv.js";
import { testCheck } from "../support/check-tester.js";
import { discovery, lookup, srv, srvDiscovery, srvLookup, target, DELEGATE_V4, SERVER } from "./_fixtures-wellknown.js";

const FED = `_matrix-fed._tcp.${SERVER}`;
const LEGACY = `_matrix._tcp.${SERVER}`;
const legacyRecord = srv("fed.example.org", 8448, 10, 5);
const legacyDiscovery = srvDiscovery({
  step: "5",
  srvService: "_matrix._tcp",
  srvLookups: [srvLookup(FED, "nxdomain"), srvLookup(LEGACY, [legacyRecord])],
  targets: [target("fed.example.org", 8448, [DELEGATE_V4], [], { srv: { ...legacyRecord, service: "_matrix._tcp" } })],
});
const cnameTarget = target("fed.example.org", 8448, [DELEGATE_V4], [], {
  srv: { ...srv("fed.example.org", 8448), service: "_matrix-fed._tcp" },
  targetIsCname: true,
});

testCheck(check, {
  valid: [
    {
      name: "explicit port in the delegation: no SRV lookups at all",
      facts: { discovery: discovery() },
      summary: /no SRV records looked up/,
    },
    {
      name: "both services NXDOMAIN",
      facts: {
        discovery: discovery({
          step: "6",
          srvLookups: [srvLookup(FED, "nxdomain"), srvLookup(LEGACY, "nxdomain")],
        }),
      },
      summary: /^no SRV records; not needed$/,
    },
    {
      name: "NODATA counts as not found",
      facts: { discovery: discovery({ step: "3.5", srvLookups: [srvLookup(FED, "nodata"), srvLookup(LEGACY, [])] }) },
      summary: /not needed/,
    },
    {
      name: "_matrix-fed._tcp record used",
      facts: { discovery: srvDiscovery() },
      summary: /_matrix-fed\._tcp\.example\.org → fed\.example\.org:8448/,
      details: { srvService: "_matrix-fed._tcp" },
    },
    {
      name: "SRV on the server name ignored because the well-known delegates",
      facts: {
        discovery: discovery({ ignoredSrv: [srvLookup(FED, [srv("old.example.org", 8448)])] }),
      },
      summary: /SRV on example\.org \(_matrix-fed\._tcp\.example\.org\) is ignored because the well-known delegates to matrix\.example\.org:443/,
      details: { ignored: [{ name: FED, records: ["old.example.org:8448 (priority 10, weight 5)"] }] },
    },
    {
      name: "ignored SRV lookups without records are not mentioned",
      facts: { discovery: discovery({ ignoredSrv: [srvLookup(FED, "nxdomain")] }) },
      summary: /no SRV records/,
    },
    {
      name: "a failed lookup of an ignored SRV does not matter",
      facts: { discovery: discovery({ ignoredSrv: [srvLookup(FED, "servfail")] }) },
    },
  ],
  invalid: [
    {
      name: "deprecated _matrix._tcp decided",
      facts: { discovery: legacyDiscovery },
      status: "warn",
      summary: /deprecated SRV service _matrix\._tcp\.example\.org/,
      fix: /^_matrix-fed\._tcp\.example\.org\. 3600 IN SRV 10 5 8448 fed\.example\.org\.$/m,
    },
    {
      name: "deprecated service known only from the targets",
      facts: { discovery: { ...legacyDiscovery, srvLookups: [] } },
      status: "warn",
      fix: /_matrix-fed\._tcp\.example\.org\. 3600 IN SRV 10 5 8448 fed\.example\.org\./,
    },
    {
      name: "SRV target is a CNAME with its canonical name recorded",
      facts: {
        discovery: srvDiscovery({
          targets: [{ ...cnameTarget, cname: "host.provider.net" }],
          srvLookups: [srvLookup(FED, [srv("fed.example.org", 8448)])],
        }),
      },
      summary: /SRV target fed\.example\.org \(from _matrix-fed\._tcp\.example\.org\) is a CNAME to host\.provider\.net.*RFC 2782/,
      fix: /_matrix-fed\._tcp\.example\.org\. 3600 IN SRV 10 5 8448 host\.provider\.net\./,
    },
    {
      name: "SRV target is a CNAME, canonical name unknown",
      facts: { discovery: srvDiscovery({ targets: [cnameTarget] }) },
      summary: /is a CNAME, which RFC 2782 forbids/,
      fix: /dig CNAME fed\.example\.org/,
    },
    {
      name: "SERVFAIL on _matrix-fed._tcp",
      facts: {
        discovery: discovery({
          step: undefined,
          failure: "SRV lookup failed",
          srvLookups: [srvLookup(FED, "servfail")],
          targets: [],
          endpoints: [],
        }),
      },
      summary: /SRV lookup _matrix-fed\._tcp\.example\.org failed with SERVFAIL.*peers cannot federate/,
      fix: /dig \+trace SRV _matrix-fed\._tcp\.example\.org/,
    },
    {
      name: "timeout on the legacy lookup after _matrix-fed was not found",
      facts: {
        discovery: discovery({ step: undefined, srvLookups: [srvLookup(FED, "nxdomain"), srvLookup(LEGACY, "timeout")], targets: [], endpoints: [] }),
      },
      summary: /_matrix\._tcp\.example\.org timed out/,
    },
    {
      name: "REFUSED",
      facts: { discovery: discovery({ srvLookups: [srvLookup(`_matrix-fed._tcp.matrix.example.org`, "refused")] }) },
      summary: /was REFUSED/,
      fix: /name servers for matrix\.example\.org/,
    },
    {
      name: 'target "." means service not available',
      facts: { discovery: discovery({ step: "6", srvLookups: [srvLookup(FED, [srv(".", 0)])] }) },
      status: "warn",
      summary: /service explicitly not available/,
      fix: /SRV 10 0 8448 example\.org\./,
    },
    {
      name: "legacy service and a CNAME target together: the worst wins",
      facts: {
        discovery: {
          ...legacyDiscovery,
          targets: [{ ...cnameTarget, srv: { ...legacyRecord, service: "_matrix._tcp" as const } }],
        },
      },
      status: "fail",
      summary: /CNAME.*deprecated/,
    },
  ],
});
