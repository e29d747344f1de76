// The homeserver is not crash-looping. One reading can look healthy in the middle of a loop (Result= is
// reset to success on every restart, and between crashes the unit is active (running)), so the probe
// reads the unit twice about 1.5 s apart: a loop shows as SubState auto-restart in either reading, as
// NRestarts growing between them, or as Result start-limit-hit once systemd gave up.

import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { exitText, homeserverUnit, latest, stateText } from "../src/engine/facts/systemd.js";

const RESTART_DOC = "https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Restart=";

export default defineCheck({
  id: "systemd-crash-loop",
  category: "systemd",
  title: "The homeserver is not crash-looping",
  docs: RESTART_DOC,
  requires: ["systemd"],
  run({ systemd }): Outcome {
    if (!systemd.reachable) return skip("systemd is not reachable here (systemd-reachable says why)");
    const unitFact = homeserverUnit(systemd);
    if (!unitFact) return skip("no homeserver unit to watch (systemd-homeserver-unit says why)");
    const unit = unitFact.name;
    const samples = unitFact.samples;
    const first = samples[0];
    const last = latest(unitFact);
    if (!first || last.loadState !== "loaded") return skip(`${unit} is not loaded (systemd-homeserver-unit says why)`);

    const counts = samples.map((s) => s.nRestarts);
    const before = counts[0];
    const after = counts[counts.length - 1];
    const grew = before !== undefined && after !== undefined ? after - before : 0;
    const autoRestart = samples.some((s) => s.subState === "auto-restart");
    const startLimit = samples.some((s) => s.result === "start-limit-hit");
    const lastExit = [...samples].reverse().find((s) => s.execMainCode);
    const exit = lastExit ? exitText(lastExit) : undefined;
    const details = {
      unit,
      samples: samples.map((s) => ({ at: new Date(s.atMs).toISOString(), state: stateText(s), nRestarts: s.nRestarts, result: s.result })),
      ...(systemd.sampleIntervalMs !== undefined && { sampleIntervalMs: systemd.sampleIntervalMs }),
      ...(last.restart !== undefined && { restart: last.restart, restartSec: last.restartSec }),
    };
    const journal = `\`journalctl -u ${unit} -n 50 --no-pager\``;

    if (startLimit) {
      return {
        status: "fail",
        summary: `${unit} crashed so often that systemd stopped restarting it (result: start-limit-hit)${exit ? `; it last ${exit}` : ""}`,
        fix: `See why it exits in ${journal}, fix the cause, then \`systemctl reset-failed ${unit} && systemctl start ${unit}\`.`,
        details,
      };
    }
    if (autoRestart || grew > 0) {
      const interval = systemd.sampleIntervalMs !== undefined ? ` in ${(systemd.sampleIntervalMs / 1000).toFixed(1)} s` : "";
      const how =
        grew > 0
          ? `restarted ${grew} time${grew > 1 ? "s" : ""}${interval} (NRestarts ${before} → ${after})`
          : `waiting to be restarted (${stateText(samples.find((s) => s.subState === "auto-restart") ?? last)}${after !== undefined ? `, NRestarts ${after}` : ""})`;
      return {
        status: "fail",
        summary: `${unit} is crash-looping: ${how}${exit ? `; it last ${exit}` : ""}`,
        fix: `See why it exits in ${journal} (the first error after "Started"), fix the cause; systemd keeps restarting it (Restart=${last.restart ?? "?"}).`,
        details,
      };
    }
    if (after !== undefined && after > 0) {
      return {
        status: "warn",
        summary: `${unit} was restarted automatically ${after} time${after > 1 ? "s" : ""} since it was last started by hand (none during this check)${exit ? `; it last ${exit}` : ""}`,
        fix: `Find the crashes in \`journalctl -u ${unit} --since -7d --no-pager | grep -iE 'panic|fatal|error|Main process exited'\`. (NRestarts goes back to 0 on \`systemctl restart ${unit}\`.)`,
        details,
      };
    }
    if (after === undefined) {
      return pass(`${unit} is ${stateText(last)} and not waiting to restart (this systemd does not count restarts: NRestarts needs systemd 235)`, details);
    }
    const restartNote = last.restart === "no" ? " (Restart=no: systemd would not restart it after a crash)" : "";
    return pass(`${unit} has not been restarted automatically (NRestarts 0)${restartNote}`, details);
  },
});
