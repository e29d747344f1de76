// Records the facts the probes gather from the running test rig, for replay by the check tests
// (test/checks/recorded.test.ts). Run inside the rig's namespace after `npm run build`:
//   nsenter --net=/run/netns/mdtest node scripts/record-facts.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { runChecks } from "../dist/src/engine/run.js";
import { PROBES } from "../dist/src/probes/index.js";
import { CHECKS } from "../dist/checks/index.js";

const REMOTE = new Set(["dns", "wellknown", "tls", "federation", "client"]);
const rig = JSON.parse(readFileSync(process.env.MATRIX_DOCTOR_RIG ?? ".rig/rig.json", "utf8"));
const out = new URL("../test/fixtures/remote/", import.meta.url);
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [
  "example.test", "expired.example.test", "wrongname.example.test", "nochain.example.test", "tls11.example.test",
  "splitbrain.example.test", "wk-308.example.test", "srvcname.example.test", "s33.example.test",
  "cl-nocors.example.test", "fed-html404.example.test",
];

for (const name of names) {
  const checks = CHECKS.filter((c) => REMOTE.has(c.category));
  const { report, facts } = await runChecks({
    checks,
    probes: PROBES,
    input: { serverName: name, resolver: rig.resolver, extraCa: [readFileSync(rig.caFile, "utf8")], timeoutMs: 10_000, allowPrivateAddresses: true },
  });
  const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  const fixture = { serverName: name, recordedAt: Date.parse(report.startedAt), allowPrivateAddresses: true, statuses, facts };
  writeFileSync(new URL(`${name}.json`, out), `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(`${name}: ${JSON.stringify(report.summary)}`);
}
process.exit(0);
