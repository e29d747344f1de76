// The exporter's own metrics, served only on /metrics (never on a /probe scrape: writing_exporters.md).
// One registry per exporter instance, so tests can run several in one process.

import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { VERSION } from "../version.js";

export const REJECT_REASONS = ["missing_target", "unknown_module", "target_not_allowed", "concurrency_limit", "bad_timeout"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export class SelfMetrics {
  readonly registry = new Registry();
  readonly reloadSuccessful: Gauge;
  readonly reloadSuccessTimestamp: Gauge;
  readonly probes: Counter<"module">;
  readonly rejected: Counter<"reason">;
  readonly moduleUnknown: Counter;
  readonly checkCrashes: Counter<"check">;
  readonly inFlight: Gauge;
  readonly scheduledRuns: Counter;
  readonly scheduledSkipped: Counter;

  constructor(revision: string) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client adds gauges named *_total that sum the per-type nodejs_active_{handles,requests,resources}
    // series: a gauge must not end in _total (promtool check metrics), and a total beside its per-label
    // series is what writing_exporters.md says not to export.
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) {
      this.registry.removeSingleMetric(name);
    }
    new Gauge({
      name: "matrix_doctor_build_info",
      help: "Build information of the running exporter (value 1).",
      labelNames: ["version", "revision", "nodejs_version"],
      registers,
    }).set({ version: VERSION, revision, nodejs_version: process.version }, 1);
    this.reloadSuccessful = new Gauge({
      name: "matrix_doctor_config_last_reload_successful",
      help: "Whether the last configuration reload succeeded (1) or failed and the previous configuration stayed (0).",
      registers,
    });
    this.reloadSuccessTimestamp = new Gauge({
      name: "matrix_doctor_config_last_reload_success_timestamp_seconds",
      help: "When the configuration was last loaded successfully, as a Unix timestamp.",
      registers,
    });
    this.probes = new Counter({ name: "matrix_doctor_probes_total", help: "Probes run through /probe, by module.", labelNames: ["module"], registers });
    this.rejected = new Counter({
      name: "matrix_doctor_probe_rejections_total",
      help: "/probe requests refused before running (bad request, target not allowed, concurrency limit), by reason.",
      labelNames: ["reason"],
      registers,
    });
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
    this.moduleUnknown = new Counter({ name: "matrix_doctor_module_unknown_total", help: "/probe requests naming a module that is not configured.", registers });
    this.checkCrashes = new Counter({
      name: "matrix_doctor_check_crashes_total",
      help: "Checks that ended in the error state (a matrix-doctor bug, not a target problem), by check.",
      labelNames: ["check"],
      registers,
    });
    this.inFlight = new Gauge({ name: "matrix_doctor_probes_in_flight", help: "Probes running right now (/probe and the schedule).", registers });
    this.scheduledRuns = new Counter({ name: "matrix_doctor_scheduled_runs_total", help: "Scheduled server-side runs started.", registers });
    this.scheduledSkipped = new Counter({
      name: "matrix_doctor_scheduled_runs_skipped_total",
      help: "Scheduled ticks skipped because the previous run was still going.",
      registers,
    });
  }

  setModules(names: Iterable<string>): void {
    // Known label values are exported from the start (0), so rate() works from the first probe.
    for (const module of names) this.probes.inc({ module }, 0);
  }
}
