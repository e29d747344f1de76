// Synapse 1.98.0, the rig's second homeserver (test/rig/services/synapse.sh), through the built CLI as a user
// would run it: the remote checks for synapse.example.test, the server-side checks with Synapse's own
// homeserver.yaml, and a Synapse-specific fault (a non-C database locale) that Dendrite only warns about.
// Run inside the rig's netns:
//   MATRIX_DOCTOR_RIG=<rig.json> nsenter --net=/run/netns/<ns> npx vitest run test/e2e/synapse.test.ts

import { spawnSync } from "node:child_process";
import { beforeAll, expect, it } from "vitest";
import { runCli, type CliRun } from "../support/cli.js";
import { describeRig, rig, rigFlags } from "../support/rig-gate.js";
import { parseCoturn } from "../rig/coturn.js";
import { rigPostgres } from "../rig/postgres.js";
import { rigSynapse, type RigSynapse } from "../rig/synapse.js";
import { rigSystemd } from "../rig/systemd.js";
import type { CheckResult, RunReport } from "../../src/engine/types.js";

const REMOTE = ["dns", "wellknown", "tls", "federation", "client"];

function synapse(): RigSynapse {
  const s = rigSynapse();
  if (!s) throw new Error("rig.json has no services.synapse (test/rig/services/synapse.sh did not run)");
  return s;
}

/** What a host running the homeserver supplies through the environment (no flags besides the config). */
function hostEnv(): NodeJS.ProcessEnv {
  return {
    MATRIX_DOCTOR_RESOLVER: rig!.resolver,
    MATRIX_DOCTOR_CA_FILE: rig!.caFile,
    MATRIX_DOCTOR_ALLOW_PRIVATE_ADDRESSES: "1",
    // The rig's systemd when it has one (deterministic: its own unit set); else plain systemctl.
    MATRIX_DOCTOR_SYSTEMCTL: rigSystemd()?.systemctl ?? "",
    // Nothing from the caller's environment may pick another database, TURN server or token.
    MATRIX_DOCTOR_POSTGRES: "",
    MATRIX_DOCTOR_TURN_URIS: "",
    MATRIX_DOCTOR_TURN_SECRET: "",
    MATRIX_DOCTOR_ACCESS_TOKEN: "",
    MATRIX_DOCTOR_SYSTEMD_UNIT: "",
    MATRIX_DOCTOR_HOMESERVER_CONFIG: "",
  };
}

function parse(run: CliRun): RunReport {
  try {
    return JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(`no JSON report (exit ${run.code}): ${run.stderr.slice(0, 500)}`);
  }
}

function byId(report: RunReport): Record<string, CheckResult> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c]));
}

function problems(checks: CheckResult[]): string[] {
  return checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => `${c.id}: ${c.summary}`);
}

describeRig("Synapse 1.98.0 from outside (synapse.example.test)", () => {
  let run: CliRun;
  let report: RunReport;
  beforeAll(async () => {
    run = await runCli([synapse().serverName, ...rigFlags(), "--only", REMOTE.join(","), "--json"]);
    report = parse(run);
  });

  it("passes every remote check and exits 0", () => {
    expect(report.target).toBe("synapse.example.test");
    expect(new Set(report.checks.map((c) => c.category))).toEqual(new Set(REMOTE));
    expect(problems(report.checks)).toEqual([]);
    expect(report.checks.filter((c) => c.status === "warn").map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it("reaches Synapse, not Dendrite, behind the same nginx", () => {
    const checks = byId(report);
    expect(checks["federation-version"]).toMatchObject({ status: "pass", summary: expect.stringMatching(/\bSynapse 1\.98\.0\b/) });
    expect(checks["federation-discovery"]?.summary).toMatch(/synapse\.example\.test:443/);
    expect(checks["federation-keys-server-name"]?.summary).toContain('"synapse.example.test"');
    expect(checks["client-wellknown"]?.summary).toContain("https://synapse.example.test");
  });
});

describeRig("Synapse 1.98.0 from its own homeserver.yaml", () => {
  let run: CliRun;
  let report: RunReport;
  let checks: Record<string, CheckResult>;
  beforeAll(async () => {
    const s = synapse();
    run = await runCli(["--homeserver-config", s.configPath, "--access-token", s.accessToken, "--json"], { env: hostEnv() });
    report = parse(run);
    checks = byId(report);
  });

  it("reads Synapse's config and runs every category with no failure", () => {
    expect(report.target).toBe("synapse.example.test");
    expect(checks["config-server-name"]).toMatchObject({ status: "pass", details: { implementation: "synapse", serverName: "synapse.example.test" } });
    // A Dendrite-only check knows it is looking at Synapse.
    expect(checks["config-dendrite-version"]?.status).toBe("skip");
    expect(new Set(report.checks.map((c) => c.category))).toEqual(new Set([...REMOTE, "turn", "postgres", "systemd", "config"]));
    expect(problems(report.checks)).toEqual([]);
    expect(run.code).toBe(0);
    const other = report.checks.filter((c) => c.category !== "systemd" && c.status !== "pass").map((c) => `${c.id}: ${c.status}: ${c.summary}`);
    // Only config-dendrite-version is not for Synapse.
    expect(other).toEqual([`config-dendrite-version: skip: ${checks["config-dendrite-version"]!.summary}`]);
  });

  it("config: signing key is the one Synapse publishes, well-knowns agree, TURN and pools read", () => {
    expect(checks["config-signing-key"]).toMatchObject({ status: "pass", details: { format: "synapse", matchesServed: true } });
    expect(checks["config-well-known"]).toMatchObject({ status: "pass", details: { config: { publicBaseurl: "https://synapse.example.test/" } } });
    expect(checks["config-turn"]).toMatchObject({ status: "pass", details: { auth: "shared-secret", userLifetime: "1h" } });
    expect(checks["config-connection-pools"]).toMatchObject({ status: "pass", details: { perProcessMaxOpenConns: 10 } });
    // homeserver.yaml is 0600 with its secrets: no world-readable warning here (unlike the rig's dendrite.yaml).
    expect(checks["config-registration"]).toMatchObject({ status: "pass", details: { open: false, sharedSecret: true } });
  });

  it("postgres: the database made as Synapse's docs say passes, and its schema is Synapse's", () => {
    const target = expect.stringMatching(/^synapse_user@127\.0\.0\.1:5432\/synapse\b/);
    expect(checks["postgres-connect"]?.status).toBe("pass");
    expect(checks["postgres-locale"]).toMatchObject({
      status: "pass",
      details: { implementation: "synapse", databases: [{ target, collate: "C", ctype: "C" }] },
    });
    expect(checks["postgres-encoding"]?.status).toBe("pass");
    expect(checks["postgres-schema"]).toMatchObject({ status: "pass", details: { implementation: "synapse" } });
    // Synapse 1.98's SCHEMA_VERSION is 83 (synapse/storage/schema/__init__.py).
    expect(checks["postgres-schema"]?.summary).toMatch(/^Synapse schema version 83\b/);
    expect(checks["postgres-connection-budget"]?.summary).toMatch(/cp_max 10/);
  });

  it("turn: Allocate works with Synapse's secret and with the credentials Synapse hands out", () => {
    const coturn = parseCoturn(rig!.services["coturn"]!);
    const turnConfig = checks["turn-config"]!;
    expect(turnConfig).toMatchObject({ status: "pass", details: { secretSource: "homeserver-config", lifetime: { seconds: 3600 } } });
    const issued = (turnConfig.details as { issued: { uris: string[]; ttl: number; username: string; passwordPresent: boolean } }).issued;
    expect(issued.uris).toEqual(coturn.uris);
    expect(issued.ttl).toBe(3600);
    expect(issued.passwordPresent).toBe(true);
    // Synapse's TURN REST username: "<expiry>:<user id>", the expiry an hour ahead.
    const [expiry, user] = [issued.username.slice(0, issued.username.indexOf(":")), issued.username.slice(issued.username.indexOf(":") + 1)];
    expect(user).toBe(synapse().userId);
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(3500);
    expect(Number(expiry) - Date.now() / 1000).toBeLessThan(3700);

    const allocate = checks["turn-allocate"]!;
    expect(allocate.status).toBe("pass");
    const endpoints = (allocate.details as { endpoints: { transport: string; allocations: { credential: string; ok: boolean }[] }[] }).endpoints;
    expect(endpoints.map((e) => e.transport).sort()).toEqual(["tcp", "tls", "udp"]);
    for (const e of endpoints) {
      expect(e.allocations.map((a) => `${a.credential}:${a.ok}`).sort()).toEqual(["configured:true", "homeserver:true"]);
    }
  });

  it("systemd: there is no matrix-synapse unit, and the checks say so", () => {
    const systemd = rigSystemd();
    const unit = checks["systemd-homeserver-unit"]!;
    if (!systemd) {
      // Plain systemctl of wherever the test runs: only warnings and skips, never a failure.
      for (const c of report.checks.filter((x) => x.category === "systemd")) expect(["pass", "warn", "skip"]).toContain(c.status);
      return;
    }
    expect(checks["systemd-reachable"]?.status).toBe("pass");
    if (systemd.units.some((u) => u === "matrix-synapse.service" || u === "synapse.service")) {
      expect(unit.status).toBe("pass"); // the rig's systemd has a Synapse unit now
      return;
    }
    expect(unit).toMatchObject({ status: "warn", summary: "no homeserver unit found: none of matrix-synapse.service, synapse.service is installed" });
    expect(unit.fix).toMatch(/matrix-synapse\.service/);
    expect(checks["systemd-crash-loop"]?.status).toBe("skip");
    expect(checks["systemd-limits"]?.status).toBe("skip");
    expect(report.checks.filter((c) => c.status === "warn").map((c) => c.id)).toEqual(["systemd-homeserver-unit"]);
  });
});

describeRig("a non-C database locale: Synapse refuses it, Dendrite only warns", () => {
  it("postgres-locale fails with Synapse's config and warns with Dendrite's, on the same database", async () => {
    const bad = rigPostgres()!.badLocaleDsn;
    const env = { ...hostEnv(), MATRIX_DOCTOR_POSTGRES: bad };
    const [syn, den] = await Promise.all([
      runCli(["--homeserver-config", synapse().configPath, "--only", "postgres-locale", "--json"], { env }),
      runCli(["--homeserver-config", rig!.dendrite.configPath, "--only", "postgres-locale", "--json"], { env }),
    ]);
    const s = byId(parse(syn))["postgres-locale"]!;
    const d = byId(parse(den))["postgres-locale"]!;
    expect(s).toMatchObject({ status: "fail", details: { implementation: "synapse", databases: [{ collate: "en_US.UTF-8", ctype: "en_US.UTF-8" }] } });
    expect(s.summary).toMatch(/Synapse refuses to start \("Database has incorrect collation of 'en_US\.UTF-8'\. Should be 'C'"\)/);
    expect(s.fix).toMatch(/LC_COLLATE='C' LC_CTYPE='C'/);
    expect(syn.code).toBe(1);
    expect(d).toMatchObject({ status: "warn", details: { implementation: "dendrite", databases: [{ collate: "en_US.UTF-8" }] } });
    expect(d.summary).toMatch(/Dendrite starts anyway/);
    expect(den.code).toBe(0);
  });

  it("the real Synapse 1.98.0 agrees: its own database check rejects that database and accepts its own", () => {
    // Synapse's startup check (PostgresEngine.check_database), run from its venv against both databases.
    const script = [
      "import os, sys, psycopg2",
      "from synapse.storage.engines import create_engine",
      "from synapse.storage.engines._base import IncorrectDatabaseSetup",
      'engine = create_engine({"name": "psycopg2", "args": {}})',
      'conn = psycopg2.connect(os.environ["DSN"])',
      "try:",
      "    engine.check_database(conn)",
      '    print("accepted")',
      "except IncorrectDatabaseSetup as e:",
      '    print("refused: " + (e.args[0] % e.args[1:] if len(e.args) > 1 else str(e)))',
    ].join("\n");
    const check = (dsn: string): string => {
      const r = spawnSync(`${synapse().venv}/bin/python`, ["-c", script], { env: { ...process.env, DSN: dsn }, encoding: "utf8", timeout: 20_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(check(rigPostgres()!.badLocaleDsn)).toMatch(/^refused: Database has incorrect collation of 'en_US\.UTF-8'\. Should be 'C'/);
    expect(check(synapse().database.dsn)).toBe("accepted");
  });
});
