// Every allocation the probe made was released with Refresh LIFETIME=0 (RFC 8656 §7), so a run (or a
// scheduled exporter run) leaves no relay ports behind. A refused release is only a warning: coturn
// frees the allocation itself when its lifetime ends.

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import { DOCS, endpointLabel, outcomeOf, transportLabel, type Problem } from "../src/turn/verdict.js";

export default defineCheck({
  id: "turn-cleanup",
  category: "turn",
  title: "TURN allocations are released after the test",
  docs: DOCS.coturnConf,
  requires: ["turn"],
  run({ turn }): Outcome {
    const made = turn.endpoints.flatMap((e) => e.allocations.filter((a) => a.ok).map((a) => ({ e, a })));
    if (made.length === 0) return skip("no allocation was made");
    const problems: Problem[] = [];
    for (const { e, a } of made) {
      if (a.refresh?.ok) continue;
      const why = a.refresh
        ? `${a.refresh.errorCode ?? a.refresh.error?.code ?? "no answer"}${a.refresh.reason ? ` ${a.refresh.reason}` : ""}`
        : "no Refresh was sent";
      problems.push({
        level: "warn",
        text: `${transportLabel(e.transport)} ${endpointLabel(e)}: the allocation (${a.credential} credentials) was not released by Refresh(lifetime 0): ${why}`,
        fix:
          `coturn frees it when its lifetime ends (${a.lifetime ?? 600} s); nothing to do unless it repeats. If it does, look for the Refresh in coturn's log ` +
          "(`journalctl -u coturn`) and keep `max-allocate-lifetime` short (the default 3600 s) so leaked allocations expire.",
      });
    }
    return outcomeOf(problems, `all ${made.length} allocation(s) released with Refresh(lifetime 0)`, {
      released: made.filter(({ a }) => a.refresh?.ok).length,
      total: made.length,
    });
  },
});
