// The homeserver-config probe and the config checks against the rig's real Dendrite v0.13.8: its generated
// dendrite.yaml, its real signing key, and the key document the running server publishes through nginx.

import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { runChecks } from "../../src/engine/run.js";
import { PROBES } from "../../src/probes/index.js";
import { describeRig, rig } from "../support/rig-gate.js";
import { CONFIG_CHECKS } from "./config-checks.js";

describeRig("homeserver config on the rig", () => {
  const input = () => ({
    serverName: rig!.dendrite.serverName,
    resolver: rig!.resolver,
    extraCa: [readFileSync(rig!.caFile, "utf8")],
    timeoutMs: 15_000,
    allowPrivateAddresses: true,
    homeserverConfigPath: rig!.dendrite.configPath,
  });

  it("reads the config and the real signing key, which is the one Dendrite publishes", async () => {
    const { report, facts } = await runChecks({ checks: CONFIG_CHECKS, probes: PROBES, input: input() });
    const fact = facts.homeserverConfig;
    expect(fact?.implementation).toBe("dendrite");
    expect(fact?.serverName).toBe(rig!.dendrite.serverName);
    expect(fact?.file?.exists).toBe(true);
    expect(fact?.signingKey?.format).toBe("dendrite-pem");
    expect(fact?.signingKey?.keys[0]?.keyId).toMatch(/^ed25519:[A-Za-z0-9_]+$/);

    // What the running Dendrite publishes, fetched independently of the probes.
    const served = (await (await fetch(`${rig!.dendrite.url}/_matrix/key/v2/server`)).json()) as { verify_keys: Record<string, { key: string }> };
    const own = fact!.signingKey!.keys[0]!;
    expect(served.verify_keys[own.keyId]?.key).toBe(own.publicKey);

    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId["config-signing-key"]).toMatchObject({ status: "pass", details: { matchesServed: true } });
    expect(byId["config-server-name"]?.status).toBe("pass");
    expect(byId["config-dendrite-version"]?.status).toBe("pass");
    expect(byId["config-tls-validation"]?.status).toBe("pass");
    expect(byId["config-unknown-keys"]?.status).toBe("pass");
    expect(byId["config-well-known"]?.status).toBe("pass");
    // The rig writes dendrite.yaml world-readable with a registration_shared_secret in it: a true finding.
    const registration = byId["config-registration"];
    if (fact?.file?.worldReadable) expect(registration).toMatchObject({ status: "warn", summary: expect.stringMatching(/readable by every user/) });
    else expect(registration?.status).toBe("pass");
    // Database layout and TURN depend on which rig services are up; they must judge, never crash.
    for (const c of report.checks) expect(["pass", "warn", "fail", "skip"], `${c.id}: ${c.summary}`).toContain(c.status);
    const pg = fact!.databases.some((d) => d.engine === "postgres");
    expect(byId["config-connection-pools"]?.status).toBe(pg ? "pass" : "skip");
    // No secret of the rig's config in the report.
    const text = JSON.stringify(report) + JSON.stringify(facts);
    const secret = /registration_shared_secret: "([^"]+)"/.exec(readFileSync(rig!.dendrite.configPath, "utf8"))?.[1];
    if (secret) expect(text).not.toContain(secret);
    for (const db of fact!.databases) {
      const password = /:\/\/[^:/@]+:([^@]+)@/.exec(db.connectionString.reveal())?.[1];
      if (password) expect(text).not.toContain(password);
    }
  });

  it("skips the config checks without --homeserver-config", async () => {
    const { homeserverConfigPath: _omit, ...rest } = input();
    const { report } = await runChecks({ checks: CONFIG_CHECKS, probes: PROBES, input: rest });
    for (const c of report.checks) expect(c).toMatchObject({ status: "skip", summary: "no homeserver config: pass --homeserver-config FILE" });
  });
});
