// Wall time and peak memory (max RSS of the child, from /usr/bin/time -f %M) of one full diagnosis of the
// rig's healthy deployment, N runs each (after one discarded warm-up run):
//   remote:     matrix-doctor example.test --resolver R --ca-file CA --allow-private-addresses --json
//   everything: matrix-doctor --homeserver-config dendrite.yaml  (env: resolver, CA, private addresses,
//               MATRIX_DOCTOR_SYSTEMCTL from rig.json), human format
// A sample counts only if the run exits 0; any other exit makes the script exit 1.
//
//   nsenter --net=/run/netns/mdtest node bench/diagnosis.mjs [--runs 7] [--warmup 1]
import { CLI, cleanEnv, commandLine, environment, jsonLine, loadRig, parseArgs, requireTimeBin, summary, table, timeChild } from "./lib.mjs";

const opts = parseArgs({ runs: 7, warmup: 1 });
const rig = loadRig();
requireTimeBin();

const scenarios = [
  {
    name: "remote",
    argv: [process.execPath, CLI, rig.dendrite.serverName, "--resolver", rig.resolver, "--ca-file", rig.caFile, "--allow-private-addresses", "--json"],
    envExtra: {},
  },
  {
    name: "everything",
    argv: [process.execPath, CLI, "--homeserver-config", rig.dendrite.configPath],
    envExtra: {
      MATRIX_DOCTOR_RESOLVER: rig.resolver,
      MATRIX_DOCTOR_CA_FILE: rig.caFile,
      MATRIX_DOCTOR_ALLOW_PRIVATE_ADDRESSES: "1",
      ...(rig.services?.systemd?.systemctl ? { MATRIX_DOCTOR_SYSTEMCTL: rig.services.systemd.systemctl } : {}),
    },
  },
];

for (const s of scenarios) s.env = cleanEnv(s.envExtra);

const results = {};
let invalid = 0;
for (const s of scenarios) {
  for (let i = 0; i < opts.warmup; i++) await timeChild(s.argv, { env: s.env, measureRss: true });
  const samples = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = await timeChild(s.argv, { env: s.env, measureRss: true });
    samples.push(r);
    if (r.exitCode !== 0) {
      invalid++;
      console.error(`bench: ${s.name} run ${i + 1} exited ${r.exitCode}; stderr tail:\n${r.stderr.slice(-1500)}`);
    }
    process.stderr.write(`  ${s.name} ${i + 1}/${opts.runs}: ${r.wallMs.toFixed(0)} ms, ${(r.maxRssKiB / 1024).toFixed(1)} MiB, exit ${r.exitCode}\n`);
  }
  const valid = samples.filter((r) => r.exitCode === 0);
  results[s.name] = {
    command: commandLine([...Object.entries(s.envExtra).map(([k, v]) => `${k}=${v}`), ...s.argv]),
    exitCodes: samples.map((r) => r.exitCode),
    validRuns: valid.length,
    wallMs: summary(valid.map((r) => r.wallMs), 0),
    maxRssMiB: summary(valid.map((r) => r.maxRssKiB / 1024), 1),
  };
}

console.log(`\nmatrix-doctor diagnosis of the healthy rig (${opts.runs} runs each, ${opts.warmup} warm-up discarded)\n`);
table([
  ["diagnosis", "wall median ms", "min", "max", "max RSS median MiB", "min", "max", "exit 0"],
  ...Object.entries(results).map(([name, r]) => [
    name, r.wallMs.median, r.wallMs.min, r.wallMs.max, r.maxRssMiB.median, r.maxRssMiB.min, r.maxRssMiB.max, `${r.validRuns}/${opts.runs}`,
  ]),
]);
console.log();
jsonLine({ bench: "diagnosis", runs: opts.runs, valid: invalid === 0, env: await environment(), results });
process.exit(invalid ? 1 : 0);
