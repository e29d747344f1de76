// The units the homeserver leans on run: PostgreSQL (postgresql.service and its postgresql@*.service
// clusters, or matrix-postgres.service), the reverse proxy (nginx.service, matrix-traefik.service) and
// coturn (coturn.service, matrix-coturn.service) — those installed on this host. A unit that is not
// installed here is not judged: the database or TURN server may live elsewhere.

import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { failureText, latest, stateText, type UnitFact } from "../src/engine/facts/systemd.js";

const SYSTEMCTL_DOC = "https://www.freedesktop.org/software/systemd/man/latest/systemctl.html";

interface Problem {
  level: "warn" | "fail";
  text: string;
  fix: string;
}

function problemOf(u: UnitFact): Problem | undefined {
  const s = latest(u);
  const first = u.samples[0] ?? s;
  const journal = `\`journalctl -u ${u.name} -n 50 --no-pager\``;
  const grew = first.nRestarts !== undefined && s.nRestarts !== undefined && s.nRestarts > first.nRestarts;
  if (s.loadState === "masked") {
    return { level: "warn", text: `${u.name} is masked`, fix: `If it is needed: \`systemctl unmask ${u.name} && systemctl enable --now ${u.name}\`.` };
  }
  if (s.loadState !== "loaded") {
    return {
      level: "fail",
      text: `${u.name} could not be loaded (LoadState ${s.loadState})`,
      fix: `\`systemd-analyze verify ${s.fragmentPath ?? u.name}\`, fix the unit file, then \`systemctl daemon-reload && systemctl restart ${u.name}\`.`,
    };
  }
  if (s.activeState === "failed") {
    return { level: "fail", text: `${u.name} has failed: ${failureText(s)}`, fix: `See why in ${journal}, fix the cause, then \`systemctl restart ${u.name}\`.` };
  }
  if (u.samples.some((x) => x.subState === "auto-restart") || grew) {
    return {
      level: "fail",
      text: `${u.name} is crash-looping (${stateText(s)}, NRestarts ${s.nRestarts ?? "?"})`,
      fix: `See why it exits in ${journal} and fix the cause.`,
    };
  }
  if (s.activeState === "inactive") {
    if (s.unitFileState === "enabled") {
      return {
        level: "fail",
        text: `${u.name} is ${stateText(s)} although it is enabled${s.result && s.result !== "success" ? ` (${failureText(s)})` : ""}`,
        fix: `\`systemctl start ${u.name}\`; if it stops again, see ${journal}.`,
      };
    }
    return {
      level: "warn",
      text: `${u.name} is installed but ${stateText(s)} and ${s.unitFileState || "not enabled"}`,
      fix: `If this host should run it: \`systemctl enable --now ${u.name}\`.`,
    };
  }
  if (s.activeState !== "active") {
    return { level: "warn", text: `${u.name} is ${stateText(s)}`, fix: `Re-run in a minute; if it stays ${s.activeState}, see ${journal}.` };
  }
  return undefined;
}

export default defineCheck({
  id: "systemd-dependencies",
  category: "systemd",
  title: "PostgreSQL, the reverse proxy and coturn units run (where installed)",
  docs: SYSTEMCTL_DOC,
  requires: ["systemd"],
  run({ systemd }): Outcome {
    if (!systemd.reachable) return skip("systemd is not reachable here (systemd-reachable says why)");
    const deps = systemd.units.filter((u) => u.role === "database" || u.role === "proxy" || u.role === "turn");
    if (deps.length === 0) {
      return skip("no PostgreSQL, nginx or coturn unit is installed on this host (they may run elsewhere)", { absent: systemd.absent });
    }
    const details = {
      units: deps.map((u) => {
        const s = latest(u);
        return { unit: u.name, role: u.role, state: stateText(s), unitFileState: s.unitFileState, result: s.result, nRestarts: s.nRestarts };
      }),
    };
    const problems = deps.map(problemOf).filter((p): p is Problem => p !== undefined);
    if (problems.length === 0) {
      return pass(deps.map((u) => `${u.name} ${stateText(latest(u))}`).join(", "), details);
    }
    const level = problems.some((p) => p.level === "fail") ? "fail" : "warn";
    const ordered = [...problems.filter((p) => p.level === "fail"), ...problems.filter((p) => p.level === "warn")];
    return {
      status: level,
      summary: ordered.map((p) => p.text).join("; "),
      fix: ordered.map((p) => p.fix).join("\n"),
      details,
    };
  },
});
