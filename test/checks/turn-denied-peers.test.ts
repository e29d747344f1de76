import check from "../../checks/turn-denied-peers.js";
import { testCheck } from "../support/check-tester.js";
import { turnFact } from "../fixtures/turn/fixtures.js";

testCheck(check, {
  valid: [
    { name: "recorded: every internal peer refused with 403 Forbidden IP", facts: { turn: turnFact("healthy") }, summary: /CreatePermission to 127.0.0.1, 10.0.0.1, 172.17.0.1, 169.254.169.254 refused with 403 Forbidden IP on 3 endpoint\(s\)/ },
    { name: "nothing allocated", facts: { turn: turnFact("down") }, status: "skip" },
  ],
  invalid: [
    {
      name: "recorded: allow-loopback-peers and no denied-peer-ip",
      facts: { turn: turnFact("open-relay") },
      summary: /^open relay into your internal network: .*accepted CreatePermission to 127.0.0.1, 10.0.0.1, 172.17.0.1, 169.254.169.254/,
      fix: /Remove `allow-loopback-peers`.*denied-peer-ip=10.0.0.0-10.255.255.255.*denied-peer-ip=172.16.0.0-172.31.255.255.*denied-peer-ip=169.254.0.0-169.254.255.255/,
    },
    {
      name: "loopback refused, RFC 1918 accepted",
      facts: {
        turn: turnFact("healthy", (f) => {
          for (const p of f.endpoints[0]!.allocations[0]!.permissions!) if (p.peer === "10.0.0.1") { p.ok = true; delete p.errorCode; delete p.reason; }
        }),
      },
      summary: /accepted CreatePermission to 10.0.0.1$/,
      fix: /^Add to \/etc\/turnserver.conf: `denied-peer-ip=10.0.0.0-10.255.255.255`/,
    },
    {
      name: "an unexpected answer is inconclusive",
      facts: {
        turn: turnFact("healthy", (f) => {
          const p = f.endpoints[0]!.allocations[0]!.permissions![1]!;
          p.errorCode = 400;
          p.reason = "Bad Request";
        }),
      },
      status: "warn",
      summary: /10.0.0.1 got 400 Bad Request instead of 403 Forbidden IP \(inconclusive\)/,
    },
  ],
});
