// Replays facts recorded from the real rig (scripts/record-facts.mjs) through every remote check:
// the checks, judged offline with the recording's clock, must give the verdicts the live run gave.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.js";
import type { FactMap } from "../../src/engine/facts.js";
import type { Status } from "../../src/engine/types.js";

interface Recording {
  serverName: string;
  recordedAt: number;
  allowPrivateAddresses: boolean;
  statuses: Record<string, Status>;
  facts: Partial<FactMap>;
}

const dir = new URL("../fixtures/remote/", import.meta.url);
const recordings = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), "utf8")) as Recording);

describe("checks over facts recorded from the real rig", () => {
  it("has recordings", () => expect(recordings.length).toBeGreaterThan(5));
  for (const rec of recordings) {
    it(`${rec.serverName}: same verdicts as the live run`, () => {
      const replayed: Record<string, Status> = {};
      for (const check of CHECKS) {
        if (!(check.id in rec.statuses)) continue;
        const missing = check.requires.filter((f) => rec.facts[f] === undefined);
        replayed[check.id] = missing.length > 0 ? "skip" : check.run(rec.facts, { now: rec.recordedAt, allowPrivateAddresses: rec.allowPrivateAddresses }).status;
      }
      expect(replayed).toEqual(rec.statuses);
    });
  }

  it("the healthy recording passes every remote check", () => {
    const healthy = recordings.find((r) => r.serverName === "example.test");
    expect(Object.values(healthy?.statuses ?? {}).every((s) => s === "pass")).toBe(true);
  });
});
