// Every file under checks/ is one registered check whose id is its file name.

import { readdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.js";
import { PROBES } from "../../src/probes/index.js";

const files = readdirSync(new URL("../../checks/", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.replace(/\.ts$/, ""));

describe("check registry", () => {
  it("registers every file under checks/, once", () => {
    expect(CHECKS.map((c) => c.id).sort()).toEqual([...files].sort());
  });

  it("has ids equal to file names, prefixed by their category", async () => {
    for (const file of files) {
      const url = pathToFileURL(new URL(`../../checks/${file}.ts`, import.meta.url).pathname).href;
      const mod = (await import(/* @vite-ignore */ url)) as { default: { id: string; category: string } };
      expect(mod.default.id).toBe(file);
      expect(file.startsWith(`${mod.default.category}-`)).toBe(true);
    }
  });

  it("only requires facts that a probe provides", () => {
    for (const check of CHECKS) {
      for (const fact of [...check.requires, ...check.optional]) expect(Object.keys(PROBES)).toContain(fact);
    }
  });
});

describe("README", () => {
  it("lists every check", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const check of CHECKS) expect(readme).toContain(`| \`${check.id}\` | ${check.category} |`);
  });
});
