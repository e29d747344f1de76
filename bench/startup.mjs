// Time to first output of the CLI.
//   1. `--help`, `--list-checks`, `--version`: wall time (spawn to exit), median of N (default 15), against
//      `node -e 0` measured the same way on the same machine (the floor: Node's own start-up).
//   2. A real run against the rig's healthy deployment (remote checks), M runs (default 7):
//      - human format: time to the first stdout byte. The human report is printed at the end, so this
//        is close to the whole run; listed for what a user waits for on a terminal.
//      - --verbose: time to the first stderr line (the first network operation, "· net: dns A …"),
//        i.e. the first output the user sees.
//   One discarded warm-up run per command first; the quick commands are run round-robin.
//
//   nsenter --net=/run/netns/mdtest node bench/startup.mjs [--runs 15] [--real-runs 7] [--warmup 1]
import { CLI, cleanEnv, commandLine, environment, jsonLine, loadRig, parseArgs, summary, table, timeChild } from "./lib.mjs";

const opts = parseArgs({ runs: 15, "real-runs": 7, warmup: 1 });
const rig = loadRig();
const env = cleanEnv();
const node = process.execPath;

// Several commands measured round-robin (one run of each per round), so that load from other
// processes on a shared machine hits them alike; each result only from its own exit-code-valid runs.
async function measure(commands, runs, { expectExit = 0, firstStdout = false, firstStderrLine = false } = {}) {
  for (let i = 0; i < opts.warmup; i++) for (const argv of Object.values(commands)) await timeChild(argv, { env });
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [k, argv] of Object.entries(commands)) samples[k].push(await timeChild(argv, { env }));
  return Object.fromEntries(Object.entries(samples).map(([k, rs]) => {
    const argv = commands[k];
    const bad = rs.filter((r) => r.exitCode !== expectExit);
    if (bad.length) console.error(`bench: ${commandLine(argv)}: ${bad.length} run(s) exited ${bad.map((r) => r.exitCode).join(",")}; stderr tail:\n${bad[0].stderr.slice(-1000)}`);
    const ok = rs.filter((r) => r.exitCode === expectExit);
    const out = { command: commandLine(argv), exitCodes: rs.map((r) => r.exitCode), valid: bad.length === 0, wallMs: summary(ok.map((r) => r.wallMs), 1) };
    if (firstStdout) out.firstStdoutMs = summary(ok.map((r) => r.firstStdoutMs ?? r.wallMs), 1);
    if (firstStderrLine) {
      out.firstStderrLineMs = summary(ok.map((r) => r.firstStderrLineMs ?? r.wallMs), 1);
      out.firstStderrLine = ok[0]?.firstStderrLine ?? null;
    }
    return [k, out];
  }));
}

const quick = await measure({
  "node -e 0": [node, "-e", "0"],
  "--version": [node, CLI, "--version"],
  "--help": [node, CLI, "--help"],
  "--list-checks": [node, CLI, "--list-checks"],
}, opts.runs);
const floor = quick["node -e 0"].wallMs.median;
for (const r of Object.values(quick)) r.overNodeMs = Number((r.wallMs.median - floor).toFixed(1));

const remote = [node, CLI, rig.dendrite.serverName, "--resolver", rig.resolver, "--ca-file", rig.caFile, "--allow-private-addresses"];
const real = {
  ...(await measure({ human: remote }, opts["real-runs"], { firstStdout: true })),
  ...(await measure({ verbose: [...remote, "--verbose"] }, opts["real-runs"], { firstStderrLine: true })),
};

console.log(`\nCLI start-up (median of ${opts.runs}; ${opts.warmup} warm-up discarded)\n`);
table([
  ["command", "wall median ms", "min", "max", "median over node -e 0 ms"],
  ...Object.entries(quick).map(([name, r]) => [name, r.wallMs.median, r.wallMs.min, r.wallMs.max, r.overNodeMs]),
]);
console.log(`\nReal run against the rig, remote checks (median of ${opts["real-runs"]})\n`);
table([
  ["run", "first output", "median ms", "min", "max", "exit median ms"],
  ["human format", "first stdout byte", real.human.firstStdoutMs.median, real.human.firstStdoutMs.min, real.human.firstStdoutMs.max, real.human.wallMs.median],
  ["--verbose", "first stderr line", real.verbose.firstStderrLineMs.median, real.verbose.firstStderrLineMs.min, real.verbose.firstStderrLineMs.max, real.verbose.wallMs.median],
]);
console.log(`(first --verbose stderr line: ${JSON.stringify(real.verbose.firstStderrLine)})\n`);
const valid = [...Object.values(quick), ...Object.values(real)].every((r) => r.valid);
jsonLine({ bench: "startup", runs: opts.runs, realRuns: opts["real-runs"], valid, env: await environment(), quick, real });
process.exit(valid ? 0 : 1);
