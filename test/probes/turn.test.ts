// The TURN probe and the turn-* checks against the rig's real coturn (test/rig/services/coturn.sh) and
// real Dendrite: UDP, TCP and TLS Allocate with credentials minted from the shared secret and with the
// ones Dendrite hands out on /voip/turnServer; a wrong secret; a TURN server that is down (nothing on
// 127.0.0.3:3479); a port that swallows packets; the open-relay instance; clock skew (our clock set 2 h
// back, for real: coturn then rejects the configured lifetime but accepts a far-future expiry).
// Set MATRIX_DOCTOR_RECORD_FIXTURES=1 to (re)write test/fixtures/turn/*.json from these runs.

import { createHmac } from "node:crypto";
import dgram from "node:dgram";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import turnAllocate from "../../checks/turn-allocate.js";
import turnCleanup from "../../checks/turn-cleanup.js";
import turnConfig from "../../checks/turn-config.js";
import turnDeniedPeers from "../../checks/turn-denied-peers.js";
import turnDns from "../../checks/turn-dns.js";
import turnReachable from "../../checks/turn-reachable.js";
import turnRelayAddress from "../../checks/turn-relay-address.js";
import turnTls from "../../checks/turn-tls.js";
import type { Check } from "../../src/engine/check.js";
import type { TurnFact } from "../../src/engine/facts/turn.js";
import type { RunInput } from "../../src/engine/probe.js";
import { runChecks, type ProbeRegistry, type RunOutcome } from "../../src/engine/run.js";
import { Secret } from "../../src/engine/secret.js";
import type { CheckResult } from "../../src/engine/types.js";
import { clientWellKnownProbe } from "../../src/probes/client.js";
import { serverNameProbe } from "../../src/probes/server-name.js";
import { turnProbe } from "../../src/probes/turn.js";
import { loadCoturn } from "../rig/coturn.js";
import { describeRig, rig } from "../support/rig-gate.js";

const TURN_CHECKS: Check[] = [turnConfig, turnDns, turnReachable, turnAllocate, turnRelayAddress, turnDeniedPeers, turnTls, turnCleanup];
const coturn = loadCoturn(rig);
const RECORD = process.env["MATRIX_DOCTOR_RECORD_FIXTURES"] === "1";
const FIXTURES = new URL("../fixtures/turn/", import.meta.url);

// The full registry once every area's probe exists; until then the probes this area needs.
const probes: ProbeRegistry = await import("../../src/probes/index.js")
  .then((m) => m.PROBES as ProbeRegistry)
  .catch(async () => ({
    serverName: serverNameProbe,
    clientWellKnown: clientWellKnownProbe,
    turn: turnProbe,
    ...(await import("../../src/probes/homeserver-config.js").then((m) => ({ homeserverConfig: m.homeserverConfigProbe })).catch(() => ({}))),
  }));

function input(extra: Partial<RunInput>): RunInput {
  return {
    serverName: "example.test",
    resolver: rig!.resolver,
    extraCa: [readFileSync(rig!.caFile, "utf8")],
    timeoutMs: 20_000,
    allowPrivateAddresses: true,
    ...extra,
  };
}

interface Run extends RunOutcome {
  turn: TurnFact;
  byId: Record<string, CheckResult>;
  logs: string[];
}

async function run(extra: Partial<RunInput>, fixture?: string): Promise<Run> {
  const logs: string[] = [];
  const out = await runChecks({ checks: TURN_CHECKS, probes, input: input(extra), log: (m) => logs.push(m) });
  const turn = out.facts.turn;
  if (!turn) throw new Error(`no turn fact: ${JSON.stringify(out.report.checks[0])}`);
  if (RECORD && fixture) {
    mkdirSync(FIXTURES, { recursive: true });
    writeFileSync(new URL(`${fixture}.json`, FIXTURES), `${JSON.stringify(turn, null, 2)}\n`);
  }
  return { ...out, turn, byId: Object.fromEntries(out.report.checks.map((c) => [c.id, c])), logs };
}

/** The password coturn expects for a REST username, recomputed here only to look for it in outputs. */
function restPassword(secret: string, username: string): string {
  return createHmac("sha1", secret).update(username).digest("base64");
}

describeRig("turn probe against the rig's coturn and Dendrite", () => {
  let healthy: Run;

  beforeAll(async () => {
    if (!coturn) throw new Error("the rig has no coturn service (test/rig/services/coturn.sh)");
    healthy = await run({ turnUris: coturn.uris, turnSecret: new Secret(coturn.secret), accessToken: new Secret(coturn.accessToken) }, "healthy");
  }, 30_000);

  it("allocates over UDP, TCP and TLS with minted and homeserver-issued credentials, verifies the responses", () => {
    const byTransport = Object.fromEntries(healthy.turn.endpoints.map((e) => [e.transport, e]));
    expect(Object.keys(byTransport).sort()).toEqual(["tcp", "tls", "udp"]);
    for (const e of healthy.turn.endpoints) {
      expect(e.address).toBe("127.0.0.3");
      expect(e.binding.ok).toBe(true);
      expect(e.allocations.map((a) => a.credential)).toEqual(["configured", "homeserver"]);
      for (const a of e.allocations) {
        expect(a.ok, `${e.uri} ${a.credential}: ${a.errorCode} ${a.reason}`).toBe(true);
        expect(a.steps[0]).toMatchObject({ request: "Allocate", authenticated: false, errorCode: 401 });
        expect(a.realm).toBe(coturn!.realm);
        expect(a.responseIntegrity).toBe("valid");
        expect(a.relayed?.address).toBe("127.0.0.3");
        expect(a.relayed!.port).toBeGreaterThanOrEqual(coturn!.relayPorts[0]);
        expect(a.relayed!.port).toBeLessThanOrEqual(coturn!.relayPorts[1]);
        expect(a.refresh?.ok).toBe(true);
      }
      expect(e.allocations[0]!.permissions?.map((p) => [p.peer, p.errorCode])).toEqual(healthy.turn.deniedPeersTried.map((p) => [p, 403]));
    }
    expect(byTransport["tls"]!.tls?.handshake).toMatchObject({ ok: true, chainTrusted: true, nameMatches: true, expectedName: "turn.example.test" });
    expect(byTransport["tls"]!.tls?.connection?.authorized).toBe(true);
    for (const c of healthy.report.checks) expect(c.status, `${c.id}: ${c.summary}`).toBe("pass");
    expect(healthy.byId["turn-allocate"]!.details?.["allocateDurationMs"]).toHaveProperty("tls");
  });

  it("records what Dendrite hands out on /voip/turnServer (not the password)", () => {
    const issued = healthy.turn.issued!;
    expect(issued).toMatchObject({ status: 200, baseUrl: "https://example.test", baseUrlSource: "client-well-known", ttl: 300, passwordPresent: true });
    expect(issued.uris).toEqual(coturn!.uris);
    expect(issued.usernameUserId).toBe(coturn!.userId);
    expect(Math.abs(issued.usernameExpiresAtMs! - issued.receivedAtMs! - 300_000)).toBeLessThan(2_000);
    expect(healthy.turn.uris.every((u) => u.sources.includes("homeserver") && u.sources.includes("flag"))).toBe(true);
  });

  it("never puts the secret, a password or the access token into facts, findings or logs", () => {
    const usernames = healthy.turn.endpoints.flatMap((e) => e.allocations.map((a) => a.username));
    const secrets = [coturn!.secret, coturn!.accessToken, ...usernames.map((u) => restPassword(coturn!.secret, u))];
    expect(usernames.length).toBeGreaterThan(0);
    const outputs = [JSON.stringify(healthy.facts), JSON.stringify(healthy.report), healthy.wire.join("\n"), healthy.logs.join("\n")];
    for (const s of secrets) for (const text of outputs) expect(text).not.toContain(s);
  });

  it("wrong secret: the Allocate fails after the challenge, also with a far-future credential", async () => {
    const r = await run({ turnUris: coturn!.uris.slice(0, 2), turnSecret: new Secret("not-the-secret") }, "wrong-secret");
    for (const e of r.turn.endpoints) {
      expect(e.binding.ok).toBe(true);
      const [configured, farFuture] = e.allocations;
      expect(configured).toMatchObject({ credential: "configured", ok: false });
      expect([401, 441]).toContain(configured!.errorCode);
      expect(farFuture).toMatchObject({ credential: "far-future", ok: false });
    }
    expect(r.byId["turn-allocate"]).toMatchObject({ status: "fail" });
    expect(r.byId["turn-allocate"]!.summary).toMatch(/^wrong secret: .*not the clock/);
    expect(r.byId["turn-allocate"]!.fix).toMatch(/static-auth-secret/);
    expect(r.byId["turn-allocate"]!.fix).toMatch(/use-auth-secret/);
    expect(r.byId["turn-reachable"]!.status).toBe("pass");
  }, 30_000);

  it("TURN server down: connection refused over UDP (ICMP) and TCP", async () => {
    const r = await run({ turnUris: [coturn!.downUri, coturn!.downTcpUri], turnSecret: new Secret(coturn!.secret) }, "down");
    expect(r.turn.endpoints.map((e) => [e.transport, e.binding.error?.code])).toEqual([
      ["udp", "refused"],
      ["tcp", "refused"],
    ]);
    expect(r.byId["turn-reachable"]).toMatchObject({ status: "fail" });
    expect(r.byId["turn-reachable"]!.summary).toMatch(/^server down: connection refused/);
    expect(r.byId["turn-allocate"]!.status).toBe("skip");
  }, 30_000);

  it("port filtered: a UDP port that swallows every packet gives no answer until the timeout", async () => {
    const sink = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => sink.bind(3478, rig!.hangAddress, resolve));
    let received = 0;
    sink.on("message", () => received++);
    try {
      const r = await run({ turnUris: [`turn:${rig!.hangAddress}:3478?transport=udp`], turnSecret: new Secret(coturn!.secret), timeoutMs: 8_000 }, "filtered");
      const b = r.turn.endpoints[0]!.binding;
      expect(b.error?.code).toBe("timeout");
      expect(b.transmissions).toBeGreaterThanOrEqual(2); // RFC 8489 retransmissions
      expect(received).toBe(b.transmissions);
      expect(r.byId["turn-reachable"]!.summary).toMatch(/^port filtered \(firewall: open 3478 udp\)/);
    } finally {
      sink.close();
    }
  }, 30_000);

  it("open relay: the instance with allow-loopback-peers and no denied-peer-ip fails turn-denied-peers", async () => {
    const r = await run({ turnUris: [coturn!.openRelayUri, coturn!.openRelayTcpUri], turnSecret: new Secret(coturn!.secret) }, "open-relay");
    const perms = r.turn.endpoints[0]!.allocations[0]!.permissions!;
    expect(perms.every((p) => p.ok)).toBe(true);
    const f = r.byId["turn-denied-peers"]!;
    expect(f.status).toBe("fail");
    expect(f.summary).toMatch(/^open relay into your internal network: .*127\.0\.0\.1/);
    expect(f.fix).toMatch(/allow-loopback-peers/);
    expect(f.fix).toMatch(/denied-peer-ip=10\.0\.0\.0-10\.255\.255\.255/);
    expect(r.byId["turn-allocate"]!.status).toBe("pass");
  }, 30_000);

  it("relay address: loopback relays fail without --allow-private-addresses", async () => {
    const r = await run({ turnUris: [coturn!.uris[0]!], turnSecret: new Secret(coturn!.secret), allowPrivateAddresses: false });
    expect(r.byId["turn-relay-address"]).toMatchObject({ status: "fail" });
    expect(r.byId["turn-relay-address"]!.fix).toMatch(/external-ip=<public IP>\/127\.0\.0\.3/);
  }, 30_000);

  it("a bad access token: Dendrite answers 401 and turn-config fails", async () => {
    const r = await run({ turnUris: [coturn!.uris[0]!], turnSecret: new Secret(coturn!.secret), accessToken: new Secret("syt_not_a_token") }, "bad-token");
    expect(r.turn.issued).toMatchObject({ status: 401, errcode: "M_UNKNOWN_TOKEN", passwordPresent: false });
    expect(r.byId["turn-config"]).toMatchObject({ status: "fail" });
    expect(r.byId["turn-config"]!.summary).toMatch(/rejects the access token/);
    expect(JSON.stringify(r.facts)).not.toContain("syt_not_a_token");
  }, 30_000);

  it("only an access token: the URIs and credentials come from the homeserver", async () => {
    const r = await run({ accessToken: new Secret(coturn!.accessToken) }, "token-only");
    expect(r.turn.inputs.urisSource).toBe("homeserver");
    expect(r.turn.endpoints).toHaveLength(3);
    for (const e of r.turn.endpoints) expect(e.allocations.map((a) => [a.credential, a.ok])).toEqual([["homeserver", true]]);
    for (const c of r.report.checks) expect(c.status, `${c.id}: ${c.summary}`).toBe("pass");
  }, 30_000);

  it("--homeserver-config alone: URIs, secret and lifetime from the rig's dendrite.yaml", async () => {
    const r = await run({ homeserverConfigPath: rig!.dendrite.configPath }, "homeserver-config");
    expect(r.turn.inputs).toMatchObject({
      urisSource: "homeserver-config",
      secretSource: "homeserver-config",
      implementation: "dendrite",
      lifetime: { raw: "5m", seconds: 300 },
      mintLifetimeSeconds: 300,
    });
    expect(r.turn.uris.map((u) => u.uri)).toEqual(coturn!.uris);
    expect(r.turn.endpoints.flatMap((e) => e.allocations.map((a) => [a.credential, a.ok]))).toEqual([
      ["configured", true],
      ["configured", true],
      ["configured", true],
    ]);
    for (const c of r.report.checks) expect(c.status, `${c.id}: ${c.summary}`).toBe("pass");
    expect(JSON.stringify(r.facts)).not.toContain(coturn!.secret);
  }, 30_000);

  it("no URIs and no token: the fact is unavailable and the checks skip with the flag to pass", async () => {
    const out = await runChecks({ checks: TURN_CHECKS, probes, input: input({}) });
    for (const c of out.report.checks) expect(c).toMatchObject({ status: "skip", summary: "no TURN server: pass --turn-uri or --homeserver-config (with turn_uris)" });
  });

  describe("clock skew", () => {
    afterAll(() => vi.useRealTimers());
    it("our clock 2 h behind coturn's: the configured lifetime is rejected, a far-future expiry is accepted", async () => {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 2 * 3600_000 });
      let r: Run;
      try {
        r = await run({ turnUris: [coturn!.uris[0]!], turnSecret: new Secret(coturn!.secret) }, "clock-skew");
      } finally {
        vi.useRealTimers();
      }
      const allocations = r.turn.endpoints[0]!.allocations;
      expect(allocations.map((a) => [a.credential, a.ok])).toEqual([
        ["configured", false],
        ["far-future", true],
      ]);
      expect(r.byId["turn-allocate"]!.status).toBe("fail");
      expect(r.byId["turn-allocate"]!.summary).toMatch(/^clock skew: /);
      expect(r.byId["turn-cleanup"]!.status).toBe("pass");
    }, 30_000);
  });
});
