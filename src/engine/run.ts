// The engine: start the probes the selected checks need (concurrently, each fact once), wait for them
// under the run deadline, then judge. It knows nothing of any single check or probe.

import type { Check, CheckContext, Outcome } from "./check.js";
import type { FactMap, FactName } from "./facts.js";
import { FactUnavailable, type Probe, type ProbeContext, type RunInput } from "./probe.js";
import { CATEGORIES, type CheckResult, type RunReport, type RunSummary } from "./types.js";
import { createNet, type Net, type Timeouts } from "../net/net.js";
import { VERSION } from "../version.js";

export type ProbeRegistry = { [K in FactName]?: Probe<K> };

export interface RunOptions {
  checks: readonly Check[];
  probes: ProbeRegistry;
  input: RunInput;
  log?: (message: string) => void;
  /** Per-operation budgets (tests shorten them). */
  timeouts?: Partial<Timeouts>;
  /** A network to use instead of a fresh one (tests inspect it). */
  net?: Net;
}

type FactState =
  | { kind: "ok"; value: unknown; durationMs: number }
  | { kind: "unavailable"; reason: string; durationMs: number }
  | { kind: "crashed"; message: string; durationMs: number }
  | { kind: "unfinished"; durationMs: number };

/**
 * Per-operation budgets as shares of the run deadline, so that a server that never answers costs one
 * operation's budget and later steps (the next SRV step, the TLS handshake) still get their turn.
 */
export function budgets(runMs: number): Timeouts {
  return {
    dns: Math.min(5_000, Math.round(runMs * 0.25)),
    connect: Math.min(5_000, Math.round(runMs * 0.3)),
    http: Math.min(10_000, Math.round(runMs * 0.4)),
    tls: Math.min(8_000, Math.round(runMs * 0.3)),
  };
}

/** Grace after the deadline for probes to turn their aborted operations into facts. */
const SETTLE_MS = 500;

export interface RunOutcome {
  report: RunReport;
  /** The facts gathered (for --verbose, fixtures and the exporter's metrics). */
  facts: Partial<FactMap>;
  /** Every network operation made, once each. */
  wire: string[];
}

export async function runChecks(options: RunOptions): Promise<RunOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  const log = options.log ?? (() => undefined);
  const deadline = AbortSignal.timeout(options.input.timeoutMs);
  const net =
    options.net ??
    createNet({
      ...(options.input.resolver && { resolver: options.input.resolver }),
      extraCa: options.input.extraCa,
      signal: deadline,
      log: (m) => log(`net: ${m}`),
      timeouts: { ...budgets(options.input.timeoutMs), ...options.timeouts },
    });

  const states = new Map<FactName, Promise<FactState>>();
  const settled = new Map<FactName, FactState>();
  const getState = (name: FactName): Promise<FactState> => {
    let state = states.get(name);
    if (!state) {
      state = evaluate(name);
      states.set(name, state);
      void state.then((s) => settled.set(name, s));
    }
    return state;
  };
  const ctx: ProbeContext = {
    input: options.input,
    signal: deadline,
    net,
    log,
    fact: async <K extends FactName>(name: K): Promise<FactMap[K]> => {
      const state = await getState(name);
      if (state.kind === "ok") return state.value as FactMap[K];
      if (state.kind === "unavailable") throw new FactUnavailable(state.reason);
      throw new FactUnavailable(`the ${name} probe ${state.kind === "crashed" ? `crashed: ${state.message}` : "did not finish"}`);
    },
  };
  async function evaluate(name: FactName): Promise<FactState> {
    const probe = options.probes[name] as Probe | undefined;
    const began = performance.now();
    const ms = (): number => Math.round(performance.now() - began);
    if (!probe) return { kind: "unavailable", reason: `no probe provides ${name}`, durationMs: 0 };
    try {
      const value = await probe.run(ctx);
      return { kind: "ok", value, durationMs: ms() };
    } catch (err) {
      if (err instanceof FactUnavailable) return { kind: "unavailable", reason: err.message, durationMs: ms() };
      log(`probe ${name} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return { kind: "crashed", message: err instanceof Error ? err.message : String(err), durationMs: ms() };
    }
  }

  const needed = new Set<FactName>();
  for (const check of options.checks) for (const f of [...check.requires, ...check.optional]) needed.add(f);
  const all = Promise.all([...needed].map(getState));
  // A probe that ignores the deadline must not hang the run: stop waiting shortly after it.
  let guard: NodeJS.Timeout | undefined;
  const settleMs = Math.min(SETTLE_MS, Math.round(options.input.timeoutMs * 0.1));
  await Promise.race([all, new Promise<void>((resolve) => (guard = setTimeout(resolve, options.input.timeoutMs + settleMs)))]);
  clearTimeout(guard);

  const factOf = (name: FactName): FactState => settled.get(name) ?? { kind: "unfinished", durationMs: options.input.timeoutMs };
  const checkCtx: CheckContext = { now: startedAt.getTime(), allowPrivateAddresses: options.input.allowPrivateAddresses };
  const facts: Partial<FactMap> = {};
  for (const name of needed) {
    const s = factOf(name);
    if (s.kind === "ok") (facts as Record<string, unknown>)[name] = s.value;
  }

  const results: CheckResult[] = options.checks.map((check) => judge(check, facts, factOf, checkCtx));
  const order = (c: CheckResult): number => CATEGORIES.indexOf(c.category);
  results.sort((a, b) => order(a) - order(b));
  const summary: RunSummary = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) summary[r.status]++;
  const report: RunReport = {
    schemaVersion: 1,
    tool: { name: "matrix-doctor", version: VERSION },
    target: options.input.serverName,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    summary,
    checks: results,
  };
  return { report, facts, wire: [...net.wire] };
}

function judge(check: Check, facts: Partial<FactMap>, factOf: (n: FactName) => FactState, ctx: CheckContext): CheckResult {
  const base = { id: check.id, category: check.category, title: check.title, docs: check.docs };
  const probeMs = Math.max(0, ...[...check.requires, ...check.optional].map((n) => factOf(n).durationMs));
  for (const name of check.requires) {
    const s = factOf(name);
    if (s.kind === "unavailable") return { ...base, status: "skip", summary: s.reason, durationMs: 0 };
    if (s.kind === "crashed") return { ...base, status: "error", summary: `the ${name} probe crashed: ${s.message}`, durationMs: probeMs };
    if (s.kind === "unfinished") {
      return {
        ...base,
        status: "fail",
        summary: `timed out: ${name} was not gathered within the run deadline`,
        fix: "Find what hangs with --verbose (a server that accepts connections but never answers, or a DNS server that does not reply), or raise --timeout.",
        durationMs: probeMs,
      };
    }
  }
  const t = performance.now();
  let outcome: Outcome;
  try {
    outcome = check.run(facts, ctx);
  } catch (err) {
    return {
      ...base,
      status: "error",
      summary: `the check crashed: ${err instanceof Error ? err.message : String(err)} (a matrix-doctor bug; please report it)`,
      durationMs: Math.round(performance.now() - t),
    };
  }
  const durationMs = probeMs + Math.round(performance.now() - t);
  const result: CheckResult = { ...base, status: outcome.status, summary: outcome.summary, durationMs };
  if (outcome.details) result.details = outcome.details;
  if (outcome.status === "warn" || outcome.status === "fail") {
    result.fix = outcome.fix;
    if (outcome.docs) result.docs = outcome.docs;
  }
  return result;
}
