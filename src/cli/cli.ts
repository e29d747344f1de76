// matrix-doctor <server_name>: argv → run → render → exit code. Heavy modules (undici, the probes,
// matrix-js-sdk) are imported only when a run needs them, so --help answers as fast as Node starts.

import { appendFileSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import type { Check } from "../engine/check.js";
import type { RunReport } from "../engine/types.js";
import type { RunOutcome } from "../engine/run.js";
import { VERSION } from "../version.js";
import { parseServerName } from "../matrix/server-name.js";
import { parseCli, selectChecks, UsageError, DEFAULT_TIMEOUT_SECONDS, type CliPlan } from "./args.js";

export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 3 } as const;

export const HELP = `matrix-doctor ${VERSION}: health checks for a self-hosted Matrix homeserver

Usage:
  matrix-doctor <server_name> [options]     diagnose a server (the part after ':' in user IDs)
  matrix-doctor --homeserver-config FILE    on the homeserver: every check, inputs from its config
  matrix-doctor --list-checks               list every check id and category
  matrix-doctor serve [--config FILE]       run the Prometheus exporter (see serve --help)

Options:
  -c, --homeserver-config FILE
                      the homeserver's dendrite.yaml or homeserver.yaml: derives the server
                      name, database, TURN and signing-key inputs of the server-side checks
  --postgres URI      PostgreSQL connection URI (prefer MATRIX_DOCTOR_POSTGRES: it holds a password)
  --systemd-unit UNIT the homeserver's unit (default: from the config, e.g. dendrite.service)
  --turn-uri URI      a TURN server, e.g. turn:turn.example.org:3478?transport=udp (repeatable)
  --turn-secret S     the TURN shared secret (prefer MATRIX_DOCTOR_TURN_SECRET)
  --access-token T    a Matrix access token, to test the TURN credentials the homeserver
                      hands out (prefer MATRIX_DOCTOR_ACCESS_TOKEN)
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
  --format FORMAT     human (default), json, junit (JUnit XML), github (workflow
                      annotations, plus a summary to $GITHUB_STEP_SUMMARY), prometheus
                      (text exposition for node_exporter's textfile collector)
  -o, --output FILE   write the report to FILE instead of stdout
  --strict            warnings fail the run too
  -v, --verbose       details of every check, and every network request on stderr
  -h, --help          this help
  -V, --version       the version

Categories: dns, wellknown, tls, federation, client, turn, postgres, systemd, config

Environment: MATRIX_DOCTOR_RESOLVER, MATRIX_DOCTOR_CA_FILE, MATRIX_DOCTOR_ALLOW_PRIVATE_ADDRESSES=1,
  MATRIX_DOCTOR_HOMESERVER_CONFIG, MATRIX_DOCTOR_POSTGRES, MATRIX_DOCTOR_SYSTEMD_UNIT,
  MATRIX_DOCTOR_TURN_URIS (comma-separated), MATRIX_DOCTOR_TURN_SECRET, MATRIX_DOCTOR_ACCESS_TOKEN;
  flags win over variables, and both over the homeserver config. Secrets never appear in any output.

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

async function render(plan: CliPlan, outcome: RunOutcome): Promise<void> {
  const { report } = outcome;
  switch (plan.format) {
    case "json":
      return writeOut(`${JSON.stringify(report, null, 2)}\n`, plan.output);
    case "junit": {
      const { renderJunit } = await import("../report/junit.js");
      return writeOut(renderJunit(report, { strict: plan.strict }), plan.output);
    }
    case "github": {
      const { renderGithub } = await import("../report/github.js");
      const { annotations, summaryMarkdown } = renderGithub(report, plan.strict);
      writeOut(annotations, plan.output);
      // GitHub shows a limited number of annotations per step; the job summary holds them all.
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) appendFileSync(summaryFile, summaryMarkdown);
      return;
    }
    case "prometheus": {
      const { renderPrometheus } = await import("../report/prometheus.js");
      return writeOut(await renderPrometheus(outcome), plan.output);
    }
    case "human": {
      const { renderHuman } = await import("../report/human.js");
      return writeOut(renderHuman(report, { color: plan.color, verbose: plan.verbose, strict: plan.strict }), plan.output);
    }
  }
}

/** Validates the homeserver config up front (a broken file is a usage error) and takes its server_name. */
async function serverNameFromConfig(path: string | undefined): Promise<string> {
  if (!path) throw new UsageError("missing the server name to check (see --help)");
  const { readHomeserverConfig, ConfigError } = await import("../homeserver/config.js");
  let serverName: string | undefined;
  try {
    serverName = readHomeserverConfig(path).serverName;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (!serverName) throw new UsageError(`${path} sets no server_name; give the server name as an argument`);
  const parsed = parseServerName(serverName);
  if (!parsed.valid) throw new UsageError(`${path}: server_name '${serverName}' is not a valid Matrix server name: ${parsed.invalidReason}`);
  return serverName;
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
  const serverName = plan.serverName ?? (await serverNameFromConfig(plan.homeserverConfigPath));
  const [{ runChecks }, { PROBES }] = await Promise.all([import("../engine/run.js"), import("../probes/index.js")]);
  const outcome = await runChecks({
    checks,
    probes: PROBES,
    input: {
      serverName,
      ...(plan.resolver && { resolver: plan.resolver }),
      extraCa,
      timeoutMs: plan.timeoutMs,
      allowPrivateAddresses: plan.allowPrivateAddresses,
      ...(plan.homeserverConfigPath && { homeserverConfigPath: plan.homeserverConfigPath }),
      ...(plan.postgres && { postgres: plan.postgres }),
      ...(plan.systemdUnit && { systemdUnit: plan.systemdUnit }),
      ...(plan.turnUris.length > 0 && { turnUris: plan.turnUris }),
      ...(plan.turnSecret && { turnSecret: plan.turnSecret }),
      ...(plan.accessToken && { accessToken: plan.accessToken }),
    },
    ...(plan.verbose && { log: (m: string) => process.stderr.write(`· ${m}\n`) }),
  });
  const { report, wire } = outcome;
  if (plan.verbose) process.stderr.write(`· ${wire.length} network operations\n`);
  await render(plan, outcome);
  return exitCodeFor(report, plan.strict);
}

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === "serve") {
      const { serveMain } = await import("../exporter/main.js");
      return await serveMain(argv.slice(1), process.env);
    }
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
