// Dendrite's config declares `version: 2`, the only format Dendrite v0.13 accepts (setup/config/config.go check():
// "config version is …, expected 2 … please revisit the sample config"). A missing key passes Dendrite's own check
// (the default is 2) but marks a file written for an old release. Synapse's config has no such key.

import { defineCheck, fail, pass, skip, warn, type Outcome } from "../src/engine/check.js";
import { at, DOCS } from "../src/homeserver/messages.js";

export default defineCheck({
  id: "config-dendrite-version",
  category: "config",
  title: "Dendrite config declares version: 2",
  docs: DOCS.dendriteSample,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    if (fact.implementation !== "dendrite") return skip("Synapse's homeserver.yaml has no version key (a Dendrite check)");
    const where = at(fact, "version", fact.configVersionLine);
    const details = { configVersion: fact.configVersion ?? null };
    if (!("configVersion" in fact)) {
      return warn(
        `${fact.path} has no top-level version key: Dendrite v0.13 assumes 2, so the file may predate the current format`,
        `Add \`version: 2\` at the top of ${fact.path} and compare the file with the release's dendrite-sample.yaml for keys added or renamed since.`,
        details,
      );
    }
    const v = fact.configVersion;
    if (v === 2) return pass(`version: 2 (${where})`, details);
    const written = typeof v === "string" ? `"${v}" (a string)` : String(v);
    return fail(
      `version is ${written} at ${where}, but Dendrite v0.13 accepts only 2 and refuses to start`,
      typeof v === "string" && v.trim() === "2"
        ? `Write the number without quotes: \`version: 2\` (${where}); Dendrite's YAML decoder cannot read the string "2" into the version field.`
        : `The file is for another config format: start from the release's dendrite-sample.yaml (${DOCS.dendriteSample}), carry over your values, and set \`version: 2\`.`,
      details,
    );
  },
});
