// The metrics of one run, built into a prom-client registry the caller owns. Shared by the exporter's
// /probe (a fresh registry per request, blackbox_exporter's model), its /metrics (the cached scheduled run)
// and `--format prometheus` (node_exporter's textfile collector).
//
// Rules (design.md "Metrics", reference/exporter-cli-and-style.md (a)): prefix matrix_doctor_, base units,
// timestamps as Unix seconds, the target is never a label (Prometheus sets `instance`), and a value that is
// not known is left out, never exported as 0. prom-client exports an unlabelled gauge as 0 as soon as it
// exists, so every gauge here is created only when there is a value to set.

import { Gauge, type Registry } from "prom-client";
import type { RunOutcome } from "../engine/run.js";
import type { FactMap, TlsFact } from "../engine/facts.js";
import { STATUSES, type CheckResult } from "../engine/types.js";
import { keyDocuments } from "../matrix/signing.js";

export const METRIC_PREFIX = "matrix_doctor_";

export interface RunMetricsOptions {
  /**
   * "probe": a run made for this very request (/probe, textfile output): matrix_doctor_probe_* gauges.
   * "cached": the result of a scheduled run served until the next one (/metrics): every HELP says so, and
   * matrix_doctor_last_run_{timestamp,duration}_seconds and _last_run_success replace the probe_* gauges.
   */
  mode: "probe" | "cached";
  /** The effective deadline of the run in seconds (matrix_doctor_probe_timeout_seconds), when known. */
  timeoutSeconds?: number;
  /** Also export matrix_doctor_last_run_timestamp_seconds in "probe" mode (the textfile output does). */
  runTimestamp?: boolean;
}

/** Spec step of server discovery → the method label of matrix_doctor_federation_delegation_info. */
export const DELEGATION_METHOD: Record<string, string> = {
  "1": "ip_literal",
  "2": "explicit_port",
  "3.1": "well_known",
  "3.2": "well_known",
  "3.3": "well_known_srv",
  "3.4": "well_known_srv_legacy",
  "3.5": "well_known_default",
  "4": "srv",
  "5": "srv_legacy",
  "6": "default",
};

/** 1 iff no check failed or errored (warnings and skips do not fail a probe). */
export function runSucceeded(checks: readonly CheckResult[]): boolean {
  return !checks.some((c) => c.status === "fail" || c.status === "error");
}

const CACHED_NOTE = " (cached result of the scheduled run; see matrix_doctor_last_run_timestamp_seconds)";

export function buildRunMetrics(registry: Registry, outcome: RunOutcome, options: RunMetricsOptions): void {
  const { report, facts } = outcome;
  const help = (text: string): string => (options.mode === "cached" ? `${text}${CACHED_NOTE}` : text);
  const gauge = <L extends string>(name: string, text: string, labelNames: readonly L[] = []): Gauge<L> =>
    new Gauge<L>({ name: `${METRIC_PREFIX}${name}`, help: help(text), labelNames, registers: [registry] });

  const success = runSucceeded(report.checks) ? 1 : 0;
  const durationSeconds = report.durationMs / 1000;
  const startedSeconds = Date.parse(report.startedAt) / 1000;
  if (options.mode === "probe") {
    gauge("probe_success", "Whether no check of the module failed or errored (1) or some did (0).").set(success);
    gauge("probe_duration_seconds", "How long the whole probe took, in seconds.").set(durationSeconds);
    if (options.timeoutSeconds !== undefined) {
      gauge(
        "probe_timeout_seconds",
        "Effective probe timeout in seconds (scrape timeout minus the offset, capped by the module timeout).",
      ).set(options.timeoutSeconds);
    }
  } else {
    gauge("last_run_success", "Whether no check of the scheduled run failed or errored (1) or some did (0).").set(success);
    gauge("last_run_duration_seconds", "How long the scheduled run took, in seconds.").set(durationSeconds);
  }
  if ((options.mode === "cached" || options.runTimestamp) && Number.isFinite(startedSeconds)) {
    new Gauge({
      name: `${METRIC_PREFIX}last_run_timestamp_seconds`,
      help: "When the run whose results these are started, as a Unix timestamp.",
      registers: [registry],
    }).set(startedSeconds);
  }

  if (report.checks.length > 0) {
    // OpenMetrics StateSet emulated with a gauge: every state exported, exactly one is 1 per check.
    const result = gauge("check_result", "Result of each check: one series per result, the current one is 1.", ["check", "category", "result"]);
    const duration = gauge("check_duration_seconds", "Time spent on each check (its probes included), in seconds.", ["check"]);
    for (const c of report.checks) {
      for (const state of STATUSES) result.set({ check: c.id, category: c.category, result: state }, c.status === state ? 1 : 0);
      duration.set({ check: c.id }, c.durationMs / 1000);
    }
  }

  factMetrics(facts, gauge);
}

type GaugeMaker = <L extends string>(name: string, text: string, labelNames?: readonly L[]) => Gauge<L>;

function factMetrics(facts: Partial<FactMap>, gauge: GaugeMaker): void {
  // Leaf certificate per listener, the earliest across that listener's endpoints (leaf only: an old
  // cross-signed root in the chain must not raise a false alarm, blackbox_exporter#340).
  const leafNotAfter = (fact: TlsFact | undefined): number | undefined => {
    const values = (fact?.handshakes ?? [])
      .map((h) => h.chain?.[0]?.notAfterMs)
      .filter((ms): ms is number => typeof ms === "number" && Number.isFinite(ms) && ms > 0);
    return values.length > 0 ? Math.min(...values) / 1000 : undefined;
  };
  const certs = (["federation", "client"] as const)
    .map((listener) => ({ listener, value: leafNotAfter(listener === "federation" ? facts.federationTls : facts.clientTls) }))
    .filter((c): c is { listener: "federation" | "client"; value: number } => c.value !== undefined);
  if (certs.length > 0) {
    const g = gauge("tls_cert_not_after_timestamp_seconds", "NotAfter of the leaf certificate (earliest across the listener's endpoints), as a Unix timestamp.", ["listener"]);
    for (const c of certs) g.set({ listener: c.listener }, c.value);
  }

  if (facts.serverKeys) {
    const validUntil = keyDocuments(facts.serverKeys.responses)
      .documents.map((d) => d.document["valid_until_ts"])
      .filter((v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0);
    if (validUntil.length > 0) {
      gauge(
        "federation_signing_key_valid_until_timestamp_seconds",
        "valid_until_ts of the server key document (earliest across endpoints), as a Unix timestamp.",
      ).set(Math.min(...validUntil) / 1000);
    }
  }

  if (facts.federationEndpoints) {
    const seen = new Map<string, { name: string; version: string }>();
    for (const exchange of facts.federationEndpoints.version) {
      const server = serverOf(exchange.response?.status === 200 ? exchange.response.body : undefined);
      if (server) seen.set(`${server.name}\u0000${server.version}`, server);
    }
    if (seen.size > 0) {
      const g = gauge("server_version_info", "Homeserver implementation and version from /_matrix/federation/v1/version (value 1).", ["name", "version"]);
      for (const s of seen.values()) g.set(s, 1);
    }
  }

  const discovery = facts.discovery;
  const method = discovery?.step ? DELEGATION_METHOD[discovery.step] : undefined;
  if (discovery && method && discovery.targets.length > 0) {
    const g = gauge("federation_delegation_info", "How federation traffic for the server name is routed: the discovery method and each target (value 1).", [
      "method",
      "host",
      "port",
    ]);
    for (const t of discovery.targets) g.set({ method, host: t.host, port: String(t.port) }, 1);
  }

  // TURN: the successful Allocate exchange (challenge included), slowest endpoint per transport.
  const turn = facts.turn;
  if (turn && Array.isArray(turn.endpoints)) {
    const byTransport = new Map<string, number>();
    for (const endpoint of turn.endpoints) {
      const first = endpoint.allocations.find((a) => a.ok);
      if (!first || !Number.isFinite(first.durationMs)) continue;
      byTransport.set(endpoint.transport, Math.max(byTransport.get(endpoint.transport) ?? 0, first.durationMs / 1000));
    }
    if (byTransport.size > 0) {
      const g = gauge(
        "turn_allocate_duration_seconds",
        "Duration of the first successful authenticated TURN Allocate (challenge included), slowest endpoint per transport, in seconds.",
        ["transport"],
      );
      for (const [transport, seconds] of byTransport) g.set({ transport }, seconds);
    }
  }
}

function serverOf(body: string | undefined): { name: string; version: string } | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    const server = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["server"] : undefined;
    if (typeof server !== "object" || server === null) return undefined;
    const { name, version } = server as Record<string, unknown>;
    if (typeof name !== "string" || typeof version !== "string" || name === "" || version === "") return undefined;
    // Label values are free text from a remote server: keep them short.
    return { name: name.slice(0, 64), version: version.slice(0, 64) };
  } catch {
    return undefined;
  }
}
