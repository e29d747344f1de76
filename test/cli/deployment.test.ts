// The one-off diagnosis against the real deployment (knot, nginx with a test CA, Dendrite v0.13.8):
// healthy passes everything; each broken variant is named by the right check, with a fix.

import { createServer, type Server, type Socket } from "node:net";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { runCli } from "../support/cli.js";
import { describeRig, rig, rigFlags } from "../support/rig-gate.js";
import type { CheckResult, RunReport, Status } from "../../src/engine/types.js";

const schema = JSON.parse(readFileSync(new URL("../../schema/report.schema.json", import.meta.url), "utf8")) as object;

function byId(report: RunReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in the report`);
  return found;
}

describeRig("healthy deployment", () => {
  let report: RunReport;
  let code: number | null;
  let logStart = 0;

  beforeAll(async () => {
    logStart = statSync(join(rig!.runDir, "logs", "nginx-access.log")).size;
    const r = await runCli(["example.test", ...rigFlags(), "--json"]);
    code = r.code;
    report = JSON.parse(r.stdout) as RunReport;
  });

  const REMOTE = new Set(["dns", "wellknown", "tls", "federation", "client"]);

  it("exits 0 with every remote check passing", () => {
    const remote = report.checks.filter((c) => REMOTE.has(c.category));
    const notPassing = remote.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.status}: ${c.summary}`);
    expect(notPassing).toEqual([]);
    expect(remote.length).toBeGreaterThan(25);
    expect(code).toBe(0);
  });

  it("skips the server-side checks, naming the flag that enables them", () => {
    const serverSide = report.checks.filter((c) => !REMOTE.has(c.category));
    expect(serverSide.length).toBeGreaterThan(0);
    for (const c of serverSide) {
      expect(c.status, c.id).toBe("skip");
      expect(c.summary, c.id).toMatch(/--[a-z-]+/);
    }
  });

  it("verifies the signing keys from Dendrite's real response", () => {
    expect(byId(report, "federation-keys-signatures").status).toBe("pass");
    expect(byId(report, "federation-keys-server-name").status).toBe("pass");
  });

  it("reports discovery per the contract", () => {
    expect(byId(report, "federation-discovery").details).toMatchObject({ step: "3.2", hostHeader: "example.test:443", tlsName: "example.test" });
  });

  it("matches the committed JSON Schema", () => {
    const ajv = new Ajv2020.default({ allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it("fetches each endpoint once (counted in nginx's access log)", () => {
    const log = readFileSync(join(rig!.runDir, "logs", "nginx-access.log"), "utf8").slice(logStart);
    const lines = log.split("\n").filter((l) => l.includes("matrix-doctor/"));
    expect(lines.length).toBeGreaterThan(5);
    const counts = new Map<string, number>();
    for (const line of lines) {
      // server_addr:port host "METHOD /path" — everything but the timestamp and status.
      const key = line.replace(/^\S+\s+/, "").replace(/\s+\d{3}\s.*$/, "");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const repeated = [...counts].filter(([, n]) => n > 1);
    expect(repeated).toEqual([]);
  });

  it("prints a human report grouped by category with a summary line", async () => {
    const r = await runCli(["example.test", ...rigFlags()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^DNS$/m);
    expect(r.stdout).toMatch(/^TLS$/m);
    expect(r.stdout).toMatch(/^ {2}✓ /m);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^✓ \d+ passed, \d+ skipped \(\d+\.\d s\): healthy$/);
    expect(r.stdout).toMatch(/^ {2}– \d+ checks skipped: no PostgreSQL connection/m);
    expect(r.stdout).not.toMatch(/\x1b\[/); // no colour without a TTY
  });
});

interface Variant {
  name: string;
  check: string;
  status: Status;
  summary?: RegExp;
  fix?: RegExp;
}

// Each row: a real misconfiguration in nginx, DNS or the certificates, and the check that must name it.
const VARIANTS: Variant[] = [
  { name: "expired.example.test", check: "tls-expiry", status: "fail", summary: /expired/i, fix: /certbot/ },
  { name: "wrongname.example.test", check: "tls-certificate", status: "fail", summary: /other\.example\.net/ },
  { name: "untrusted.example.test", check: "tls-certificate", status: "fail" },
  { name: "nochain.example.test", check: "tls-certificate", status: "fail", summary: /intermediate/i, fix: /fullchain/ },
  { name: "tls11.example.test", check: "tls-protocol", status: "warn", summary: /TLSv1\.1|TLSv1(?!\.)/, fix: /ssl_protocols/ },
  { name: "differentcert.example.test", check: "tls-consistent", status: "warn" },
  { name: "no8448.example.test", check: "tls-handshake", status: "fail", summary: /8448/ },
  { name: "splitbrain.example.test", check: "wellknown-server-consistent", status: "warn", summary: /127\.0\.0\.3/ },
  { name: "wk-scheme.example.test", check: "wellknown-server-m-server", status: "fail", summary: /https:\/\// },
  { name: "wk-badjson.example.test", check: "wellknown-server-json", status: "warn" },
  { name: "wk-html.example.test", check: "wellknown-server-json", status: "warn" },
  { name: "wk-ctype.example.test", check: "wellknown-server-content-type", status: "warn", summary: /text\/plain/ },
  { name: "wk-308.example.test", check: "wellknown-server-redirects", status: "warn", summary: /308/ },
  { name: "wk-loop.example.test", check: "wellknown-server-redirects", status: "fail", summary: /loop/i },
  { name: "wk-big.example.test", check: "wellknown-server-size", status: "fail" },
  { name: "wk-nocache.example.test", check: "wellknown-server-cache", status: "warn", summary: /no-store/ },
  { name: "srvcname.example.test", check: "dns-srv", status: "fail", summary: /CNAME/ },
  { name: "x.servfail.test", check: "federation-discovery", status: "fail", summary: /SERVFAIL/ },
  { name: "nxdomain.example.test", check: "dns-addresses", status: "fail" },
  { name: "cl-nocors.example.test", check: "client-cors-wellknown", status: "fail", fix: /Access-Control-Allow-Origin/ },
  { name: "cl-html.example.test", check: "client-wellknown", status: "fail", summary: /HTML|JSON/i },
  { name: "cl-badjson.example.test", check: "client-wellknown", status: "fail" },
  { name: "cl-nohs.example.test", check: "client-wellknown", status: "fail", summary: /m\.homeserver/ },
  { name: "cl-badbase.example.test", check: "client-versions", status: "fail" },
  // http://example.test answers no client API here, so Element refuses it; the plain "not https" warning is unit-tested.
  { name: "cl-http.example.test", check: "client-wellknown", status: "fail", summary: /http:\/\/example\.test/ },
  { name: "cl-redirect.example.test", check: "client-cors-wellknown", status: "fail", summary: /redirect|301/i },
  { name: "cl-badsupport.example.test", check: "client-support", status: "fail", summary: /role/ },
  { name: "nopreflight.example.test", check: "client-cors-preflight", status: "fail" },
  { name: "fed-html404.example.test", check: "federation-version", status: "fail" },
  { name: "fed-html404.example.test", check: "federation-routing", status: "warn" },
  { name: "fed-502.example.test", check: "federation-version", status: "fail", summary: /502/ },
  { name: "EXAMPLE.TEST", check: "federation-keys-server-name", status: "fail", summary: /example\.test/ },
  { name: "EXAMPLE.TEST", check: "dns-server-name", status: "warn", summary: /upper/i },
];

describeRig("broken variants", () => {
  for (const v of VARIANTS) {
    it(`${v.name}: ${v.check} ${v.status}`, async () => {
      const r = await runCli([v.name, ...rigFlags(), "--only", v.check, "--json"]);
      const result = byId(JSON.parse(r.stdout) as RunReport, v.check);
      expect(result.status, result.summary).toBe(v.status);
      if (v.summary) expect(result.summary).toMatch(v.summary);
      expect(result.fix?.length ?? 0).toBeGreaterThan(10);
      if (v.fix) expect(result.fix).toMatch(v.fix);
      expect(result.docs).toMatch(/^https:\/\//);
      expect(r.code).toBe(v.status === "fail" ? 1 : 0);
    });
  }
});

describeRig("a server that accepts connections and never answers", () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    for (const port of [443, 8448]) {
      const server = createServer((socket) => {
        sockets.add(socket); // accept, then say nothing
        socket.on("close", () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(port, rig!.hangAddress, resolve));
      servers.push(server);
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it("ends within --timeout plus one second, with those checks failed as timeouts", async () => {
    const r = await runCli(["hang.example.test", ...rigFlags(), "--timeout", "3", "--json"], { killAfterMs: 15_000 });
    expect(r.ms).toBeLessThan(4_000);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as RunReport;
    const timedOut = report.checks.filter((c) => c.status === "fail" && /timed out/i.test(c.summary));
    expect(timedOut.map((c) => c.id)).toEqual(expect.arrayContaining(["tls-handshake"]));
    expect(report.checks.some((c) => c.status === "error")).toBe(false);
  });
});
