import { expect } from "vitest";
import check from "../../checks/turn-allocate.js";
import type { TurnAllocationFact, TurnFact } from "../../src/engine/facts/turn.js";
import { testCheck } from "../support/check-tester.js";
import { at, turnFact } from "../fixtures/turn/fixtures.js";

const healthy = turnFact("healthy");

/** The first endpoint's allocation of `credential`, changed. */
function withAllocation(name: Parameters<typeof turnFact>[0], credential: TurnAllocationFact["credential"], edit: (a: TurnAllocationFact, f: TurnFact) => void): TurnFact {
  return turnFact(name, (f) => {
    const a = f.endpoints[0]!.allocations.find((x) => x.credential === credential)!;
    edit(a, f);
  });
}

const rejected = (a: TurnAllocationFact, code = 401, reason = "Unauthorized"): void => {
  a.ok = false;
  a.errorCode = code;
  a.reason = reason;
  delete a.relayed;
  delete a.permissions;
  delete a.refresh;
  delete a.responseIntegrity;
};

testCheck(check, {
  valid: [
    {
      name: "recorded: UDP, TCP, TLS with minted and homeserver credentials",
      facts: { turn: healthy },
      ctx: at(healthy),
      summary: /6 endpoint\/credential pair\(s\) \(UDP, TCP, TLS\) with configured and homeserver credentials/,
      details: { allocateDurationMs: { udp: expect.any(Number), tcp: expect.any(Number), tls: expect.any(Number) } },
    },
    { name: "recorded: the open relay allocates fine (turn-denied-peers judges it)", facts: { turn: turnFact("open-relay") } },
    { name: "recorded: nothing answered", facts: { turn: turnFact("down") }, status: "skip", summary: /turn-reachable reports why/ },
    { name: "no credentials", facts: { turn: turnFact("healthy", (f) => { for (const e of f.endpoints) e.allocations = []; }) }, status: "skip", summary: /--turn-secret/ },
  ],
  invalid: [
    { name: "recorded: wrong secret (far-future rejected too)", facts: { turn: turnFact("wrong-secret") }, summary: /^wrong secret: .*so it is not the clock/, fix: /client_api.turn.turn_shared_secret.*turn_shared_secret.*static-auth-secret=.*use-auth-secret/ },
    { name: "recorded: clock skew (far-future accepted)", facts: { turn: turnFact("clock-skew") }, summary: /^clock skew: .*accepts the same secret with a far-future expiry/, fix: /timedatectl set-ntp true/ },
    {
      name: "the homeserver signs with another secret than its config",
      facts: { turn: withAllocation("healthy", "homeserver", (a) => rejected(a)) },
      summary: /^wrong secret: .* rejects the credentials the homeserver hands out, while ones minted from the configured secret work/,
      fix: /restart the homeserver/,
    },
    {
      name: "the homeserver's credentials had expired when handed out",
      facts: { turn: withAllocation("healthy", "homeserver", (a, f) => { rejected(a); f.issued!.usernameExpiresAtMs = f.issued!.receivedAtMs! - 1000; }) },
      summary: /^clock skew: .*the homeserver's clock is behind/,
    },
    {
      name: "only homeserver credentials, rejected",
      facts: { turn: withAllocation("token-only", "homeserver", (a) => rejected(a, 441, "Wrong Credentials")) },
      summary: /^wrong secret: .*\(441 Wrong Credentials\) \(pass --turn-secret to tell a wrong secret from clock skew\)/,
    },
    { name: "static credentials rejected", facts: { turn: withAllocation("wrong-secret", "configured", (a) => { a.credential = "static"; }) }, summary: /^wrong credentials: .*static turn_username\/turn_password/, fix: /lt-cred-mech/ },
    { name: "486 quota", facts: { turn: withAllocation("healthy", "configured", (a) => rejected(a, 486, "Allocation Quota Reached")) }, summary: /486 Allocation Quota Reached: the per-user or total allocation quota/, fix: /user-quota=12/ },
    { name: "508 capacity", facts: { turn: withAllocation("healthy", "configured", (a) => rejected(a, 508, "Insufficient Capacity")) }, summary: /no relay port left/, fix: /min-port=49152/ },
    { name: "442 no UDP relay", facts: { turn: withAllocation("healthy", "configured", (a) => rejected(a, 442, "Unsupported Transport Protocol")) }, fix: /no-udp-relay/ },
    {
      name: "401 without REALM/NONCE on the challenge",
      facts: { turn: withAllocation("healthy", "configured", (a) => { rejected(a); a.steps = [a.steps[0]!]; delete a.realm; }) },
      summary: /without REALM and NONCE/,
      fix: /realm=/,
    },
    {
      name: "allocated without credentials",
      facts: { turn: withAllocation("healthy", "configured", (a) => { a.unauthenticated = true; delete a.responseIntegrity; }) },
      summary: /allocates a relay without any credentials/,
      fix: /use-auth-secret/,
    },
    { name: "response integrity invalid", facts: { turn: withAllocation("healthy", "configured", (a) => { a.responseIntegrity = "invalid"; }) }, status: "warn", summary: /MESSAGE-INTEGRITY that does not verify/ },
    {
      name: "Allocate unanswered after the Binding",
      facts: { turn: withAllocation("healthy", "configured", (a) => { rejected(a); delete a.errorCode; delete a.reason; a.error = { code: "timeout", message: "timed out (no response)" }; }) },
      summary: /the Allocate got no answer \(timed out \(no response\)\) although the STUN Binding did/,
    },
  ],
});
