// argv → a validated plan, or a UsageError with one line for the user (exit code 2).

import { parseArgs } from "node:util";
import { isIP } from "node:net";
import type { Check } from "../engine/check.js";
import { Secret } from "../engine/secret.js";
import { CATEGORIES } from "../engine/types.js";
import { parseServerName } from "../matrix/server-name.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export const FORMATS = ["human", "json", "junit", "github", "prometheus"] as const;
export type Format = (typeof FORMATS)[number];

export interface CliPlan {
  command: "help" | "version" | "list-checks" | "run";
  serverName?: string;
  format: Format;
  output?: string;
  only: string[];
  skip: string[];
  resolver?: string;
  caFile?: string;
  timeoutMs: number;
  strict: boolean;
  verbose: boolean;
  allowPrivateAddresses: boolean;
  color: boolean;
  // Server-side inputs (flag, else MATRIX_DOCTOR_* variable; the homeserver config fills the rest).
  homeserverConfigPath?: string;
  postgres?: Secret;
  systemdUnit?: string;
  turnUris: string[];
  turnSecret?: Secret;
  accessToken?: Secret;
}

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  "list-checks": { type: "boolean" },
  json: { type: "boolean" },
  format: { type: "string" },
  output: { type: "string", short: "o" },
  only: { type: "string", multiple: true },
  skip: { type: "string", multiple: true },
  resolver: { type: "string" },
  "ca-file": { type: "string" },
  timeout: { type: "string" },
  strict: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  "allow-private-addresses": { type: "boolean" },
  "homeserver-config": { type: "string", short: "c" },
  postgres: { type: "string" },
  "systemd-unit": { type: "string" },
  "turn-uri": { type: "string", multiple: true },
  "turn-secret": { type: "string" },
  "access-token": { type: "string" },
} as const;

/** Environment variables for every server-side input, so secrets can stay out of `ps`. */
export const ENV = {
  resolver: "MATRIX_DOCTOR_RESOLVER",
  caFile: "MATRIX_DOCTOR_CA_FILE",
  allowPrivateAddresses: "MATRIX_DOCTOR_ALLOW_PRIVATE_ADDRESSES",
  homeserverConfig: "MATRIX_DOCTOR_HOMESERVER_CONFIG",
  postgres: "MATRIX_DOCTOR_POSTGRES",
  systemdUnit: "MATRIX_DOCTOR_SYSTEMD_UNIT",
  turnUris: "MATRIX_DOCTOR_TURN_URIS",
  turnSecret: "MATRIX_DOCTOR_TURN_SECRET",
  accessToken: "MATRIX_DOCTOR_ACCESS_TOKEN",
} as const;

const TURN_URI = /^turns?:(\[[0-9a-fA-F:.]+\]|[0-9A-Za-z.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;

export function validateTurnUri(uri: string): string {
  if (!TURN_URI.test(uri)) {
    throw new UsageError(`--turn-uri expects turn:HOST[:PORT][?transport=udp|tcp] or turns:..., got '${uri}'`);
  }
  return uri;
}

/** Dendrite accepts only URI connection strings, so that is what we take too (the password stays secret). */
export function validatePostgres(dsn: string, source: string): Secret {
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(dsn)) {
    throw new UsageError(`${source} expects a connection URI such as postgres://dendrite:PASSWORD@127.0.0.1:5432/dendrite`);
  }
  try {
    new URL(dsn);
  } catch {
    throw new UsageError(`${source} is not a valid connection URI`);
  }
  return new Secret(dsn);
}

export const DEFAULT_TIMEOUT_SECONDS = 20;

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/** "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353". c-ares needs addresses, not names. */
export function validateResolver(value: string): string {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const v4 = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(value);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : isIP(value) === 6 ? [value, undefined] : v4 ? [v4[1]!, v4[2]] : ["", undefined];
  if (!host || isIP(host) === 0) {
    throw new UsageError(`--resolver expects an IP address with an optional port (e.g. 127.0.0.1:53 or [::1]:53), got '${value}'`);
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new UsageError(`--resolver port ${port} is outside 1-65535`);
  return value;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv, isTty: boolean): CliPlan {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs messages are already one line ("Unknown option '--foo'").
    throw new UsageError(err instanceof Error ? err.message.split("\n")[0]!.replace(/\. To specify a positional.*$/, "") : String(err));
  }
  const { values, positionals } = parsed;
  const format = values.json ? "json" : (values.format ?? "human");
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${format}'`);
  }
  let timeoutMs = DEFAULT_TIMEOUT_SECONDS * 1000;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new UsageError(`--timeout expects seconds between 0 and 3600, got '${values.timeout}'`);
    }
    timeoutMs = Math.round(seconds * 1000);
  }
  const resolver = values.resolver ?? (env[ENV.resolver] || undefined);
  const caFile = values["ca-file"] ?? (env[ENV.caFile] || undefined);
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "";
  const plan: CliPlan = {
    command: values.help ? "help" : values.version ? "version" : values["list-checks"] ? "list-checks" : "run",
    format: format as Format,
    ...(values.output && { output: values.output }),
    only: list(values.only),
    skip: list(values.skip),
    ...(resolver && { resolver: validateResolver(resolver) }),
    ...(caFile && { caFile }),
    timeoutMs,
    strict: values.strict ?? false,
    verbose: values.verbose ?? false,
    allowPrivateAddresses: values["allow-private-addresses"] ?? truthy(env[ENV.allowPrivateAddresses]),
    color: !noColor && (forceColor || (isTty && format === "human" && !values.output)),
    turnUris: [],
  };
  const fromEnv = (name: string): string | undefined => (env[name] === undefined || env[name] === "" ? undefined : env[name]);
  const homeserverConfigPath = values["homeserver-config"] ?? fromEnv(ENV.homeserverConfig);
  if (homeserverConfigPath) plan.homeserverConfigPath = homeserverConfigPath;
  const postgres = values.postgres ?? fromEnv(ENV.postgres);
  if (postgres) plan.postgres = validatePostgres(postgres, values.postgres ? "--postgres" : ENV.postgres);
  const systemdUnit = values["systemd-unit"] ?? fromEnv(ENV.systemdUnit);
  if (systemdUnit) {
    if (!/^[A-Za-z0-9:_.@\\-]+$/.test(systemdUnit)) throw new UsageError(`--systemd-unit expects a unit name such as dendrite.service, got '${systemdUnit}'`);
    plan.systemdUnit = systemdUnit.includes(".") ? systemdUnit : `${systemdUnit}.service`;
  }
  plan.turnUris = (values["turn-uri"] ? list(values["turn-uri"]) : list(fromEnv(ENV.turnUris)?.split(","))).map(validateTurnUri);
  const turnSecret = values["turn-secret"] ?? fromEnv(ENV.turnSecret);
  if (turnSecret) plan.turnSecret = new Secret(turnSecret);
  const accessToken = values["access-token"] ?? fromEnv(ENV.accessToken);
  if (accessToken) plan.accessToken = new Secret(accessToken);
  if (plan.command !== "run") return plan;
  if (positionals.length === 0) {
    // The server name then comes from the homeserver config (read by the caller).
    if (plan.homeserverConfigPath) return plan;
    throw new UsageError("missing the server name to check, e.g. matrix-doctor example.org, or --homeserver-config FILE (see --help)");
  }
  if (positionals.length > 1) throw new UsageError(`expected one server name, got ${positionals.length}: ${positionals.join(" ")}`);
  const raw = positionals[0]!;
  const name = parseServerName(raw);
  if (!name.valid) throw new UsageError(`'${raw}' is not a valid Matrix server name: ${name.invalidReason}`);
  plan.serverName = raw;
  return plan;
}

/** --only / --skip: ids or categories; unknown names are usage errors (a typo must not silently select nothing). */
export function selectChecks(all: readonly Check[], only: string[], skip: string[]): Check[] {
  const known = new Set<string>([...CATEGORIES, ...all.map((c) => c.id)]);
  for (const name of [...only, ...skip]) {
    if (!known.has(name)) {
      throw new UsageError(`unknown check or category '${name}' (see --list-checks)`);
    }
  }
  const matches = (c: Check, names: string[]): boolean => names.includes(c.id) || names.includes(c.category);
  return all.filter((c) => (only.length === 0 || matches(c, only)) && !matches(c, skip));
}
