import check from "../../checks/systemd-homeserver-unit.js";
import type { HomeserverConfigFact } from "../../src/engine/facts.js";
import { testCheck } from "../support/check-tester.js";
import { editHomeserver, facts, recorded, recordedAt } from "../fixtures/systemd/load.js";

const healthy = recorded("healthy");
const at = { now: recordedAt("healthy") };
const failed = recorded("failed");
const config = (implementation: "dendrite" | "synapse", path: string): HomeserverConfigFact =>
  ({ path, implementation, databases: [] }) as unknown as HomeserverConfigFact;
const noneFound = {
  ...recorded("dendrite"),
  homeserver: { source: "config" as const, implementation: "dendrite" as const, candidates: ["dendrite.service", "matrix-dendrite.service"] },
  units: [],
};

testCheck(check, {
  valid: [
    {
      name: "healthy.service (recorded): running, enabled, uptime",
      facts: facts(healthy),
      ctx: { now: (healthy.units[0]?.samples[1]?.activeEnterMs ?? 0) + 3 * 3600_000 },
      summary: /^healthy\.service is active \(running\) since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(up 3 h 0 min\), enabled at boot$/,
      details: { unit: "healthy.service", unitFileState: "enabled", uptimeSeconds: 10800 },
    },
    { name: "dendrite.service found from the config (recorded)", facts: facts(recorded("dendrite")), ctx: { now: recordedAt("dendrite") }, summary: /^dendrite\.service is active \(running\)/ },
    {
      name: "a crash loop caught between crashes looks healthy here (systemd-crash-loop reports it)",
      facts: facts(recorded("crashloop")),
      ctx: { now: recordedAt("crashloop") },
      summary: /crashloop\.service is active \(running\)/,
    },
    { name: "static unit", facts: facts(editHomeserver(healthy, () => ({ unitFileState: "static" }))), ctx: at, summary: /unit file state static$/ },
    { name: "systemd unreachable: skip", facts: facts(recorded("unreachable")), status: "skip", summary: /systemd-reachable/ },
    {
      name: "the unit could not be read",
      facts: facts({ ...healthy, units: [], errors: [{ command: "show", error: { failure: "timeout", message: "systemctl: no answer within 5000 ms" } }] }),
      status: "skip",
      summary: /could not read healthy\.service: systemctl: no answer/,
    },
  ],
  invalid: [
    {
      name: "failed.service (recorded): exited with status 1",
      facts: facts(failed),
      summary: /^failed\.service is failed \(since .* UTC\): exited with status 1 \(result: exit-code\)$/,
      fix: /journalctl -u failed\.service -n 50 --no-pager.*systemctl restart failed\.service/,
    },
    {
      name: "an unknown unit named with --systemd-unit (recorded): the unit file to create",
      facts: facts(recorded("unknown-unit")),
      summary: /matrix-nope\.service does not exist \(LoadState not-found\)/,
      fix: /\/etc\/systemd\/system\/matrix-nope\.service:\n\[Unit\][\s\S]*LimitNOFILE=65535[\s\S]*systemctl daemon-reload && systemctl enable --now matrix-nope\.service/,
    },
    {
      name: "not found, with the Dendrite config path in ExecStart",
      facts: facts(recorded("unknown-unit"), { homeserverConfig: config("dendrite", "/etc/dendrite/dendrite.yaml") }),
      fix: /WorkingDirectory=\/etc\/dendrite\nExecStart=\/etc\/dendrite\/bin\/dendrite -config \/etc\/dendrite\/dendrite\.yaml/,
    },
    {
      name: "not found, Synapse",
      facts: facts(recorded("unknown-unit"), { homeserverConfig: config("synapse", "/etc/matrix-synapse/homeserver.yaml") }),
      fix: /matrix-synapse-py3[\s\S]*--config-path=\/etc\/matrix-synapse\/homeserver\.yaml/,
    },
    {
      name: "no candidate from the config is installed",
      facts: facts(noneFound),
      status: "warn",
      summary: /no homeserver unit found: none of dendrite\.service, matrix-dendrite\.service is installed/,
      fix: /--systemd-unit NAME/,
    },
    {
      name: "running but not enabled (recorded)",
      facts: facts(recorded("disabled-running")),
      status: "warn",
      summary: /disabled-running\.service is active \(running\) since .*, but it is not enabled \(disabled\): it will not start after a reboot/,
      fix: /^`systemctl enable disabled-running\.service`$/,
    },
    { name: "masked", facts: facts(editHomeserver(healthy, () => ({ loadState: "masked", activeState: "inactive", subState: "dead" }))), summary: /masked/, fix: /systemctl unmask healthy\.service/ },
    {
      name: "unit file with errors",
      facts: facts(editHomeserver(healthy, () => ({ loadState: "bad-setting" }))),
      summary: /LoadState bad-setting/,
      fix: /systemd-analyze verify \/etc\/systemd\/system\/healthy\.service/,
    },
    {
      name: "stopped by hand",
      facts: facts(editHomeserver(healthy, () => ({ activeState: "inactive", subState: "dead", mainPid: 0 }))),
      summary: /healthy\.service is inactive \(dead\).*: was stopped or never started/,
      fix: /systemctl restart healthy\.service/,
    },
    {
      name: "killed by SIGKILL",
      facts: facts(editHomeserver(failed, () => ({ execMainCode: 2, execMainStatus: 9, result: "signal" }))),
      summary: /was killed by signal 9 \(SIGKILL\) \(result: killed by a signal\)/,
    },
    {
      name: "ExecStart binary missing (203/EXEC)",
      facts: facts(editHomeserver(failed, () => ({ execMainStatus: 203 }))),
      summary: /exited with status 203 \(EXEC: the ExecStart= program is missing or not executable\)/,
    },
    {
      name: "between restarts",
      facts: facts(editHomeserver(failed, () => ({ activeState: "activating", subState: "auto-restart" }))),
      status: "warn",
      summary: /not running: waiting to be restarted after it exited with status 1/,
    },
    { name: "still starting", facts: facts(editHomeserver(healthy, () => ({ activeState: "activating", subState: "start" }))), status: "warn", summary: /activating \(start\)/ },
    {
      name: "a wrapper unit: active (exited)",
      facts: facts(editHomeserver(healthy, () => ({ subState: "exited", mainPid: 0 }))),
      status: "warn",
      summary: /active \(exited\): active, but no homeserver process runs in it/,
      fix: /--systemd-unit/,
    },
  ],
});
