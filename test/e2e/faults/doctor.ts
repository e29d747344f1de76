// Runs the built matrix-doctor against the rig the way a user would: from outside (remote) or on the homeserver
// (--homeserver-config, inputs from the environment a real host has).

import { runCli, type CliRun } from "../../support/cli.js";
import type { CheckResult, RunReport } from "../../../src/engine/types.js";
import type { Homeserver, RigOps } from "./rig-ops.js";
import type { RunMode } from "./scenarios.js";

export interface DoctorRun {
  run: CliRun;
  report: RunReport;
  checks: Record<string, CheckResult>;
}

/** The environment of the host that runs the homeserver; nothing from the caller's may leak in. */
export function hostEnv(ops: RigOps, hs: Homeserver): NodeJS.ProcessEnv {
  return {
    MATRIX_DOCTOR_RESOLVER: ops.rig.resolver,
    MATRIX_DOCTOR_CA_FILE: ops.rig.caFile,
    MATRIX_DOCTOR_ALLOW_PRIVATE_ADDRESSES: "1",
    MATRIX_DOCTOR_SYSTEMCTL: ops.systemd.systemctl,
    MATRIX_DOCTOR_ACCESS_TOKEN: ops.accessToken(hs),
    MATRIX_DOCTOR_POSTGRES: "",
    MATRIX_DOCTOR_TURN_URIS: "",
    MATRIX_DOCTOR_TURN_SECRET: "",
    MATRIX_DOCTOR_SYSTEMD_UNIT: "",
    MATRIX_DOCTOR_HOMESERVER_CONFIG: "",
  };
}

export function doctorArgs(ops: RigOps, hs: Homeserver, mode: RunMode): { args: string[]; env: NodeJS.ProcessEnv } {
  if (mode === "remote") {
    return {
      args: [ops.serverName(hs), "--resolver", ops.rig.resolver, "--ca-file", ops.rig.caFile, "--allow-private-addresses"],
      env: { MATRIX_DOCTOR_HOMESERVER_CONFIG: "", MATRIX_DOCTOR_POSTGRES: "", MATRIX_DOCTOR_TURN_URIS: "", MATRIX_DOCTOR_SYSTEMD_UNIT: "" },
    };
  }
  return { args: ["--homeserver-config", ops.configPath(hs)], env: hostEnv(ops, hs) };
}

export async function runDoctor(ops: RigOps, hs: Homeserver, mode: RunMode, extra: string[] = ["--json"]): Promise<DoctorRun> {
  const { args, env } = doctorArgs(ops, hs, mode);
  const run = await runCli([...args, ...extra], { env, killAfterMs: 90_000 });
  let report: RunReport;
  try {
    report = JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(`no JSON report (exit ${run.code}): ${run.stderr.slice(0, 800)}`);
  }
  return { run, report, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}
