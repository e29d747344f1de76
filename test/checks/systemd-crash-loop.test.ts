import check from "../../checks/systemd-crash-loop.js";
import { testCheck } from "../support/check-tester.js";
import { editHomeserver, facts, recorded } from "../fixtures/systemd/load.js";

const healthy = recorded("healthy");
const crashloop = recorded("crashloop");

testCheck(check, {
  valid: [
    { name: "healthy.service (recorded): NRestarts 0", facts: facts(healthy), summary: /NRestarts 0\) \(Restart=no: systemd would not restart it after a crash\)$/ },
    { name: "dendrite.service, Restart=always (recorded)", facts: facts(recorded("dendrite")), summary: /^dendrite\.service has not been restarted automatically \(NRestarts 0\)$/ },
    {
      name: "systemd older than 235: no NRestarts, not in auto-restart",
      facts: facts(editHomeserver(healthy, () => ({ nRestarts: undefined }))),
      summary: /NRestarts needs systemd 235/,
    },
    { name: "unknown unit (recorded): skip", facts: facts(recorded("unknown-unit")), status: "skip", summary: /not loaded/ },
    { name: "systemd unreachable (recorded): skip", facts: facts(recorded("unreachable")), status: "skip" },
  ],
  invalid: [
    {
      name: "crashloop.service (recorded): both readings active (running), Result success, but NRestarts grew",
      facts: facts(crashloop),
      summary: /^crashloop\.service is crash-looping: restarted 1 time in 1\.5 s \(NRestarts \d+ → \d+\)$/,
      fix: /journalctl -u crashloop\.service -n 50 --no-pager[\s\S]*Restart=always/,
    },
    {
      name: "caught in auto-restart with the same count",
      facts: facts(
        editHomeserver(crashloop, (_s, i) => ({
          nRestarts: 7,
          ...(i === 0 && { activeState: "activating", subState: "auto-restart", result: "exit-code", execMainCode: 1, execMainStatus: 1 }),
        })),
      ),
      summary: /crash-looping: waiting to be restarted \(activating \(auto-restart\), NRestarts 7\); it last exited with status 1$/,
    },
    {
      name: "systemd gave up: start-limit-hit",
      facts: facts(
        editHomeserver(crashloop, (_s, i) =>
          i === 1 ? { activeState: "failed", subState: "failed", result: "start-limit-hit", execMainCode: 1, execMainStatus: 1 } : {},
        ),
      ),
      summary: /stopped restarting it \(result: start-limit-hit\); it last exited with status 1/,
      fix: /systemctl reset-failed crashloop\.service && systemctl start crashloop\.service/,
    },
    {
      name: "restarted before, stable during the check",
      facts: facts(editHomeserver(healthy, () => ({ nRestarts: 3 }))),
      status: "warn",
      summary: /restarted automatically 3 times since it was last started by hand \(none during this check\)/,
      fix: /journalctl -u healthy\.service --since -7d/,
    },
  ],
});
