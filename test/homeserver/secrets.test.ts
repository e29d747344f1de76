// No secret from a homeserver config reaches a fact's JSON, its inspect() form, or any check's summary, fix or
// details: configs full of secrets are read (directly and through the probe), every config check judges them, and
// the output is searched for each secret value.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_CHECKS } from "./config-checks.js";
import type { HomeserverConfigFact } from "../../src/engine/facts/config.js";
import { homeserverConfigProbe } from "../../src/probes/homeserver-config.js";
import { runCheck } from "../support/check-tester.js";
import { dendriteFact, dendritePem, edit, newKey, probed, RIG_TEXT, SAMPLE_TEXT, synapseFact, SYNAPSE_TEXT, fileStatus } from "./fixtures.js";

const SECRETS = {
  dbPassword: "zzDbPass-8e1f",
  dbPasswordKv: "zzKvPass-77c2",
  turnSecret: "zzTurnSecret-41aa",
  turnPassword: "zzTurnPw-093b",
  registration: "zzRegSecret-5d5d",
  recaptcha: "zzRecaptcha-c0c0",
  recaptchaBypass: "zzBypass-1212",
  metrics: "zzMetricsPw-abab",
  synapseDb: "fixture-db-password-9c1e",
  synapseTurn: "fixture-turn-secret-5a6b",
  synapseReg: "fixture-registration-secret-77ab",
  macaroon: "fixture-macaroon-secret-31f0",
  form: "fixture-form-secret-d2e4",
  smtp: "zzSmtpPass-9999",
  redis: "zzRedisPass-8888",
  worker: "zzWorkerSecret-7777",
};

const key = newKey();
const seedB64 = key.seed.toString("base64");
const seedFragments = [seedB64, seedB64.replace(/=+$/, ""), key.seed.toString("hex"), key.seed.toString("base64url")];

const dendriteSecretEdits = {
  "global.database": { connection_string: `postgres://dendrite:${SECRETS.dbPassword}@localhost/dendrite?sslmode=disable` },
  "room_server.database": { connection_string: `host=localhost user=dendrite password=${SECRETS.dbPasswordKv} dbname=rooms` },
  "client_api.registration_shared_secret": SECRETS.registration,
  "client_api.registration_disabled": false,
  "client_api.recaptcha_private_key": SECRETS.recaptcha,
  "client_api.recaptcha_bypass_secret": SECRETS.recaptchaBypass,
  "client_api.turn.turn_uris": ["turn:turn.example.test"],
  "client_api.turn.turn_shared_secret": SECRETS.turnSecret,
  "client_api.turn.turn_password": SECRETS.turnPassword,
  "client_api.turn.turn_username": "calls",
  "client_api.turn.turn-shared-secret": SECRETS.turnSecret,
  "global.metrics.basic_auth.password": SECRETS.metrics,
};
const synapseSecretEdits = {
  "email.smtp_pass": SECRETS.smtp,
  "redis.password": SECRETS.redis,
  worker_replication_secret: SECRETS.worker,
  "turn-shared-secret": SECRETS.synapseTurn,
  enable_registration: true,
  "database.args.pasword": SECRETS.synapseDb,
  signing_key: `ed25519 a_x ${seedB64}`,
};

function facts(): HomeserverConfigFact[] {
  const world = { file: fileStatus("/etc/x.yaml", "0644") };
  return [
    probed(dendriteFact(dendriteSecretEdits, SAMPLE_TEXT), world),
    probed(dendriteFact(dendriteSecretEdits, RIG_TEXT), world),
    probed(synapseFact(synapseSecretEdits), world),
    probed(synapseFact({ ...synapseSecretEdits, turn_shared_secret_path: "/etc/t.secret", "database.args.host": "/run/postgresql" }), world),
  ];
}

function assertClean(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRETS)) expect(text, `${name} in ${where}`).not.toContain(value);
  for (const fragment of seedFragments) expect(text, `signing seed in ${where}`).not.toContain(fragment);
}

const tmp = mkdtempSync(join(tmpdir(), "md-secrets-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("secrets stay out of facts and findings", () => {
  it("the configs really hold the secrets (the test would otherwise prove nothing)", () => {
    const text = edit(SYNAPSE_TEXT, synapseSecretEdits) + edit(SAMPLE_TEXT, dendriteSecretEdits);
    for (const value of Object.values(SECRETS)) expect(text).toContain(value);
    const [dendrite] = facts();
    expect(dendrite?.databases[0]?.connectionString.reveal()).toContain(SECRETS.dbPassword);
    expect(dendrite?.turn?.sharedSecret?.reveal()).toBe(SECRETS.turnSecret);
  });

  it("fact JSON and inspect() hold none", () => {
    for (const [i, fact] of facts().entries()) {
      assertClean(JSON.stringify(fact), `fact ${i} JSON`);
      assertClean(inspect(fact, { depth: 20 }), `fact ${i} inspect`);
    }
  });

  it("no check outcome (summary, fix, details) holds any", () => {
    let judged = 0;
    for (const fact of facts()) {
      for (const check of CONFIG_CHECKS) {
        const out = runCheck(check, { homeserverConfig: fact });
        assertClean(JSON.stringify(out), `${check.id}`);
        judged++;
      }
    }
    expect(judged).toBe(4 * CONFIG_CHECKS.length);
  });

  it("the probe's fact holds neither the config's secrets nor the signing key's seed", async () => {
    const keyPath = join(tmp, "matrix_key.pem");
    writeFileSync(keyPath, dendritePem("ed25519:zz", key.seed), { mode: 0o600 });
    const configPath = join(tmp, "dendrite.yaml");
    writeFileSync(configPath, edit(SAMPLE_TEXT, { ...dendriteSecretEdits, "global.private_key": "matrix_key.pem" }));
    const fact = await homeserverConfigProbe.run({
      input: { serverName: "example.test", extraCa: [], timeoutMs: 5000, allowPrivateAddresses: false, homeserverConfigPath: configPath },
      signal: AbortSignal.timeout(5000),
      fact: () => Promise.reject(new Error("unused")),
      net: undefined as never,
      log: () => undefined,
    });
    expect(fact.signingKey?.keys).toEqual([{ keyId: "ed25519:zz", publicKey: key.publicKey }]);
    assertClean(JSON.stringify(fact), "probe fact");
    assertClean(inspect(fact, { depth: 20 }), "probe fact inspect");
    for (const check of CONFIG_CHECKS) assertClean(JSON.stringify(runCheck(check, { homeserverConfig: fact })), check.id);
  });
});
