// A small CheckTester in the spirit of ESLint's RuleTester: each check gets `valid` cases (must pass,
// or skip when said) and `invalid` cases (must warn or fail, with a fix and a docs link).

import { describe, expect, it } from "vitest";
import type { Check, CheckContext, Outcome } from "../../src/engine/check.js";
import type { FactMap } from "../../src/engine/facts.js";
import type { Status } from "../../src/engine/types.js";

export interface CheckCase {
  name: string;
  facts: Partial<FactMap>;
  ctx?: Partial<CheckContext>;
  /** Expected status; valid cases default to "pass". */
  status?: Status;
  /** Patterns the summary must match. */
  summary?: RegExp;
  /** Patterns the fix must match (invalid cases). */
  fix?: RegExp;
  /** Keys and values the details must contain. */
  details?: Record<string, unknown>;
}

export const TEST_NOW = Date.parse("2026-11-26T12:00:00Z");

export function runCheck(check: Check, facts: Partial<FactMap>, ctx: Partial<CheckContext> = {}): Outcome {
  return check.run(facts, { now: TEST_NOW, allowPrivateAddresses: false, ...ctx });
}

export function testCheck(check: Check, cases: { valid: CheckCase[]; invalid: CheckCase[] }): void {
  describe(check.id, () => {
    it("has metadata", () => {
      expect(check.id.startsWith(`${check.category}-`)).toBe(true);
      expect(check.title.length).toBeGreaterThan(5);
      expect(check.docs).toMatch(/^https:\/\//);
    });
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const out = runCheck(check, c.facts, c.ctx);
        expect(out.status, out.summary).toBe(c.status ?? "pass");
        if (c.summary) expect(out.summary).toMatch(c.summary);
        if (c.details) expect(out.details).toMatchObject(c.details);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const out = runCheck(check, c.facts, c.ctx);
        expect(out.status, out.summary).toBe(c.status ?? "fail");
        expect(["warn", "fail"]).toContain(out.status);
        if (out.status === "warn" || out.status === "fail") {
          expect(out.fix.length).toBeGreaterThan(10);
          if (c.fix) expect(out.fix).toMatch(c.fix);
        }
        if (c.summary) expect(out.summary).toMatch(c.summary);
        if (c.details) expect(out.details).toMatchObject(c.details);
      });
    }
  });
}
