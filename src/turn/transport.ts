// STUN transactions over UDP (node:dgram, RFC 8489 §6.2.1 retransmission, capped), TCP (node:net) and
// TLS (node:tls), framed by the STUN header length on streams (§6.2.2). Every socket connects to an IP
// address the run's DNS found (never a second system lookup), every wait is bounded by a timeout and
// the run's signal, and close() always releases the socket. Failures come back as NetError data.

import dgram from "node:dgram";
import net from "node:net";
import tls, { type SecureContext } from "node:tls";
import type { NetError } from "../engine/types.js";
import { deadlineSignal, toNetError } from "../net/errors.js";
import { decode, frameLength, isStun, StunDecodeError, type StunMessage } from "./stun.js";
import type { TurnTransport } from "./uri.js";

export interface TransactionResult {
  response?: { message: StunMessage; raw: Buffer };
  error?: NetError;
  /** UDP: how many times the request was sent. */
  transmissions: number;
  durationMs: number;
}

export interface TlsConnectionInfo {
  authorized: boolean;
  authorizationError?: string;
  protocol?: string;
}

export interface StunTransport {
  readonly kind: TurnTransport;
  readonly local?: { address: string; port: number };
  /** TLS facts of this connection (turns: only). */
  readonly tls?: TlsConnectionInfo;
  /** Send one request and wait for the response with the same transaction ID. */
  transact(request: Buffer, transactionId: Buffer): Promise<TransactionResult>;
  close(): void;
}

export interface TransportOptions {
  kind: TurnTransport;
  address: string;
  port: number;
  /** SNI for TLS (a host name; never an IP literal). */
  servername?: string;
  /** Trust anchors for TLS: verification is recorded, not enforced (the handshake check judges it). */
  /** Trust for turns: (system roots plus --ca-file), one context shared per trust set. */
  secureContext?: SecureContext;
  connectTimeoutMs: number;
  /** Budget of one transaction (UDP: all retransmissions together). */
  transactionTimeoutMs: number;
  signal: AbortSignal;
}

/** RFC 8489 §6.2.1: initial RTO 500 ms, doubled per retransmission, at most 7 sends. */
const INITIAL_RTO_MS = 500;
const MAX_SENDS = 7;
/** Largest response accepted on a stream before the connection is dropped (a STUN message is < 64 KiB). */
const MAX_FRAME = 65_535 + 20;

const timeoutError = (): NetError => ({ code: "timeout", message: "timed out (no response)" });

function keyOf(transactionId: Buffer): string {
  return transactionId.toString("hex");
}

interface Pending {
  resolve(result: TransactionResult): void;
  started: number;
  transmissions: number;
}

export type OpenResult = { transport: StunTransport; durationMs: number } | { error: NetError; durationMs: number };

export async function openTransport(options: TransportOptions): Promise<OpenResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  try {
    const transport = options.kind === "udp" ? await openUdp(options) : await openStream(options);
    return { transport, durationMs: ms() };
  } catch (err) {
    return { error: toNetError(err), durationMs: ms() };
  }
}

// ---------------------------------------------------------------------------------------------------
// UDP

function openUdp(options: TransportOptions): Promise<StunTransport> {
  const socket = dgram.createSocket(net.isIPv6(options.address) ? "udp6" : "udp4");
  const pending = new Map<string, Pending & { timers: NodeJS.Timeout[] }>();
  let dead: NetError | undefined;
  let closed = false;

  const finish = (key: string, result: Omit<TransactionResult, "transmissions" | "durationMs">): void => {
    const p = pending.get(key);
    if (!p) return;
    pending.delete(key);
    for (const t of p.timers) clearTimeout(t);
    p.resolve({ ...result, transmissions: p.transmissions, durationMs: Math.round(performance.now() - p.started) });
  };
  const failAll = (error: NetError): void => {
    dead = error;
    for (const key of [...pending.keys()]) finish(key, { error });
  };
  socket.on("error", (err) => failAll(toNetError(err)));
  socket.on("message", (raw) => {
    if (!isStun(raw)) return;
    let message: StunMessage;
    try {
      message = decode(raw);
    } catch {
      return;
    }
    finish(keyOf(message.transactionId), { response: { message, raw } });
  });

  const transport: StunTransport = {
    kind: "udp",
    get local() {
      try {
        const a = socket.address();
        return { address: a.address, port: a.port };
      } catch {
        return undefined;
      }
    },
    transact(request, transactionId) {
      return new Promise<TransactionResult>((resolve) => {
        const started = performance.now();
        if (dead || closed) return resolve({ error: dead ?? { code: "other", message: "socket closed" }, transmissions: 0, durationMs: 0 });
        const key = keyOf(transactionId);
        const signal = deadlineSignal(options.signal, options.transactionTimeoutMs);
        const entry = { resolve, started, transmissions: 0, timers: [] as NodeJS.Timeout[] };
        pending.set(key, entry);
        const onAbort = (): void => finish(key, { error: timeoutError() });
        signal.addEventListener("abort", onAbort, { once: true });
        const done = entry.resolve;
        entry.resolve = (r) => {
          signal.removeEventListener("abort", onAbort);
          done(r);
        };
        if (signal.aborted) return onAbort();
        const send = (): void => {
          if (!pending.has(key) || closed) return;
          entry.transmissions++;
          socket.send(request, (err) => {
            if (err) finish(key, { error: toNetError(err) });
          });
        };
        // Sends at 0, RTO, 3·RTO, 7·RTO, … until the budget (the abort) ends the transaction.
        let at = 0;
        let rto = INITIAL_RTO_MS;
        for (let i = 0; i < MAX_SENDS && at < options.transactionTimeoutMs; i++) {
          entry.timers.push(setTimeout(send, at));
          at += rto;
          rto *= 2;
        }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      failAll({ code: "other", message: "socket closed" });
      try {
        socket.close();
      } catch {
        // already closed
      }
    },
  };

  return new Promise<StunTransport>((resolve, reject) => {
    const onError = (err: Error): void => {
      transport.close();
      reject(err);
    };
    socket.once("error", onError);
    socket.connect(options.port, options.address, () => {
      socket.off("error", onError);
      resolve(transport);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// TCP and TLS

function openStream(options: TransportOptions): Promise<StunTransport> {
  return new Promise<StunTransport>((resolve, reject) => {
    const signal = deadlineSignal(options.signal, options.connectTimeoutMs);
    if (signal.aborted) return reject(Object.assign(new Error("timed out"), { name: "TimeoutError" }));
    const isTls = options.kind === "tls";
    const socket: net.Socket = isTls
      ? tls.connect({
          host: options.address,
          port: options.port,
          ...(options.servername && { servername: options.servername }),
          ...(options.secureContext && { secureContext: options.secureContext }),
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
          ALPNProtocols: ["stun.turn"],
        })
      : net.connect({ host: options.address, port: options.port });
    const onAbort = (): void => {
      socket.destroy();
      reject(Object.assign(new Error("timed out"), { name: "TimeoutError" }));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const onError = (err: Error): void => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(err);
    };
    socket.once("error", onError);
    socket.once(isTls ? "secureConnect" : "connect", () => {
      signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      let tlsInfo: TlsConnectionInfo | undefined;
      if (isTls) {
        const s = socket as tls.TLSSocket;
        const protocol = s.getProtocol();
        tlsInfo = {
          authorized: s.authorized,
          ...(s.authorizationError && { authorizationError: String(s.authorizationError) }),
          ...(protocol && { protocol }),
        };
      }
      resolve(streamTransport(socket, options, tlsInfo));
    });
  });
}

function streamTransport(socket: net.Socket, options: TransportOptions, tlsInfo: TlsConnectionInfo | undefined): StunTransport {
  const pending = new Map<string, Pending & { cleanup(): void }>();
  let buffer = Buffer.alloc(0);
  let dead: NetError | undefined;
  let closed = false;

  const finish = (key: string, result: Omit<TransactionResult, "transmissions" | "durationMs">): void => {
    const p = pending.get(key);
    if (!p) return;
    pending.delete(key);
    p.cleanup();
    p.resolve({ ...result, transmissions: p.transmissions, durationMs: Math.round(performance.now() - p.started) });
  };
  const failAll = (error: NetError): void => {
    dead ??= error;
    for (const key of [...pending.keys()]) finish(key, { error });
  };
  socket.on("error", (err) => failAll(toNetError(err)));
  socket.on("close", () => failAll({ code: "reset", message: "the server closed the connection" }));
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      let length: number | undefined;
      try {
        length = frameLength(buffer);
      } catch (err) {
        failAll({ code: "protocol", message: err instanceof StunDecodeError ? err.message : String(err) });
        socket.destroy();
        return;
      }
      if (length === undefined) return;
      if (length > MAX_FRAME) {
        failAll({ code: "too-large", message: `frame of ${length} bytes` });
        socket.destroy();
        return;
      }
      if (buffer.length < length) return;
      const raw = Buffer.from(buffer.subarray(0, length));
      buffer = buffer.subarray(length);
      if ((raw[0]! & 0xc0) !== 0) continue; // ChannelData: not used by this client
      try {
        const message = decode(raw);
        finish(keyOf(message.transactionId), { response: { message, raw } });
      } catch {
        // A malformed message is ignored; the transaction times out if nothing valid follows.
      }
    }
  });

  const local = socket.localAddress && socket.localPort ? { address: socket.localAddress, port: socket.localPort } : undefined;
  return {
    kind: options.kind,
    ...(local && { local }),
    ...(tlsInfo && { tls: tlsInfo }),
    transact(request, transactionId) {
      return new Promise<TransactionResult>((resolve) => {
        const started = performance.now();
        if (dead || closed) return resolve({ error: dead ?? { code: "other", message: "connection closed" }, transmissions: 0, durationMs: 0 });
        const key = keyOf(transactionId);
        const signal = deadlineSignal(options.signal, options.transactionTimeoutMs);
        const onAbort = (): void => finish(key, { error: timeoutError() });
        pending.set(key, { resolve, started, transmissions: 1, cleanup: () => signal.removeEventListener("abort", onAbort) });
        signal.addEventListener("abort", onAbort, { once: true });
        if (signal.aborted) return onAbort();
        socket.write(request);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      failAll({ code: "other", message: "connection closed" });
      socket.destroy();
    },
  };
}
