// The TURN client exchanges the probe runs on one transport: a STUN Binding, and an authenticated
// Allocate (401 challenge → long-term credentials, one retry on 438 Stale Nonce) followed by
// CreatePermission towards internal peers and a Refresh with LIFETIME 0 that releases the allocation
// (RFC 8656 §7-§9; reference notes section (b)). Results are data; nothing throws.

import type { TurnAllocationFact, TurnBindingFact, TurnCredentialKind, TurnPermissionFact, TurnStep } from "../engine/facts/turn.js";
import { USER_AGENT } from "../version.js";
import { longTermKey, type TurnCredentials } from "./credentials.js";
import {
  Attr,
  encode,
  Method,
  newTransactionId,
  readAttributes,
  requestedTransportValue,
  stringValue,
  TRANSPORT_UDP,
  u32Value,
  verifyIntegrity,
  xorAddressValue,
  type DecodedAttributes,
  type StunAttribute,
  type StunMessage,
} from "./stun.js";
import type { StunTransport, TransactionResult } from "./transport.js";

/** Allocation lifetime we ask for: short, so a failed release leaks little. */
export const REQUESTED_LIFETIME_S = 60;

interface Answer {
  step: TurnStep;
  message?: StunMessage;
  attrs?: DecodedAttributes;
}

function toStep(request: TurnStep["request"], authenticated: boolean, result: TransactionResult, key?: Buffer): Answer {
  const base = { request, authenticated, transmissions: result.transmissions, durationMs: result.durationMs };
  if (!result.response) {
    return { step: { ...base, outcome: "no-response", ...(result.error && { error: result.error }) } };
  }
  const { message, raw } = result.response;
  const attrs = readAttributes(message);
  const integrity = key ? verifyIntegrity(raw, key) : undefined;
  if (message.cls === "error") {
    return {
      message,
      attrs,
      step: {
        ...base,
        outcome: "error",
        ...(attrs.errorCode && { errorCode: attrs.errorCode.code, reason: attrs.errorCode.reason }),
        ...(integrity && { integrity }),
      },
    };
  }
  return { message, attrs, step: { ...base, outcome: "success", ...(integrity && { integrity }) } };
}

async function send(
  transport: StunTransport,
  method: number,
  attributes: StunAttribute[],
  key?: Buffer,
): Promise<TransactionResult> {
  const transactionId = newTransactionId();
  const bytes = encode({ method, cls: "request", transactionId, attributes }, { ...(key && { integrityKey: key }), fingerprint: true });
  return transport.transact(bytes, transactionId);
}

/** STUN Binding: is a STUN server answering on this transport, and what address does it see? */
export async function binding(transport: StunTransport): Promise<TurnBindingFact> {
  const result = await send(transport, Method.Binding, []);
  const { step, attrs } = toStep("Binding", false, result);
  return {
    ok: step.outcome === "success",
    ...(step.error && { error: step.error }),
    ...(step.errorCode !== undefined && { errorCode: step.errorCode }),
    ...(step.reason !== undefined && { reason: step.reason }),
    ...(attrs?.xorMappedAddress && { mapped: attrs.xorMappedAddress }),
    ...(attrs?.software && { software: attrs.software }),
    transmissions: step.transmissions,
    durationMs: step.durationMs,
  };
}

export interface AllocateOptions {
  credential: TurnCredentialKind;
  credentials: TurnCredentials;
  /** Peers to try CreatePermission for after a successful Allocate. */
  permissionPeers: string[];
}

/** The long-term authentication state of one allocation. */
interface Auth {
  username: string;
  realm: string;
  nonce: string;
  key: Buffer;
}

function authAttributes(auth: Auth): StunAttribute[] {
  return [
    { type: Attr.Username, value: stringValue(auth.username) },
    { type: Attr.Realm, value: stringValue(auth.realm) },
    { type: Attr.Nonce, value: stringValue(auth.nonce) },
  ];
}

/**
 * An authenticated request with one retry on 438 Stale Nonce (the server's new NONCE, and REALM if it
 * sent one, replace ours for this and later requests).
 */
async function authenticated(
  transport: StunTransport,
  request: TurnStep["request"],
  method: number,
  attributes: StunAttribute[],
  auth: Auth,
  steps: TurnStep[],
  password: TurnCredentials["password"],
): Promise<{ answer: Answer; retried: boolean }> {
  let retried = false;
  for (;;) {
    const result = await send(transport, method, [...attributes, ...authAttributes(auth)], auth.key);
    const answer = toStep(request, true, result, auth.key);
    steps.push(answer.step);
    if (answer.step.errorCode === 438 && !retried && answer.attrs?.nonce) {
      retried = true;
      auth.nonce = answer.attrs.nonce;
      if (answer.attrs.realm && answer.attrs.realm !== auth.realm) {
        auth.realm = answer.attrs.realm;
        auth.key = longTermKey(auth.username, auth.realm, password);
      }
      continue;
    }
    return { answer, retried };
  }
}

/**
 * Allocate with the 401 challenge, then (on success) CreatePermission per peer and Refresh(0).
 * The transport should be fresh: an allocation is bound to its 5-tuple.
 */
export async function allocate(transport: StunTransport, options: AllocateOptions): Promise<TurnAllocationFact> {
  const { credentials } = options;
  const started = performance.now();
  const steps: TurnStep[] = [];
  const ms = (): number => Math.round(performance.now() - started);
  const allocateAttrs: StunAttribute[] = [
    { type: Attr.RequestedTransport, value: requestedTransportValue(TRANSPORT_UDP) },
    { type: Attr.Lifetime, value: u32Value(REQUESTED_LIFETIME_S) },
    { type: Attr.Software, value: stringValue(USER_AGENT) },
  ];
  const fact: TurnAllocationFact = {
    credential: options.credential,
    username: credentials.username,
    ...(credentials.expiresAtMs !== undefined && { expiresAtMs: credentials.expiresAtMs }),
    steps,
    ok: false,
    durationMs: 0,
  };
  const finalFrom = (answer: Answer): void => {
    if (answer.step.errorCode !== undefined) fact.errorCode = answer.step.errorCode;
    if (answer.step.reason !== undefined) fact.reason = answer.step.reason;
    if (answer.step.error) fact.error = answer.step.error;
  };

  // 1. Unauthenticated: the server answers 401 with REALM and NONCE (normal for digest auth).
  const challenge = toStep("Allocate", false, await send(transport, Method.Allocate, allocateAttrs));
  steps.push(challenge.step);
  let success: Answer | undefined;
  let auth: Auth | undefined;
  if (challenge.step.outcome === "success") {
    fact.unauthenticated = true;
    success = challenge;
  } else if (challenge.step.errorCode === 401 && challenge.attrs?.realm !== undefined && challenge.attrs.nonce !== undefined) {
    fact.realm = challenge.attrs.realm;
    auth = {
      username: credentials.username,
      realm: challenge.attrs.realm,
      nonce: challenge.attrs.nonce,
      key: longTermKey(credentials.username, challenge.attrs.realm, credentials.password),
    };
    // 2. With long-term credentials.
    const { answer, retried } = await authenticated(transport, "Allocate", Method.Allocate, allocateAttrs, auth, steps, credentials.password);
    if (retried) fact.staleNonceRetried = true;
    if (answer.step.outcome === "success") success = answer;
    else finalFrom(answer);
  } else {
    finalFrom(challenge);
  }
  fact.durationMs = ms();
  if (!success) return fact;

  fact.ok = true;
  const attrs = success.attrs ?? {};
  if (auth) fact.responseIntegrity = success.step.integrity ?? "absent";
  if (attrs.xorRelayedAddress) fact.relayed = attrs.xorRelayedAddress;
  if (attrs.xorMappedAddress) fact.mapped = attrs.xorMappedAddress;
  if (attrs.lifetime !== undefined) fact.lifetime = attrs.lifetime;

  // 3. CreatePermission, one peer per request so each gets its own verdict.
  if (options.permissionPeers.length > 0) {
    const permissions: TurnPermissionFact[] = [];
    for (const peer of options.permissionPeers) permissions.push(await permissionRequest(transport, peer, auth, steps, credentials));
    fact.permissions = permissions;
  }

  // 4. Release: Refresh with LIFETIME 0.
  const refreshAttrs: StunAttribute[] = [{ type: Attr.Lifetime, value: u32Value(0) }];
  const refresh = auth
    ? (await authenticated(transport, "Refresh", Method.Refresh, refreshAttrs, auth, steps, credentials.password)).answer
    : toStep("Refresh", false, await send(transport, Method.Refresh, refreshAttrs));
  if (!auth) steps.push(refresh.step);
  fact.refresh = {
    ok: refresh.step.outcome === "success",
    ...(refresh.step.errorCode !== undefined && { errorCode: refresh.step.errorCode }),
    ...(refresh.step.reason !== undefined && { reason: refresh.step.reason }),
    ...(refresh.step.error && { error: refresh.step.error }),
    durationMs: refresh.step.durationMs,
  };
  return fact;
}

/** XOR-PEER-ADDRESS depends on the transaction ID, so the request is encoded here rather than in send(). */
async function permissionRequest(
  transport: StunTransport,
  peer: string,
  auth: Auth | undefined,
  steps: TurnStep[],
  credentials: TurnCredentials,
): Promise<TurnPermissionFact> {
  let retried = false;
  for (;;) {
    const transactionId = newTransactionId();
    const attributes: StunAttribute[] = [
      { type: Attr.XorPeerAddress, value: xorAddressValue({ address: peer, port: 0 }, transactionId) },
      ...(auth ? authAttributes(auth) : []),
    ];
    const bytes = encode(
      { method: Method.CreatePermission, cls: "request", transactionId, attributes },
      { ...(auth && { integrityKey: auth.key }), fingerprint: true },
    );
    const answer = toStep("CreatePermission", auth !== undefined, await transport.transact(bytes, transactionId), auth?.key);
    steps.push(answer.step);
    if (auth && answer.step.errorCode === 438 && !retried && answer.attrs?.nonce) {
      retried = true;
      auth.nonce = answer.attrs.nonce;
      if (answer.attrs.realm && answer.attrs.realm !== auth.realm) {
        auth.realm = answer.attrs.realm;
        auth.key = longTermKey(auth.username, auth.realm, credentials.password);
      }
      continue;
    }
    return {
      peer,
      ok: answer.step.outcome === "success",
      ...(answer.step.errorCode !== undefined && { errorCode: answer.step.errorCode }),
      ...(answer.step.reason !== undefined && { reason: answer.step.reason }),
      ...(answer.step.error && { error: answer.step.error }),
      durationMs: answer.step.durationMs,
    };
  }
}
