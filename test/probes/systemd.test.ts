// The systemd probe against a real systemd: the rig's, PID 1 of its own PID+mount namespace
// (test/rig/services/systemd.sh), reached through MATRIX_DOCTOR_SYSTEMCTL="nsenter -t <pid> -m -p -- systemctl".
// Plus "systemd not reachable": this machine's own systemctl, where systemd is not PID 1.
//
// MATRIX_DOCTOR_RECORD_FIXTURES=1 writes the facts to test/fixtures/systemd/<name>.json for the check tests.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import crashLoop from "../../checks/systemd-crash-loop.js";
import certbotTimer from "../../checks/systemd-certbot-timer.js";
import dependencies from "../../checks/systemd-dependencies.js";
import homeserverUnit from "../../checks/systemd-homeserver-unit.js";
import limits from "../../checks/systemd-limits.js";
import reachable from "../../checks/systemd-reachable.js";
import type { Check } from "../../src/engine/check.js";
import type { SystemdFact } from "../../src/engine/facts.js";
import type { RunInput } from "../../src/engine/probe.js";
import { runChecks } from "../../src/engine/run.js";
import type { CheckResult } from "../../src/engine/types.js";
import { PROBES } from "../../src/probes/index.js";
import { SYSTEMCTL_ENV } from "../../src/probes/systemd.js";
import { rigSystemd } from "../rig/systemd.js";
import { describeRig, rig } from "../support/rig-gate.js";

const CHECKS: Check[] = [reachable, homeserverUnit, crashLoop, limits, dependencies, certbotTimer];
const sd = rigSystemd(rig);
const RECORD = process.env.MATRIX_DOCTOR_RECORD_FIXTURES === "1";

function input(extra: Partial<RunInput> = {}): RunInput {
  return { serverName: "example.test", extraCa: [], timeoutMs: 10_000, allowPrivateAddresses: true, ...extra };
}

async function probe(extra: Partial<RunInput>, record?: string): Promise<{ fact?: SystemdFact; results: Record<string, CheckResult> }> {
  const { facts, report } = await runChecks({ checks: CHECKS, probes: PROBES, input: input(extra) });
  const results = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  if (RECORD && record && facts.systemd) {
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    const fixture = { name: record, recordedAt: Date.parse(report.startedAt), input: extra, statuses, facts: { systemd: facts.systemd } };
    writeFileSync(new URL(`../fixtures/systemd/${record}.json`, import.meta.url), `${JSON.stringify(fixture, null, 1)}\n`);
  }
  return { ...(facts.systemd && { fact: facts.systemd }), results };
}

/** systemctl in the rig's namespace; its stdout even when it exits non-zero (is-system-running: degraded). */
function ctl(...args: string[]): string {
  const [cmd, ...prefix] = (sd?.systemctl ?? "systemctl").split(" ") as [string, ...string[]];
  try {
    return execFileSync(cmd, [...prefix, ...args], { encoding: "utf8" });
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (typeof out === "string" && out !== "") return out;
    throw err;
  }
}

describeRig("systemd probe against the rig's systemd", () => {
  let saved: string | undefined;
  beforeAll(() => {
    if (!sd) throw new Error("the rig has no systemd service (test/rig/services/systemd.sh)");
    saved = process.env[SYSTEMCTL_ENV];
    process.env[SYSTEMCTL_ENV] = sd.systemctl;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env[SYSTEMCTL_ENV];
    else process.env[SYSTEMCTL_ENV] = saved;
  });

  it("reaches systemd through the rig's nsenter prefix", () => {
    expect(ctl("is-system-running").trim()).toMatch(/^(running|degraded)$/);
  });

  it("healthy.service: loaded, running, enabled, two readings ~1.5 s apart", async () => {
    const { fact, results } = await probe({ systemdUnit: "healthy.service" }, "healthy");
    expect(fact?.reachable).toBe(true);
    expect(fact?.version).toMatch(/^\d+/);
    expect(fact?.homeserver).toEqual({ source: "flag", candidates: ["healthy.service"], unit: "healthy.service" });
    const unit = fact?.units[0];
    expect(unit?.role).toBe("homeserver");
    expect(unit?.samples).toHaveLength(2);
    expect(fact?.sampleIntervalMs).toBeGreaterThanOrEqual(1400);
    expect(unit?.samples[0]).toMatchObject({
      id: "healthy.service",
      loadState: "loaded",
      activeState: "active",
      subState: "running",
      result: "success",
      unitFileState: "enabled",
      fragmentPath: "/etc/systemd/system/healthy.service",
      nRestarts: 0,
      restart: "no",
      limitNofile: 524288,
      limitNofileSoft: 1024,
    });
    expect(unit?.samples[0]?.mainPid).toBeGreaterThan(1);
    expect(unit?.samples[0]?.activeEnterMs).toBeLessThanOrEqual(Date.now());
    expect(results["systemd-reachable"]?.status).toBe("pass");
    expect(results["systemd-homeserver-unit"]?.status).toBe("pass");
    expect(results["systemd-homeserver-unit"]?.summary).toMatch(/healthy\.service is active \(running\) since .* \(up .*\), enabled at boot/);
    expect(results["systemd-crash-loop"]?.status).toBe("pass");
    // The rig's certbot.timer stand-in is active; no PostgreSQL/nginx/coturn units in the rig.
    expect(results["systemd-certbot-timer"]?.status).toBe("pass");
    expect(results["systemd-dependencies"]?.status).toBe("skip");
    expect(fact?.absent).toContain("nginx.service");
  });

  it("failed.service: failed, exited with status 1 (result: exit-code)", async () => {
    const { fact, results } = await probe({ systemdUnit: "failed" }, "failed");
    expect(fact?.homeserver.unit).toBe("failed.service");
    expect(fact?.units[0]?.samples[1]).toMatchObject({ activeState: "failed", subState: "failed", result: "exit-code", execMainCode: 1, execMainStatus: 1 });
    const r = results["systemd-homeserver-unit"];
    expect(r?.status).toBe("fail");
    expect(r?.summary).toMatch(/failed\.service is failed .*exited with status 1 \(result: exit-code\)/);
    expect(r?.fix).toContain("journalctl -u failed.service -n 50");
    expect(r?.fix).toContain("systemctl restart failed.service");
  });

  it("crashloop.service: NRestarts grows between the readings", async () => {
    const { fact, results } = await probe({ systemdUnit: "crashloop.service" }, "crashloop");
    const samples = fact?.units[0]?.samples ?? [];
    expect(samples).toHaveLength(2);
    const [a, b] = samples;
    // Restart=always, exit after 0.4 s, RestartSec=1: a restart every ~1.4 s, so the counter moves in 1.5 s.
    expect(b!.nRestarts!).toBeGreaterThan(a!.nRestarts!);
    expect(a?.restart).toBe("always");
    expect(results["systemd-crash-loop"]?.status).toBe("fail");
    expect(results["systemd-crash-loop"]?.summary).toMatch(/crashloop\.service is crash-looping: restarted \d+ times? in 1\.\d s \(NRestarts \d+ → \d+\)/);
  });

  it("nofile-low.service: LimitNOFILE=1024 is below Dendrite's 65535", async () => {
    const { fact, results } = await probe({ systemdUnit: "nofile-low.service" }, "nofile-low");
    expect(fact?.units[0]?.samples[0]).toMatchObject({ limitNofile: 1024, limitNofileSoft: 1024, activeState: "active" });
    expect(results["systemd-limits"]?.status).toBe("warn");
    expect(results["systemd-limits"]?.fix).toMatch(/systemctl edit nofile-low\.service[\s\S]*LimitNOFILE=65535/);
  });

  it("disabled-running.service: running but not enabled", async () => {
    const { results } = await probe({ systemdUnit: "disabled-running.service" }, "disabled-running");
    expect(results["systemd-homeserver-unit"]?.status).toBe("warn");
    expect(results["systemd-homeserver-unit"]?.fix).toBe("`systemctl enable disabled-running.service`");
  });

  it("dendrite.service (the guide's unit, the rig's Dendrite): found from the homeserver config, 65535 open files", async () => {
    const { fact, results } = await probe({ homeserverConfigPath: rig!.dendrite.configPath }, "dendrite");
    expect(fact?.homeserver.source).toBe("config");
    expect(fact?.homeserver.unit).toBe("dendrite.service");
    expect(fact?.units[0]?.samples[0]).toMatchObject({ limitNofile: 65535, restart: "always", unitFileState: "enabled" });
    // It runs the rig's real Dendrite: systemd's MainPID (a PID inside its PID namespace) is the process
    // whose host PID rig.json records.
    expect(fact?.units[0]?.samples[0]).toMatchObject({ activeState: "active", subState: "running", nRestarts: 0 });
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${rig!.dendrite.pid}/status`, "utf8"))?.[1]?.split(/\s+/);
    expect(fact?.units[0]?.samples[0]?.mainPid).toBe(Number(nspid?.at(-1)));
    expect(results["systemd-homeserver-unit"]?.status).toBe("pass");
    expect(results["systemd-limits"]?.status).toBe("pass");
    expect(results["systemd-crash-loop"]?.status).toBe("pass");
  });

  it("an unknown unit: not-found, with the unit file to create", async () => {
    const { fact, results } = await probe({ systemdUnit: "matrix-nope.service" }, "unknown-unit");
    expect(fact?.units[0]?.samples[0]).toMatchObject({ loadState: "not-found", activeState: "inactive" });
    const r = results["systemd-homeserver-unit"];
    expect(r?.status).toBe("fail");
    expect(r?.summary).toContain("matrix-nope.service does not exist");
    expect(r?.fix).toContain("/etc/systemd/system/matrix-nope.service");
    expect(results["systemd-crash-loop"]?.status).toBe("skip");
  });

  it("an inactive certbot.timer", async () => {
    ctl("stop", "certbot.timer");
    try {
      const { results } = await probe({ systemdUnit: "healthy.service" }, "certbot-inactive");
      expect(results["systemd-certbot-timer"]?.status).toBe("warn");
      expect(results["systemd-certbot-timer"]?.fix).toContain("systemctl enable --now certbot.timer");
    } finally {
      ctl("start", "certbot.timer");
    }
  });

  it("one reading only when the deadline leaves no time for a second", async () => {
    const { fact } = await probe({ systemdUnit: "healthy.service", timeoutMs: 2_000 });
    expect(fact?.units[0]?.samples).toHaveLength(1);
    expect(fact?.sampleIntervalMs).toBeUndefined();
  });

  it("without --systemd-unit or --homeserver-config the checks skip, naming the flag", async () => {
    const { fact, results } = await probe({});
    expect(fact).toBeUndefined();
    expect(results["systemd-reachable"]?.status).toBe("skip");
    expect(results["systemd-reachable"]?.summary).toContain("--systemd-unit");
  });
});

// This machine: systemd is installed but not PID 1 (the same situation as in a container).
const pid1 = readFileSync("/proc/1/comm", "utf8").trim();

it.skipIf(pid1 === "systemd")("systemd not reachable: recorded as a fact, one warning, the rest skip", async () => {
  const saved = process.env[SYSTEMCTL_ENV];
  delete process.env[SYSTEMCTL_ENV];
  try {
    const { fact, results } = await probe({ systemdUnit: "dendrite.service" }, "unreachable");
    expect(fact?.reachable).toBe(false);
    expect(fact?.error?.failure).toBe("not-booted");
    expect(fact?.error?.message).toContain("has not been booted with systemd");
    expect(results["systemd-reachable"]?.status).toBe("warn");
    expect(results["systemd-reachable"]?.summary).toMatch(/^systemd is not reachable here \(container\?\)/);
    for (const id of ["systemd-homeserver-unit", "systemd-crash-loop", "systemd-limits", "systemd-dependencies", "systemd-certbot-timer"]) {
      expect(results[id]?.status, id).toBe("skip");
    }
  } finally {
    if (saved !== undefined) process.env[SYSTEMCTL_ENV] = saved;
  }
});

it("MATRIX_DOCTOR_SYSTEMCTL naming a missing command: no-systemctl", async () => {
  const saved = process.env[SYSTEMCTL_ENV];
  process.env[SYSTEMCTL_ENV] = "/nonexistent/systemctl --quiet";
  try {
    const { fact, results } = await probe({ systemdUnit: "dendrite.service" }, "no-systemctl");
    expect(fact?.systemctl).toEqual(["/nonexistent/systemctl", "--quiet"]);
    expect(fact?.error?.failure).toBe("no-systemctl");
    expect(results["systemd-reachable"]?.status).toBe("warn");
  } finally {
    if (saved === undefined) delete process.env[SYSTEMCTL_ENV];
    else process.env[SYSTEMCTL_ENV] = saved;
  }
});
