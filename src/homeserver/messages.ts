// Shared wording for the config checks: where a key is, and the upstream documentation pages.

import type { Outcome } from "../engine/check.js";
import type { HomeserverConfigFact } from "../engine/facts/config.js";

const DENDRITE = "https://matrix-org.github.io/dendrite";
const SYNAPSE = "https://element-hq.github.io/synapse/latest";

export const DOCS = {
  dendriteConfig: `${DENDRITE}/installation/manual/configuration`,
  dendriteDatabase: `${DENDRITE}/installation/manual/database`,
  dendriteSigningKeys: `${DENDRITE}/installation/manual/signingkeys`,
  dendriteRegistration: `${DENDRITE}/administration/registration`,
  dendriteDomain: `${DENDRITE}/installation/domainname`,
  dendriteOptimisation: `${DENDRITE}/administration/optimisation`,
  dendriteFaq: `${DENDRITE}/faq`,
  dendriteTroubleshooting: `${DENDRITE}/administration/troubleshooting`,
  /** The sample config of the release the rules follow: its comments are Dendrite's reference for each key. */
  dendriteSample: "https://github.com/matrix-org/dendrite/blob/v0.13.8/dendrite-sample.yaml",
  synapseConfig: `${SYNAPSE}/usage/configuration/config_documentation.html`,
  synapseKey: (key: string): string => `${SYNAPSE}/usage/configuration/config_documentation.html#${key}`,
  synapsePostgres: `${SYNAPSE}/postgres.html`,
  synapseTurn: `${SYNAPSE}/turn-howto.html`,
  synapseDelegate: `${SYNAPSE}/delegate.html`,
} as const;

/** The line of a key path in the config, when recorded. */
export function lineOf(fact: Pick<HomeserverConfigFact, "keys">, path: string): number | undefined {
  return fact.keys.find((k) => k.path === path)?.line;
}

/** The config file's base name and the line of a key: "dendrite.yaml line 43", or just the file name. */
export function at(fact: Pick<HomeserverConfigFact, "path" | "keys">, keyPath: string, line?: number): string {
  const file = fact.path.split("/").pop() ?? fact.path;
  const l = line ?? lineOf(fact, keyPath);
  return l !== undefined ? `${file} line ${l}` : file;
}

/** "`a`, `b` and `c`". */
export function list(items: readonly string[], quote = "`"): string {
  const q = items.map((i) => `${quote}${i}${quote}`);
  if (q.length <= 1) return q.join("");
  return `${q.slice(0, -1).join(", ")} and ${q[q.length - 1]}`;
}

/** The restart command for the implementation's usual unit. */
export function restart(fact: Pick<HomeserverConfigFact, "implementation">): string {
  return fact.implementation === "dendrite" ? "systemctl restart dendrite" : "systemctl restart matrix-synapse";
}

/** One problem a config check found. */
export interface Finding {
  level: "fail" | "warn";
  text: string;
  fix: string;
  docs?: string;
}

/**
 * The outcome of a check that collects several findings: the worst level wins, the summary tells the first
 * finding of that level (and how many more there are), the fix lists every finding's fix, fails first.
 */
export function verdict(findings: readonly Finding[], passSummary: string, details: Record<string, unknown> = {}): Outcome {
  if (findings.length === 0) return { status: "pass", summary: passSummary, details };
  const ordered = [...findings.filter((f) => f.level === "fail"), ...findings.filter((f) => f.level === "warn")];
  const first = ordered[0] as Finding;
  const more = ordered.length - 1;
  const fix = [...new Set(ordered.map((f) => f.fix))].join("\n");
  return {
    status: first.level,
    summary: `${first.text}${more > 0 ? ` (+${more} more)` : ""}`,
    fix,
    details: { ...details, findings: ordered.map((f) => `${f.level}: ${f.text}`) },
    ...(first.docs && { docs: first.docs }),
  };
}
