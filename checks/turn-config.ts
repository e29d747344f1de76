// The TURN inputs are there: URIs clients can use, a shared secret (or static credentials) to test them
// with, and — with --access-token — what the running homeserver really hands out on /voip/turnServer
// (200 {} = TURN not configured; 401 = the token is bad), with the credential shape of the spec
// (`<expiry>:<user id>`, expiry ≈ now + ttl). What the config FILE says (lifetime syntax, static
// credentials, non-turn: URIs, Synapse's secret given twice) is config-turn's, judged against file and line.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { TurnFact } from "../src/engine/facts/turn.js";
import { classifyAddress } from "../src/net/address-class.js";
import { DOCS, outcomeOf, restartHomeserver, type Problem } from "../src/turn/verdict.js";

/** Allowed difference between (username expiry − response time) and ttl. */
const SHAPE_TOLERANCE_MS = 60_000;

function serverNameOf(fact: TurnFact): string {
  return fact.inputs.userId.replace(/^@[^:]*:/, "");
}

function exampleHost(fact: TurnFact): string {
  return fact.uris.find((u) => u.valid && u.host && !u.hostIsIp)?.host ?? `turn.${serverNameOf(fact)}`;
}

/** The homeserver config lines that hand out TURN, for the implementation at hand (or both). */
function configSnippet(fact: TurnFact): string {
  const host = exampleHost(fact);
  const uris = `["turn:${host}:3478?transport=udp", "turn:${host}:3478?transport=tcp", "turns:${host}:5349?transport=tcp"]`;
  const dendrite = `Dendrite (dendrite.yaml): \`client_api: turn: { turn_user_lifetime: "5m", turn_uris: ${uris}, turn_shared_secret: "<coturn's static-auth-secret>" }\``;
  const synapse = `Synapse (homeserver.yaml): \`turn_uris: ${uris}\`, \`turn_shared_secret: "<coturn's static-auth-secret>"\`, \`turn_user_lifetime: 1h\``;
  const impl = fact.inputs.implementation;
  return impl === "dendrite" ? dendrite : impl === "synapse" ? synapse : `${dendrite}; ${synapse}`;
}

function uriProblems(fact: TurnFact, allowPrivate: boolean): Problem[] {
  const problems: Problem[] = [];
  const host = exampleHost(fact);
  for (const u of fact.uris) {
    // URIs only from the config file are judged by config-turn, against the file and line.
    if (u.sources.every((s) => s === "homeserver-config")) continue;
    const from = u.sources.includes("homeserver") ? " (handed out by the homeserver)" : "";
    if (!u.valid) {
      problems.push({
        level: "fail",
        text: `${u.uri}${from}: ${u.invalidReason ?? "not a TURN URI"}`,
        fix: `Write TURN URIs as RFC 7065 defines them, e.g. \`turn:${host}:3478?transport=udp\`, \`turn:${host}:3478?transport=tcp\`, \`turns:${host}:5349?transport=tcp\`.`,
        docs: DOCS.synapseTurn,
      });
      continue;
    }
    if (u.hostIsIp && u.host) {
      const cls = classifyAddress(u.host);
      if (cls && cls !== "public" && !allowPrivate) {
        problems.push({
          level: "warn",
          text: `${u.uri}${from} names a ${cls} address that clients on the internet cannot reach`,
          fix: `Use the TURN server's public name or address: \`turn:${host}:3478?transport=udp\` (behind NAT, coturn also needs \`external-ip=<public IP>/<private IP>\`).`,
        });
      }
    }
  }
  return problems;
}

function issuedProblems(fact: TurnFact): Problem[] {
  const issued = fact.issued;
  if (!issued) return [];
  const problems: Problem[] = [];
  const base = issued.baseUrl;
  const loginFix = `Log in again and pass the new token: \`curl -s -XPOST ${base}/_matrix/client/v3/login -d '{"type":"m.login.password","identifier":{"type":"m.id.user","user":"<user>"},"password":"<password>"}'\` and give its access_token to --access-token (or MATRIX_DOCTOR_ACCESS_TOKEN).`;
  if (issued.tokenNotSent) {
    return [{ level: "warn", text: `the access token was not sent to ${base}: ${issued.tokenNotSent}`, fix: "Fix the homeserver's certificate first (see the tls checks); for a private CA pass it with --ca-file." }];
  }
  if (issued.status === undefined) {
    return [
      {
        level: "warn",
        text: `GET ${issued.url} failed: ${issued.error?.message ?? "no response"}`,
        fix: `Check that the client API answers at ${base} (see the client checks), then run again.`,
      },
    ];
  }
  if (issued.status === 401 || issued.status === 403) {
    return [{ level: "fail", text: `the homeserver rejects the access token (${issued.status}${issued.errcode ? ` ${issued.errcode}` : ""})`, fix: loginFix, docs: DOCS.spec }];
  }
  if (issued.status === 429) {
    return [{ level: "warn", text: "GET /voip/turnServer was rate-limited (429)", fix: "Run again in a minute; the endpoint is rate-limited by the homeserver." }];
  }
  if (issued.status !== 200) {
    return [
      {
        level: "fail",
        text: `GET ${issued.url} answered ${issued.status}${issued.errcode ? ` ${issued.errcode}` : ""}${issued.errorMessage ? `: ${issued.errorMessage}` : ""}`,
        fix: `Look at the homeserver's log for the failing request; the reverse proxy must pass /_matrix/client/ to the homeserver.`,
        docs: DOCS.spec,
      },
    ];
  }
  if (issued.empty) {
    const configured = fact.inputs.configHasTurn && fact.uris.some((u) => u.sources.includes("homeserver-config"));
    const dendriteNoLifetime = fact.inputs.implementation === "dendrite" && (fact.inputs.lifetime?.raw ?? "") === "";
    const why = dendriteNoLifetime
      ? " (Dendrite hands out nothing while `client_api.turn.turn_user_lifetime` is empty)"
      : configured
        ? " although its config file lists turn_uris: the running homeserver has not loaded that config"
        : "";
    return [
      {
        level: "warn",
        text: `TURN not configured in the homeserver: GET /voip/turnServer answers {}${why}; 1:1 calls fail when both sides are behind NAT`,
        fix: configured && !dendriteNoLifetime ? `${restartHomeserver(fact)} so it loads its TURN settings.` : `${configSnippet(fact)}; then ${restartHomeserver(fact)}.`,
        docs: DOCS.synapseTurn,
      },
    ];
  }
  if (issued.missingFields && issued.missingFields.length > 0) {
    problems.push({
      level: "fail",
      text: `the homeserver's TURN answer lacks ${issued.missingFields.join(", ")} (the spec requires username, password, uris, ttl)`,
      fix: `${configSnippet(fact)}; then ${restartHomeserver(fact)}.`,
      docs: DOCS.spec,
    });
  }
  if (!issued.passwordPresent && !issued.missingFields?.includes("password")) {
    problems.push({ level: "fail", text: "the homeserver hands out an empty TURN password", fix: `${configSnippet(fact)}; then ${restartHomeserver(fact)}.` });
  }
  // Static credentials in a config file we read are config-turn's finding; here only what the server does.
  if (issued.username !== undefined && issued.usernameExpiresAtMs === undefined && fact.inputs.configPath === undefined) {
    problems.push({
      level: "warn",
      text: `the homeserver hands out static TURN credentials (username "${issued.username}"): every client can read them and use the relay for anything`,
      fix: `Use the TURN REST scheme instead: in /etc/turnserver.conf \`use-auth-secret\` and \`static-auth-secret=<secret>\`, and the same secret in the homeserver (${configSnippet(fact)}); remove turn_username/turn_password.`,
      docs: DOCS.synapseCoturn,
    });
  }
  if (issued.usernameExpiresAtMs !== undefined && issued.receivedAtMs !== undefined) {
    const left = issued.usernameExpiresAtMs - issued.receivedAtMs;
    if (left <= 0) {
      problems.push({
        level: "fail",
        text: `the homeserver hands out credentials that expired ${Math.round(-left / 1000)} s ago (its clock is behind, or the lifetime is 0)`,
        fix: "Synchronise the homeserver's clock (`timedatectl set-ntp true`, or chrony) and set a lifetime of a few minutes or more (Dendrite `turn_user_lifetime: \"5m\"`, Synapse `turn_user_lifetime: 1h`).",
      });
    } else if (issued.ttl !== undefined && Math.abs(left - issued.ttl * 1000) > SHAPE_TOLERANCE_MS) {
      const off = Math.round((left - issued.ttl * 1000) / 1000);
      problems.push({
        level: "warn",
        text: `the username's expiry is ${Math.abs(off)} s ${off > 0 ? "later" : "earlier"} than ttl (${issued.ttl} s) says: the homeserver's clock differs from this machine's`,
        fix: "Synchronise the clocks of the homeserver, the TURN server and this machine (`timedatectl set-ntp true`, or chrony); coturn rejects credentials whose expiry is behind its own clock.",
      });
    }
  }
  for (const u of issued.uris ?? []) {
    if (!/^turns?:/.test(u)) {
      problems.push({
        level: "warn",
        text: `the homeserver hands out "${u}", which is not a turn: or turns: URI`,
        fix: `List only TURN URIs: ${configSnippet(fact)}.`,
        docs: DOCS.spec,
      });
    }
  }
  return problems;
}

export default defineCheck({
  id: "turn-config",
  category: "turn",
  title: "TURN is configured: URIs, shared secret, credentials handed out",
  docs: DOCS.synapseTurn,
  requires: ["turn"],
  run({ turn }, ctx): Outcome {
    const { inputs, issued } = turn;
    const problems: Problem[] = [];

    if (turn.uris.length === 0 && !issued?.empty) {
      problems.push({
        level: "warn",
        text: "no TURN URIs: neither given nor handed out by the homeserver",
        fix: `Pass --turn-uri, or --homeserver-config with TURN configured: ${configSnippet(turn)}.`,
        docs: DOCS.synapseTurn,
      });
    }
    problems.push(...uriProblems(turn, ctx.allowPrivateAddresses));

    if (inputs.secretPathError) {
      problems.push({
        level: "warn",
        text: `turn_shared_secret_path ${inputs.secretPath ?? ""} cannot be read by matrix-doctor (${inputs.secretPathError}): Allocate cannot be tested with the configured secret`,
        fix: `Run matrix-doctor as a user that may read ${inputs.secretPath ?? "the file"} (e.g. the homeserver's user), or pass the secret with --turn-secret / MATRIX_DOCTOR_TURN_SECRET.`,
      });
    }
    const haveCreds = inputs.secretSource !== undefined || (inputs.staticUsername !== undefined && inputs.staticPasswordPresent) || issued?.passwordPresent === true;
    if (!haveCreds && turn.uris.length > 0) {
      problems.push({
        level: "warn",
        text: "no TURN shared secret or credentials: Allocate cannot be tested",
        fix: "Pass coturn's static-auth-secret with --turn-secret (or MATRIX_DOCTOR_TURN_SECRET), or --homeserver-config with turn_shared_secret, or --access-token to test the credentials the homeserver hands out.",
      });
    }
    problems.push(...issuedProblems(turn));

    const sources = { flag: "--turn-uri", "homeserver-config": inputs.configPath ?? "the homeserver config", homeserver: "the homeserver's /voip/turnServer", none: "nowhere" };
    const valid = turn.uris.filter((u) => u.valid);
    const secretText = inputs.secretSource
      ? `shared secret from ${inputs.secretSource === "flag" ? "--turn-secret" : (inputs.configPath ?? "the homeserver config")}`
      : inputs.staticUsername
        ? "static credentials"
        : "no shared secret";
    const hsText = issued?.status === 200 && !issued.empty ? `; the homeserver hands out ${issued.uris?.length ?? 0} URI(s), ttl ${issued.ttl ?? "?"} s` : "";
    const details = {
      uris: turn.uris.map((u) => ({ uri: u.uri, sources: u.sources, valid: u.valid })),
      urisSource: inputs.urisSource,
      secretSource: inputs.secretSource ?? null,
      ...(inputs.lifetime && { lifetime: inputs.lifetime }),
      ...(issued && {
        issued: {
          status: issued.status,
          empty: issued.empty ?? false,
          uris: issued.uris,
          ttl: issued.ttl,
          username: issued.username,
          passwordPresent: issued.passwordPresent,
        },
      }),
    };
    return outcomeOf(problems, `${valid.length} TURN URI(s) from ${sources[inputs.urisSource]}, ${secretText}${hsText}`, details);
  },
});
