// The CI gate end to end: `matrix-doctor <server> --format junit --output <file>` as a pipeline step runs it. Exit 0
// and a JUnit file without <failure> on the healthy rig; exit 1 with the failing check as a <failure> once a real
// fault is made in the rig (nginx serves the client well-known without CORS; nginx config edited and reloaded,
// restored in finally).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { beforeAll, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { describeRig, rig } from "../support/rig-gate.js";
import { doctorArgs } from "./faults/doctor.js";
import { RigOps, Undo } from "./faults/rig-ops.js";
import { SCENARIOS } from "./faults/scenarios.js";
import { tempDir } from "../exporter/_support.js";

interface Case {
  name: string;
  classname: string;
  failure?: { message: string; type: string; text: string };
  skipped: boolean;
}

interface Junit {
  root: string;
  attrs: Record<string, string>;
  cases: Case[];
}

/** Parse the JUnit XML with a real XML parser (well-formedness errors throw). */
function parseJunit(xml: string): Junit {
  const parser = new SaxesParser();
  const out: Junit = { root: "", attrs: {}, cases: [] };
  let current: Case | undefined;
  let inFailure = false;
  parser.on("error", (e) => {
    throw e;
  });
  parser.on("opentag", (tag) => {
    const attrs = tag.attributes as Record<string, string>;
    if (!out.root) {
      out.root = tag.name;
      out.attrs = attrs;
    }
    if (tag.name === "testcase") current = { name: attrs["name"] ?? "", classname: attrs["classname"] ?? "", skipped: false };
    if (tag.name === "failure" && current) {
      current.failure = { message: attrs["message"] ?? "", type: attrs["type"] ?? "", text: "" };
      inFailure = true;
    }
    if (tag.name === "skipped" && current) current.skipped = true;
  });
  parser.on("text", (t) => {
    if (inFailure && current?.failure) current.failure.text += t;
  });
  parser.on("closetag", (tag) => {
    if (tag.name === "failure") inFailure = false;
    if (tag.name === "testcase" && current) {
      out.cases.push(current);
      current = undefined;
    }
  });
  parser.write(xml).close();
  return out;
}

describeRig("CI gate: --format junit --output, exit code and XML", () => {
  let ops: RigOps;
  let baseline: Record<string, string>;
  const dir = tempDir("ci-gate");

  beforeAll(async () => {
    ops = new RigOps(rig!);
    baseline = ops.snapshot();
    await ops.assertHealthy(baseline);
  });

  async function gate(file: string): Promise<{ code: number | null; junit: Junit; stdout: string }> {
    const { args, env } = doctorArgs(ops, "dendrite", "remote");
    const r = await runCli([...args, "--format", "junit", "--output", file], { env });
    return { code: r.code, junit: parseJunit(readFileSync(file, "utf8")), stdout: r.stdout };
  }

  it("passes the healthy deployment: exit 0, no <failure>", async () => {
    const { code, junit } = await gate(join(dir, "healthy.xml"));
    expect(code).toBe(0);
    expect(junit.root).toBe("testsuites");
    expect(junit.attrs["failures"]).toBe("0");
    expect(junit.attrs["errors"]).toBe("0");
    expect(junit.cases.length).toBeGreaterThan(30);
    expect(junit.cases.filter((c) => c.failure).map((c) => c.name)).toEqual([]);
  });

  it("stops the pipeline on a real fault: exit 1, the failing check as a <failure>", { timeout: 60_000 }, async () => {
    const fault = SCENARIOS.find((s) => s.id === "wk-client-no-cors")!;
    const undo = new Undo();
    let result: Awaited<ReturnType<typeof gate>> | undefined;
    try {
      await fault.inject(ops, "dendrite", undo);
      result = await gate(join(dir, "fault.xml"));
    } finally {
      await undo.run();
      await ops.assertHealthy(baseline);
    }
    const { code, junit, stdout } = result;
    expect(code).toBe(1);
    expect(stdout).toBe(""); // the report went to the file
    const failing = junit.cases.filter((c) => c.failure);
    expect(failing.map((c) => c.name)).toEqual(["client-cors-wellknown: Client well-known is readable by web clients (CORS)"]);
    const f = failing[0]!;
    expect(f.classname).toBe("matrix-doctor.client");
    expect(f.failure).toMatchObject({ type: "fail", message: expect.stringMatching(/no Access-Control-Allow-Origin/) });
    expect(f.failure!.text).toMatch(/Fix: /);
    expect(junit.attrs["failures"]).toBe("1");
  });
});
