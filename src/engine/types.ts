// The contract between probes, checks, reports and the exporter. Everything here is plain data:
// facts and results must survive JSON.stringify unchanged (fixtures are recorded that way).

export const CATEGORIES = [
  "dns",
  "wellknown",
  "tls",
  "federation",
  "client",
  "turn",
  "postgres",
  "systemd",
  "config",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const STATUSES = ["pass", "warn", "fail", "skip", "error"] as const;
export type Status = (typeof STATUSES)[number];

/** One judged check, as every report format and the exporter see it. */
export interface CheckResult {
  id: string;
  category: Category;
  title: string;
  status: Status;
  /** One line: what was found. */
  summary: string;
  /** Machine-readable findings (e.g. the discovery step, addresses). */
  details?: Record<string, unknown>;
  /** For warn/fail: a concrete way to repair it (a config line, a command). */
  fix?: string;
  /** Where to read more. */
  docs?: string;
  durationMs: number;
}

export interface RunSummary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  error: number;
}

export interface RunReport {
  schemaVersion: 1;
  tool: { name: "matrix-doctor"; version: string };
  target: string;
  startedAt: string;
  durationMs: number;
  summary: RunSummary;
  checks: CheckResult[];
}

/** Network failure classes that checks turn into findings. */
export type NetErrorCode =
  | "timeout"
  | "refused"
  | "reset"
  | "unreachable"
  | "dns"
  | "tls"
  | "too-large"
  | "protocol"
  | "aborted"
  | "other";

export interface NetError {
  code: NetErrorCode;
  message: string;
}
