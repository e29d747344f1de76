import check from "../../checks/turn-dns.js";
import type { DnsLookup } from "../../src/engine/facts.js";
import { testCheck } from "../support/check-tester.js";
import { at, turnFact } from "../fixtures/turn/fixtures.js";

const healthy = turnFact("healthy");
const lookup = (name: string, type: "A" | "AAAA", status: DnsLookup["status"], values?: string[]): DnsLookup => ({ name, type, status, ...(values && { values }), durationMs: 1 });

testCheck(check, {
  valid: [
    { name: "recorded: turn.example.test has an A record", facts: { turn: healthy }, ctx: at(healthy), summary: /^turn.example.test → 127.0.0.3$/ },
    { name: "recorded: IP literal URIs", facts: { turn: turnFact("down") }, summary: /name IP addresses \(127.0.0.3\); nothing to resolve/ },
    {
      name: "AAAA present and answering: a note",
      facts: { turn: turnFact("healthy", (f) => { f.dns[0]!.aaaa = lookup("turn.example.test", "AAAA", "ok", ["2001:db8::3"]); }) },
      summary: /note: turn.example.test also has AAAA 2001:db8::3/,
    },
    { name: "no valid URI", facts: { turn: turnFact("healthy", (f) => { f.uris = []; f.dns = []; }) }, status: "skip" },
  ],
  invalid: [
    {
      name: "NXDOMAIN",
      facts: { turn: turnFact("healthy", (f) => { f.dns[0] = { host: "turn.example.test", a: lookup("turn.example.test", "A", "nxdomain"), aaaa: lookup("turn.example.test", "AAAA", "nxdomain") }; }) },
      summary: /turn.example.test does not resolve \(NXDOMAIN\)/,
      fix: /turn.example.test. 3600 IN A/,
    },
    {
      name: "SERVFAIL",
      facts: { turn: turnFact("healthy", (f) => { f.dns[0] = { host: "turn.example.test", a: lookup("turn.example.test", "A", "servfail"), aaaa: lookup("turn.example.test", "AAAA", "servfail") }; }) },
      summary: /does not resolve \(A servfail, AAAA servfail\)/,
    },
    {
      name: "AAAA present but the TURN server does not answer on IPv6",
      facts: {
        turn: turnFact("healthy", (f) => {
          f.dns[0]!.aaaa = lookup("turn.example.test", "AAAA", "ok", ["2001:db8::3"]);
          f.endpoints.push({ ...f.endpoints[0]!, address: "2001:db8::3", family: 6, binding: { ok: false, error: { code: "timeout", message: "timed out" }, transmissions: 4, durationMs: 3000 }, allocations: [] });
        }),
      },
      status: "warn",
      summary: /has AAAA 2001:db8::3 but the TURN server does not answer there/,
      fix: /listening-ip=2001:db8::3/,
    },
    {
      name: "A answers, AAAA lookup times out",
      facts: { turn: turnFact("healthy", (f) => { f.dns[0]!.aaaa = lookup("turn.example.test", "AAAA", "timeout"); }) },
      status: "warn",
      summary: /AAAA lookup timeout/,
    },
  ],
});
