import check from "../../checks/systemd-dependencies.js";
import { testCheck } from "../support/check-tester.js";
import { facts, recorded, unitLike, withUnits } from "../fixtures/systemd/load.js";

const healthy = recorded("healthy");
// Readings taken from the rig's real units: a running one and a failed one.
const running = healthy.units[0]!.samples[0]!;
const failedRun = recorded("failed").units[0]!.samples[1]!;
const debianPostgres = [
  unitLike(running, "postgresql.service", "database", { subState: "exited", mainPid: 0 }),
  unitLike(running, "postgresql@15-main.service", "database", { unitFileState: "enabled-runtime" }),
];
const nginx = unitLike(running, "nginx.service", "proxy");

testCheck(check, {
  valid: [
    { name: "none installed in the rig (recorded): skip", facts: facts(healthy), status: "skip", summary: /may run elsewhere/ },
    {
      name: "Debian's PostgreSQL wrapper and cluster, nginx",
      facts: facts(withUnits(healthy, ...debianPostgres, nginx)),
      summary: /^postgresql\.service active \(exited\), postgresql@15-main\.service active \(running\), nginx\.service active \(running\)$/,
    },
    { name: "systemd unreachable (recorded): skip", facts: facts(recorded("unreachable")), status: "skip" },
  ],
  invalid: [
    {
      name: "nginx failed",
      facts: facts(withUnits(healthy, ...debianPostgres, unitLike(failedRun, "nginx.service", "proxy"))),
      summary: /^nginx\.service has failed: exited with status 1 \(result: exit-code\)$/,
      fix: /journalctl -u nginx\.service -n 50 --no-pager.*systemctl restart nginx\.service/,
    },
    {
      name: "coturn enabled but stopped",
      facts: facts(withUnits(healthy, unitLike(running, "coturn.service", "turn", { activeState: "inactive", subState: "dead", mainPid: 0 }))),
      summary: /coturn\.service is inactive \(dead\) although it is enabled/,
      fix: /systemctl start coturn\.service/,
    },
    {
      name: "coturn installed, disabled, not running",
      facts: facts(withUnits(healthy, unitLike(running, "coturn.service", "turn", { activeState: "inactive", subState: "dead", unitFileState: "disabled" }))),
      status: "warn",
      fix: /systemctl enable --now coturn\.service/,
    },
    {
      name: "a PostgreSQL cluster crash-looping, and nginx failed: fail first",
      facts: facts(
        withUnits(
          healthy,
          unitLike(running, "postgresql@15-main.service", "database", { activeState: "activating", subState: "auto-restart", nRestarts: 4 }),
          unitLike(failedRun, "nginx.service", "proxy"),
        ),
      ),
      summary: /postgresql@15-main\.service is crash-looping \(activating \(auto-restart\), NRestarts 4\); nginx\.service has failed/,
    },
  ],
});
