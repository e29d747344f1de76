// The spec's server-name resolution, one zone entry per step, against the real DNS server and nginx:
// the discovery details (step, addresses, port, Host, TLS name) must be what the spec prescribes, and
// the federation version request sent with them must reach the real Dendrite.

import { expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { describeRig, rigFlags } from "../support/rig-gate.js";
import type { RunReport } from "../../src/engine/types.js";

interface Row {
  serverName: string;
  step: string;
  host: string;
  port: number;
  hostHeader: string;
  tlsName: string;
  addresses: string[];
}

const TABLE: Row[] = [
  { serverName: "127.0.0.2", step: "1", host: "127.0.0.2", port: 8448, hostHeader: "127.0.0.2", tlsName: "127.0.0.2", addresses: ["127.0.0.2:8448"] },
  { serverName: "127.0.0.2:443", step: "1", host: "127.0.0.2", port: 443, hostHeader: "127.0.0.2:443", tlsName: "127.0.0.2", addresses: ["127.0.0.2:443"] },
  { serverName: "[::1]", step: "1", host: "::1", port: 8448, hostHeader: "[::1]", tlsName: "::1", addresses: ["[::1]:8448"] },
  { serverName: "example.test:8448", step: "2", host: "example.test", port: 8448, hostHeader: "example.test:8448", tlsName: "example.test", addresses: ["127.0.0.2:8448", "[::1]:8448"] },
  { serverName: "example.test", step: "3.2", host: "example.test", port: 443, hostHeader: "example.test:443", tlsName: "example.test", addresses: ["127.0.0.2:443", "[::1]:443"] },
  // The guide's delegated variant: example.test-style domain → matrix.example.test:443.
  { serverName: "delegated.example.test", step: "3.2", host: "matrix.example.test", port: 443, hostHeader: "matrix.example.test:443", tlsName: "matrix.example.test", addresses: ["127.0.0.2:443", "[::1]:443"] },
  { serverName: "s31.example.test", step: "3.1", host: "127.0.0.2", port: 8448, hostHeader: "127.0.0.2:8448", tlsName: "127.0.0.2", addresses: ["127.0.0.2:8448"] },
  { serverName: "s32.example.test", step: "3.2", host: "example.test", port: 8448, hostHeader: "example.test:8448", tlsName: "example.test", addresses: ["127.0.0.2:8448", "[::1]:8448"] },
  { serverName: "s33.example.test", step: "3.3", host: "host.example.test", port: 443, hostHeader: "fed33.example.test", tlsName: "fed33.example.test", addresses: ["127.0.0.2:443"] },
  { serverName: "s34.example.test", step: "3.4", host: "host.example.test", port: 443, hostHeader: "fed34.example.test", tlsName: "fed34.example.test", addresses: ["127.0.0.2:443"] },
  { serverName: "s35.example.test", step: "3.5", host: "fed35.example.test", port: 8448, hostHeader: "fed35.example.test", tlsName: "fed35.example.test", addresses: ["127.0.0.2:8448"] },
  { serverName: "s4.example.test", step: "4", host: "host.example.test", port: 443, hostHeader: "s4.example.test", tlsName: "s4.example.test", addresses: ["127.0.0.2:443"] },
  { serverName: "s5.example.test", step: "5", host: "host.example.test", port: 443, hostHeader: "s5.example.test", tlsName: "s5.example.test", addresses: ["127.0.0.2:443"] },
  { serverName: "s6.example.test", step: "6", host: "s6.example.test", port: 8448, hostHeader: "s6.example.test", tlsName: "s6.example.test", addresses: ["127.0.0.2:8448"] },
];

describeRig("discovery conformance (spec: resolving server names)", () => {
  for (const row of TABLE) {
    it(`${row.serverName} → step ${row.step}`, async () => {
      const r = await runCli([row.serverName, ...rigFlags(), "--only", "federation-discovery,federation-version", "--json"]);
      const report = JSON.parse(r.stdout) as RunReport;
      const discovery = report.checks.find((c) => c.id === "federation-discovery");
      expect(discovery?.status, discovery?.summary).toBe("pass");
      expect(discovery?.details).toMatchObject({
        step: row.step,
        host: row.host,
        port: row.port,
        hostHeader: row.hostHeader,
        tlsName: row.tlsName,
        addresses: row.addresses,
      });
      // The Host header and SNI must really get the request to Dendrite through nginx.
      const version = report.checks.find((c) => c.id === "federation-version");
      expect(version?.status, version?.summary).toBe("pass");
      expect(version?.summary).toMatch(/Dendrite/);
      expect(r.code).toBe(0);
    });
  }

  it("an SRV lookup that fails with SERVFAIL fails discovery instead of falling through", async () => {
    const r = await runCli(["x.servfail.test", ...rigFlags(), "--only", "federation-discovery", "--json"]);
    const discovery = (JSON.parse(r.stdout) as RunReport).checks[0]!;
    expect(discovery.status).toBe("fail");
    expect(discovery.summary).toMatch(/SERVFAIL/);
    expect(r.code).toBe(1);
  });

  it("a name without any address fails discovery with the step that was reached", async () => {
    const r = await runCli(["nxdomain.example.test", ...rigFlags(), "--only", "federation-discovery", "--json"]);
    const discovery = (JSON.parse(r.stdout) as RunReport).checks[0]!;
    expect(discovery.status).toBe("fail");
    expect(discovery.summary).toMatch(/nxdomain\.example\.test/);
  });
});
