// An authenticated Allocate succeeds on every TURN URI and transport: the first 401 (with REALM and NONCE)
// is normal, then credentials minted from the shared secret exactly as the homeserver mints them must be
// accepted, and the success must carry a MESSAGE-INTEGRITY that verifies with our key. A rejection is
// explained: a wrong secret (a far-future credential is rejected too), clock skew (the far-future one is
// accepted), the homeserver signing with another secret than its config file says, quota, capacity.

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import type { TurnAllocationFact, TurnEndpointFact, TurnFact } from "../src/engine/facts/turn.js";
import {
  allocateErrorAdvice,
  DOCS,
  endpointLabel,
  judgedAllocations,
  outcomeOf,
  restartHomeserver,
  secretKeys,
  transportLabel,
  verdictOf,
  type Problem,
} from "../src/turn/verdict.js";

const CREDENTIAL_TEXT: Record<TurnAllocationFact["credential"], string> = {
  configured: "credentials minted from the shared secret",
  "far-future": "credentials minted from the shared secret with a far-future expiry",
  homeserver: "the credentials the homeserver hands out",
  static: "the static credentials",
};

function wrongSecretFix(fact: TurnFact): string {
  return (
    `The homeserver's secret and coturn's must be the same string: ${secretKeys(fact)} must equal \`static-auth-secret=\` in /etc/turnserver.conf, ` +
    `and coturn needs \`use-auth-secret\` (the TURN REST scheme) and a \`realm=\`. Do not mix it with \`lt-cred-mech\` + \`user=\` lines. ` +
    `Then \`systemctl restart coturn\` and ${restartHomeserver(fact)}. ` +
    `(Check by hand: \`u=$(($(date +%s)+3600)):@you:example.org; p=$(echo -n $u | openssl dgst -hmac "$SECRET" -sha1 -binary | base64); turnutils_uclient -u $u -w $p <TURN host>\`.)`
  );
}

function problemFor(fact: TurnFact, e: TurnEndpointFact, a: TurnAllocationFact): Problem | undefined {
  const label = `${transportLabel(e.transport)} ${endpointLabel(e)}`;
  const verdict = verdictOf(a, e);
  switch (verdict) {
    case "ok":
      return undefined;
    case "unauthenticated":
      return {
        level: "fail",
        text: `${label} allocates a relay without any credentials: anyone can use it`,
        fix: "Require the TURN REST credentials: `use-auth-secret` and `static-auth-secret=<secret>` in /etc/turnserver.conf (and remove `no-auth`), then `systemctl restart coturn`.",
        docs: DOCS.synapseCoturn,
      };
    case "integrity-invalid":
      return {
        level: "warn",
        text: `${label}: the Allocate success carries a MESSAGE-INTEGRITY that does not verify with our key (a middlebox rewriting STUN, or a server with another secret)`,
        fix: "Make sure clients talk to coturn directly (no STUN-aware proxy in between) and that only one TURN server answers on this address.",
      };
    case "clock-skew":
      return {
        level: "fail",
        text:
          `clock skew: ${label} rejects ${CREDENTIAL_TEXT[a.credential]} (expiry ${a.expiresAtMs ? new Date(a.expiresAtMs).toISOString() : "?"}) ` +
          "but accepts the same secret with a far-future expiry: the TURN server's clock is ahead of the credential's expiry",
        fix:
          "Synchronise the clocks of the TURN server and the homeserver (`timedatectl set-ntp true`, or install chrony) and check with `date -u` on both; " +
          'a longer lifetime (Dendrite `turn_user_lifetime: "5m"` or more, Synapse `turn_user_lifetime: 1h`) tolerates small differences.',
      };
    case "homeserver-mismatch": {
      const issued = fact.issued;
      const behind = issued?.usernameExpiresAtMs !== undefined && issued.receivedAtMs !== undefined && issued.usernameExpiresAtMs <= issued.receivedAtMs;
      return behind
        ? {
            level: "fail",
            text: `clock skew: ${label} rejects the homeserver's credentials, which had expired when they were handed out (the homeserver's clock is behind)`,
            fix: "Synchronise the homeserver's clock (`timedatectl set-ntp true`, or chrony).",
          }
        : {
            level: "fail",
            text: `wrong secret: ${label} rejects the credentials the homeserver hands out, while ones minted from the configured secret work: the running homeserver signs with another secret`,
            fix: `The homeserver has not loaded the secret its config file holds: ${restartHomeserver(fact)}; check that ${secretKeys(fact)} is set once (Synapse: not both turn_shared_secret and turn_shared_secret_path).`,
          };
    }
    case "wrong-credentials": {
      const code = `${a.errorCode}${a.reason ? ` ${a.reason}` : ""}`;
      if (a.credential === "static") {
        return {
          level: "fail",
          text: `wrong credentials: ${label} rejects the static turn_username/turn_password (${code})`,
          fix: "coturn must know that user: `lt-cred-mech` and `user=<turn_username>:<turn_password>` in /etc/turnserver.conf, and the same `realm=`; better, switch both sides to `use-auth-secret`.",
          docs: DOCS.synapseCoturn,
        };
      }
      const farFutureTried = e.allocations.some((o) => o.credential === "far-future");
      const hsOnly = a.credential === "homeserver" && !e.allocations.some((o) => o.credential === "configured");
      return {
        level: "fail",
        text:
          `wrong secret: ${label} rejects ${CREDENTIAL_TEXT[a.credential]} after the 401 challenge (${code})` +
          (farFutureTried ? ", and a far-future credential from the same secret too, so it is not the clock" : hsOnly ? " (pass --turn-secret to tell a wrong secret from clock skew)" : ""),
        fix: wrongSecretFix(fact),
        docs: DOCS.synapseCoturn,
      };
    }
    case "error": {
      const advice = allocateErrorAdvice(a.errorCode, a.reason);
      return { level: "fail", text: `${label}: ${advice.text}`, fix: advice.fix, docs: DOCS.coturnConf };
    }
    case "no-response":
      return {
        level: "fail",
        text: `${label}: the Allocate got no answer (${a.error?.message ?? "timed out"}) although the STUN Binding did`,
        fix: "Look for the Allocate in coturn's log (`journalctl -u coturn`, or `verbose` in /etc/turnserver.conf); a STUN-only server or a rate limit drops TURN requests.",
      };
  }
}

export default defineCheck({
  id: "turn-allocate",
  category: "turn",
  title: "Authenticated TURN Allocate succeeds on every transport",
  docs: DOCS.synapseCoturn,
  requires: ["turn"],
  run({ turn }): Outcome {
    const tried = turn.endpoints.filter((e) => e.allocations.length > 0);
    if (tried.length === 0) {
      if (turn.endpoints.length === 0) return skip("no TURN URI with an address to try");
      if (turn.endpoints.every((e) => !e.binding.ok && e.binding.error)) return skip("no TURN endpoint answered (turn-reachable reports why)");
      return skip("no credentials to allocate with: pass --turn-secret (coturn's static-auth-secret), --homeserver-config or --access-token");
    }
    const problems: Problem[] = [];
    for (const e of tried) {
      for (const a of judgedAllocations(e)) {
        const p = problemFor(turn, e, a);
        if (p) problems.push(p);
      }
    }
    const okAllocations = tried.flatMap((e) => judgedAllocations(e).filter((a) => a.ok).map((a) => ({ e, a })));
    // Per transport: the fastest successful allocation (challenge included), for the exporter's metric.
    const durationByTransport: Record<string, number> = {};
    for (const { e, a } of okAllocations) {
      const prev = durationByTransport[e.transport];
      if (prev === undefined || a.durationMs < prev) durationByTransport[e.transport] = a.durationMs;
    }
    const details = {
      allocateDurationMs: durationByTransport,
      endpoints: tried.map((e) => ({
        uri: e.uri,
        address: e.address,
        transport: e.transport,
        allocations: e.allocations.map((a) => ({
          credential: a.credential,
          username: a.username,
          ok: a.ok,
          verdict: verdictOf(a, e),
          ...(a.errorCode !== undefined && { errorCode: a.errorCode, reason: a.reason }),
          ...(a.relayed && { relayed: `${a.relayed.address}:${a.relayed.port}` }),
          ...(a.lifetime !== undefined && { lifetime: a.lifetime }),
          ...(a.responseIntegrity && { integrity: a.responseIntegrity }),
          durationMs: a.durationMs,
        })),
      })),
    };
    const transports = Object.keys(durationByTransport).map((t) => transportLabel(t as TurnEndpointFact["transport"]));
    const kinds = [...new Set(okAllocations.map(({ a }) => a.credential))].join(" and ");
    return outcomeOf(problems, `Allocate succeeded on ${okAllocations.length} endpoint/credential pair(s) (${transports.join(", ")}) with ${kinds} credentials; responses signed with the right key`, details);
  },
});
