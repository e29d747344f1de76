// matrix-doctor.yaml and the serve flags: valid files load, every invalid one is refused with one line
// that names the bad key, and secrets come only from the environment.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.js";
import {
  ConfigError,
  DEFAULT_PORT,
  loadConfig,
  parseListen,
  parseServeArgs,
  REMOTE_CATEGORIES,
  type ExporterConfig,
} from "../../src/exporter/config.js";
import { serveMain } from "../../src/exporter/main.js";

const dir = mkdtempSync(join(tmpdir(), "md-exporter-config-"));
let n = 0;

function load(yaml: string, env: NodeJS.ProcessEnv = {}, argv: string[] = []): ExporterConfig {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, yaml);
  return loadConfig(parseServeArgs(["--config", file, ...argv]), env, CHECKS);
}

function error(yaml: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    load(yaml, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    return message;
  }
  throw new Error("the configuration was accepted");
}

describe("serve configuration", () => {
  it("needs no file: flags alone give a loopback exporter with the federation module", () => {
    const c = loadConfig(parseServeArgs(["--target", "Example.org", "--target", "matrix.org"]), {}, CHECKS);
    expect(c.listen).toEqual({ host: "127.0.0.1", port: DEFAULT_PORT });
    expect(c.targets).toEqual(["example.org", "matrix.org"]);
    expect(c.defaultModule).toBe("federation");
    const federation = c.modules.get("federation")!;
    expect(federation.timeoutSeconds).toBe(10);
    expect(new Set(federation.selected.map((x) => x.category))).toEqual(new Set(REMOTE_CATEGORIES));
    expect(c.limits.perTargetConcurrency).toBe(2);
    expect(c.schedule).toBeUndefined();
  });

  it("loads the documented example (with the secrets it names in the environment)", () => {
    const c = loadConfig(parseServeArgs(["--config", new URL("../../examples/matrix-doctor.yaml", import.meta.url).pathname]), {}, CHECKS);
    expect(c.targets).toEqual(["example.org"]);
    expect([...c.modules.keys()].sort()).toEqual(["federation", "tls"]);
    expect(c.modules.get("tls")!.timeoutSeconds).toBe(5);
    expect(c.schedule?.cron).toBe("*/5 * * * *");
    expect(c.schedule?.serverName).toBe("example.org");
    expect(c.local.systemdUnit).toBe("dendrite.service");
  });

  it("reads modules, limits, auth and local inputs; secrets stay Secret objects", () => {
    const c = load(
      `
listen: "[::1]:0"
targets: [a.example, b.example]
modules:
  quick: { checks: [tls-handshake, dns], timeout: 1500ms }
default_module: quick
limits: { per_target_concurrency: 3 }
auth: { basic: { username: prom, password_env: PW } }
schedule: { cron: "*/10 * * * * *", checks: [postgres, tls], timeout: 2m }
local:
  server_name: a.example
  postgres_env: DSN
  turn_uris: ["turn:turn.a.example:3478?transport=udp"]
  turn_secret_env: TURN
`,
      { PW: "pw-value", DSN: "postgres://u:dsn-password@127.0.0.1/db", TURN: "turn-secret-value" },
      ["--target", "c.example"],
    );
    expect(c.listen).toEqual({ host: "::1", port: 0 });
    expect(c.targets).toEqual(["a.example", "b.example", "c.example"]);
    expect(c.modules.get("quick")!.selected.map((x) => x.id)).toEqual(["dns-server-name", "dns-srv", "dns-addresses", "tls-handshake"]);
    expect(c.modules.get("quick")!.timeoutSeconds).toBe(1.5);
    expect(c.limits.perTargetConcurrency).toBe(3);
    expect(c.auth).toMatchObject({ kind: "basic", username: "prom", passwordEnv: "PW" });
    expect(c.schedule).toMatchObject({ cron: "*/10 * * * * *", timeoutSeconds: 120, serverName: "a.example" });
    const printed = JSON.stringify(c);
    for (const secret of ["pw-value", "dsn-password", "turn-secret-value"]) expect(printed).not.toContain(secret);
  });

  it("takes the scheduled server name from the homeserver config", () => {
    const dendrite = join(dir, "dendrite.yaml");
    writeFileSync(dendrite, "version: 2\nglobal:\n  server_name: hs.example\n");
    const c = load(`schedule: { cron: "*/5 * * * *" }\nlocal: { homeserver_config: ${dendrite} }\n`);
    expect(c.schedule?.serverName).toBe("hs.example");
    expect(c.schedule?.checks).toEqual(["turn", "postgres", "systemd", "config"]);
  });

  it.each([
    ["lisen: 127.0.0.1:1\n", /unknown key 'lisen'/],
    ["modules: { x: { chekcs: [tls] } }\n", /unknown key 'modules\.x\.chekcs'/],
    ["modules: { x: { checks: [tlss] } }\n", /modules\.x\.checks: unknown check or category 'tlss'/],
    ["modules: { x: { checks: [postgres] } }\n", /modules\.x\.checks: 'postgres' is a server-side category.*schedule\.checks/],
    ["modules: { x: { checks: [tls], timeout: 10 minutes } }\n", /modules\.x\.timeout must be a duration/],
    ["modules: { x: { checks: [tls], timeout: 10m } }\n", /modules\.x\.timeout must be at most 5m/],
    ["default_module: nope\n", /default_module: no module named 'nope'/],
    ["listen: localhost\n", /listen expects HOST:PORT/],
    ["targets: ['bad name!']\n", /targets\[0\]: 'bad name!' is not a valid Matrix server name/],
    ["limits: { per_target_concurrency: 0 }\n", /limits\.per_target_concurrency must be an integer/],
    ["auth: { bearer_token_env: TOKEN }\n", /auth\.bearer_token_env names TOKEN, which is not set/],
    ["auth: { bearer_token_env: 'not a name' }\n", /auth\.bearer_token_env must name an environment variable/],
    ["auth: {}\n", /auth needs exactly one of bearer_token_env or basic/],
    ["schedule: { cron: 'every minute', checks: [postgres] }\nlocal: { server_name: a.example }\n", /schedule\.cron: 'every minute' is not a cron expression/],
    ["schedule: { cron: '* * * * *' }\n", /schedule needs local\.server_name/],
    ["local: { turn_uris: ['http://x'] }\n", /local\.turn_uris\[0\] expects turn:/],
    ["resolver: dns.example\n", /resolver: expects an IP address/],
    ["ca_file: /nonexistent.pem\n", /ca_file: cannot read \/nonexistent\.pem \(ENOENT\)/],
    ["allow_private_addresses: yes please\n", /allow_private_addresses must be true or false/],
    ["targets: [a.example]\ntargets: [b.example]\n", /not valid YAML/],
    ["- a\n- b\n", /the top level must be a mapping/],
  ])("refuses %j with a one-line error naming the key", (yaml, expected) => {
    const message = error(yaml);
    expect(message).toMatch(expected);
    expect(message.startsWith(dir)).toBe(true);
  });

  it("parses listen addresses", () => {
    expect(parseListen("0.0.0.0:9655", "listen")).toEqual({ host: "0.0.0.0", port: 9655 });
    expect(parseListen("[::]:9655", "listen")).toEqual({ host: "::", port: 9655 });
    expect(parseListen(":9655", "listen")).toEqual({ host: "", port: 9655 });
    expect(() => parseListen("[nope]:1", "listen")).toThrow(/not an IPv6 address/);
    expect(() => parseListen("127.0.0.1:70000", "listen")).toThrow(ConfigError);
  });

  it("serveMain exits 2 on a bad flag or file and 0 for --help", async () => {
    const stderr = process.stderr.write.bind(process.stderr);
    const stdout = process.stdout.write.bind(process.stdout);
    let err = "";
    let out = "";
    process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    try {
      expect(await serveMain(["--bogus"], {})).toBe(2);
      const file = join(dir, "bad.yaml");
      writeFileSync(file, "modules: { m: { checks: [nope] } }\n");
      expect(await serveMain(["--config", file], {})).toBe(2);
      expect(await serveMain(["--help"], {})).toBe(0);
    } finally {
      process.stderr.write = stderr;
      process.stdout.write = stdout;
    }
    expect(err).toMatch(/Unknown option '--bogus'/);
    expect(err).toMatch(/modules\.m\.checks: unknown check or category 'nope'/);
    expect(out).toMatch(/matrix-doctor serve/);
    expect(out).toMatch(/__param_target/);
  });
});
