import check from "../../checks/turn-reachable.js";
import { testCheck } from "../support/check-tester.js";
import { at, turnFact } from "../fixtures/turn/fixtures.js";

const healthy = turnFact("healthy");

testCheck(check, {
  valid: [
    { name: "recorded: UDP, TCP and TLS answer", facts: { turn: healthy }, ctx: at(healthy), summary: /answered on 3 endpoint\(s\) \(UDP, TCP, TLS\), server Coturn-4.6.1/ },
    { name: "recorded: wrong secret still answers STUN", facts: { turn: turnFact("wrong-secret") } },
    { name: "a Binding error response is an answer", facts: { turn: turnFact("healthy", (f) => { f.endpoints[0]!.binding = { ok: false, errorCode: 400, reason: "Bad Request", transmissions: 1, durationMs: 2 }; }) } },
    { name: "no endpoint", facts: { turn: turnFact("healthy", (f) => { f.endpoints = []; }) }, status: "skip" },
  ],
  invalid: [
    { name: "recorded: nothing listens (UDP ICMP refused, TCP RST)", facts: { turn: turnFact("down") }, summary: /^server down: connection refused at UDP turn:127.0.0.3:3479\?transport=udp \(\+1 more problem\)/, fix: /listening-port=3479/ },
    { name: "recorded: UDP packets swallowed", facts: { turn: turnFact("filtered") }, summary: /^port filtered \(firewall: open 3478 udp\)/, fix: /ufw allow 3478\/udp/ },
    {
      name: "TCP connect times out",
      facts: { turn: turnFact("healthy", (f) => { f.endpoints[1]!.binding = { ok: false, error: { code: "timeout", message: "timed out" }, transmissions: 0, connectMs: 5000, durationMs: 5000 }; }) },
      summary: /^port filtered \(firewall: open 3478 tcp\): no answer from TCP/,
      fix: /ufw allow 3478\/tcp/,
    },
    {
      name: "TLS handshake fails on turns:",
      facts: { turn: turnFact("healthy", (f) => { f.endpoints[2]!.binding = { ok: false, error: { code: "tls", message: "wrong version number" }, transmissions: 0, durationMs: 3 }; }) },
      summary: /TLS with TLS turns:turn.example.test:5349\?transport=tcp \(127.0.0.3\) failed: wrong version number/,
      fix: /cert=\/etc\/letsencrypt\/live/,
    },
  ],
});
