// GET /_matrix/client/v3/voip/turnServer as a client does it: matrix-js-sdk's MatrixClient.turnServer()
// (loaded only when an access token is given), its fetch routed through the run's network: the host is
// resolved with the run's DNS (--resolver), the TLS certificate is checked with the run's handshake
// (--ca-file) BEFORE the token is sent, and the request goes to that address. The access token is
// revealed only into the SDK's client; the password in the answer is never kept (only whether it was there).

import { trustFor } from "../net/trust.js";
import type { TurnIssuedFact } from "../engine/facts/turn.js";
import type { ProbeContext } from "../engine/probe.js";
import { Secret } from "../engine/secret.js";
import type { NetError } from "../engine/types.js";
import { addressesOf } from "../net/dns.js";
import { toNetError } from "../net/errors.js";
import { httpRequest } from "../net/http.js";
import { sniFor } from "../net/tls.js";
import { parseRestUsername } from "./credentials.js";

type Sdk = typeof import("matrix-js-sdk");
let sdkReady: Promise<Sdk> | undefined;

function loadSdk(): Promise<Sdk> {
  sdkReady ??= (async () => {
    const [sdk, { logger }] = await Promise.all([import("matrix-js-sdk"), import("matrix-js-sdk/lib/logger.js")]);
    logger.disableAll(); // the SDK logs to the console; we report ourselves
    return sdk;
  })();
  return sdkReady;
}

const MAX_BODY = 64 * 1024;
const HTTP_TIMEOUT_MS = 10_000;

class TransportFailure extends Error {
  constructor(readonly netError: NetError) {
    super(netError.message);
  }
}

export interface IssuedOptions {
  baseUrl: string;
  baseUrlSource: TurnIssuedFact["baseUrlSource"];
  accessToken: Secret;
  timeoutMs?: number;
}

/** Is it safe to send the token to this origin? A reason when not (certificate untrusted or for another name). */
async function tokenGate(ctx: ProbeContext, url: URL, address: string): Promise<string | undefined> {
  if (url.protocol !== "https:") return undefined; // plain http was chosen by the operator (e.g. a local listener)
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port ? Number(url.port) : 443;
  const servername = sniFor(host);
  const h = await ctx.net.handshake({ listener: "client", address, port, ...(servername && { servername }), expectedName: host });
  if (!h.ok) return `TLS handshake with ${address}:${port} failed (${h.error?.message ?? "unknown error"})`;
  if (h.chainTrusted === false) return `the certificate of ${host} is not trusted (${h.verifyError ?? h.diagnosis ?? "untrusted"})`;
  if (h.nameMatches === false) return `the certificate does not cover ${host} (${h.nameError ?? "name mismatch"})`;
  return undefined;
}

export interface IssuedResult {
  fact: TurnIssuedFact;
  /** The password the homeserver handed out, kept only as a Secret to test the credentials with. */
  password?: Secret;
}

export async function fetchIssuedCredentials(ctx: ProbeContext, options: IssuedOptions): Promise<IssuedResult> {
  const started = performance.now();
  const base = options.baseUrl.replace(/\/+$/, "");
  const url = `${base}/_matrix/client/v3/voip/turnServer`;
  const fact: TurnIssuedFact = { url, baseUrl: base, baseUrlSource: options.baseUrlSource, passwordPresent: false, durationMs: 0 };
  const finish = (password?: Secret): IssuedResult => ({
    fact: { ...fact, durationMs: Math.round(performance.now() - started) },
    ...(password && { password }),
  });

  const baseParsed = new URL(base);
  const host = baseParsed.hostname.replace(/^\[|\]$/g, "");
  const addresses = addressesOf(await ctx.net.resolveHost(host));
  const address = addresses[0];
  if (!address) {
    fact.error = { code: "dns", message: `${host} has no A or AAAA record` };
    return finish();
  }
  const refused = await tokenGate(ctx, baseParsed, address);
  if (refused) {
    fact.tokenNotSent = refused;
    return finish();
  }

  const trust = trustFor(ctx.input.extraCa);
  let status: number | undefined;
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const target = new URL(typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url);
    // The token goes to the base URL's origin only, and only to the address checked above.
    if (target.origin !== baseParsed.origin) throw new TransportFailure({ code: "other", message: `refusing to send the token to ${target.origin}` });
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    ctx.log(`net: http GET ${target.toString()} @${address} [authorization=redacted]`);
    const exchange = await httpRequest({
      method: "GET",
      url: target.toString(),
      address,
      headers,
      maxBodyBytes: MAX_BODY,
      trust,
      connectTimeoutMs: Math.min(5_000, options.timeoutMs ?? HTTP_TIMEOUT_MS),
      timeoutMs: options.timeoutMs ?? HTTP_TIMEOUT_MS,
      signal: ctx.signal,
    });
    const res = exchange.response;
    if (!res) throw new TransportFailure(exchange.error ?? { code: "other", message: "no response" });
    if (res.truncated) throw new TransportFailure({ code: "too-large", message: `response larger than ${MAX_BODY} bytes` });
    status = res.status;
    return new Response(res.status === 204 || res.status === 304 ? null : res.body, { status: res.status, headers: res.headers });
  };

  let body: unknown;
  try {
    const sdk = await loadSdk();
    const client = sdk.createClient({ baseUrl: base, accessToken: options.accessToken.reveal(), fetchFn, localTimeoutMs: options.timeoutMs ?? HTTP_TIMEOUT_MS });
    try {
      body = await client.turnServer();
    } finally {
      client.stopClient();
    }
    fact.receivedAtMs = Date.now();
  } catch (err) {
    if (status !== undefined) fact.status = status;
    if (err instanceof TransportFailure) {
      fact.error = err.netError;
    } else if (err && typeof err === "object" && "httpStatus" in err) {
      const e = err as { httpStatus?: number; errcode?: string; data?: { error?: unknown } };
      if (e.httpStatus !== undefined) fact.status = e.httpStatus;
      if (e.errcode) fact.errcode = e.errcode;
      if (typeof e.data?.error === "string") fact.errorMessage = e.data.error.slice(0, 300);
    } else if (err instanceof Error && (err.cause instanceof TransportFailure)) {
      fact.error = err.cause.netError;
    } else {
      fact.error = toNetError(err);
    }
    return finish();
  }
  if (status !== undefined) fact.status = status;
  describeBody(fact, body);
  const password = (body as Record<string, unknown> | null)?.["password"];
  return finish(typeof password === "string" && password !== "" ? new Secret(password) : undefined);
}

/** Record the shape of the answer, never the password. */
function describeBody(fact: TurnIssuedFact, body: unknown): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    fact.missingFields = ["username", "password", "uris", "ttl"];
    return;
  }
  const o = body as Record<string, unknown>;
  if (Object.keys(o).length === 0) {
    fact.empty = true;
    return;
  }
  const missing: string[] = [];
  if (typeof o["username"] === "string") {
    fact.username = o["username"];
    const rest = parseRestUsername(o["username"]);
    if (rest) {
      fact.usernameExpiresAtMs = rest.expiresAtMs;
      fact.usernameUserId = rest.userId;
    }
  } else missing.push("username");
  if (typeof o["password"] === "string") fact.passwordPresent = o["password"].length > 0;
  else missing.push("password");
  if (Array.isArray(o["uris"]) && o["uris"].every((u) => typeof u === "string")) fact.uris = o["uris"] as string[];
  else missing.push("uris");
  if (typeof o["ttl"] === "number") fact.ttl = o["ttl"];
  else missing.push("ttl");
  if (missing.length > 0) fact.missingFields = missing;
}
