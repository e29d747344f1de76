import check from "../../checks/turn-tls.js";
import type { TlsHandshakeFact } from "../../src/engine/facts.js";
import type { TurnFact } from "../../src/engine/facts/turn.js";
import { testCheck } from "../support/check-tester.js";
import { at, DAY, turnFact } from "../fixtures/turn/fixtures.js";

const healthy = turnFact("healthy");

function withHandshake(edit: (h: TlsHandshakeFact, f: TurnFact) => void): TurnFact {
  return turnFact("healthy", (f) => edit(f.endpoints.find((e) => e.transport === "tls")!.tls!.handshake, f));
}

testCheck(check, {
  valid: [
    { name: "recorded: the rig's certificate for *.example.test", facts: { turn: healthy }, ctx: at(healthy), summary: /trusted certificate for turn.example.test on 1 turns: endpoint\(s\), valid for 36\d more days/ },
    { name: "exactly 14 days left", facts: { turn: withHandshake((h, f) => { h.chain![0]!.notAfterMs = f.probedAtMs + 14 * DAY; }) }, ctx: at(healthy) },
    { name: "no turns: URI", facts: { turn: turnFact("wrong-secret") }, status: "skip", summary: /no turns: URI/ },
  ],
  invalid: [
    { name: "expires in 5 days", facts: { turn: withHandshake((h, f) => { h.chain![0]!.notAfterMs = f.probedAtMs + 5 * DAY; }) }, ctx: at(healthy), status: "warn", summary: /expires in 5 days/, fix: /certbot renew --deploy-hook "systemctl restart coturn"/ },
    { name: "expired", facts: { turn: withHandshake((h, f) => { h.chain![0]!.notAfterMs = f.probedAtMs - DAY; h.chain![0]!.validTo = "2026-11-25T00:00:00.000Z"; }) }, ctx: at(healthy), summary: /expired on 2026-11-25/ },
    {
      name: "missing intermediate",
      facts: { turn: withHandshake((h) => { h.chainTrusted = false; h.diagnosis = "missing-intermediate"; h.verifyError = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"; }) },
      ctx: at(healthy),
      summary: /not trusted \(missing-intermediate, UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
      fix: /fullchain.pem` \(not cert.pem\)/,
    },
    {
      name: "certificate for another name",
      facts: { turn: withHandshake((h) => { h.nameMatches = false; h.nameError = "Hostname/IP does not match certificate's altnames: Host: turn.example.test. is not in the cert's altnames: DNS:matrix.example.test"; }) },
      ctx: at(healthy),
      summary: /does not cover turn.example.test/,
      fix: /certbot certonly --standalone -d turn.example.test/,
    },
    { name: "handshake failed", facts: { turn: withHandshake((h) => { h.ok = false; h.error = { code: "reset", message: "socket hang up" }; delete h.chain; }) }, ctx: at(healthy), summary: /TLS handshake with turns:turn.example.test:5349\?transport=tcp \(127.0.0.3\) failed: socket hang up/ },
  ],
});
