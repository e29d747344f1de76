import check from "../../checks/systemd-limits.js";
import type { HomeserverConfigFact } from "../../src/engine/facts.js";
import { testCheck } from "../support/check-tester.js";
import { editHomeserver, facts, recorded } from "../fixtures/systemd/load.js";

const config = (implementation: "dendrite" | "synapse"): HomeserverConfigFact =>
  ({ path: "/etc/x.yaml", implementation, databases: [] }) as unknown as HomeserverConfigFact;
const low = recorded("nofile-low");

testCheck(check, {
  valid: [
    { name: "dendrite.service, LimitNOFILE=65535 (recorded)", facts: facts(recorded("dendrite")), summary: /^dendrite\.service: LimitNOFILE=65535, enough for Dendrite's recommended 65535$/ },
    {
      name: "systemd's default 1024:524288 (recorded): Dendrite raises its soft limit itself",
      facts: facts(recorded("healthy"), { homeserverConfig: config("dendrite") }),
      summary: /LimitNOFILE=524288 \(soft 1024\), enough .*; Dendrite raises its soft limit from 1024 to 65535 at start-up$/,
    },
    { name: "infinity", facts: facts(editHomeserver(low, () => ({ limitNofile: "infinity", limitNofileSoft: "infinity" }))), summary: /LimitNOFILE=infinity/ },
    {
      name: "Synapse: reported, not judged",
      facts: facts(low, { homeserverConfig: config("synapse") }),
      summary: /LimitNOFILE=1024; Synapse raises its soft limit to the hard limit/,
    },
    { name: "unknown unit (recorded): skip", facts: facts(recorded("unknown-unit")), status: "skip" },
  ],
  invalid: [
    {
      name: "nofile-low.service (recorded), implementation unknown",
      facts: facts(low),
      status: "warn",
      summary: /^nofile-low\.service: LimitNOFILE=1024 is below the 65535 open files Dendrite recommends.*\(implementation unknown; Dendrite's recommendation applied\)$/,
      fix: /^`systemctl edit nofile-low\.service` and add\n\[Service\]\nLimitNOFILE=65535\nthen `systemctl restart nofile-low\.service`\.$/,
    },
    {
      name: "Dendrite with the classic 1024 limit",
      facts: facts(low, { homeserverConfig: config("dendrite") }),
      status: "warn",
      summary: /Dendrite cannot raise it past the hard limit$/,
    },
  ],
});
