// TURN: what the homeserver hands out on /voip/turnServer (with --access-token), and for every TURN URI
// and every address it resolves to: a STUN Binding, an authenticated Allocate with credentials minted
// from the shared secret the way Dendrite and Synapse mint them (and with the homeserver's own ones),
// CreatePermission towards internal addresses (expected: 403 Forbidden IP), and a Refresh with lifetime
// 0 that releases the allocation. Probes never judge: every failure is recorded for the turn-* checks.

import { readFile } from "node:fs/promises";
import { trustFor } from "../net/trust.js";
import type { HostAddresses, HomeserverConfigFact } from "../engine/facts.js";
import type {
  TurnAllocationFact,
  TurnEndpointFact,
  TurnFact,
  TurnInputsFact,
  TurnIssuedFact,
  TurnTransport,
  TurnUriFact,
} from "../engine/facts/turn.js";
import { defineProbe, FactUnavailable, type ProbeContext } from "../engine/probe.js";
import { Secret } from "../engine/secret.js";
import { sniFor } from "../net/tls.js";
import { allocate, binding } from "../turn/client.js";
import { mintCredentials, parseLifetime, parseRestUsername, type TurnCredentials } from "../turn/credentials.js";
import { fetchIssuedCredentials } from "../turn/homeserver.js";
import { openTransport, type StunTransport, type TlsConnectionInfo } from "../turn/transport.js";
import { parseTurnUri, type ParsedTurnUri } from "../turn/uri.js";
import { isAuthRejection } from "../turn/verdict.js";

/** Internal addresses a TURN server must refuse to relay to (coturn answers 403 Forbidden IP). */
export const DENIED_PEERS = ["127.0.0.1", "10.0.0.1", "172.17.0.1", "169.254.169.254"];
/** Lifetime of the far-future credential: well beyond any plausible clock skew. */
const FAR_FUTURE_MS = 7 * 24 * 3600 * 1000;
/** Used when the config names no lifetime (Synapse's default). */
const DEFAULT_LIFETIME_MS = 3600 * 1000;
const NO_TURN = "no TURN server: pass --turn-uri or --homeserver-config (with turn_uris)";

interface Budgets {
  connectMs: number;
  transactionMs: number;
}

async function homeserverConfig(ctx: ProbeContext): Promise<{ config?: HomeserverConfigFact; unavailable?: string }> {
  if (!ctx.input.homeserverConfigPath) return {};
  try {
    return { config: await ctx.fact("homeserverConfig") };
  } catch (err) {
    if (err instanceof FactUnavailable) return { unavailable: err.message };
    throw err;
  }
}


async function withTransport<T>(
  ctx: ProbeContext,
  target: { kind: TurnTransport; address: string; port: number; host: string },
  budgets: Budgets,
  use: (transport: StunTransport) => Promise<T>,
): Promise<{ value: T; transport: StunTransport } | { error: NonNullable<TurnEndpointFact["binding"]["error"]>; durationMs: number }> {
  const servername = target.kind === "tls" ? sniFor(target.host) : undefined;
  const opened = await openTransport({
    kind: target.kind,
    address: target.address,
    port: target.port,
    ...(servername && { servername }),
    ...(target.kind === "tls" && { secureContext: trustFor(ctx.input.extraCa).strict }),
    connectTimeoutMs: budgets.connectMs,
    transactionTimeoutMs: budgets.transactionMs,
    signal: ctx.signal,
  });
  if ("error" in opened) return { error: opened.error, durationMs: opened.durationMs };
  try {
    return { value: await use(opened.transport), transport: opened.transport };
  } finally {
    opened.transport.close();
  }
}

interface CredentialSet {
  kind: TurnAllocationFact["credential"];
  credentials: TurnCredentials;
}

async function probeEndpoint(
  ctx: ProbeContext,
  uri: ParsedTurnUri & { host: string; port: number; transport: TurnTransport },
  address: string,
  family: 4 | 6,
  credentialSets: CredentialSet[],
  farFuture: TurnCredentials | undefined,
  budgets: Budgets,
): Promise<TurnEndpointFact> {
  const target = { kind: uri.transport, address, port: uri.port, host: uri.host };
  const handshake =
    uri.transport === "tls"
      ? ctx.net.handshake({
          listener: "client",
          address,
          port: uri.port,
          ...(sniFor(uri.host) && { servername: uri.host }),
          expectedName: uri.host,
        })
      : undefined;
  const allocations: TurnAllocationFact[] = [];
  const permissionPeers = (): string[] => (allocations.some((a) => a.ok) ? [] : DENIED_PEERS);

  // Binding, then the first credential's Allocate on the same connection.
  const [first, ...rest] = credentialSets;
  let connection: TlsConnectionInfo | undefined;
  const opened = await withTransport(ctx, target, budgets, async (transport) => {
    if (transport.tls) connection = transport.tls;
    const b = await binding(transport);
    if (b.error === undefined && first) {
      allocations.push(await allocate(transport, { credential: first.kind, credentials: first.credentials, permissionPeers: permissionPeers() }));
    }
    return b;
  });
  const bindingFact =
    "error" in opened ? { ok: false, error: opened.error, transmissions: 0, connectMs: opened.durationMs, durationMs: opened.durationMs } : opened.value;

  if (!("error" in opened) && bindingFact.error === undefined) {
    const more: CredentialSet[] = [...rest];
    const runOne = async (set: CredentialSet): Promise<void> => {
      const r = await withTransport(ctx, target, budgets, (transport) =>
        allocate(transport, { credential: set.kind, credentials: set.credentials, permissionPeers: permissionPeers() }),
      );
      if ("error" in r) {
        allocations.push({ credential: set.kind, username: set.credentials.username, steps: [], ok: false, error: r.error, durationMs: r.durationMs });
      } else allocations.push(r.value);
    };
    for (const set of more) await runOne(set);
    // A rejected credential: try one minted with a far-future expiry to tell clock skew from a wrong secret.
    if (farFuture && allocations.some(isAuthRejection)) await runOne({ kind: "far-future", credentials: farFuture });
  }

  const fact: TurnEndpointFact = {
    uri: uri.uri,
    transport: uri.transport,
    host: uri.host,
    port: uri.port,
    address,
    family,
    binding: bindingFact,
    allocations,
  };
  if (handshake) fact.tls = { handshake: await handshake, ...(connection && { connection }) };
  return fact;
}

export const turnProbe = defineProbe({
  fact: "turn",
  async run(ctx): Promise<TurnFact> {
    const probedAtMs = Date.now();
    const { input } = ctx;
    const { config, unavailable } = await homeserverConfig(ctx);
    const turnConfig = config?.turn;

    // URIs: the flag wins over the config.
    const flagUris = input.turnUris?.filter((u) => u.trim() !== "") ?? [];
    const configUris = turnConfig?.uris ?? [];
    const baseUris = flagUris.length > 0 ? flagUris : configUris;
    if (baseUris.length === 0 && !input.accessToken) throw new FactUnavailable(unavailable ? `${NO_TURN} (${unavailable})` : NO_TURN);

    // The shared secret: flag, then config (turn_shared_secret, or the file of Synapse's turn_shared_secret_path).
    let secret: Secret | undefined = input.turnSecret;
    let secretSource: TurnInputsFact["secretSource"] = secret ? "flag" : undefined;
    let secretPathError: string | undefined;
    if (!secret && turnConfig?.sharedSecret && turnConfig.sharedSecret.reveal() !== "") {
      secret = turnConfig.sharedSecret;
      secretSource = "homeserver-config";
    } else if (!secret && turnConfig?.sharedSecretPath) {
      try {
        const text = (await readFile(turnConfig.sharedSecretPath, "utf8")).trim();
        if (text !== "") {
          secret = new Secret(text);
          secretSource = "homeserver-config";
        }
      } catch (err) {
        secretPathError = err instanceof Error ? err.message : String(err);
      }
    }
    const staticUsername = turnConfig?.username && turnConfig.username !== "" ? turnConfig.username : undefined;
    const staticPassword = turnConfig?.password && turnConfig.password.reveal() !== "" ? turnConfig.password : undefined;

    const implementation = config?.implementation;
    const lifetimeRaw = turnConfig?.userLifetime;
    const lifetimeMs = lifetimeRaw !== undefined ? parseLifetime(lifetimeRaw, implementation) : undefined;
    const mintLifetimeMs = lifetimeMs !== undefined && lifetimeMs > 0 ? lifetimeMs : DEFAULT_LIFETIME_MS;
    const userId = `@matrix-doctor:${input.serverName}`;

    const inputs: TurnInputsFact = {
      urisSource: flagUris.length > 0 ? "flag" : configUris.length > 0 ? "homeserver-config" : "none",
      ...(secretSource && { secretSource }),
      ...(turnConfig?.sharedSecretPath && { secretPath: turnConfig.sharedSecretPath }),
      ...(secretPathError && { secretPathError }),
      ...(staticUsername && { staticUsername, staticPasswordPresent: staticPassword !== undefined }),
      ...(lifetimeRaw !== undefined && {
        lifetime: { raw: lifetimeRaw, ...(lifetimeMs !== undefined && { seconds: Math.round(lifetimeMs / 1000) }) },
      }),
      mintLifetimeSeconds: Math.round(mintLifetimeMs / 1000),
      ...(config && { configPath: config.path, implementation: config.implementation, configHasTurn: turnConfig !== undefined }),
      ...(unavailable && { configUnavailable: unavailable }),
      accessTokenGiven: input.accessToken !== undefined,
      userId,
    };

    // What the homeserver hands out to clients.
    let issued: TurnIssuedFact | undefined;
    let issuedPassword: Secret | undefined;
    if (input.accessToken) {
      let baseUrl: string;
      let baseUrlSource: TurnIssuedFact["baseUrlSource"];
      try {
        baseUrl = (await ctx.fact("clientWellKnown")).baseUrl;
        baseUrlSource = "client-well-known";
      } catch (err) {
        if (!(err instanceof FactUnavailable)) throw err;
        const name = await ctx.fact("serverName");
        baseUrl = `https://${name.kind === "ipv6" ? `[${name.host}]` : name.host}`;
        baseUrlSource = "server-name";
      }
      const result = await fetchIssuedCredentials(ctx, { baseUrl, baseUrlSource, accessToken: input.accessToken });
      issued = result.fact;
      issuedPassword = result.password;
    }

    // Every URI once, with where it came from.
    const uriFacts = new Map<string, TurnUriFact>();
    const addUri = (uri: string, source: TurnUriFact["sources"][number]): void => {
      const known = uriFacts.get(uri);
      if (known) {
        if (!known.sources.includes(source)) known.sources.push(source);
        return;
      }
      const p = parseTurnUri(uri);
      uriFacts.set(uri, {
        uri,
        sources: [source],
        valid: p.valid,
        ...(p.invalidReason && { invalidReason: p.invalidReason }),
        ...(p.scheme && { scheme: p.scheme }),
        ...(p.host && { host: p.host }),
        ...(p.port && { port: p.port }),
        ...(p.transport && { transport: p.transport }),
        ...(p.hostIsIp !== undefined && { hostIsIp: p.hostIsIp }),
      });
    };
    for (const u of flagUris) addUri(u, "flag");
    for (const u of configUris) addUri(u, "homeserver-config");
    for (const u of issued?.uris ?? []) addUri(u, "homeserver");
    if (inputs.urisSource === "none" && (issued?.uris?.length ?? 0) > 0) inputs.urisSource = "homeserver";

    // Credentials: ours (from the secret), the static ones, the homeserver's.
    const configured = secret ? mintCredentials(secret, userId, probedAtMs + mintLifetimeMs) : undefined;
    const farFuture = secret ? mintCredentials(secret, userId, probedAtMs + FAR_FUTURE_MS) : undefined;
    const issuedCreds: TurnCredentials | undefined =
      issued?.username && issuedPassword
        ? {
            username: issued.username,
            password: issuedPassword,
            ...(parseRestUsername(issued.username) && { expiresAtMs: parseRestUsername(issued.username)!.expiresAtMs }),
          }
        : undefined;
    const setsFor = (uri: TurnUriFact): CredentialSet[] => {
      const sets: CredentialSet[] = [];
      if (configured) sets.push({ kind: "configured", credentials: configured });
      else if (staticUsername && staticPassword) sets.push({ kind: "static", credentials: { username: staticUsername, password: staticPassword } });
      if (issuedCreds && uri.sources.includes("homeserver")) sets.push({ kind: "homeserver", credentials: issuedCreds });
      return sets;
    };

    // DNS for every host name.
    const valid = [...uriFacts.values()].filter(
      (u): u is TurnUriFact & { host: string; port: number; transport: TurnTransport } => u.valid && !!u.host && !!u.port && !!u.transport,
    );
    const hosts = [...new Set(valid.map((u) => u.host))];
    const dns: HostAddresses[] = await Promise.all(hosts.map((h) => ctx.net.resolveHost(h)));
    const byHost = new Map(dns.map((d) => [d.host, d]));

    const runMs = input.timeoutMs;
    const budgets: Budgets = {
      connectMs: Math.max(200, Math.min(5_000, Math.round(runMs * 0.3))),
      transactionMs: Math.max(200, Math.min(3_000, Math.round(runMs * 0.25))),
    };
    const jobs: Promise<TurnEndpointFact>[] = [];
    for (const uri of valid) {
      const d = byHost.get(uri.host);
      const targets: [string, 4 | 6][] = [
        ...(d?.a.values ?? []).map((a): [string, 4 | 6] => [a, 4]),
        ...(d?.aaaa.values ?? []).map((a): [string, 4 | 6] => [a, 6]),
      ];
      const parsed = { ...parseTurnUri(uri.uri), host: uri.host, port: uri.port, transport: uri.transport };
      for (const [address, family] of targets) {
        jobs.push(probeEndpoint(ctx, parsed, address, family, setsFor(uri), farFuture, budgets));
      }
    }
    const endpoints = await Promise.all(jobs);

    return {
      inputs,
      uris: [...uriFacts.values()],
      dns,
      ...(issued && { issued }),
      endpoints,
      deniedPeersTried: DENIED_PEERS,
      probedAtMs,
    };
  },
});
