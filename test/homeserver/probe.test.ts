// The homeserver-config probe on real files: key files in both formats, modes, missing files, a FIFO, and the
// FactUnavailable cases.

import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FactUnavailable, type ProbeContext } from "../../src/engine/probe.js";
import { homeserverConfigProbe } from "../../src/probes/homeserver-config.js";
import { dendritePem, edit, newKey, RIG_TEXT, SYNAPSE_TEXT, synapseKeyLine } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "md-probe-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ctx(homeserverConfigPath?: string): ProbeContext {
  return {
    input: { serverName: "example.test", extraCa: [], timeoutMs: 5000, allowPrivateAddresses: false, ...(homeserverConfigPath && { homeserverConfigPath }) },
    signal: AbortSignal.timeout(5000),
    fact: () => Promise.reject(new FactUnavailable("unused")),
    net: undefined as never,
    log: () => undefined,
  };
}

function setup(name: string, config: string, files: Record<string, { text: string; mode?: number }> = {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, { text, mode }] of Object.entries(files)) {
    writeFileSync(join(dir, file), text);
    chmodSync(join(dir, file), mode ?? 0o600);
  }
  const path = join(dir, "config.yaml");
  writeFileSync(path, config);
  chmodSync(path, 0o640);
  return path;
}

describe("homeserverConfigProbe", () => {
  it("is unavailable without --homeserver-config", async () => {
    await expect(homeserverConfigProbe.run(ctx())).rejects.toThrow(new FactUnavailable("no homeserver config: pass --homeserver-config FILE"));
  });

  it("turns a config that vanished since the CLI read it into FactUnavailable", async () => {
    const path = join(tmp, "gone.yaml");
    await expect(homeserverConfigProbe.run(ctx(path))).rejects.toBeInstanceOf(FactUnavailable);
    await expect(homeserverConfigProbe.run(ctx(path))).rejects.toThrow(`cannot read the homeserver config ${path}: no such file`);
  });

  it("reads a Dendrite key by a path relative to the config, with modes", async () => {
    const key = newKey();
    const path = setup("dendrite", edit(RIG_TEXT, { "global.private_key": "keys/matrix_key.pem" }), {});
    mkdirSync(join(tmp, "dendrite", "keys"));
    writeFileSync(join(tmp, "dendrite", "keys", "matrix_key.pem"), dendritePem("ed25519:test_1", key.seed), { mode: 0o644 });
    chmodSync(join(tmp, "dendrite", "keys", "matrix_key.pem"), 0o644);
    const fact = await homeserverConfigProbe.run(ctx(path));
    expect(fact.file).toMatchObject({ path, exists: true, readable: true, mode: "0640", worldReadable: false });
    expect(fact.signingKey).toMatchObject({
      source: "file",
      path: join(tmp, "dendrite", "keys", "matrix_key.pem"),
      format: "dendrite-pem",
      keys: [{ keyId: "ed25519:test_1", publicKey: key.publicKey }],
      file: { mode: "0644", worldReadable: true, readable: true },
    });
  });

  it("a key made by Dendrite's own generate-keys (when the rig's build is cached)", async () => {
    const bin = join(process.env.MATRIX_DOCTOR_CACHE ?? join(homedir(), ".cache", "matrix-doctor"), "dendrite-v0.13.8", "bin", "generate-keys");
    let made = true;
    const keyPath = join(tmp, "generated.pem");
    try {
      execFileSync(bin, ["--private-key", keyPath], { stdio: "ignore" });
    } catch {
      made = false;
    }
    if (!made) return;
    const path = setup("generated", edit(RIG_TEXT, { "global.private_key": keyPath }));
    const fact = await homeserverConfigProbe.run(ctx(path));
    expect(fact.signingKey?.problem).toBeUndefined();
    expect(fact.signingKey?.keys[0]?.keyId).toMatch(/^ed25519:[A-Za-z0-9]+$/);
    expect(fact.signingKey?.keys[0]?.publicKey).toMatch(/^[A-Za-z0-9+/]{43}$/);
  });

  it("records a missing key, a FIFO and an invalid key as data", async () => {
    const missing = await homeserverConfigProbe.run(ctx(setup("missing", edit(RIG_TEXT, { "global.private_key": "nope.pem" }))));
    expect(missing.signingKey).toMatchObject({ keys: [], file: { exists: false, readable: false, error: "ENOENT" } });

    const fifoDir = join(tmp, "fifo");
    const fifoConfig = setup("fifo", edit(RIG_TEXT, { "global.private_key": join(fifoDir, "key.fifo") }));
    execFileSync("mkfifo", [join(fifoDir, "key.fifo")]);
    const fifo = await homeserverConfigProbe.run(ctx(fifoConfig));
    expect(fifo.signingKey).toMatchObject({ keys: [], problem: "is not a regular file" });

    const bad = await homeserverConfigProbe.run(ctx(setup("bad", edit(RIG_TEXT, { "global.private_key": "k.pem" }), { "k.pem": { text: "not a key\n" } })));
    expect(bad.signingKey).toMatchObject({ keys: [], problem: 'has no "MATRIX PRIVATE KEY" PEM block' });
  });

  it("reads Synapse's default key path and the turn secret file's existence", async () => {
    const key = newKey();
    const config = edit(SYNAPSE_TEXT, { signing_key_path: undefined, turn_shared_secret: undefined, turn_shared_secret_path: "turn.secret" });
    const path = setup("synapse", config, { "example.org.signing.key": { text: synapseKeyLine("a_AbCd", key.seed) } });
    const fact = await homeserverConfigProbe.run(ctx(path));
    expect(fact.signingKey).toMatchObject({ path: join(tmp, "synapse", "example.org.signing.key"), format: "synapse", keys: [{ keyId: "ed25519:a_AbCd", publicKey: key.publicKey }] });
    expect(fact.turn?.sharedSecretFile).toMatchObject({ path: join(tmp, "synapse", "turn.secret"), exists: false, error: "ENOENT" });
    writeFileSync(join(tmp, "synapse", "turn.secret"), "s3cret\n", { mode: 0o640 });
    const again = await homeserverConfigProbe.run(ctx(path));
    expect(again.turn?.sharedSecretFile).toMatchObject({ exists: true, readable: true, mode: "0640" });
    expect(JSON.stringify(again)).not.toContain("s3cret");
  });
});
