// HTTP(S) requests pinned to an address the DNS probe found: the connection goes to that IP, while
// Host and SNI carry the names the spec prescribes. undici does the HTTP; we supply the socket, so
// no second lookup through the system resolver happens and the TLS facts of the socket are kept.

import net from "node:net";
import tls from "node:tls";
import type { Headers, HttpExchange, HttpResponse } from "../engine/facts.js";
import { deadlineSignal, toNetError } from "./errors.js";
import { USER_AGENT } from "../version.js";
import type { Trust } from "./trust.js";

export interface HttpRequest {
  method: "GET" | "OPTIONS";
  url: string;
  /** IP address to connect to. */
  address: string;
  /** Host header; defaults to the URL's host. */
  hostHeader?: string;
  /** SNI; defaults to the URL's hostname unless that is an IP address. */
  servername?: string;
  headers?: Record<string, string>;
  maxBodyBytes: number;
  /** How the body is kept: text (default) or base64 for binary payloads such as DER certificates. */
  bodyEncoding?: "utf8" | "base64";
  /** What TLS trusts (system roots plus --ca-file); verification is recorded, not enforced. */
  trust: Trust;
  connectTimeoutMs: number;
  /** Budget for the whole exchange (headers and body). */
  timeoutMs: number;
  signal: AbortSignal;
}

type ConnectCallback = (...args: [null, net.Socket] | [Error, null]) => void;

function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

function hostnameOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || name === "set-cookie") continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export async function httpRequest(req: HttpRequest): Promise<HttpExchange> {
  const started = performance.now();
  const url = new URL(req.url);
  const port = defaultPort(url);
  const isTls = url.protocol === "https:";
  const urlHost = hostnameOf(url);
  const hostHeader = req.hostHeader ?? url.host;
  const servername = isTls ? (req.servername ?? (net.isIP(urlHost) ? undefined : urlHost)) : undefined;
  const exchange: HttpExchange = {
    method: req.method,
    url: req.url,
    address: req.address,
    port,
    hostHeader,
    ...(servername && { servername }),
    durationMs: 0,
  };
  const signal = deadlineSignal(req.signal, req.timeoutMs);
  if (signal.aborted) {
    return { ...exchange, error: { code: "timeout", message: "timed out (run deadline reached)" } };
  }

  let tlsInfo: HttpResponse["tls"];
  let openSocket: net.Socket | undefined;
  const connect = (_opts: unknown, callback: ConnectCallback): void => {
    let settled = false;
    const done = (...args: [null, net.Socket] | [Error, null]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(...args);
    };
    const socket = isTls
      ? tls.connect({
          host: req.address,
          port,
          ...(servername && { servername }),
          secureContext: req.trust.strict,
          rejectUnauthorized: false,
          ALPNProtocols: ["http/1.1"],
        })
      : net.connect({ host: req.address, port });
    openSocket = socket;
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect to ${req.address}:${port} timed out`), { code: "ETIMEDOUT" });
      socket.destroy(err);
      done(err, null);
    }, req.connectTimeoutMs);
    socket.once("error", (err) => done(err, null));
    if (socket instanceof tls.TLSSocket) {
      socket.once("secureConnect", () => {
        tlsInfo = {
          authorized: socket.authorized,
          ...(socket.authorizationError && { authorizationError: String(socket.authorizationError) }),
          ...(socket.getProtocol() && { protocol: String(socket.getProtocol()) }),
        };
        done(null, socket);
      });
    } else {
      socket.once("connect", () => done(null, socket));
    }
  };

  const { Client } = await import("undici");
  const client = new Client(`${url.protocol}//${url.host}`, {
    connect,
    headersTimeout: req.timeoutMs,
    bodyTimeout: req.timeoutMs,
    keepAliveTimeout: 1,
    pipelining: 0,
  });
  const onAbort = (): void => {
    openSocket?.destroy();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const res = await client.request({
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: { host: hostHeader, "user-agent": USER_AGENT, ...req.headers },
      signal,
    });
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    let truncated = false;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      const room = req.maxBodyBytes - bodyBytes;
      if (buf.length > room) {
        if (room > 0) chunks.push(buf.subarray(0, room));
        bodyBytes += buf.length;
        truncated = true;
        res.body.destroy();
        break;
      }
      chunks.push(buf);
      bodyBytes += buf.length;
    }
    const response: HttpResponse = {
      status: res.statusCode,
      headers: flattenHeaders(res.headers),
      body: Buffer.concat(chunks).toString(req.bodyEncoding ?? "utf8"),
      bodyBytes,
      truncated,
      ...(tlsInfo && { tls: tlsInfo }),
    };
    return { ...exchange, response, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const error = signal.aborted ? { code: "timeout" as const, message: "timed out" } : toNetError(err);
    return { ...exchange, error, durationMs: Math.round(performance.now() - started) };
  } finally {
    signal.removeEventListener("abort", onAbort);
    client.destroy().catch(() => undefined);
  }
}

