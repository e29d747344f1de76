import check from "../../checks/config-signing-key.js";
import { dendriteFact, fileStatus, probed, signingKey, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";
import { KEY, KEY_PATH, NGINX_404_HTML, OTHER_KEY, V4, exchange, keyDocument, keyExchange, response, serverKeys, testKey } from "./_fixtures-keys.js";

const PEM = "/opt/dendrite/matrix_key.pem";
const SYN_KEY = "/etc/matrix-synapse/homeserver.signing.key";
const dendrite = (extra = {}) => probed(dendriteFact(), { signingKey: signingKey(PEM, KEY.keyId, KEY.publicKeyBase64), ...extra });
const synapse = (extra = {}) => probed(synapseFact(), { signingKey: signingKey(SYN_KEY, KEY.keyId, KEY.publicKeyBase64, "synapse"), ...extra });
const missing = (path: string) => ({ source: "file" as const, path, file: { path, exists: false, readable: false, error: "ENOENT" }, keys: [] });

testCheck(check, {
  valid: [
    {
      name: "Dendrite key, not served-compared without the fact",
      facts: { homeserverConfig: dendrite() },
      summary: /^\/opt\/dendrite\/matrix_key\.pem, mode 0600: ed25519:a_bcDE \(ed25519, public key \S+\)$/,
    },
    {
      name: "the key is the one /_matrix/key/v2/server serves",
      facts: { homeserverConfig: dendrite(), serverKeys: serverKeys() },
      summary: /it is the key \/_matrix\/key\/v2\/server publishes \(2 documents\)/,
      details: { matchesServed: true },
    },
    {
      name: "the key endpoint gave nothing to compare with",
      facts: { homeserverConfig: synapse(), serverKeys: serverKeys([exchange(KEY_PATH, V4, { response: response(404, NGINX_404_HTML) })]) },
      details: { notCompared: "no endpoint returned a key document (federation-keys-server-name reports why)" },
    },
    {
      name: "Synapse inline signing_key",
      facts: { homeserverConfig: probed(synapseFact(), { signingKey: { source: "inline", format: "synapse", keys: [{ keyId: KEY.keyId, publicKey: KEY.publicKeyBase64 }] } }) },
      summary: /^signing_key \(homeserver\.yaml\): ed25519:a_bcDE/,
    },
    { name: "Synapse without server_name or key path", status: "skip", facts: { homeserverConfig: { ...synapseFact(), signingKeyPath: undefined } } },
  ],
  invalid: [
    {
      name: "Dendrite without private_key",
      facts: { homeserverConfig: probed(dendriteFact({ "global.private_key": undefined })) },
      summary: /sets no global\.private_key: Dendrite refuses to start/,
      fix: /generate-keys --private-key/,
    },
    {
      name: "Dendrite key file missing",
      facts: { homeserverConfig: dendrite({ signingKey: missing(PEM) }) },
      summary: /the signing key \/opt\/dendrite\/matrix_key\.pem does not exist: Dendrite refuses to start/,
      fix: /restore its old key file from a backup.*generate-keys --private-key \/opt\/dendrite\/matrix_key\.pem/,
    },
    {
      name: "Dendrite relative key path missing: says how Dendrite resolves it",
      facts: { homeserverConfig: probed(dendriteFact({ "global.private_key": "matrix_key.pem" }), { signingKey: missing("/etc/dendrite/matrix_key.pem") }) },
      summary: /relative path "matrix_key\.pem": Dendrite resolves it against its working directory/,
    },
    {
      name: "Synapse key file missing is a warning (it would generate one)",
      status: "warn",
      facts: { homeserverConfig: synapse({ signingKey: missing(SYN_KEY) }) },
      summary: /does not exist: Synapse starts only if it generates a new key/,
      fix: /--generate-keys/,
    },
    {
      name: "unreadable for matrix-doctor",
      status: "warn",
      facts: { homeserverConfig: dendrite({ signingKey: { source: "file", path: PEM, file: fileStatus(PEM, "0600", { readable: false, error: "EACCES" }), keys: [] } }) },
      summary: /cannot read the signing key .*EACCES, mode 0600/,
      fix: /sudo -u dendrite/,
    },
    {
      name: "not a Matrix key (a TLS key)",
      facts: { homeserverConfig: dendrite({ signingKey: { source: "file", path: PEM, file: fileStatus(PEM), keys: [], problem: 'holds a "PRIVATE KEY" PEM block, not a "MATRIX PRIVATE KEY" (a TLS key is not a Matrix signing key)' } }) },
      summary: /holds a "PRIVATE KEY" PEM block.*Dendrite refuses to start/,
      fix: /MATRIX PRIVATE KEY/,
    },
    {
      name: "world-readable",
      status: "warn",
      facts: { homeserverConfig: dendrite({ signingKey: signingKey(PEM, KEY.keyId, KEY.publicKeyBase64, "dendrite-pem", "0644") }) },
      summary: /readable by every user on the machine \(mode 0644\)/,
      fix: /chmod 600 \/opt\/dendrite\/matrix_key\.pem/,
    },
    {
      name: "the server publishes another key id",
      facts: { homeserverConfig: dendrite(), serverKeys: serverKeys([keyExchange(keyDocument({ keys: [OTHER_KEY] }))]) },
      summary: /the config's key ed25519:a_bcDE is not what the server publishes \(\/_matrix\/key\/v2\/server lists ed25519:b_other\)/,
      fix: /old_private_keys/,
    },
    {
      name: "same key id, different key",
      facts: { homeserverConfig: synapse(), serverKeys: serverKeys([keyExchange(keyDocument({ keys: [testKey("another seed")] }))]) },
      summary: /but the server publishes \S+ under the same id/,
      fix: /old_signing_keys/,
    },
  ],
});
