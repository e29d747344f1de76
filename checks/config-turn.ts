// The homeserver hands out TURN credentials: URIs plus a shared secret (or static credentials) and, for
// Dendrite, a lifetime. Without TURN, 1:1 calls between users behind NAT fail to connect.
//
// Dendrite (clientapi/routing/voip.go, setup/config/config_clientapi.go, v0.13.8): returns {} when turn_uris or
// turn_user_lifetime is empty, or when neither turn_shared_secret nor turn_username+turn_password is set; refuses
// to start when turn_user_lifetime is not a Go duration; the sample warns static credentials "will be visible to
// clients". Synapse (synapse/config/voip.py, rest/client/voip.py): turn_shared_secret and turn_shared_secret_path
// together → ConfigError; a missing secret file → ConfigError; lifetime default 1h. The spec requires every URI to
// match ^turns?: (client-server API, GET /voip/turnServer). A lifetime under 5 minutes leaves little tolerance
// for clock skew between the homeserver and coturn (coturn rejects a timestamp already past; judgement).

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { HomeserverConfigFact, TurnConfig } from "../src/engine/facts/config.js";
import { formatDuration, parseGoDuration, parseSynapseDuration } from "../src/homeserver/duration.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";

const MIN_LIFETIME_MS = 5 * 60_000;

function snippet(fact: HomeserverConfigFact): string {
  const host = `turn.${fact.serverName ?? "example.org"}`;
  return fact.implementation === "dendrite"
    ? `\`client_api:\\n  turn:\\n    turn_user_lifetime: "1h"\\n    turn_uris:\\n      - turn:${host}?transport=udp\\n      - turn:${host}?transport=tcp\\n    turn_shared_secret: "<coturn static-auth-secret>"\``
    : `\`turn_uris: ["turn:${host}?transport=udp", "turn:${host}?transport=tcp"]\\nturn_shared_secret: "<coturn static-auth-secret>"\\nturn_user_lifetime: 1h\``;
}

function lifetimeFindings(fact: HomeserverConfigFact, turn: TurnConfig): Finding[] {
  const key = `${turn.keyPrefix}turn_user_lifetime`;
  const where = at(fact, key);
  const docs = fact.implementation === "dendrite" ? DOCS.dendriteSample : DOCS.synapseKey("turn_user_lifetime");
  const raw = turn.userLifetime;
  if (fact.implementation === "dendrite" && raw === undefined) {
    return [
      {
        level: "warn",
        text: `${key} is empty: Dendrite then hands out no TURN credentials at all (/voip/turnServer answers {})`,
        fix: `Set \`turn_user_lifetime: "1h"\` under client_api.turn in ${fact.path}.`,
        docs,
      },
    ];
  }
  if (raw === undefined) return [];
  const ms = fact.implementation === "dendrite" ? parseGoDuration(raw) : parseSynapseDuration(/^\d+$/.test(raw) ? Number(raw) : raw);
  if (ms === undefined) {
    const how = fact.implementation === "dendrite" ? `a Go duration such as "1h" or "30m"` : `a duration such as 1h, or milliseconds`;
    return [
      {
        level: "fail",
        text: `${key} "${raw}" (${where}) is not ${how}: ${fact.implementation === "dendrite" ? "Dendrite" : "Synapse"} refuses to start`,
        fix: `Write \`turn_user_lifetime: "1h"\` (${where}).`,
        docs,
      },
    ];
  }
  if (ms < MIN_LIFETIME_MS) {
    return [
      {
        level: "warn",
        text: `${key} is ${raw} (${formatDuration(ms)}, ${where}): credentials expire before a client can refresh them and any clock skew with the TURN server makes them look expired`,
        fix: `Give credentials at least several minutes: \`turn_user_lifetime: "1h"\` (${where}).`,
        docs,
      },
    ];
  }
  return [];
}

function uriFindings(fact: HomeserverConfigFact, turn: TurnConfig): Finding[] {
  const key = `${turn.keyPrefix}turn_uris`;
  const bad = turn.uris.filter((u) => !/^turns?:/.test(u));
  if (bad.length === 0) return [];
  return [
    {
      level: "warn",
      text: `${key} has ${bad.map((u) => `"${u}"`).join(", ")} (${at(fact, key)}): the spec requires turn: or turns: URIs, and clients skip the others`,
      fix: `Write each as \`turn:HOST[:PORT]?transport=udp|tcp\` or \`turns:HOST[:PORT]?transport=tcp\` (a stun: server is not a TURN relay and does not belong here).`,
      docs: "https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3voipturnserver",
    },
  ];
}

export default defineCheck({
  id: "config-turn",
  category: "config",
  title: "TURN is configured for calls",
  docs: DOCS.synapseTurn,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    const turn = fact.turn;
    const dendrite = fact.implementation === "dendrite";
    const docs = dendrite ? DOCS.dendriteSample : DOCS.synapseTurn;
    const prefix = turn?.keyPrefix ?? (dendrite ? "client_api.turn." : "");
    const hasSecret = turn?.sharedSecret !== undefined || turn?.sharedSecretPath !== undefined;
    const hasStatic = turn?.username !== undefined && turn.password !== undefined;
    if (!turn || turn.uris.length === 0 || (!hasSecret && !hasStatic)) {
      const what = !turn ? "no TURN section" : turn.uris.length === 0 ? `${prefix}turn_uris is empty` : `no ${prefix}turn_shared_secret (nor turn_username + turn_password)`;
      return {
        status: "warn",
        summary: `${what}: the homeserver hands out no TURN servers, so 1:1 calls between users behind NAT fail to connect`,
        fix: `Run a TURN server (coturn with \`use-auth-secret\` and \`static-auth-secret=…\`), then in ${fact.path}: ${snippet(fact)}; \`${dendrite ? "systemctl restart dendrite" : "systemctl restart matrix-synapse"}\`.`,
        details: { configured: false },
        docs,
      };
    }

    const findings: Finding[] = [];
    if (turn.sharedSecret && turn.sharedSecretPath) {
      findings.push({
        level: "fail",
        text: `both turn_shared_secret (${at(fact, "turn_shared_secret")}) and turn_shared_secret_path are set: Synapse refuses to start ("mutually incompatible")`,
        fix: `Keep one: remove turn_shared_secret from ${fact.path} and keep the secret in ${turn.sharedSecretPath}.`,
        docs: DOCS.synapseKey("turn_shared_secret_path"),
      });
    } else if (turn.sharedSecretPath && turn.sharedSecretFile && !turn.sharedSecretFile.exists) {
      findings.push({
        level: "fail",
        text: `turn_shared_secret_path ${turn.sharedSecretPath} does not exist: Synapse refuses to start`,
        fix: `Write coturn's static-auth-secret into it: \`install -m 640 -o root -g matrix-synapse /dev/null ${turn.sharedSecretPath}\` and put the secret in it (one line).`,
        docs: DOCS.synapseKey("turn_shared_secret_path"),
      });
    }
    findings.push(...lifetimeFindings(fact, turn));
    if (!hasSecret && hasStatic) {
      findings.push({
        level: "warn",
        text: `TURN uses the static ${prefix}turn_username / turn_password (${at(fact, `${prefix}turn_username`)}): every user receives the same long-lived credentials, and anyone who logs in once can use the relay for ever`,
        fix: `Switch to time-limited credentials: coturn \`use-auth-secret\` + \`static-auth-secret=SECRET\`, and \`${prefix}turn_shared_secret: "SECRET"\` instead of turn_username/turn_password in ${fact.path}.`,
        docs,
      });
    }
    findings.push(...uriFindings(fact, turn));

    const auth = hasSecret ? "shared secret" : "static credentials";
    const lifetime = turn.userLifetime ?? (dendrite ? "" : "1h (default)");
    const details = {
      configured: true,
      uris: turn.uris,
      auth: hasSecret ? "shared-secret" : "static",
      ...(turn.userLifetime !== undefined && { userLifetime: turn.userLifetime }),
      ...(turn.allowGuests !== undefined && { allowGuests: turn.allowGuests }),
    };
    return verdict(findings, `${turn.uris.length} TURN URI${turn.uris.length === 1 ? "" : "s"} (${turn.uris.join(", ")}), ${auth}, lifetime ${lifetime}`, details);
  },
});
