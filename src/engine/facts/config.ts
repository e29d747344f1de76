// Facts from the homeserver's own config file (dendrite.yaml or homeserver.yaml).
// Owned by the config area; the fields marked CONTRACT are read by other probes and must stay.
// Nothing here holds a secret in printable form: secrets are Secret objects or presence booleans.

import type { Secret } from "../secret.js";

export type Implementation = "dendrite" | "synapse";

/** One database the homeserver connects to. CONTRACT. */
export interface DatabaseConfig {
  /** "global" / a Dendrite component (e.g. "room_server") / "synapse" (Synapse `databases:` entries: "synapse:<name>"). */
  component: string;
  engine: "postgres" | "sqlite";
  /**
   * Dendrite: the connection_string as written. Synapse PostgreSQL: a postgresql:// URI built from database.args
   * (user, password, dbname/database, host, port, ssl* and other libpq keywords). SQLite: `file:<path>`.
   */
  connectionString: Secret;
  /** connectionString with the password replaced by ***. */
  redacted: string;
  /**
   * Dendrite max_open_conns / Synapse cp_max (per process). The effective value: Dendrite's global section
   * defaults to 90; a Dendrite component section without max_open_conns gets 0, which Go's database/sql treats as
   * unlimited (≤ 0 = unlimited); Synapse defaults to Twisted's 5, and SQLite always gets 1.
   */
  maxOpenConns?: number;
  maxIdleConns?: number;
  // --- added by the config area ---
  /** Key path of the section: "global.database", "user_api.account_database", "database", "databases.main". */
  section: string;
  /** 1-based line of the section's key in the config file. */
  line?: number;
  /**
   * How the connection string is written: a URI (postgres:// or postgresql://), a libpq key=value string
   * (Dendrite does not support it), a SQLite `file:` URI, built by matrix-doctor from Synapse's database.args,
   * or something else.
   */
  format: "uri" | "key-value" | "sqlite-file" | "built" | "other";
  /** Whether maxOpenConns was written in the config or is the implementation's default. */
  maxOpenConnsSource: "config" | "default";
  /** Synapse cp_min (Twisted default 3). */
  minConns?: number;
  /** Synapse database.allow_unsafe_locale. */
  allowUnsafeLocale?: boolean;
  /** Dendrite: the connection string is still the one in dendrite-sample.yaml (user "username", host "hostname"). */
  samplePlaceholder?: boolean;
}

/** The homeserver's TURN settings. CONTRACT. */
export interface TurnConfig {
  uris: string[];
  sharedSecret?: Secret;
  /** Synapse turn_shared_secret_path. */
  sharedSecretPath?: string;
  username?: string;
  password?: Secret;
  /** As written: a Go duration for Dendrite ("5m"), a Synapse duration ("1h") or milliseconds. */
  userLifetime?: string;
  // --- added by the config area ---
  /** Prefix of the TURN keys for messages: "client_api.turn." (Dendrite) or "" (Synapse, top level). */
  keyPrefix: string;
  /** Line of client_api.turn (Dendrite) or of the first turn_* key (Synapse). */
  line?: number;
  /** Synapse turn_allow_guests (default true). */
  allowGuests?: boolean;
  /** Synapse turn_shared_secret_path as the probe found it (existence and mode only, never the content). */
  sharedSecretFile?: FileStatus;
}

/** What the probe found about a file (never its content). */
export interface FileStatus {
  path: string;
  exists: boolean;
  readable: boolean;
  /** The errno code when it cannot be read (ENOENT, EACCES, EISDIR, …). */
  error?: string;
  /** Permission bits in octal, e.g. "0640". */
  mode?: string;
  /** Other users may read it (mode & 0o004). */
  worldReadable?: boolean;
  /** Numeric owner. */
  uid?: number;
}

/** One ed25519 signing key: its id and PUBLIC key (the private seed is never kept). */
export interface SigningKeyInfo {
  /** "ed25519:<version>". */
  keyId: string;
  /** The ed25519 public key, unpadded standard Base64 (as /_matrix/key/v2/server serves it). */
  publicKey: string;
}

export interface SigningKeyFact {
  /** "file": signing_key_path / private_key; "inline": Synapse `signing_key` in the config itself. */
  source: "file" | "inline";
  /** Absolute path of the key file (source "file"). */
  path?: string;
  /** Filled by the probe (source "file"). */
  file?: FileStatus;
  /** Dendrite's PEM ("MATRIX PRIVATE KEY" with a Key-ID header) or Synapse's `ed25519 <version> <seed>` lines. */
  format?: "dendrite-pem" | "synapse";
  /** Every key found, first = the one the server signs with. */
  keys: SigningKeyInfo[];
  /** Why the content is not a usable key, phrased to follow "the key file …" (absent when it is usable). */
  problem?: string;
}

/** The server's own /.well-known/matrix/{server,client} settings. */
export interface WellKnownConfig {
  /** Dendrite global.well_known_server_name (non-empty). */
  serverName?: string;
  /** Dendrite global.well_known_client_name (non-empty). */
  clientName?: string;
  /** Synapse public_baseurl, only when written in the config. */
  publicBaseurl?: string;
  /** Synapse serve_server_wellknown. */
  serveServerWellknown?: boolean;
  /** What the homeserver itself serves as m.server (Dendrite: well_known_server_name; Synapse: "<host>:<port or 443>"). */
  servedServer?: string;
  /** What the homeserver itself serves as m.homeserver.base_url (Dendrite: well_known_client_name; Synapse: public_baseurl when set). */
  servedClientBaseUrl?: string;
}

export interface RegistrationConfig {
  /** Anyone may create an account from a client: Dendrite registration_disabled: false, Synapse enable_registration: true. */
  open: boolean;
  /** The key that opens (or would open) registration, for messages. */
  openKey: string;
  captcha: boolean;
  /** Both reCAPTCHA keys are set (Dendrite refuses a captcha without them). */
  captchaKeysSet: boolean;
  /** Synapse registration_requires_token (Dendrite v0.13.8 has the key but does not gate registration with it). */
  requiresToken: boolean;
  /** Synapse registrations_require_3pid. */
  requires3pid: string[];
  /** Synapse enable_registration_without_verification (Dendrite's override is a command-line flag, not in the file). */
  withoutVerification: boolean;
  /** registration_shared_secret is set inline (its value is never kept). */
  sharedSecretSet: boolean;
  /** Synapse registration_shared_secret_path. */
  sharedSecretPath?: string;
  /** Dendrite guests_disabled: false / Synapse allow_guest_access: true. */
  guestAccess: boolean;
}

/** A TLS-validation switch found in the config. */
export interface TlsValidationSetting {
  /** Key path, e.g. "federation_api.disable_tls_validation", "federation_verify_certificates". */
  key: string;
  /** True when the setting turns certificate validation off. */
  disabled: boolean;
  line?: number;
}

/** A mapping key of the config file and its line (values are never recorded here). */
export interface ConfigKey {
  /** Dotted path, e.g. "client_api.turn.turn_uris". */
  path: string;
  line?: number;
}

/** PostgreSQL connection pools of one homeserver process, as the config sizes them. */
export interface ConnectionPool {
  /** The database sections that share this pool (Dendrite shares one pool per distinct connection string). */
  sections: string[];
  redacted: string;
  /** The largest max_open_conns among the sharing sections (≤ 0 = unlimited). */
  maxOpenConns: number;
  unlimited: boolean;
}

export interface ConnectionPools {
  /** PostgreSQL pools only (SQLite connections do not count against max_connections). */
  pools: ConnectionPool[];
  /** Σ max_open_conns over the pools of one process (unlimited pools add nothing). */
  perProcessMaxOpenConns: number;
  /**
   * Synapse: worker names from instance_map (besides "main"): each worker process has its own pools.
   * A lower bound: workers that need no replication listener are not in instance_map.
   */
  workers: string[];
  /** perProcessMaxOpenConns × (1 + workers.length): what the homeserver may open at most. */
  totalMaxOpenConns: number;
  /** Some pool has no limit: totalMaxOpenConns is then only a lower bound. */
  unlimited: boolean;
}

export interface HomeserverConfigFact {
  /** Absolute path of the config file. */
  path: string;
  implementation: Implementation;
  /** CONTRACT */
  serverName?: string;
  /** CONTRACT */
  databases: DatabaseConfig[];
  /** CONTRACT; absent when the config has no TURN section at all. */
  turn?: TurnConfig;
  /**
   * CONTRACT. Absolute path. Dendrite global.private_key (a relative path resolved against the config file's
   * directory); Synapse signing_key_path, or its default <config dir>/<server_name>.signing.key.
   */
  signingKeyPath?: string;
  // --- added by the config area ---
  /** Line of server_name. */
  serverNameLine?: number;
  /** Dendrite: the private_key value as written (to tell a relative path, which Dendrite resolves against its working directory). */
  signingKeyPathRaw?: string;
  /** Synapse: signing_key_path was not set and the default path is used. */
  signingKeyPathDefaulted?: boolean;
  /** The signing key as the probe read it (or, for an inline Synapse signing_key, as the reader parsed it). */
  signingKey?: SigningKeyFact;
  /** Dendrite: the top-level `version` as written (absent when the key is absent). */
  configVersion?: string | number | boolean | null;
  configVersionLine?: number;
  /** Synapse: no database/databases section in this file (it may live in another --config-path file). */
  databaseMissing?: boolean;
  /** Synapse: database.name is neither psycopg2 nor sqlite3 (Synapse refuses to start). */
  databaseEngineInvalid?: { section: string; name: string; line?: number };
  /** Connection pools derived from `databases` (used by the postgres area to judge the budget). */
  connectionPools: ConnectionPools;
  wellKnown: WellKnownConfig;
  registration: RegistrationConfig;
  tlsValidation: TlsValidationSetting[];
  /** Every mapping key down to a few levels (not inside lists or free-form sections), for typo detection and line numbers. */
  keys: ConfigKey[];
  /** Key paths of secrets written inline in the config (their values are never kept). */
  inlineSecrets: string[];
  /** The config file itself as the probe found it (mode, owner). */
  file?: FileStatus;
}
