// argv → a validated plan, or a UsageError with one line for the user (exit code 2).

import { parseArgs } from "node:util";
import { isIP } from "node:net";
import type { Check } from "../engine/check.js";
import { CATEGORIES } from "../engine/types.js";
import { parseServerName } from "../matrix/server-name.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export const FORMATS = ["human", "json"] as const;
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
} as const;

export const DEFAULT_TIMEOUT_SECONDS = 20;

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
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "";
  const plan: CliPlan = {
    command: values.help ? "help" : values.version ? "version" : values["list-checks"] ? "list-checks" : "run",
    format: format as Format,
    ...(values.output && { output: values.output }),
    only: list(values.only),
    skip: list(values.skip),
    ...(values.resolver && { resolver: validateResolver(values.resolver) }),
    ...(values["ca-file"] && { caFile: values["ca-file"] }),
    timeoutMs,
    strict: values.strict ?? false,
    verbose: values.verbose ?? false,
    allowPrivateAddresses: values["allow-private-addresses"] ?? false,
    color: !noColor && (forceColor || (isTty && format === "human" && !values.output)),
  };
  if (plan.command !== "run") return plan;
  if (positionals.length === 0) throw new UsageError("missing the server name to check, e.g. matrix-doctor example.org (see --help)");
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
