// Replays the facts recorded from the rig's real Dendrite (test/fixtures/config/rig-dendrite.json) through the
// config checks: offline they must give the verdicts of the live run. Variants of the recording (another key
// served, a world-readable key, TLS validation off) must flip exactly the check that judges them.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FactMap } from "../../src/engine/facts.js";
import type { HomeserverConfigFact } from "../../src/engine/facts/config.js";
import { Secret } from "../../src/engine/secret.js";
import type { Status } from "../../src/engine/types.js";
import { runCheck } from "../support/check-tester.js";
import { CONFIG_CHECKS } from "./config-checks.js";

interface Recording {
  recordedAt: number;
  statuses: Record<string, Status>;
  facts: Partial<FactMap>;
}

const recording = JSON.parse(readFileSync(new URL("../fixtures/config/rig-dendrite.json", import.meta.url), "utf8")) as Recording;

/** JSON turned each Secret into "[redacted]"; checks never reveal, so a placeholder Secret stands in. */
function revive(facts: Partial<FactMap>): Partial<FactMap> {
  const config = facts.homeserverConfig as HomeserverConfigFact;
  return {
    ...facts,
    homeserverConfig: { ...config, databases: config.databases.map((d) => ({ ...d, connectionString: new Secret(String(d.connectionString)) })) },
  };
}

function judge(facts: Partial<FactMap>): Record<string, Status> {
  return Object.fromEntries(CONFIG_CHECKS.map((c) => [c.id, runCheck(c, facts, { now: recording.recordedAt, allowPrivateAddresses: true }).status]));
}

describe("config checks over facts recorded from the rig", () => {
  const facts = revive(recording.facts);
  const config = facts.homeserverConfig as HomeserverConfigFact;

  it("give the live run's verdicts", () => {
    expect(judge(facts)).toEqual(recording.statuses);
  });

  it("a served key that is not the config's fails config-signing-key only", () => {
    const keys = JSON.parse(JSON.stringify(facts.serverKeys)) as FactMap["serverKeys"];
    for (const r of keys.responses) if (r.response) r.response.body = r.response.body.replace(/ed25519:[A-Za-z0-9_]+/g, "ed25519:other");
    expect(judge({ ...facts, serverKeys: keys })).toEqual({ ...recording.statuses, "config-signing-key": "fail" });
  });

  it("a world-readable key warns", () => {
    const key = config.signingKey!;
    const variant = { ...config, signingKey: { ...key, file: { ...key.file!, mode: "0644", worldReadable: true } } };
    expect(judge({ ...facts, homeserverConfig: variant })["config-signing-key"]).toBe("warn");
  });

  it("TLS validation off warns", () => {
    const variant = { ...config, tlsValidation: config.tlsValidation.map((t) => ({ ...t, disabled: t.key === "federation_api.disable_tls_validation" })) };
    expect(judge({ ...facts, homeserverConfig: variant })).toEqual({ ...recording.statuses, "config-tls-validation": "warn" });
  });
});
