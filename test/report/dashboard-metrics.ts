// The metric names the Grafana dashboard and the alert rules query, for a cross-check against what the
// exporter really emits (a dashboard panel on a misspelt metric shows "No data" forever, an alert on one never
// fires). Also the PromQL of every panel target and rule, for the promtool syntax check.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

export const DASHBOARD_PATH = fileURLToPath(new URL("../../dashboards/matrix-doctor.json", import.meta.url));
export const ALERTS_PATH = fileURLToPath(new URL("../../dashboards/alerts.yml", import.meta.url));
export const ALERT_TESTS_PATH = fileURLToPath(new URL("../../dashboards/alerts.test.yml", import.meta.url));

interface Target {
  expr?: string;
  refId?: string;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string; mappings?: unknown[] }; overrides?: unknown[] };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: (Target & { datasource?: { type?: string; uid?: string } })[];
  panels?: Panel[];
}
export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function loadDashboard(): { panels: Panel[]; templating: { list: Record<string, unknown>[] } } & Record<string, unknown> {
  return JSON.parse(readFileSync(DASHBOARD_PATH, "utf8"));
}

export function loadRules(): Rule[] {
  const doc = parseYaml(readFileSync(ALERTS_PATH, "utf8")) as { groups: { name: string; rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** Every panel, rows' nested panels included. */
export function allPanels(panels: Panel[] = loadDashboard().panels): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** PromQL of every panel target and variable query, with the dashboard's variables in it. */
export function dashboardExpressions(): { where: string; expr: string }[] {
  const dashboard = loadDashboard();
  const out: { where: string; expr: string }[] = [];
  for (const p of allPanels(dashboard.panels)) {
    for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel ${p.id} "${p.title}" ${t.refId ?? ""}`, expr: t.expr });
  }
  return out;
}

export function variableQueries(): { name: string; query: string }[] {
  return loadDashboard()
    .templating.list.filter((v) => v.type === "query")
    .map((v) => {
      const q = v.query as string | { query: string };
      return { name: String(v.name), query: typeof q === "string" ? q : q.query };
    });
}

export function ruleExpressions(): { where: string; expr: string }[] {
  return loadRules().map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr }));
}

const PROMQL_WORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
  "inf", "nan",
]);

/**
 * The metric names in a PromQL expression: identifiers that are not functions (followed by "("), keywords,
 * label names (inside {…} or a by/without/on/ignoring list) or Grafana variables.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, "{}") // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1()") // label lists
    .replace(/\[[^\]]*\]/g, "[]") // ranges
    .replace(/\$\{?\w+\}?/g, "") // Grafana variables
    .replace(/(?<![A-Za-z0-9_:])\d[\w.]*(?:[eE][+-]\d+)?/g, "0"); // numbers and durations (5m, 1e3)
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const rest = stripped.slice(m.index! + word.length);
    if (/^\s*(\(|(by|without)\s*\()/.test(rest)) continue; // a function call or an aggregation
    if (PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** Sorted, unique metric names that the dashboard (panels and variables) and the alert rules query. */
export function metricNamesInDashboards(): string[] {
  const exprs = [
    ...dashboardExpressions().map((e) => e.expr),
    ...variableQueries().map((v) => v.query.replace(/^label_values\((.*),\s*\w+\)$/s, "$1")),
    ...ruleExpressions().map((e) => e.expr),
  ];
  return [...new Set(exprs.flatMap(metricNamesIn))].sort();
}
