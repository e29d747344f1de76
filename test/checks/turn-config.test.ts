import check from "../../checks/turn-config.js";
import { testCheck } from "../support/check-tester.js";
import { at, turnFact } from "../fixtures/turn/fixtures.js";

const healthy = turnFact("healthy");
const dendrite = (edit?: Parameters<typeof turnFact>[1]) =>
  turnFact("healthy", (f) => {
    f.inputs = { ...f.inputs, urisSource: "homeserver-config", implementation: "dendrite", configPath: "/etc/dendrite/dendrite.yaml", configHasTurn: true, lifetime: { raw: "5m", seconds: 300 } };
    for (const u of f.uris) u.sources = ["homeserver-config", "homeserver"];
    edit?.(f);
  });

testCheck(check, {
  valid: [
    { name: "recorded: flag inputs, Dendrite hands out 3 URIs", facts: { turn: healthy }, ctx: at(healthy), summary: /3 TURN URI\(s\) from --turn-uri, shared secret from --turn-secret; the homeserver hands out 3 URI\(s\), ttl 300 s/ },
    { name: "recorded: only the access token", facts: { turn: turnFact("token-only") }, ctx: at(turnFact("token-only")), summary: /from the homeserver's \/voip\/turnServer/ },
    { name: "Dendrite config with 5m lifetime", facts: { turn: dendrite() }, ctx: at(healthy), summary: /from \/etc\/dendrite\/dendrite.yaml/ },
    { name: "no access token given", facts: { turn: turnFact("wrong-secret") }, ctx: at(healthy) },
    { name: "recorded: --homeserver-config (config-only URIs are config-turn's)", facts: { turn: turnFact("homeserver-config") }, ctx: at(turnFact("homeserver-config")), summary: /3 TURN URI\(s\) from \S+dendrite.yaml, shared secret from \S+dendrite.yaml$/ },
    { name: "a bad URI only in the config file is left to config-turn", facts: { turn: turnFact("homeserver-config", (f) => { f.uris.push({ uri: "stun:turn.example.test", sources: ["homeserver-config"], valid: false, invalidReason: "stun: is a STUN-only URI" }); }) } },
  ],
  invalid: [
    { name: "recorded: Dendrite rejects the token (401 M_UNKNOWN_TOKEN)", facts: { turn: turnFact("bad-token") }, ctx: at(healthy), summary: /rejects the access token \(401 M_UNKNOWN_TOKEN\)/, fix: /_matrix\/client\/v3\/login/ },
    {
      name: "200 {}: TURN not configured in the homeserver",
      facts: { turn: turnFact("token-only", (f) => { f.issued = { ...f.issued!, empty: true, passwordPresent: false }; delete f.issued.uris; delete f.issued.username; delete f.issued.ttl; f.uris = []; f.endpoints = []; f.dns = []; f.inputs.urisSource = "none"; }) },
      status: "warn",
      summary: /^TURN not configured in the homeserver: GET \/voip\/turnServer answers \{\}/,
      fix: /turn_uris: \["turn:turn.example.test:3478\?transport=udp"/,
    },
    {
      name: "200 {} from Dendrite whose turn_user_lifetime is empty",
      facts: { turn: dendrite((f) => { f.inputs.lifetime = { raw: "" }; f.issued = { ...f.issued!, empty: true, passwordPresent: false }; }) },
      status: "warn",
      summary: /turn_user_lifetime` is empty/,
      fix: /turn_user_lifetime: "5m"/,
    },
    {
      name: "200 {} although the config lists turn_uris: restart",
      facts: { turn: dendrite((f) => { f.issued = { ...f.issued!, empty: true, passwordPresent: false }; }) },
      status: "warn",
      summary: /has not loaded that config/,
      fix: /systemctl restart dendrite/,
    },
    { name: "rate-limited", facts: { turn: turnFact("healthy", (f) => { f.issued = { ...f.issued!, status: 429, errcode: "M_LIMIT_EXCEEDED" }; }) }, ctx: at(healthy), status: "warn", summary: /rate-limited/ },
    { name: "a stun: URI", facts: { turn: turnFact("healthy", (f) => { f.uris.push({ uri: "stun:turn.example.test", sources: ["flag"], valid: false, invalidReason: "stun: is a STUN-only URI; clients need turn: or turns:" }); }) }, ctx: at(healthy), summary: /stun:turn.example.test: stun: is a STUN-only URI/, fix: /turn:turn.example.test:3478\?transport=udp/ },
    { name: "the homeserver hands out static credentials", facts: { turn: turnFact("healthy", (f) => { f.issued!.username = "turnuser"; delete f.issued!.usernameExpiresAtMs; delete f.issued!.usernameUserId; }) }, ctx: at(healthy), status: "warn", summary: /hands out static TURN credentials/ },
    { name: "no secret and no token", facts: { turn: turnFact("wrong-secret", (f) => { delete f.inputs.secretSource; }) }, ctx: at(healthy), status: "warn", summary: /no TURN shared secret or credentials/, fix: /--turn-secret/ },
    { name: "turn_shared_secret_path unreadable for us", facts: { turn: turnFact("wrong-secret", (f) => { f.inputs.secretPath = "/etc/synapse/turn.secret"; f.inputs.secretPathError = "EACCES: permission denied"; }) }, ctx: at(healthy), status: "warn", summary: /turn_shared_secret_path \/etc\/synapse\/turn.secret cannot be read by matrix-doctor/, fix: /--turn-secret/ },
    { name: "credentials that expired when handed out", facts: { turn: turnFact("healthy", (f) => { f.issued!.usernameExpiresAtMs = f.issued!.receivedAtMs! - 120_000; }) }, ctx: at(healthy), summary: /expired 120 s ago/, fix: /timedatectl set-ntp true/ },
    { name: "expiry 10 min off ttl: clocks differ", facts: { turn: turnFact("healthy", (f) => { f.issued!.usernameExpiresAtMs = f.issued!.receivedAtMs! + 900_000; }) }, ctx: at(healthy), status: "warn", summary: /600 s later than ttl \(300 s\) says/ },
    { name: "answer lacks fields", facts: { turn: turnFact("healthy", (f) => { f.issued!.missingFields = ["ttl"]; delete f.issued!.ttl; }) }, ctx: at(healthy), summary: /lacks ttl/ },
    { name: "token not sent: untrusted certificate", facts: { turn: turnFact("healthy", (f) => { f.issued = { ...f.issued!, tokenNotSent: "the certificate of example.test is not trusted (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)" }; }) }, ctx: at(healthy), status: "warn", summary: /access token was not sent/ },
    { name: "a private IP literal URI", facts: { turn: turnFact("down") }, ctx: at(turnFact("down")), status: "warn", summary: /names a loopback address/ },
  ],
});
