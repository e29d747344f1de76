// The command line as a user meets it: help, version, listing, and bad input (one line, exit 2).

import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("matrix-doctor usage", () => {
  it("--help documents flags, categories and exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--only", "--skip", "--resolver", "--ca-file", "--timeout", "--json", "--strict", "--verbose", "--list-checks"]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*0[\s\S]*1[\s\S]*2[\s\S]*3/);
  });

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("--list-checks lists every check with its category", async () => {
    const r = await runCli(["--list-checks"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).toMatch(/^[a-z0-9-]+\s+(dns|wellknown|tls|federation|client|turn|postgres|systemd|config)\s+\S/);
  });

  it("--list-checks --only narrows by category", async () => {
    const r = await runCli(["--list-checks", "--only", "tls", "--json"]);
    const rows = JSON.parse(r.stdout) as { id: string; category: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((c) => c.category === "tls")).toBe(true);
  });

  const bad: [string[], RegExp][] = [
    [[], /missing the server name/],
    [["https://example.org"], /not a valid Matrix server name: it has a URL scheme/],
    [["example.org/path"], /not a valid Matrix server name/],
    [["exa mple.org"], /character ' '/],
    [["example.org:99999"], /outside 1-65535/],
    [["2001:db8::1"], /brackets/],
    [["a.org", "b.org"], /expected one server name/],
    [["example.org", "--bogus"], /Unknown option '--bogus'/],
    [["example.org", "--timeout", "soon"], /--timeout expects seconds/],
    [["example.org", "--resolver", "dns.example.org"], /--resolver expects an IP address/],
    [["example.org", "--format", "xml"], /--format must be one of/],
    [["example.org", "--only", "no-such-check"], /unknown check or category 'no-such-check'/],
    [["example.org", "--ca-file", "/nonexistent/ca.pem"], /cannot read --ca-file \/nonexistent\/ca.pem \(ENOENT\)/],
    [["example.org", "--ca-file", "/etc/hostname"], /holds no PEM certificate/],
    [["example.org", "--turn-uri", "stun:turn.example.org"], /--turn-uri expects turn:HOST/],
    [["example.org", "--postgres", "host=db user=x password=hunter2"], /--postgres expects a connection URI/],
    [["example.org", "--systemd-unit", "bad unit"], /--systemd-unit expects a unit name/],
    [["--homeserver-config", "/nonexistent/dendrite.yaml"], /\/nonexistent\/dendrite\.yaml/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${JSON.stringify(args)} with one line and exit 2`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^matrix-doctor: /);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stderr).not.toContain("hunter2"); // a rejected secret is not echoed
    });
  }

  it("reads server-side inputs from MATRIX_DOCTOR_* variables, validated like flags", async () => {
    const r = await runCli(["example.org"], { env: { MATRIX_DOCTOR_POSTGRES: "mysql://root:hunter2@db/x" } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("matrix-doctor: MATRIX_DOCTOR_POSTGRES expects a connection URI such as postgres://dendrite:PASSWORD@127.0.0.1:5432/dendrite");
  });
});
