// The homeserver's own view: `matrix-doctor --homeserver-config dendrite.yaml` with no other flag
// (the environment supplies what a real host would have: its resolver, its CA, systemctl), against
// the real rig (Dendrite on PostgreSQL, coturn, systemd), and no secret in any output format.

import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { runCli, type CliRun } from "../support/cli.js";
import { describeRig, rig } from "../support/rig-gate.js";
import { parseCoturn } from "../rig/coturn.js";
import { rigPostgres } from "../rig/postgres.js";
import { rigSystemd } from "../rig/systemd.js";
import type { RunReport } from "../../src/engine/types.js";

function hostEnv(): NodeJS.ProcessEnv {
  return {
    MATRIX_DOCTOR_RESOLVER: rig!.resolver,
    MATRIX_DOCTOR_CA_FILE: rig!.caFile,
    MATRIX_DOCTOR_ALLOW_PRIVATE_ADDRESSES: "1",
    MATRIX_DOCTOR_SYSTEMCTL: rigSystemd()!.systemctl,
  };
}

describeRig("--homeserver-config on the healthy deployment", () => {
  let run: CliRun;
  let report: RunReport;
  beforeAll(async () => {
    run = await runCli(["--homeserver-config", rig!.dendrite.configPath, "--json"], { env: hostEnv() });
    report = JSON.parse(run.stdout) as RunReport;
  });

  it("runs every category and exits 0", () => {
    expect(new Set(report.checks.map((c) => c.category))).toEqual(
      new Set(["dns", "wellknown", "tls", "federation", "client", "turn", "postgres", "systemd", "config"]),
    );
    const problems = report.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => `${c.id}: ${c.summary}`);
    expect(problems).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.target).toBe("example.test");
  });

  it("runs the server-side checks for real (nothing skipped for want of inputs)", () => {
    const skipped = report.checks.filter((c) => c.status === "skip").map((c) => c.id);
    // Only the dependency units are absent from the rig's systemd (PostgreSQL, nginx and coturn run outside it).
    expect(skipped).toEqual(["systemd-dependencies"]);
  });

  it("warns only where the guide's deployment really deserves it", () => {
    const warnings = report.checks.filter((c) => c.status === "warn").map((c) => c.id);
    // max_open_conns 90 of 97 usable connections; dendrite.yaml world-readable while holding secrets.
    expect(warnings.sort()).toEqual(["config-registration", "postgres-connection-budget"]);
  });
});

describeRig("secrets never appear in any output", () => {
  it("greps every format and the verbose log for the TURN secret, the database password and the access token", async () => {
    const coturn = parseCoturn(rig!.services["coturn"]!);
    const postgres = rigPostgres()!;
    const registrationSecret = /registration_shared_secret:\s*"?([^"\s]+)"?/.exec(readFileSync(rig!.dendrite.configPath, "utf8"))?.[1];
    const secrets = [coturn.secret, postgres.password, coturn.accessToken, registrationSecret].filter((s): s is string => Boolean(s));
    expect(secrets.length).toBe(4);
    const env = {
      ...hostEnv(),
      MATRIX_DOCTOR_TURN_SECRET: coturn.secret,
      MATRIX_DOCTOR_POSTGRES: postgres.dsn,
      MATRIX_DOCTOR_ACCESS_TOKEN: coturn.accessToken,
      GITHUB_STEP_SUMMARY: join(mkdtempSync(join(tmpdir(), "md-secrets-")), "summary.md"),
    };
    const outputs: string[] = [];
    for (const format of ["human", "json", "junit", "github", "prometheus"]) {
      const r = await runCli(["--homeserver-config", rig!.dendrite.configPath, "--format", format, "--verbose"], { env });
      expect(r.code, `${format}: ${r.stderr.slice(0, 300)}`).not.toBe(2);
      outputs.push(r.stdout, r.stderr);
    }
    outputs.push(readFileSync(env.GITHUB_STEP_SUMMARY, "utf8"));
    const all = outputs.join("\n");
    expect(all.length).toBeGreaterThan(10_000);
    for (const secret of secrets) expect(all.includes(secret), `a secret of length ${secret.length} leaked`).toBe(false);
  });
});
