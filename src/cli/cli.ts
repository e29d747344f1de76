// matrix-doctor <server_name>: argv → run → render → exit code. Heavy modules (undici, the probes,
// matrix-js-sdk) are imported only when a run needs them, so --help answers as fast as Node starts.

import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import type { Check } from "../engine/check.js";
import type { RunReport } from "../engine/types.js";
import { VERSION } from "../version.js";
import { parseCli, selectChecks, UsageError, DEFAULT_TIMEOUT_SECONDS, type CliPlan } from "./args.js";

export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 3 } as const;

export const HELP = `matrix-doctor ${VERSION}: health checks for a self-hosted Matrix homeserver

Usage:
  matrix-doctor <server_name> [options]     diagnose a server (the part after ':' in user IDs)
  matrix-doctor --list-checks               list every check id and category

Options:
  --only IDS          run only these checks or categories (comma-separated, repeatable)
  --skip IDS          skip these checks or categories
  --resolver IP[:PORT]
                      ask this DNS server for every name of the run (HTTP and TLS
                      connections go to the addresses it returns)
  --ca-file PEM       trust these CA certificates in addition to the system roots
  --timeout SECONDS   deadline for the whole run (default ${DEFAULT_TIMEOUT_SECONDS})
  --allow-private-addresses
                      accept private/loopback addresses (LAN-only federation, tests)
  --json              print the JSON report (same as --format json)
  --format FORMAT     human (default) or json
  -o, --output FILE   write the report to FILE instead of stdout
  --strict            warnings fail the run too
  -v, --verbose       details of every check, and every network request on stderr
  -h, --help          this help
  -V, --version       the version

Categories: dns, wellknown, tls, federation, client, turn, postgres, systemd, config

Exit codes:
  0  no check failed (warnings allowed unless --strict)
  1  a check failed or errored (or warned, with --strict)
  2  usage or configuration error
  3  internal error

Colour is used only on a terminal; NO_COLOR turns it off, FORCE_COLOR on.
`;

async function loadChecks(): Promise<readonly Check[]> {
  return (await import("../../checks/index.js")).CHECKS;
}

function readCaFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error && "code" in err ? String(err.code) : "";
    throw new UsageError(`cannot read --ca-file ${path}${code ? ` (${code})` : ""}`);
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new UsageError(`--ca-file ${path} holds no PEM certificate`);
  pems.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new UsageError(`--ca-file ${path}: certificate ${i + 1} cannot be parsed`);
    }
  });
  return pems;
}

function writeOut(text: string, output: string | undefined): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  // Write beside the target and rename, so a reader never sees half a report.
  const tmp = `${output}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, output);
  } catch (err) {
    throw new UsageError(`cannot write --output ${output}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function exitCodeFor(report: RunReport, strict: boolean): number {
  const s = report.summary;
  if (s.fail > 0 || s.error > 0) return EXIT.problems;
  if (strict && s.warn > 0) return EXIT.problems;
  return EXIT.ok;
}

async function run(plan: CliPlan): Promise<number> {
  if (plan.command === "help") {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (plan.command === "version") {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const all = await loadChecks();
  if (plan.command === "list-checks") {
    const rows = selectChecks(all, plan.only, plan.skip);
    if (plan.format === "json") {
      writeOut(`${JSON.stringify(rows.map(({ id, category, title, docs }) => ({ id, category, title, docs })), null, 2)}\n`, plan.output);
    } else {
      const width = Math.max(...rows.map((c) => c.id.length));
      writeOut(rows.map((c) => `${c.id.padEnd(width)}  ${c.category.padEnd(10)}  ${c.title}`).join("\n") + "\n", plan.output);
    }
    return EXIT.ok;
  }
  const checks = selectChecks(all, plan.only, plan.skip);
  if (checks.length === 0) throw new UsageError("--only/--skip leave no check to run");
  const extraCa = plan.caFile ? readCaFile(plan.caFile) : [];
  const [{ runChecks }, { PROBES }] = await Promise.all([import("../engine/run.js"), import("../probes/index.js")]);
  const { report, wire } = await runChecks({
    checks,
    probes: PROBES,
    input: {
      serverName: plan.serverName!,
      ...(plan.resolver && { resolver: plan.resolver }),
      extraCa,
      timeoutMs: plan.timeoutMs,
      allowPrivateAddresses: plan.allowPrivateAddresses,
    },
    ...(plan.verbose && { log: (m: string) => process.stderr.write(`· ${m}\n`) }),
  });
  if (plan.verbose) process.stderr.write(`· ${wire.length} network operations\n`);
  if (plan.format === "json") {
    writeOut(`${JSON.stringify(report, null, 2)}\n`, plan.output);
  } else {
    const { renderHuman } = await import("../report/human.js");
    writeOut(renderHuman(report, { color: plan.color, verbose: plan.verbose, strict: plan.strict }), plan.output);
  }
  return exitCodeFor(report, plan.strict);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const plan = parseCli(argv, process.env, Boolean(process.stdout.isTTY));
    return await run(plan);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`matrix-doctor: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`matrix-doctor: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.MATRIX_DOCTOR_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.internal;
  }
}
