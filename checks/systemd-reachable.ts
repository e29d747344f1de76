// systemd answers systemctl here. The other systemd checks skip when it does not, so a run inside a
// container (no systemd as PID 1) gives one line that says so instead of five.

import { defineCheck, pass, type Outcome } from "../src/engine/check.js";
import type { SystemdFact } from "../src/engine/facts.js";

const SYSTEMCTL_DOC = "https://www.freedesktop.org/software/systemd/man/latest/systemctl.html";

function unreachable(fact: SystemdFact): Outcome {
  const error = fact.error ?? { failure: "error" as const, message: "no answer" };
  const cmd = fact.systemctl.join(" ");
  const details = { systemctl: fact.systemctl, failure: error.failure, message: error.message, ...(error.exitCode !== undefined && { exitCode: error.exitCode }) };
  const elsewhere =
    "Run matrix-doctor on the host whose systemd runs the homeserver (e.g. `matrix-doctor example.org --systemd-unit dendrite.service` there), or leave these checks out with `--skip systemd`.";
  switch (error.failure) {
    case "not-booted":
      return {
        status: "warn",
        summary: `systemd is not reachable here (container?): ${error.message}`,
        fix: `systemd is not PID 1 where matrix-doctor runs (a container, WSL or another init system). ${elsewhere}`,
        details,
        docs: SYSTEMCTL_DOC,
      };
    case "no-bus":
      return {
        status: "warn",
        summary: `systemd is not reachable here (container?): ${error.message}`,
        fix:
          `\`${cmd}\` cannot reach systemd's bus. ${elsewhere} ` +
          "In a container, bind-mount the host's /run/dbus/system_bus_socket and /run/systemd read-only and install systemctl in the image.",
        details,
        docs: SYSTEMCTL_DOC,
      };
    case "no-systemctl":
      return {
        status: "warn",
        summary: `systemd is not reachable here (container?): ${error.message}`,
        fix: `There is no systemctl here (Debian: \`apt install systemd\`). ${elsewhere}`,
        details,
        docs: SYSTEMCTL_DOC,
      };
    case "timeout":
      return {
        status: "fail",
        summary: `systemd did not answer: ${error.message}`,
        fix: "systemd is present but does not answer. On the host: `systemctl is-system-running` and `systemctl list-jobs` (a stuck job holds the queue); `journalctl -b -p err` shows what systemd itself reports.",
        details,
        docs: SYSTEMCTL_DOC,
      };
    case "error":
      return {
        status: "warn",
        summary: `systemd is not reachable here: ${error.message}`,
        fix: `\`${cmd} show --property=Version\` fails as shown; run it by hand to see why. ${elsewhere}`,
        details,
        docs: SYSTEMCTL_DOC,
      };
  }
}

export default defineCheck({
  id: "systemd-reachable",
  category: "systemd",
  title: "systemd answers systemctl",
  docs: SYSTEMCTL_DOC,
  requires: ["systemd"],
  run({ systemd }): Outcome {
    if (!systemd.reachable) return unreachable(systemd);
    const state = systemd.systemState ?? "unknown";
    const note = state === "degraded" ? " (degraded: some unit has failed — `systemctl --failed` lists them)" : "";
    return pass(`systemd ${systemd.version ?? "(version unknown)"} answers; system state ${state}${note}`, {
      version: systemd.version,
      systemState: systemd.systemState,
      systemctl: systemd.systemctl,
    });
  },
});
