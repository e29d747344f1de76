// The PostgreSQL major is one the homeserver supports, and one that still gets security fixes.
// Synapse checks server_version_num at start and refuses anything below its minimum: 14 since
// v1.143.0 (13 from v1.122.0, 11 before, e.g. v1.98); Dendrite's docs ask for 12 or later.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  connectedDatabases,
  foldVerdicts,
  NOT_CONNECTED,
  pgLabel,
  pgMajor,
  type DatabaseVerdict,
  type PostgresImplementation,
} from "../src/engine/facts/postgres.js";

const SYNAPSE_MIN = 140000;
const DENDRITE_MIN = 120000;
const VERSIONING = "https://www.postgresql.org/support/versioning/";
const SYNAPSE_POLICY = "https://element-hq.github.io/synapse/latest/deprecation_policy.html";
const DENDRITE_PLANNING = "https://matrix-org.github.io/dendrite/installation/planning";

/** Final release dates of PostgreSQL majors (postgresql.org/support/versioning). */
const END_OF_LIFE: Record<string, string> = {
  "9.6": "2021-11-11",
  "10": "2022-11-10",
  "11": "2023-11-09",
  "12": "2024-11-21",
  "13": "2025-11-13",
  "14": "2026-11-12",
  "15": "2027-11-11",
  "16": "2028-11-09",
  "17": "2029-11-08",
  "18": "2030-11-14",
};

function upgradeFix(major: string): string {
  return (
    `Upgrade PostgreSQL to a supported major. On Debian/Ubuntu: \`apt install postgresql-17\`, then \`pg_upgradecluster ${major} main\` ` +
    `(it moves the data and the port to the new cluster; \`pg_dropcluster ${major} main\` once all works); ` +
    `elsewhere dump with \`pg_dumpall\` and restore into the new server.`
  );
}

function verdict(versionNum: number, version: string | undefined, implementation: PostgresImplementation, now: number): DatabaseVerdict {
  const major = pgMajor(versionNum);
  const shown = `PostgreSQL ${version?.split(" ")[0] ?? major}`;
  const eol = END_OF_LIFE[major];
  if (implementation === "synapse" && versionNum < SYNAPSE_MIN) {
    return {
      status: "fail",
      text: `${shown}: current Synapse (v1.143.0 and later) requires PostgreSQL 14 or above and refuses to start ("Synapse requires PostgreSQL 14 or above."); v1.122-v1.142 needed 13, older releases such as v1.98 needed 11`,
      fix: upgradeFix(major),
      docs: SYNAPSE_POLICY,
    };
  }
  if (implementation !== "synapse" && versionNum < DENDRITE_MIN) {
    return {
      status: "fail",
      text: `${shown}: Dendrite needs PostgreSQL 12 or later${implementation === "unknown" ? " (current Synapse needs 14)" : ""}`,
      fix: upgradeFix(major),
      docs: DENDRITE_PLANNING,
    };
  }
  if (eol && Date.parse(`${eol}T00:00:00Z`) <= now) {
    const synapseNote = implementation === "synapse" ? "; Synapse drops PostgreSQL versions once they are out of support" : "";
    return {
      status: "warn",
      text: `${shown} is past its end of life (${eol}): no more security fixes${synapseNote}`,
      fix: upgradeFix(major),
      docs: VERSIONING,
    };
  }
  if (implementation === "unknown" && versionNum < SYNAPSE_MIN) {
    return {
      status: "warn",
      text: `${shown} is enough for Dendrite (12+) but not for current Synapse (14+); the homeserver is unknown without --homeserver-config`,
      fix: `If this is Synapse's database: ${upgradeFix(major)}`,
      docs: SYNAPSE_POLICY,
    };
  }
  const need = implementation === "synapse" ? "Synapse needs 14+" : implementation === "dendrite" ? "Dendrite needs 12+" : "Dendrite needs 12+, Synapse 14+";
  return { status: "pass", text: `${shown} (${need}${eol ? `; supported until ${eol}` : ""})` };
}

export default defineCheck({
  id: "postgres-version",
  category: "postgres",
  title: "PostgreSQL is a version the homeserver supports",
  docs: VERSIONING,
  requires: ["postgres"],
  run({ postgres }, ctx): Outcome {
    const dbs = connectedDatabases(postgres).filter((c) => c.server.versionNum !== undefined);
    if (dbs.length === 0) return { status: "skip", summary: NOT_CONNECTED };
    // Several connection strings to one server say the same: judge each server once.
    const seen = new Set<string>();
    const unique = dbs.filter((c) => {
      const key = `${c.endpoint.address ?? c.endpoint.host}:${c.endpoint.port}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const verdicts = unique.map((c) => ({ c, v: verdict(c.server.versionNum!, c.server.version, postgres.implementation, ctx.now) }));
    return foldVerdicts(verdicts, {
      implementation: postgres.implementation,
      servers: unique.map((c) => ({ target: pgLabel(c), versionNum: c.server.versionNum, version: c.server.version })),
    });
  },
});
