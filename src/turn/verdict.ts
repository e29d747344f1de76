// Pure helpers the turn-* checks share: labels, the per-credential verdict of an Allocate (telling a
// wrong secret from clock skew, quota, capacity, an unauthenticated server) and the fix texts that
// name the real config keys. No I/O, no clock.

import type { Outcome } from "../engine/check.js";
import type { TurnAllocationFact, TurnEndpointFact, TurnFact } from "../engine/facts/turn.js";

export const DOCS = {
  synapseTurn: "https://element-hq.github.io/synapse/latest/turn-howto.html",
  synapseCoturn: "https://element-hq.github.io/synapse/latest/setup/turn/coturn.html",
  spec: "https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3voipturnserver",
  coturnConf: "https://github.com/coturn/coturn/blob/master/examples/etc/turnserver.conf",
  dendriteSample: "https://github.com/matrix-org/dendrite/blob/main/dendrite-sample.yaml",
};

export function endpointLabel(e: Pick<TurnEndpointFact, "uri" | "address" | "host">): string {
  return e.host === e.address ? e.uri : `${e.uri} (${e.address})`;
}

/** "udp", "tcp", "tls" endpoints as people say them. */
export function transportLabel(t: TurnEndpointFact["transport"]): string {
  return t === "tls" ? "TLS" : t.toUpperCase();
}

/** Where the homeserver keeps its TURN secret, for fix texts. */
export function secretKeys(fact: TurnFact): string {
  const impl = fact.inputs.implementation;
  if (impl === "dendrite") return "`client_api.turn.turn_shared_secret` in dendrite.yaml";
  if (impl === "synapse") return "`turn_shared_secret` in homeserver.yaml";
  return "the homeserver's shared secret (Dendrite: `client_api.turn.turn_shared_secret` in dendrite.yaml; Synapse: `turn_shared_secret` in homeserver.yaml)";
}

export function restartHomeserver(fact: TurnFact): string {
  const impl = fact.inputs.implementation;
  return impl === "synapse" ? "`systemctl restart matrix-synapse`" : impl === "dendrite" ? "`systemctl restart dendrite`" : "restart the homeserver";
}

export type AllocationVerdict =
  | "ok"
  /** The server allocated without asking for credentials. */
  | "unauthenticated"
  /** Rejected after a correct challenge round (401 again / 441), and a far-future credential too (or none tried). */
  | "wrong-credentials"
  /** Rejected, but the same secret with a far-future expiry is accepted: the TURN server's clock is ahead. */
  | "clock-skew"
  /** The homeserver's credentials are rejected while ours (same secret) are accepted. */
  | "homeserver-mismatch"
  /** Accepted, but the response's MESSAGE-INTEGRITY does not verify with our key. */
  | "integrity-invalid"
  /** Some other error code (437, 442, 486, 508, 403, 401 without REALM/NONCE…). */
  | "error"
  /** No answer to the Allocate (after the Binding was answered), or the connection failed. */
  | "no-response";

export function isAuthRejection(a: TurnAllocationFact): boolean {
  return !a.ok && (a.errorCode === 441 || (a.errorCode === 401 && a.steps.some((s) => s.authenticated)));
}

export function verdictOf(a: TurnAllocationFact, endpoint: TurnEndpointFact): AllocationVerdict {
  if (a.ok) {
    if (a.unauthenticated) return "unauthenticated";
    if (a.responseIntegrity === "invalid") return "integrity-invalid";
    return "ok";
  }
  if (isAuthRejection(a)) {
    const others = endpoint.allocations.filter((o) => o !== a);
    const farFuture = others.find((o) => o.credential === "far-future");
    const configured = others.find((o) => o.credential === "configured");
    if (a.credential === "homeserver" && configured?.ok) return "homeserver-mismatch";
    if (a.credential !== "far-future" && farFuture?.ok) return "clock-skew";
    return "wrong-credentials";
  }
  if (a.errorCode !== undefined) return "error";
  return "no-response";
}

/** The allocations that represent an endpoint (the far-future one only explains others). */
export function judgedAllocations(e: TurnEndpointFact): TurnAllocationFact[] {
  return e.allocations.filter((a) => a.credential !== "far-future");
}

/** The first successful allocation of an endpoint (the one CreatePermission ran on). */
export function firstSuccess(e: TurnEndpointFact): TurnAllocationFact | undefined {
  return e.allocations.find((a) => a.ok);
}

/** Known Allocate error codes (RFC 8656 §19, RFC 8489 §14.8) and what to do about them in coturn. */
export function allocateErrorAdvice(code: number | undefined, reason: string | undefined): { text: string; fix: string } {
  const what = `${code ?? "?"}${reason ? ` ${reason}` : ""}`;
  switch (code) {
    case 437:
      return {
        text: `Allocate refused with ${what}: an allocation already exists for this client address and port`,
        fix: "Usually transient (a previous allocation from the same address and port still exists); it clears after the allocation lifetime. If it persists, restart coturn: `systemctl restart coturn`.",
      };
    case 442:
      return {
        text: `Allocate refused with ${what}: the server does not relay UDP`,
        fix: "Clients ask for UDP relays: remove `no-udp-relay` from /etc/turnserver.conf and `systemctl restart coturn`.",
      };
    case 486:
      return {
        text: `Allocate refused with ${what}: the per-user or total allocation quota is used up`,
        fix: "Raise the quota in /etc/turnserver.conf (Synapse's guide uses `user-quota=12` and `total-quota=1200`), then `systemctl restart coturn`.",
      };
    case 508:
      return {
        text: `Allocate refused with ${what}: no relay port left`,
        fix: "Widen the relay port range in /etc/turnserver.conf (`min-port=49152`, `max-port=65535`; open the same UDP range in the firewall), then `systemctl restart coturn`.",
      };
    case 403:
      return {
        text: `Allocate refused with ${what}`,
        fix: "coturn refuses this client: check `allowed-peer-ip`/`denied-peer-ip` and `no-tcp-relay`/`no-udp-relay` in /etc/turnserver.conf and coturn's log (`journalctl -u coturn`).",
      };
    case 401:
      return {
        text: `Allocate answered ${what} without REALM and NONCE, so no credentials can be sent`,
        fix: "Set the realm in /etc/turnserver.conf (`realm=<your TURN host name>`; without it coturn keeps answering 401, coturn/coturn#1453) and `systemctl restart coturn`.",
      };
    default:
      return {
        text: `Allocate refused with ${what}`,
        fix: "Look for the refusal in coturn's log (`journalctl -u coturn`) and compare /etc/turnserver.conf with the coturn example configuration.",
      };
  }
}

export interface Problem {
  level: "warn" | "fail";
  text: string;
  fix: string;
  docs?: string;
}

/**
 * One outcome from many problems: the worst level wins; the summary names the first problem of that
 * level (and how many more there are); the fix lists every distinct fix.
 */
export function outcomeOf(problems: Problem[], passSummary: string, details: Record<string, unknown>): Outcome {
  if (problems.length === 0) return { status: "pass", summary: passSummary, details };
  const level = problems.some((p) => p.level === "fail") ? "fail" : "warn";
  const ordered = [...problems.filter((p) => p.level === level), ...problems.filter((p) => p.level !== level)];
  const first = ordered[0]!;
  const more = ordered.length - 1;
  const fix = ordered.map((p) => p.fix).filter((f, i, all) => all.indexOf(f) === i).join("\n");
  return {
    status: level,
    summary: `${first.text}${more > 0 ? ` (+${more} more problem${more > 1 ? "s" : ""})` : ""}`,
    fix,
    details,
    ...(first.docs && { docs: first.docs }),
  };
}
