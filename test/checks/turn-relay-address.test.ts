import check from "../../checks/turn-relay-address.js";
import type { TurnFact } from "../../src/engine/facts/turn.js";
import { testCheck } from "../support/check-tester.js";
import { at, turnFact } from "../fixtures/turn/fixtures.js";

const healthy = turnFact("healthy");

/** The healthy deployment as if on the internet: turn.example.test A 203.0.113.5, relays on `relay`. */
function deployed(relay: string): TurnFact {
  return turnFact("healthy", (f) => {
    f.dns[0]!.a.values = ["203.0.113.5"];
    for (const e of f.endpoints) {
      e.address = "203.0.113.5";
      for (const a of e.allocations) if (a.relayed) a.relayed.address = relay;
    }
  });
}

testCheck(check, {
  valid: [
    { name: "recorded: loopback relay with --allow-private-addresses", facts: { turn: healthy }, ctx: at(healthy, true), summary: /127.0.0.3 \(private, accepted with --allow-private-addresses\)/ },
    { name: "public relay on the host's A record", facts: { turn: deployed("203.0.113.5") }, summary: /relay address 203.0.113.5 reachable from the internet/ },
    { name: "nothing allocated", facts: { turn: turnFact("wrong-secret") }, status: "skip" },
  ],
  invalid: [
    { name: "recorded: loopback relay", facts: { turn: healthy }, ctx: at(healthy), summary: /relays on 127.0.0.3:\d+, a loopback address .*without external-ip/, fix: /external-ip=<public IP>\/127.0.0.3/ },
    { name: "behind NAT: private relay, public A record", facts: { turn: deployed("10.0.0.5") }, summary: /a private address/, fix: /external-ip=203.0.113.5\/10.0.0.5/ },
    { name: "CGNAT relay", facts: { turn: deployed("100.64.1.2") }, summary: /a cgnat address/ },
    { name: "public relay that is not the host's address", facts: { turn: deployed("198.51.100.9") }, status: "warn", summary: /relays on 198.51.100.9, which is not an address of turn.example.test \(203.0.113.5\)/, fix: /external-ip=203.0.113.5/ },
  ],
});
