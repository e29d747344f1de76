// TURN REST credentials exactly as Dendrite (clientapi/routing/voip.go) and Synapse (rest/client/voip.py)
// mint them for GET /_matrix/client/v3/voip/turnServer, and the STUN long-term key coturn derives from them.

import { createHash, createHmac } from "node:crypto";
import { Secret } from "../engine/secret.js";

export interface TurnCredentials {
  /** "<expiry unix seconds>:<user id>" (or a static username). */
  username: string;
  password: Secret;
  /** Expiry in milliseconds since the epoch, when the username carries it. */
  expiresAtMs?: number;
}

/**
 * username = `${expiryUnixSeconds}:${userId}`, password = base64(HMAC-SHA1(secret, username)), standard
 * alphabet with padding (Go base64.StdEncoding, Python base64.b64encode).
 */
export function mintCredentials(secret: Secret, userId: string, expiresAtMs: number): TurnCredentials {
  const expiry = Math.floor(expiresAtMs / 1000);
  const username = `${expiry}:${userId}`;
  const password = new Secret(createHmac("sha1", secret.reveal()).update(username).digest("base64"));
  return { username, password, expiresAtMs: expiry * 1000 };
}

/** RFC 8489 §9.2.2 long-term key: MD5(username ":" realm ":" password), as coturn computes it. */
export function longTermKey(username: string, realm: string, password: Secret): Buffer {
  return createHash("md5").update(`${username}:${realm}:${password.reveal()}`, "utf8").digest();
}

/** The expiry and user ID of a TURN REST username ("1700000000:@alice:example.org"), if it has that shape. */
export function parseRestUsername(username: string): { expiresAtMs: number; userId: string } | undefined {
  const m = /^(\d{1,12}):(.+)$/.exec(username);
  if (!m) return undefined;
  return { expiresAtMs: Number(m[1]) * 1000, userId: m[2]! };
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SYNAPSE_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/**
 * A TURN user lifetime in milliseconds: a Go duration for Dendrite ("5m", "1h30m"), a Synapse duration
 * ("1h", "5m", "2d") or a bare number of milliseconds (Synapse). undefined when it is neither.
 */
export function parseLifetime(raw: string | number, implementation?: "dendrite" | "synapse"): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) && raw >= 0 ? raw : undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return implementation === "dendrite" ? (text === "0" ? 0 : undefined) : Number(text);
  if (implementation !== "synapse") {
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)];
    if (parts.length > 0 && parts.map((p) => p[0]).join("") === text) {
      return parts.reduce((sum, p) => sum + Number(p[1]) * GO_UNITS[p[2]!]!, 0);
    }
  }
  if (implementation !== "dendrite") {
    const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(text);
    if (m) return Number(m[1]) * SYNAPSE_UNITS[m[2]!]!;
  }
  return undefined;
}
