// defineCheck(): the shape of one check. A check is a pure function of facts; it declares which
// facts it needs (missing ones make it `skip` with the reason) and keeps its title, docs link and fix
// text beside the logic, like an ESLint rule's `meta`.

import type { FactMap, FactName } from "./facts.js";
import type { Category } from "./types.js";

export type Details = Record<string, unknown>;

/** What a check returns. warn and fail must say how to fix it. */
export type Outcome =
  | { status: "pass"; summary: string; details?: Details }
  | { status: "warn" | "fail"; summary: string; fix: string; details?: Details; docs?: string }
  | { status: "skip"; summary: string; details?: Details };

export interface CheckContext {
  /** Milliseconds since the epoch at the start of the run (checks never read the clock). */
  now: number;
  /** The user accepts private, loopback and CGNAT addresses (a LAN-only or test federation). */
  allowPrivateAddresses: boolean;
}

type FactsFor<R extends readonly FactName[], O extends readonly FactName[]> = Pick<FactMap, R[number]> &
  Partial<Pick<FactMap, O[number]>>;

export interface CheckDefinition<R extends readonly FactName[], O extends readonly FactName[]> {
  /** Kebab-case, equal to the file name under checks/ and starting with the category. */
  id: string;
  category: Category;
  /** What is checked, phrased as the healthy state ("Federation certificate is valid"). */
  title: string;
  /** A page that explains the rule (the spec section or the upstream doc). */
  docs: string;
  requires: R;
  /** Facts used when available; their absence does not skip the check. */
  optional?: O;
  run(facts: FactsFor<R, O>, ctx: CheckContext): Outcome;
}

/** A check with its fact types erased, as the engine and the registry hold it. */
export interface Check {
  id: string;
  category: Category;
  title: string;
  docs: string;
  requires: readonly FactName[];
  optional: readonly FactName[];
  run(facts: Partial<FactMap>, ctx: CheckContext): Outcome;
}

export function defineCheck<const R extends readonly FactName[], const O extends readonly FactName[] = []>(
  definition: CheckDefinition<R, O>,
): Check {
  return {
    id: definition.id,
    category: definition.category,
    title: definition.title,
    docs: definition.docs,
    requires: definition.requires,
    optional: definition.optional ?? [],
    // The engine only calls run() once every required fact is present, which is what the cast assumes.
    run: definition.run as (facts: Partial<FactMap>, ctx: CheckContext) => Outcome,
  };
}

export const pass = (summary: string, details?: Details): Outcome => ({ status: "pass", summary, ...(details && { details }) });
export const warn = (summary: string, fix: string, details?: Details): Outcome => ({
  status: "warn",
  summary,
  fix,
  ...(details && { details }),
});
export const fail = (summary: string, fix: string, details?: Details): Outcome => ({
  status: "fail",
  summary,
  fix,
  ...(details && { details }),
});
export const skip = (summary: string, details?: Details): Outcome => ({ status: "skip", summary, ...(details && { details }) });
