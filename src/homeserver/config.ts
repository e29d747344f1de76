// Reading a homeserver's own config file: Dendrite's dendrite.yaml (v0.13.8, setup/config/*.go) or Synapse's
// homeserver.yaml (docs/usage/configuration/config_documentation.md). Derives the inputs of the server-side
// probes (server name, databases, TURN, signing-key path, well-known settings) and what the config checks judge.
// Secret values never enter the fact: they become Secret objects or presence booleans.
//
// Only the file reading is I/O here; the key file and file modes are read by the homeserver-config probe.

import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type {
  DatabaseConfig,
  HomeserverConfigFact,
  RegistrationConfig,
  SigningKeyFact,
  TlsValidationSetting,
  TurnConfig,
  WellKnownConfig,
} from "../engine/facts/config.js";
import { redactDsn, Secret } from "../engine/secret.js";
import { hostPort, parseServerName } from "../matrix/server-name.js";
import { dsnFormat, dsnHasPassword, redactConnectionString, synapseLibpqParams, uriFromKeywords } from "./dsn.js";
import { connectionPools, DENDRITE_COMPONENTS } from "./pools.js";
import { parseSigningKey } from "./signing-key.js";
import { isRecord, parseConfigYaml, YamlError, type ConfigTree } from "./yaml-tree.js";

/** The config file cannot be used at all. The message is one line and names the file; the CLI exits 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Larger than any real homeserver config; stops a wrong path (a log, a disk image) from being slurped. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function readHomeserverConfig(path: string): HomeserverConfigFact {
  const absolute = resolve(path);
  let text: string;
  try {
    const stat = statSync(absolute);
    if (stat.isDirectory()) throw new ConfigError(`${path} is a directory, not a homeserver config file`);
    if (!stat.isFile()) throw new ConfigError(`${path} is not a regular file`);
    if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError(`${path} is ${stat.size} bytes, too large for a homeserver config (limit 4 MiB)`);
    text = readFileSync(absolute, "utf8");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied (run matrix-doctor as the homeserver's user, or with sudo)"
          : ((err as Error).message ?? String(err));
    throw new ConfigError(`cannot read the homeserver config ${path}: ${why}`);
  }
  return parseHomeserverConfig(text, absolute, path);
}

/** Parse config text; `path` is where it came from (relative paths inside resolve against its directory). */
export function parseHomeserverConfig(text: string, path: string, shownPath: string = path): HomeserverConfigFact {
  let tree: ConfigTree;
  try {
    tree = parseConfigYaml(text);
  } catch (err) {
    if (err instanceof YamlError) {
      const where = err.line !== undefined ? `:${err.line}${err.column !== undefined ? `:${err.column}` : ""}` : "";
      const what = err.line !== undefined ? `invalid YAML: ${err.message}` : err.message;
      throw new ConfigError(`${shownPath}${where}: ${what}`);
    }
    throw err;
  }
  const data = tree.data;
  const global = data["global"];
  if (isRecord(global) && ("server_name" in global || "version" in data)) return readDendrite(tree, resolve(path));
  const database = data["database"];
  const dbName = isRecord(database) ? database["name"] : undefined;
  if ("server_name" in data || dbName === "psycopg2" || dbName === "sqlite3") return readSynapse(tree, resolve(path));
  throw new ConfigError(
    `${shownPath} is neither a Dendrite config (no global: section with server_name) nor a Synapse config (no top-level server_name)`,
  );
}

/** systemd units the implementation is usually installed as, most likely first. */
export function systemdUnitCandidates(fact: Pick<HomeserverConfigFact, "implementation">): string[] {
  // Dendrite: the unit in Dendrite's own docs and most guides is dendrite.service; matrix-docker-ansible-deploy
  // names it matrix-dendrite.service. Synapse: the Debian/Ubuntu package (matrix-synapse-py3 from
  // packages.matrix.org, matrix-synapse from Debian) and matrix-docker-ansible-deploy install
  // matrix-synapse.service; pip/venv guides write synapse.service. (matrix-synapse-py3 is a package name, not a unit.)
  return fact.implementation === "dendrite" ? ["dendrite.service", "matrix-dendrite.service"] : ["matrix-synapse.service", "synapse.service"];
}

export { lineOf } from "./messages.js";

// ---------------------------------------------------------------------------------------------------
// Value helpers

function get(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split(".")) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function has(data: unknown, path: string): boolean {
  const parts = path.split(".");
  const last = parts.pop() ?? "";
  const parent = parts.length > 0 ? get(data, parts.join(".")) : data;
  return isRecord(parent) && last in parent;
}

/** A scalar as text; undefined for absent, null and empty. */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

function int(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map((v) => String(v));
  if (typeof value === "string" && value !== "") return [value];
  return [];
}

/** Python's strtobool(str(value)), as Synapse reads enable_registration. */
function pyBool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  const s = String(value).toLowerCase();
  if (["y", "yes", "t", "true", "on", "1"].includes(s)) return true;
  if (["n", "no", "f", "false", "off", "0"].includes(s)) return false;
  return fallback;
}

function resolveFrom(configPath: string, p: string): string {
  return isAbsolute(p) ? resolve(p) : resolve(dirname(configPath), p);
}

function withLine<T extends object>(value: T, line: number | undefined): T & { line?: number } {
  return line !== undefined ? { ...value, line } : value;
}

// ---------------------------------------------------------------------------------------------------
// Dendrite

/** The connection string dendrite-sample.yaml ships with. */
const DENDRITE_SAMPLE_DSN = /^postgres(?:ql)?:\/\/username:password@hostname\//;

function dendriteDatabase(tree: ConfigTree, component: string, section: string, isGlobal: boolean): DatabaseConfig | undefined {
  const options = get(tree.data, section);
  if (!isRecord(options)) return undefined;
  const dsn = text(options["connection_string"]);
  if (dsn === undefined) return undefined;
  const format = dsnFormat(dsn);
  const maxOpen = int(options["max_open_conns"]);
  const maxIdle = int(options["max_idle_conns"]);
  // Global defaults: DatabaseOptions.Defaults(90) → 90 / 2; component sections have no defaults (0 = unlimited).
  const db: DatabaseConfig = {
    component,
    engine: format === "sqlite-file" ? "sqlite" : "postgres",
    connectionString: new Secret(dsn),
    redacted: redactConnectionString(dsn, redactDsn),
    section,
    format,
    maxOpenConns: maxOpen ?? (isGlobal ? 90 : 0),
    maxOpenConnsSource: maxOpen !== undefined ? "config" : "default",
    ...((maxIdle !== undefined || isGlobal) && { maxIdleConns: maxIdle ?? 2 }),
    ...(DENDRITE_SAMPLE_DSN.test(dsn) && { samplePlaceholder: true }),
  };
  return withLine(db, tree.lines.get(section));
}

function readDendrite(tree: ConfigTree, path: string): HomeserverConfigFact {
  const d = tree.data;
  const g = (p: string): unknown => get(d, p);
  const line = (p: string): number | undefined => tree.lines.get(p);

  const databases: DatabaseConfig[] = [];
  const globalDb = dendriteDatabase(tree, "global", "global.database", true);
  if (globalDb) databases.push(globalDb);
  for (const { component, key } of DENDRITE_COMPONENTS) {
    const db = dendriteDatabase(tree, component, `${component}.${key}`, false);
    if (db) databases.push(db);
  }

  let turn: TurnConfig | undefined;
  if (has(d, "client_api.turn")) {
    const secret = text(g("client_api.turn.turn_shared_secret"));
    const username = text(g("client_api.turn.turn_username"));
    const password = text(g("client_api.turn.turn_password"));
    const lifetime = text(g("client_api.turn.turn_user_lifetime"));
    turn = withLine(
      {
        uris: strings(g("client_api.turn.turn_uris")),
        keyPrefix: "client_api.turn.",
        ...(secret !== undefined && { sharedSecret: new Secret(secret) }),
        ...(username !== undefined && { username }),
        ...(password !== undefined && { password: new Secret(password) }),
        ...(lifetime !== undefined && { userLifetime: lifetime }),
      },
      line("client_api.turn"),
    );
  }

  const wkServer = text(g("global.well_known_server_name"));
  const wkClient = text(g("global.well_known_client_name"));
  const wellKnown: WellKnownConfig = {
    ...(wkServer !== undefined && { serverName: wkServer, servedServer: wkServer }),
    ...(wkClient !== undefined && { clientName: wkClient, servedClientBaseUrl: wkClient }),
  };

  // ClientAPI.Defaults: registration_disabled true; guests_disabled has no default (false).
  const open = g("client_api.registration_disabled") === false;
  const registration: RegistrationConfig = {
    open,
    openKey: "client_api.registration_disabled",
    captcha: g("client_api.enable_registration_captcha") === true,
    captchaKeysSet: text(g("client_api.recaptcha_public_key")) !== undefined && text(g("client_api.recaptcha_private_key")) !== undefined,
    requiresToken: g("client_api.registration_requires_token") === true,
    requires3pid: [],
    withoutVerification: false,
    sharedSecretSet: text(g("client_api.registration_shared_secret")) !== undefined,
    guestAccess: open && g("client_api.guests_disabled") !== true,
  };

  const tlsValidation: TlsValidationSetting[] = [
    "federation_api.disable_tls_validation",
    "app_service_api.disable_tls_validation",
    "global.jetstream.disable_tls_validation",
    "user_api.push_gateway_disable_tls_validation",
  ]
    .filter((key) => has(d, key))
    .map((key) => withLine({ key, disabled: g(key) === true }, line(key)));

  const inlineSecrets = [
    "client_api.registration_shared_secret",
    "client_api.recaptcha_private_key",
    "client_api.recaptcha_bypass_secret",
    "client_api.turn.turn_shared_secret",
    "client_api.turn.turn_password",
    "global.metrics.basic_auth.password",
  ].filter((key) => text(g(key)) !== undefined);
  for (const db of databases) if (dsnHasPassword(db.connectionString.reveal())) inlineSecrets.push(`${db.section}.connection_string`);

  const privateKey = text(g("global.private_key"));
  const serverName = text(g("global.server_name"));
  const version = g("version");
  return {
    path,
    implementation: "dendrite",
    ...(serverName !== undefined && { serverName }),
    ...(line("global.server_name") !== undefined && { serverNameLine: line("global.server_name") }),
    databases,
    ...(turn && { turn }),
    ...(privateKey !== undefined && { signingKeyPath: resolveFrom(path, privateKey), signingKeyPathRaw: privateKey }),
    ...(has(d, "version") && {
      configVersion: typeof version === "object" ? null : (version as string | number | boolean),
      ...(line("version") !== undefined && { configVersionLine: line("version") }),
    }),
    connectionPools: connectionPools("dendrite", databases, []),
    wellKnown,
    registration,
    tlsValidation,
    keys: tree.keys,
    inlineSecrets,
  };
}

// ---------------------------------------------------------------------------------------------------
// Synapse

function synapseDatabase(tree: ConfigTree, section: string, component: string, options: Record<string, unknown>): DatabaseConfig | { invalid: string } {
  const name = options["name"] ?? "sqlite3";
  const args = isRecord(options["args"]) ? options["args"] : {};
  const line = tree.lines.get(section);
  if (name === "sqlite3") {
    const file = text(args["database"]) ?? "";
    const dsn = `file:${file}`;
    // DatabaseConnectionConfig forces cp_min = cp_max = 1 for SQLite.
    return withLine(
      { component, engine: "sqlite", connectionString: new Secret(dsn), redacted: dsn, section, format: "sqlite-file", maxOpenConns: 1, maxOpenConnsSource: "default" },
      line,
    );
  }
  if (name !== "psycopg2") return { invalid: String(name) };
  const params = synapseLibpqParams(args);
  const uri = uriFromKeywords(params);
  const cpMax = int(args["cp_max"]);
  const cpMin = int(args["cp_min"]);
  const db: DatabaseConfig = {
    component,
    engine: "postgres",
    connectionString: new Secret(uri),
    redacted: uriFromKeywords(params, { maskPassword: true }),
    section,
    format: "built",
    // Twisted's ConnectionPool defaults: min 3, max 5.
    maxOpenConns: cpMax ?? 5,
    maxOpenConnsSource: cpMax !== undefined ? "config" : "default",
    minConns: cpMin ?? 3,
    ...(options["allow_unsafe_locale"] !== undefined && { allowUnsafeLocale: options["allow_unsafe_locale"] === true }),
  };
  return withLine(db, line);
}

function readSynapse(tree: ConfigTree, path: string): HomeserverConfigFact {
  const d = tree.data;
  const line = (p: string): number | undefined => tree.lines.get(p);
  const serverName = text(d["server_name"]);

  const databases: DatabaseConfig[] = [];
  const invalid: { section: string; name: string; line?: number }[] = [];
  const add = (section: string, component: string, options: unknown): void => {
    if (!isRecord(options)) return;
    const db = synapseDatabase(tree, section, component, options);
    if ("invalid" in db) invalid.push(withLine({ section: `${section}.name`, name: db.invalid }, line(`${section}.name`)));
    else databases.push(db);
  };
  if (isRecord(d["databases"])) {
    for (const [name, options] of Object.entries(d["databases"])) add(`databases.${name}`, `synapse:${name}`, options);
  } else if (isRecord(d["database"])) {
    add("database", "synapse", d["database"]);
  } else if (text(d["database_path"]) !== undefined) {
    add("database_path", "synapse", { name: "sqlite3", args: { database: d["database_path"] } });
  }

  const turnKeys = ["turn_uris", "turn_shared_secret", "turn_shared_secret_path", "turn_username", "turn_password", "turn_user_lifetime", "turn_allow_guests"];
  let turn: TurnConfig | undefined;
  const presentTurnKeys = turnKeys.filter((k) => k in d);
  if (presentTurnKeys.length > 0) {
    const secret = text(d["turn_shared_secret"]);
    const secretPath = text(d["turn_shared_secret_path"]);
    const username = text(d["turn_username"]);
    const password = text(d["turn_password"]);
    const lifetime = text(d["turn_user_lifetime"]);
    const firstLine = presentTurnKeys.map((k) => line(k)).filter((l): l is number => l !== undefined).sort((a, b) => a - b)[0];
    turn = withLine(
      {
        uris: strings(d["turn_uris"]),
        keyPrefix: "",
        ...(secret !== undefined && { sharedSecret: new Secret(secret) }),
        ...(secretPath !== undefined && { sharedSecretPath: resolveFrom(path, secretPath) }),
        ...(username !== undefined && { username }),
        ...(password !== undefined && { password: new Secret(password) }),
        ...(lifetime !== undefined && { userLifetime: lifetime }),
        allowGuests: d["turn_allow_guests"] === undefined ? true : pyBool(d["turn_allow_guests"], true),
      },
      firstLine,
    );
  }

  // synapse/config/server.py: public_baseurl defaults to https://<server_name>/ but only an explicit one makes
  // Synapse serve /.well-known/matrix/client; serve_server_wellknown serves {"m.server": "<host>:<port or 443>"}.
  const publicBaseurl = text(d["public_baseurl"]);
  const serveServer = d["serve_server_wellknown"] === true;
  const parsedName = serverName !== undefined ? parseServerName(serverName) : undefined;
  const wellKnown: WellKnownConfig = {
    ...(publicBaseurl !== undefined && { publicBaseurl, servedClientBaseUrl: publicBaseurl.endsWith("/") ? publicBaseurl : `${publicBaseurl}/` }),
    ...("serve_server_wellknown" in d && { serveServerWellknown: serveServer }),
    ...(serveServer && parsedName?.valid && { servedServer: hostPort(parsedName.host, parsedName.port ?? 443) }),
  };

  // synapse/config/registration.py: enable_registration (strtobool), overridden by the legacy disable_registration.
  let open = pyBool(d["enable_registration"], false);
  if ("disable_registration" in d) open = !pyBool(d["disable_registration"], false);
  const sharedSecretPath = text(d["registration_shared_secret_path"]);
  const registration: RegistrationConfig = {
    open,
    openKey: "disable_registration" in d && !("enable_registration" in d) ? "disable_registration" : "enable_registration",
    captcha: d["enable_registration_captcha"] === true,
    captchaKeysSet:
      (text(d["recaptcha_public_key"]) ?? text(d["recaptcha_public_key_path"])) !== undefined &&
      (text(d["recaptcha_private_key"]) ?? text(d["recaptcha_private_key_path"])) !== undefined,
    requiresToken: d["registration_requires_token"] === true,
    requires3pid: strings(d["registrations_require_3pid"]),
    withoutVerification: pyBool(d["enable_registration_without_verification"], false),
    sharedSecretSet: text(d["registration_shared_secret"]) !== undefined,
    ...(sharedSecretPath !== undefined && { sharedSecretPath: resolveFrom(path, sharedSecretPath) }),
    guestAccess: d["allow_guest_access"] === true,
  };

  const tlsValidation: TlsValidationSetting[] = [];
  if ("federation_verify_certificates" in d) {
    tlsValidation.push(withLine({ key: "federation_verify_certificates", disabled: d["federation_verify_certificates"] === false }, line("federation_verify_certificates")));
  }
  if ("use_insecure_ssl_client_just_for_testing_do_not_use" in d) {
    const key = "use_insecure_ssl_client_just_for_testing_do_not_use";
    tlsValidation.push(withLine({ key, disabled: pyBool(d[key], false) }, line(key)));
  }

  const inlineSecrets = [
    "registration_shared_secret",
    "macaroon_secret_key",
    "form_secret",
    "turn_shared_secret",
    "turn_password",
    "recaptcha_private_key",
    "worker_replication_secret",
    "signing_key",
  ].filter((key) => text(d[key]) !== undefined);
  for (const db of databases) {
    const args = get(d, `${db.section}.args`);
    if (isRecord(args) && text(args["password"]) !== undefined) inlineSecrets.push(`${db.section}.args.password`);
  }
  if (text(get(d, "email.smtp_pass")) !== undefined) inlineSecrets.push("email.smtp_pass");
  if (text(get(d, "redis.password")) !== undefined) inlineSecrets.push("redis.password");

  // synapse/config/key.py: an inline signing_key wins; otherwise signing_key_path, defaulting to
  // <config dir>/<server_name>.signing.key.
  let signingKeyPath: string | undefined;
  let signingKey: SigningKeyFact | undefined;
  const keyPathRaw = text(d["signing_key_path"]);
  if ("signing_key" in d) {
    const parsed = parseSigningKey(text(d["signing_key"]) ?? "", "synapse");
    signingKey = { source: "inline", keys: parsed.keys, ...(parsed.format && { format: parsed.format }), ...(parsed.problem && { problem: parsed.problem }) };
  } else if (keyPathRaw !== undefined) {
    signingKeyPath = resolveFrom(path, keyPathRaw);
  } else if (serverName !== undefined) {
    signingKeyPath = resolve(dirname(path), `${serverName}.signing.key`);
  }

  const instanceMap = d["instance_map"];
  const workers = isRecord(instanceMap) ? Object.keys(instanceMap).filter((name) => name !== "main") : [];
  return {
    path,
    implementation: "synapse",
    ...(serverName !== undefined && { serverName }),
    ...(line("server_name") !== undefined && { serverNameLine: line("server_name") }),
    databases,
    ...(turn && { turn }),
    ...(signingKeyPath !== undefined && { signingKeyPath }),
    ...(keyPathRaw !== undefined && { signingKeyPathRaw: keyPathRaw }),
    ...(signingKeyPath !== undefined && keyPathRaw === undefined && { signingKeyPathDefaulted: true }),
    ...(signingKey && { signingKey }),
    ...(databases.length === 0 && invalid.length === 0 && { databaseMissing: true }),
    ...(invalid[0] && { databaseEngineInvalid: invalid[0] }),
    connectionPools: connectionPools("synapse", databases, workers),
    wellKnown,
    registration,
    tlsValidation,
    keys: tree.keys,
    inlineSecrets,
  };
}

