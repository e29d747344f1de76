// Keys the homeserver does not know but that look like typos of keys it does (Levenshtein distance ≤ 2, or '-'
// for '_', or letter case): both homeservers silently ignore unknown keys, so `turn-shared-secret:` or
// `server-name:` just loses the setting (matrix-org/synapse#3513). The known keys per section come from Dendrite
// v0.13.8's setup/config yaml tags and Synapse's config schema (src/homeserver/known-keys.ts names the sources).
// Unknown keys that resemble nothing known are listed in the details but not judged: a newer release or a
// module may read them.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import { reviewKeys } from "../src/homeserver/known-keys.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";

export default defineCheck({
  id: "config-unknown-keys",
  category: "config",
  title: "No misspelt config keys",
  docs: DOCS.synapseConfig,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    const { typos, unknown } = reviewKeys(fact.implementation, fact.keys);
    const docs = fact.implementation === "dendrite" ? DOCS.dendriteSample : DOCS.synapseConfig;
    const findings: Finding[] = typos.map((t) => {
      const written = t.path.split(".").pop() ?? t.path;
      const meant = t.meant.split(".").pop() ?? t.meant;
      const where = at(fact, t.path, t.line);
      return {
        level: "warn",
        text:
          `\`${t.path}\` (${where}) is not a key ${fact.implementation === "dendrite" ? "Dendrite" : "Synapse"} reads; it looks like \`${t.meant}\`, so the setting is ignored` +
          (t.meantAlsoPresent ? ` (\`${t.meant}\` is also set, at ${at(fact, t.meant)})` : ""),
        fix: t.meantAlsoPresent
          ? `Delete the ignored \`${written}:\` line (${where}) in ${fact.path} and make sure \`${meant}\` holds the value you want.`
          : `Rename \`${written}:\` to \`${meant}:\` (${where}) in ${fact.path}, then \`${fact.implementation === "dendrite" ? "systemctl restart dendrite" : "systemctl restart matrix-synapse"}\`.`,
        docs,
      };
    });
    const details = {
      typos: typos.map((t) => ({ key: t.path, meant: t.meant, ...(t.line !== undefined && { line: t.line }) })),
      unrecognised: unknown.map((k) => k.path),
    };
    const others = unknown.length > 0 ? `; ${unknown.length} other key${unknown.length === 1 ? "" : "s"} matrix-doctor does not know (${unknown.slice(0, 5).map((k) => k.path).join(", ")}${unknown.length > 5 ? ", …" : ""})` : "";
    return verdict(findings, `no key looks misspelt (${fact.keys.length} keys read)${others}`, details);
  },
});
