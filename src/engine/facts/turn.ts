// Facts of the turn area: what the TURN probe saw when it asked the homeserver for TURN credentials and
// ran STUN Binding, an authenticated Allocate, CreatePermission and Refresh against every TURN URI.
// No password, shared secret or access token is ever kept here: usernames are (they are not secret:
// the homeserver hands them to every client), and whether a password was present.

import type { HostAddresses, TlsHandshakeFact } from "../facts.js";
import type { NetError } from "../types.js";

export type TurnTransport = "udp" | "tcp" | "tls";

export interface TurnAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

export interface TurnUriFact {
  uri: string;
  /** Where the URI came from (a URI in several sources is listed once, with all of them). */
  sources: ("flag" | "homeserver-config" | "homeserver")[];
  valid: boolean;
  invalidReason?: string;
  scheme?: "turn" | "turns";
  host?: string;
  port?: number;
  transport?: TurnTransport;
  hostIsIp?: boolean;
}

/** What the probe was given (never the secret itself). */
export interface TurnInputsFact {
  /** Where the URIs tested came from; "none" when only the homeserver's answer could supply them. */
  urisSource: "flag" | "homeserver-config" | "homeserver" | "none";
  /** Where the shared secret came from, when there is one. */
  secretSource?: "flag" | "homeserver-config";
  /** Synapse turn_shared_secret_path, when the secret is kept in a file. */
  secretPath?: string;
  /** Reading that file failed (the error message). */
  secretPathError?: string;
  /** Static credentials from the homeserver config (turn_username/turn_password): the username only. */
  staticUsername?: string;
  staticPasswordPresent?: boolean;
  /** turn_user_lifetime as written, and what it parses to. */
  lifetime?: { raw: string; seconds?: number };
  /** The lifetime used for the credentials we mint ourselves. */
  mintLifetimeSeconds: number;
  /** The homeserver config file, when one was read. */
  configPath?: string;
  implementation?: "dendrite" | "synapse";
  /** Why the homeserver config could not be used, when it was asked for but unavailable. */
  configUnavailable?: string;
  /** The config has no TURN section at all (neither URIs nor secret). */
  configHasTurn?: boolean;
  accessTokenGiven: boolean;
  /** The Matrix user ID put into self-minted usernames. */
  userId: string;
}

/** GET /_matrix/client/v3/voip/turnServer with the access token, through matrix-js-sdk. */
export interface TurnIssuedFact {
  url: string;
  baseUrl: string;
  baseUrlSource: "client-well-known" | "server-name";
  /** HTTP status, when a response came. */
  status?: number;
  /** Transport failure or the SDK's error when no HTTP status is known. */
  error?: NetError;
  /** Matrix errcode/error of a non-200 answer. */
  errcode?: string;
  errorMessage?: string;
  /** The token was not sent (e.g. the certificate is not trusted); why. */
  tokenNotSent?: string;
  /** 200 with an empty object: the homeserver has no TURN configured. */
  empty?: boolean;
  uris?: string[];
  /** ttl in seconds, as returned. */
  ttl?: number;
  username?: string;
  passwordPresent: boolean;
  /** Fields the spec requires that are missing or of the wrong type. */
  missingFields?: string[];
  /** When the username has the REST shape "<expiry>:<user id>". */
  usernameExpiresAtMs?: number;
  usernameUserId?: string;
  /** Our clock when the response arrived (to compare the username's expiry with ttl). */
  receivedAtMs?: number;
  durationMs: number;
}

/** One STUN request and what came back. */
export interface TurnStep {
  request: "Binding" | "Allocate" | "CreatePermission" | "Refresh";
  authenticated: boolean;
  outcome: "success" | "error" | "no-response";
  errorCode?: number;
  reason?: string;
  /** Transport failure (refused, timeout, reset, tls) when outcome is no-response. */
  error?: NetError;
  /** UDP: number of sends (retransmissions + 1). */
  transmissions: number;
  /** MESSAGE-INTEGRITY of the response checked with our key (authenticated requests only). */
  integrity?: "valid" | "invalid" | "absent";
  durationMs: number;
}

export type TurnCredentialKind =
  /** Minted from the shared secret with the configured lifetime, like the homeserver does. */
  | "configured"
  /** Minted from the shared secret with an expiry far in the future (to tell clock skew from a wrong secret). */
  | "far-future"
  /** Handed out by the homeserver's /voip/turnServer. */
  | "homeserver"
  /** turn_username/turn_password from the homeserver config. */
  | "static";

export interface TurnPermissionFact {
  peer: string;
  ok: boolean;
  errorCode?: number;
  reason?: string;
  error?: NetError;
  durationMs: number;
}

export interface TurnAllocationFact {
  credential: TurnCredentialKind;
  username: string;
  /** Expiry carried in the username (REST credentials). */
  expiresAtMs?: number;
  /** Every request of the exchange in order: the unauthenticated challenge, the authenticated tries. */
  steps: TurnStep[];
  realm?: string;
  /** The first Allocate was answered with success although it carried no credentials (no auth on this server). */
  unauthenticated?: boolean;
  /** A 438 Stale Nonce was answered by retrying once with the new nonce. */
  staleNonceRetried?: boolean;
  ok: boolean;
  /** The final answer, when it was an error. */
  errorCode?: number;
  reason?: string;
  /** The final transport failure, when there was no answer. */
  error?: NetError;
  /** MESSAGE-INTEGRITY of the Allocate success response, checked with our key. */
  responseIntegrity?: "valid" | "invalid" | "absent";
  relayed?: TurnAddress;
  mapped?: TurnAddress;
  lifetime?: number;
  /** Time from the first Allocate to the success (or final failure), challenge included. */
  durationMs: number;
  /** CreatePermission towards internal addresses (only on the first successful allocation per endpoint). */
  permissions?: TurnPermissionFact[];
  /** Refresh with LIFETIME 0 (releases the allocation). */
  refresh?: { ok: boolean; errorCode?: number; reason?: string; error?: NetError; durationMs: number };
}

export interface TurnBindingFact {
  ok: boolean;
  /** Opening the connection (TCP/TLS) failed, or the Binding got no answer. */
  error?: NetError;
  errorCode?: number;
  reason?: string;
  mapped?: TurnAddress;
  software?: string;
  transmissions: number;
  /** Connection set-up (TCP/TLS). */
  connectMs?: number;
  durationMs: number;
}

/** One URI on one address. */
export interface TurnEndpointFact {
  uri: string;
  transport: TurnTransport;
  host: string;
  port: number;
  address: string;
  family: 4 | 6;
  binding: TurnBindingFact;
  /** turns: the certificate facts of this endpoint (from the run's TLS handshake), and the STUN connection's own verdict. */
  tls?: { handshake: TlsHandshakeFact; connection?: { authorized: boolean; authorizationError?: string; protocol?: string } };
  allocations: TurnAllocationFact[];
}

export interface TurnFact {
  inputs: TurnInputsFact;
  uris: TurnUriFact[];
  /** A/AAAA per host name (IP literals are not looked up). */
  dns: HostAddresses[];
  issued?: TurnIssuedFact;
  endpoints: TurnEndpointFact[];
  /** The peers CreatePermission was tried for (expected: 403 Forbidden IP for each). */
  deniedPeersTried: string[];
  /** Our clock at the start of the probe. */
  probedAtMs: number;
}
