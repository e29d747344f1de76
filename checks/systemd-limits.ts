// The homeserver's open-files limit. Dendrite needs many file descriptors (one per federation
// connection, database connection, media file) and recommends at least 65535; at start-up it raises
// its soft limit to 65535 itself, which works only when the hard limit (LimitNOFILE=) allows it
// (setup/base/sanity_unix.go). Synapse raises its soft limit to the hard limit (soft_file_limit: 0),
// so for Synapse the limit is reported, not judged.

import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { homeserverUnit, latest } from "../src/engine/facts/systemd.js";

const DENDRITE_DOC = "https://matrix-org.github.io/dendrite/administration/optimisation#file-descriptor-limit";
const SYNAPSE_DOC = "https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#soft_file_limit";
const RECOMMENDED = 65535;

type Limit = number | "infinity" | undefined;

function text(limit: Limit): string {
  return limit === undefined ? "unknown" : String(limit);
}

function atLeast(limit: Limit, n: number): boolean {
  return limit === "infinity" || (limit !== undefined && limit >= n);
}

export default defineCheck({
  id: "systemd-limits",
  category: "systemd",
  title: "The homeserver may open enough files (LimitNOFILE)",
  docs: DENDRITE_DOC,
  requires: ["systemd"],
  optional: ["homeserverConfig"],
  run({ systemd, homeserverConfig }): Outcome {
    if (!systemd.reachable) return skip("systemd is not reachable here (systemd-reachable says why)");
    const unitFact = homeserverUnit(systemd);
    if (!unitFact) return skip("no homeserver unit to read the limit from (systemd-homeserver-unit says why)");
    const unit = unitFact.name;
    const s = latest(unitFact);
    if (s.loadState !== "loaded") return skip(`${unit} is not loaded (systemd-homeserver-unit says why)`);
    const hard = s.limitNofile;
    const soft = s.limitNofileSoft;
    if (hard === undefined) return skip(`${unit} reports no LimitNOFILE (not a service?)`);

    const named = homeserverConfig?.implementation ?? systemd.homeserver.implementation;
    const implementation = named ?? (/synapse/i.test(unit) ? "synapse" : /dendrite/i.test(unit) ? "dendrite" : undefined);
    const details = { unit, limitNofile: hard, ...(soft !== undefined && { limitNofileSoft: soft }), implementation: implementation ?? "unknown" };
    const pair = `LimitNOFILE=${text(hard)}${soft !== undefined && soft !== hard ? ` (soft ${text(soft)})` : ""}`;

    if (implementation === "synapse") {
      return pass(`${unit}: ${pair}; Synapse raises its soft limit to the hard limit by itself (soft_file_limit: 0)`, { ...details, docs: SYNAPSE_DOC });
    }
    const assumed = implementation === undefined ? " (implementation unknown; Dendrite's recommendation applied)" : "";
    if (!atLeast(hard, RECOMMENDED)) {
      return {
        status: "warn",
        summary: `${unit}: ${pair} is below the ${RECOMMENDED} open files Dendrite recommends, and Dendrite cannot raise it past the hard limit${assumed}`,
        fix: `\`systemctl edit ${unit}\` and add\n[Service]\nLimitNOFILE=${RECOMMENDED}\nthen \`systemctl restart ${unit}\`.`,
        details,
        docs: DENDRITE_DOC,
      };
    }
    const raise = !atLeast(soft, RECOMMENDED) && soft !== undefined ? `; Dendrite raises its soft limit from ${text(soft)} to ${RECOMMENDED} at start-up` : "";
    return pass(`${unit}: ${pair}, enough for Dendrite's recommended ${RECOMMENDED}${raise}${assumed}`, details);
  },
});
