// Certificates renew by themselves: certbot's systemd timer (certbot.timer from the Debian/Ubuntu
// package, snap.certbot.renew.timer from the snap) is active, and its last run did not fail. Without
// such a timer renewal may still happen another way (a cron job, acme.sh, a proxy with built-in ACME),
// so its absence is not judged; tls-expiry watches the certificates themselves.

import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { failureText, latest, stateText, timeText } from "../src/engine/facts/systemd.js";

const CERTBOT_DOC = "https://eff-certbot.readthedocs.io/en/stable/using.html#automated-renewals";

export default defineCheck({
  id: "systemd-certbot-timer",
  category: "systemd",
  title: "certbot's renewal timer is active",
  docs: CERTBOT_DOC,
  requires: ["systemd"],
  run({ systemd }): Outcome {
    if (!systemd.reachable) return skip("systemd is not reachable here (systemd-reachable says why)");
    const timers = systemd.units.filter((u) => u.role === "certbot" && u.name.endsWith(".timer"));
    if (timers.length === 0) {
      return skip(
        "no certbot.timer or snap.certbot.renew.timer here: certificates may be renewed another way (cron, acme.sh, a proxy's own ACME); tls-expiry watches their expiry",
      );
    }
    const timer = timers.find((t) => latest(t).activeState === "active") ?? timers[0]!;
    const t = latest(timer);
    const service = systemd.units.find((u) => u.name === timer.name.replace(/\.timer$/, ".service"));
    const sv = service ? latest(service) : undefined;
    const details = {
      timer: timer.name,
      state: stateText(t),
      unitFileState: t.unitFileState,
      ...(t.lastTriggerMs !== undefined && { lastTrigger: new Date(t.lastTriggerMs).toISOString() }),
      ...(t.nextElapseMs !== undefined && { nextElapse: new Date(t.nextElapseMs).toISOString() }),
      ...(service && sv && { service: service.name, serviceState: stateText(sv), serviceResult: sv.result }),
    };

    if (t.activeState !== "active") {
      return {
        status: "warn",
        summary: `${timer.name} is ${stateText(t)}${t.unitFileState ? ` and ${t.unitFileState}` : ""}: certificates will not be renewed automatically`,
        fix: `\`systemctl enable --now ${timer.name}\`, then \`certbot renew --dry-run\` to see that renewal works.`,
        details,
      };
    }
    if (service && sv && (sv.activeState === "failed" || (sv.result !== undefined && sv.result !== "success"))) {
      return {
        status: "warn",
        summary: `${timer.name} is active, but the last renewal run (${service.name}) failed: ${failureText(sv)}`,
        fix: `See why in \`journalctl -u ${service.name} -n 50 --no-pager\`, and try \`certbot renew --dry-run\`.`,
        details,
      };
    }
    const next = t.nextElapseMs !== undefined ? `, next run ${timeText(t.nextElapseMs)}` : "";
    const lastRun = t.lastTriggerMs !== undefined ? `, last run ${timeText(t.lastTriggerMs)}` : "";
    return pass(`${timer.name} is ${stateText(t)}${next}${lastRun}`, details);
  },
});
