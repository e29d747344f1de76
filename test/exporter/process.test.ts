// The built exporter as its own process, driven by real signals: SIGHUP reloads (a broken file keeps the
// old configuration), SIGTERM lets a scrape in flight finish, refuses new connections, and exits 0.

import { createServer, type Server, type Socket } from "node:net";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRig, rig } from "../support/rig-gate.js";
import { BIN, CLI, get, sample, startChild, stopChild, tempDir, waitFor, writeConfig, type Child } from "./_support.js";

describeRig("exporter process and signals", () => {
  let dir: string;
  let hang: Server;
  let hangTarget: string;
  const sockets = new Set<Socket>();
  const children: Child[] = [];

  beforeAll(async () => {
    dir = tempDir("exporter-process");
    // A federation endpoint that accepts connections and never answers: a probe of it runs to its deadline.
    hang = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hang.listen(0, rig!.hangAddress, resolve));
    hangTarget = `${rig!.hangAddress}:${(hang.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hang.close(resolve));
  });

  it("exits 2 with a one-line error for a bad configuration or an address in use", async () => {
    const bad = writeConfig(dir, "bad.yaml", "modules: { m: { checks: [tls], timeout: forever } }\n");
    const r = spawnSync(process.execPath, [BIN, "--config", bad], { encoding: "utf8", timeout: 15_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([`matrix-doctor serve: ${bad}: modules.m.timeout must be a duration between 0 and 1h such as 10s, 500ms or 2m, got "forever"`]);

    const first = await startChild(["--listen", "127.0.0.1:0", "--target", "example.test"]);
    children.push(first);
    const taken = new URL(first.url).host;
    const again = spawnSync(process.execPath, [BIN, "--listen", taken], { encoding: "utf8", timeout: 15_000 });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`cannot listen on ${taken.replace(/\./g, "\\.")}: EADDRINUSE`));
  });

  it("SIGHUP with a broken file keeps serving with the old configuration and reports it; a fixed file applies", async () => {
    const file = writeConfig(dir, "hup.yaml", "targets: [example.test]\nlisten: 127.0.0.1:0\n");
    const c = await startChild(["--config", file]);
    children.push(c);
    expect(sample((await get(`${c.url}/metrics`)).text, "matrix_doctor_config_last_reload_successful")).toBe(1);

    writeFileSync(file, "targets: [example.test]\nmodules: { broken: { checks: [no-such-check] } }\n");
    c.child.kill("SIGHUP");
    await waitFor("the failed reload", async () => {
      const v = sample((await get(`${c.url}/metrics`)).text, "matrix_doctor_config_last_reload_successful");
      return v === 0 ? true : undefined;
    });
    expect(c.stderr()).toMatch(/reload failed, keeping the previous configuration: .*modules\.broken\.checks: unknown check or category 'no-such-check'/);
    const probe = await get(`${c.url}/probe?target=example.test&module=federation`);
    expect(probe.status).toBe(200);
    expect(sample(probe.text, "matrix_doctor_probe_success")).toBe(1);
    expect((await get(`${c.url}/-/ready`)).status).toBe(200);

    writeConfig(dir, "hup.yaml", "targets: [example.test, other.example.test]\n");
    c.child.kill("SIGHUP");
    await waitFor("the good reload", async () => {
      const v = sample((await get(`${c.url}/metrics`)).text, "matrix_doctor_config_last_reload_successful");
      return v === 1 ? true : undefined;
    });
    expect((await get(`${c.url}/probe?target=other.example.test&module=federation`)).status).toBe(200);
  });

  it("SIGTERM: a probe in flight completes, new connections are refused, exit code 0", async () => {
    const file = writeConfig(dir, "term.yaml", `targets: ["${hangTarget}"]\nmodules: { slow: { checks: [tls-handshake], timeout: 2s } }\n`);
    const c = await startChild(["--config", file, "--listen", "127.0.0.1:0"]);
    const inFlight = get(`${c.url}/probe?target=${encodeURIComponent(hangTarget)}&module=slow`);
    await waitFor("the probe to start", async () => (sockets.size > 0 ? true : undefined), 5_000, 20);
    c.child.kill("SIGTERM");
    await waitFor("shutdown to begin", async () => (/SIGTERM: no new connections/.test(c.stderr()) ? true : undefined), 5_000, 20);
    await expect(get(`${c.url}/-/healthy`)).rejects.toThrow();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(sample(answer.text, "matrix_doctor_probe_success")).toBe(0);
    expect(sample(answer.text, "matrix_doctor_probe_timeout_seconds")).toBe(2);
    expect(answer.text).toMatch(/matrix_doctor_check_result\{check="tls-handshake",category="tls",result="fail"\} 1/);
    expect(await c.exited).toBe(0);
    expect(c.stderr()).toMatch(/stopped\n$/);
  });

  it("runs as `matrix-doctor serve` through the CLI entry point", async () => {
    const c = await startChild(["serve", "--listen", "127.0.0.1:0", "--target", "example.test", "--resolver", rig!.resolver, "--ca-file", rig!.caFile, "--allow-private-addresses"], {
      bin: [CLI],
    });
    const probe = await get(`${c.url}/probe?target=example.test`);
    expect(sample(probe.text, "matrix_doctor_probe_success")).toBe(1);
    expect(await stopChild(c)).toBe(0);
  });
});
