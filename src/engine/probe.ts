// Probes do all the I/O of a run. Each produces one fact, once per run; other probes and checks
// share it through the engine's memo.

import type { FactMap, FactName } from "./facts.js";
import type { Net } from "../net/net.js";
import type { Secret } from "./secret.js";

/** Inputs of one run, after argument parsing. Secrets never live here in printable form. */
export interface RunInput {
  serverName: string;
  /** DNS server to ask, "host" or "host:port"; absent = the system's resolv.conf servers. */
  resolver?: string;
  /** Extra trusted CA certificates (PEM text), added to the system roots. */
  extraCa: string[];
  /** Whole-run deadline in milliseconds. */
  timeoutMs: number;
  allowPrivateAddresses: boolean;
  // Server-side inputs. Flags and MATRIX_DOCTOR_* variables override what the homeserver config says.
  /** dendrite.yaml or homeserver.yaml. */
  homeserverConfigPath?: string;
  /** PostgreSQL connection string (may hold a password). */
  postgres?: Secret;
  /** The homeserver's systemd unit, e.g. dendrite.service. */
  systemdUnit?: string;
  turnUris?: string[];
  turnSecret?: Secret;
  /** A Matrix access token, for /_matrix/client/v3/voip/turnServer. */
  accessToken?: Secret;
}

export interface ProbeContext {
  input: RunInput;
  /** Aborts at the run deadline. Every operation must honour it. */
  signal: AbortSignal;
  /** Another fact of this run (memoised). Rejects with FactUnavailable when that fact cannot exist. */
  fact<K extends FactName>(name: K): Promise<FactMap[K]>;
  net: Net;
  log(message: string): void;
}

export interface Probe<K extends FactName = FactName> {
  fact: K;
  run(ctx: ProbeContext): Promise<FactMap[K]>;
}

/**
 * Thrown by a probe whose fact cannot exist in this run (e.g. no well-known lookup for an IP literal,
 * or a prerequisite failed). Checks that need the fact are skipped with this reason.
 */
export class FactUnavailable extends Error {
  override name = "FactUnavailable";
}

export function defineProbe<K extends FactName>(probe: Probe<K>): Probe<K> {
  return probe;
}
