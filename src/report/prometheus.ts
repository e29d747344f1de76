// `--format prometheus`: the metrics of one run in the text exposition format, for node_exporter's textfile
// collector (write to a .prom file in its directory, e.g. from a systemd timer). Same names as the
// exporter's /probe, plus matrix_doctor_last_run_timestamp_seconds so stale files can be alerted on.

import { Registry } from "prom-client";
import type { RunOutcome } from "../engine/run.js";
import { buildRunMetrics } from "./metrics.js";

export async function renderPrometheus(outcome: RunOutcome): Promise<string> {
  const registry = new Registry();
  buildRunMetrics(registry, outcome, { mode: "probe", runTimestamp: true });
  return registry.metrics();
}
