import check from "../../checks/systemd-reachable.js";
import type { SystemdFact } from "../../src/engine/facts.js";
import { testCheck } from "../support/check-tester.js";
import { facts, recorded } from "../fixtures/systemd/load.js";

const healthy = recorded("healthy");
const unreachable = recorded("unreachable");
const failing = (error: SystemdFact["error"]): SystemdFact => ({ ...unreachable, ...(error && { error }) });

testCheck(check, {
  valid: [
    { name: "the rig's systemd (recorded)", facts: facts(healthy), summary: /^systemd 252\S* answers; system state degraded \(degraded: .*systemctl --failed/ },
    { name: "running system", facts: facts({ ...healthy, systemState: "running" }), summary: /system state running$/ },
  ],
  invalid: [
    {
      name: "systemd not PID 1 here (recorded on this machine)",
      facts: facts(unreachable),
      status: "warn",
      summary: /^systemd is not reachable here \(container\?\): System has not been booted with systemd/,
      fix: /--skip systemd/,
      details: { failure: "not-booted" },
    },
    {
      name: "no systemctl binary (recorded)",
      facts: facts(recorded("no-systemctl")),
      status: "warn",
      summary: /not reachable here \(container\?\): \/nonexistent\/systemctl: command not found/,
      fix: /apt install systemd/,
    },
    {
      name: "no bus",
      facts: facts(failing({ failure: "no-bus", message: "Failed to connect to bus: No such file or directory", exitCode: 1 })),
      status: "warn",
      summary: /container\?\): Failed to connect to bus/,
      fix: /\/run\/dbus\/system_bus_socket/,
    },
    {
      name: "systemd hangs",
      facts: facts(failing({ failure: "timeout", message: "systemctl: no answer within 5000 ms" })),
      status: "fail",
      summary: /did not answer/,
      fix: /systemctl list-jobs/,
    },
    {
      name: "another error",
      facts: facts(failing({ failure: "error", message: "Access denied", exitCode: 1 })),
      status: "warn",
      summary: /Access denied/,
      fix: /systemctl show --property=Version/,
    },
  ],
});
