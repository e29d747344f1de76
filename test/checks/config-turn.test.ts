import check from "../../checks/config-turn.js";
import { Secret } from "../../src/engine/secret.js";
import { dendriteFact, probed, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

const dendriteTurn = { "client_api.turn.turn_uris": ["turn:turn.example.test?transport=udp", "turns:turn.example.test:5349?transport=tcp"], "client_api.turn.turn_shared_secret": "s3cret", "client_api.turn.turn_user_lifetime": "1h" };

testCheck(check, {
  valid: [
    {
      name: "Dendrite with a shared secret",
      facts: { homeserverConfig: dendriteFact(dendriteTurn) },
      summary: /^2 TURN URIs \(turn:turn\.example\.test\?transport=udp, turns:turn\.example\.test:5349\?transport=tcp\), shared secret, lifetime 1h$/,
      details: { configured: true, auth: "shared-secret" },
    },
    { name: "Synapse as in its docs", facts: { homeserverConfig: synapseFact() }, summary: /3 TURN URIs .* shared secret, lifetime 1h/ },
    { name: "Synapse lifetime in milliseconds", facts: { homeserverConfig: synapseFact({ turn_user_lifetime: 86400000 }) } },
    { name: "Synapse default lifetime", facts: { homeserverConfig: synapseFact({ turn_user_lifetime: undefined }) }, summary: /lifetime 1h \(default\)/ },
    {
      name: "Synapse secret in a file that exists",
      facts: {
        homeserverConfig: (() => {
          const f = probed(synapseFact({ turn_shared_secret: undefined, turn_shared_secret_path: "/etc/matrix-synapse/turn.secret" }));
          return { ...f, turn: { ...f.turn!, sharedSecretFile: { path: "/etc/matrix-synapse/turn.secret", exists: true, readable: true } } };
        })(),
      },
    },
  ],
  invalid: [
    {
      name: "the sample: empty turn_uris",
      status: "warn",
      facts: { homeserverConfig: dendriteFact() },
      summary: /^client_api\.turn\.turn_uris is empty: the homeserver hands out no TURN servers, so 1:1 calls between users behind NAT fail to connect$/,
      fix: /turn_uris:\\n      - turn:turn\.example\.test\?transport=udp/,
    },
    { name: "Synapse without any TURN key", status: "warn", facts: { homeserverConfig: synapseFact({ turn_uris: undefined, turn_shared_secret: undefined, turn_user_lifetime: undefined, turn_allow_guests: undefined }) }, summary: /^no TURN section/ },
    { name: "URIs but no secret", status: "warn", facts: { homeserverConfig: dendriteFact({ ...dendriteTurn, "client_api.turn.turn_shared_secret": "" }) }, summary: /no client_api\.turn\.turn_shared_secret/ },
    { name: "Dendrite lifetime not a Go duration", facts: { homeserverConfig: dendriteFact({ ...dendriteTurn, "client_api.turn.turn_user_lifetime": "1 hour" }) }, summary: /turn_user_lifetime "1 hour" \(dendrite\.yaml line \d+\) is not a Go duration .*Dendrite refuses to start/ },
    { name: "Dendrite lifetime a bare number", facts: { homeserverConfig: dendriteFact({ ...dendriteTurn, "client_api.turn.turn_user_lifetime": 3600 }) }, summary: /"3600"/ },
    { name: "Dendrite lifetime empty", status: "warn", facts: { homeserverConfig: dendriteFact({ ...dendriteTurn, "client_api.turn.turn_user_lifetime": "" }) }, summary: /turn_user_lifetime is empty: Dendrite then hands out no TURN credentials/ },
    { name: "lifetime under 5 minutes", status: "warn", facts: { homeserverConfig: dendriteFact({ ...dendriteTurn, "client_api.turn.turn_user_lifetime": "90s" }) }, summary: /is 90s \(1m30s, dendrite\.yaml line \d+\)/, fix: /turn_user_lifetime: "1h"/ },
    { name: "Synapse lifetime invalid", facts: { homeserverConfig: synapseFact({ turn_user_lifetime: "1.5h" }) }, summary: /Synapse refuses to start/ },
    {
      name: "Synapse secret given twice",
      facts: { homeserverConfig: synapseFact({ turn_shared_secret_path: "/etc/matrix-synapse/turn.secret" }) },
      summary: /both turn_shared_secret \(homeserver\.yaml line \d+\) and turn_shared_secret_path are set: Synapse refuses to start/,
      fix: /remove turn_shared_secret/,
    },
    {
      name: "Synapse secret file missing",
      facts: {
        homeserverConfig: (() => {
          const f = probed(synapseFact({ turn_shared_secret: undefined, turn_shared_secret_path: "/etc/matrix-synapse/turn.secret" }));
          return { ...f, turn: { ...f.turn!, sharedSecretFile: { path: "/etc/matrix-synapse/turn.secret", exists: false, readable: false, error: "ENOENT" } } };
        })(),
      },
      summary: /turn_shared_secret_path \/etc\/matrix-synapse\/turn\.secret does not exist/,
    },
    {
      name: "static credentials",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ ...dendriteTurn, "client_api.turn.turn_shared_secret": "", "client_api.turn.turn_username": "calls", "client_api.turn.turn_password": "pw" }) },
      summary: /static client_api\.turn\.turn_username \/ turn_password/,
      fix: /use-auth-secret/,
    },
    {
      name: "a stun: URI",
      status: "warn",
      facts: { homeserverConfig: synapseFact({ turn_uris: ["stun:turn.example.org", "turn:turn.example.org"] }) },
      summary: /turn_uris has "stun:turn\.example\.org" .*the spec requires turn: or turns: URIs/,
    },
    {
      name: "a secret object from another source is never printed",
      status: "warn",
      facts: { homeserverConfig: (() => { const f = dendriteFact(dendriteTurn); return { ...f, turn: { ...f.turn!, userLifetime: "1m", sharedSecret: new Secret("zz-never-printed") } }; })() },
      summary: /^(?!.*zz-never-printed)/,
    },
  ],
});
