// The page at `/`: what the exporter checks and what it last found, server-rendered in one response
// (no build step, no scripts, no external assets). Every value is escaped: target names, check findings
// and server versions come from configuration or from remote servers.

import type { RunSummary, Status } from "../engine/types.js";

export interface CheckSnapshot {
  id: string;
  title: string;
  category: string;
  status: Status;
  summary: string;
}

export interface RunSnapshot {
  startedAt: string;
  durationMs: number;
  success: boolean;
  summary: RunSummary;
  checks: CheckSnapshot[];
}

export interface StatusPageData {
  version: string;
  startedAt: Date;
  configFile?: string;
  reload: { ok: boolean; at?: Date; error?: string };
  targets: string[];
  modules: { name: string; checks: string[]; timeoutSeconds: number; count: number }[];
  defaultModule: string;
  /** Last /probe result per target and module. */
  lastProbe(target: string, module: string): RunSnapshot | undefined;
  schedule?: {
    cron: string;
    serverName: string;
    checks: string[];
    timeoutSeconds: number;
    nextRun?: Date;
    running: boolean;
    skipped: number;
    last?: RunSnapshot;
  };
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

const SYMBOL: Record<Status, string> = { pass: "✓", warn: "!", fail: "✗", skip: "–", error: "☠" };

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1d2327;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;background:#f6f7f7}code{font-size:.85em;color:#50575e}.muted{color:#646970}
.status{white-space:nowrap;font-weight:600}.pass{color:#00750f}.warn{color:#8a5a00}.fail,.error{color:#b32d2e}.skip{color:#646970}
.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.85em;font-weight:600;background:#eee}
.badge.ok{background:#d7f2dc;color:#00530b}.badge.bad{background:#f7d7d7;color:#8a1f1f}
`;

function when(d: Date | string | undefined): string {
  if (d === undefined) return "never";
  const date = typeof d === "string" ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? "unknown" : date.toISOString().replace(/\.\d{3}Z$/, "Z").replace("T", " ");
}

function counts(s: RunSummary): string {
  const parts = (["pass", "warn", "fail", "error", "skip"] as const).filter((k) => s[k] > 0).map((k) => `${s[k]} ${k}`);
  return parts.join(", ") || "no checks";
}

function badge(run: RunSnapshot | undefined): string {
  if (!run) return `<span class="badge">not run yet</span>`;
  return run.success ? `<span class="badge ok">healthy</span>` : `<span class="badge bad">problems found</span>`;
}

function checksTable(run: RunSnapshot): string {
  const rows = run.checks
    .map(
      (c) =>
        `<tr><td class="status ${c.status}">${SYMBOL[c.status]} ${escapeHtml(c.status)}</td>` +
        `<td>${escapeHtml(c.title)}<br><code>${escapeHtml(c.id)}</code></td><td>${escapeHtml(c.summary)}</td></tr>`,
    )
    .join("\n");
  return `<table class="checks"><thead><tr><th>Status</th><th>Check</th><th>Finding</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function probeLink(target: string, module: string, debug: boolean): string {
  const query = `target=${encodeURIComponent(target)}&module=${encodeURIComponent(module)}${debug ? "&debug=true" : ""}`;
  return `probe?${query}`;
}

export function renderStatusPage(data: StatusPageData): string {
  const out: string[] = [];
  out.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<title>matrix-doctor exporter</title><style>${CSS}</style></head><body>`,
    `<h1>matrix-doctor exporter</h1>`,
    `<p class="muted">Version ${escapeHtml(data.version)} · up since ${escapeHtml(when(data.startedAt))} · ` +
      `configuration ${data.configFile ? `<code>${escapeHtml(data.configFile)}</code>` : "from flags"}, ` +
      (data.reload.ok
        ? `loaded ${escapeHtml(when(data.reload.at))}`
        : `<span class="fail">last reload failed: ${escapeHtml(data.reload.error ?? "")}</span> (the previous configuration is in use)`) +
      ` · <a href="metrics">metrics</a></p>`,
  );

  out.push(`<h2>Targets</h2>`);
  if (data.targets.length === 0) {
    out.push(`<p>No target is allowed: /probe refuses every target. Add <code>targets:</code> to the configuration or pass <code>--target</code>.</p>`);
  } else {
    out.push(`<table class="targets"><thead><tr><th>Target</th><th>Module</th><th>Last probe</th><th>Result</th><th></th></tr></thead><tbody>`);
    for (const target of data.targets) {
      for (const m of data.modules) {
        const run = data.lastProbe(target, m.name);
        out.push(
          `<tr><td>${escapeHtml(target)}</td><td>${escapeHtml(m.name)}</td><td>${escapeHtml(when(run?.startedAt))}</td>` +
            `<td>${badge(run)}${run ? ` <span class="muted">${escapeHtml(counts(run.summary))}</span>` : ""}</td>` +
            `<td><a href="${escapeHtml(probeLink(target, m.name, true))}">probe now (debug)</a></td></tr>`,
        );
      }
    }
    out.push(`</tbody></table>`);
    for (const target of data.targets) {
      for (const m of data.modules) {
        const run = data.lastProbe(target, m.name);
        if (!run) continue;
        out.push(
          `<h3>${escapeHtml(target)} · module ${escapeHtml(m.name)} ${badge(run)}</h3>`,
          `<p class="muted">Last probe ${escapeHtml(when(run.startedAt))}, took ${escapeHtml((run.durationMs / 1000).toFixed(1))} s: ${escapeHtml(counts(run.summary))}.</p>`,
          checksTable(run),
        );
      }
    }
  }

  out.push(`<h2>Scheduled server-side checks</h2>`);
  const s = data.schedule;
  if (!s) {
    out.push(`<p class="muted">No schedule configured (add <code>schedule:</code> and <code>local:</code> to run the PostgreSQL, systemd, TURN and config checks here).</p>`);
  } else {
    out.push(
      `<p>${escapeHtml(s.serverName)} ${badge(s.last)} · cron <code>${escapeHtml(s.cron)}</code> · checks ${escapeHtml(s.checks.join(", "))} · ` +
        `last run ${escapeHtml(when(s.last?.startedAt))}${s.running ? " (running now)" : ""} · next ${escapeHtml(when(s.nextRun))}` +
        ` · ${escapeHtml(s.skipped)} ticks skipped while a run was still going</p>`,
    );
    if (s.last) out.push(checksTable(s.last));
  }

  out.push(`<h2>Modules</h2><table class="modules"><thead><tr><th>Module</th><th>Checks</th><th>Timeout</th></tr></thead><tbody>`);
  for (const m of data.modules) {
    out.push(
      `<tr><td>${escapeHtml(m.name)}${m.name === data.defaultModule ? ` <span class="muted">(default)</span>` : ""}</td>` +
        `<td>${escapeHtml(m.checks.join(", "))} <span class="muted">(${escapeHtml(m.count)} checks)</span></td><td>${escapeHtml(m.timeoutSeconds)} s</td></tr>`,
    );
  }
  out.push(`</tbody></table>`, `</body></html>\n`);
  return out.join("\n");
}
