import check from "../../checks/systemd-certbot-timer.js";
import { testCheck } from "../support/check-tester.js";
import { facts, recorded, unitLike, withUnits, withoutUnits } from "../fixtures/systemd/load.js";

const healthy = recorded("healthy");
const certbotService = healthy.units.find((u) => u.name === "certbot.service")!;
const failedRun = recorded("failed").units[0]!.samples[1]!;

testCheck(check, {
  valid: [
    { name: "certbot.timer active (recorded)", facts: facts(healthy), summary: /^certbot\.timer is active \(waiting\), next run \d{4}-\d\d-\d\d \d\d:\d\d UTC$/ },
    {
      name: "no certbot timer: renewal may be done another way",
      facts: facts(withoutUnits(healthy, (u) => u.role === "certbot")),
      status: "skip",
      summary: /renewed another way/,
    },
    { name: "systemd unreachable (recorded): skip", facts: facts(recorded("unreachable")), status: "skip" },
  ],
  invalid: [
    {
      name: "certbot.timer stopped (recorded)",
      facts: facts(recorded("certbot-inactive")),
      status: "warn",
      summary: /^certbot\.timer is inactive \(dead\) and enabled: certificates will not be renewed automatically$/,
      fix: /^`systemctl enable --now certbot\.timer`/,
    },
    {
      name: "the last renewal failed",
      facts: facts(withUnits(healthy, unitLike(failedRun, "certbot.service", "certbot", { fragmentPath: certbotService.samples[0]!.fragmentPath! }))),
      status: "warn",
      summary: /last renewal run \(certbot\.service\) failed: exited with status 1/,
      fix: /journalctl -u certbot\.service/,
    },
  ],
});
