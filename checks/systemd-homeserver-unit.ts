// The homeserver's unit exists, runs, and starts at boot: loaded (not not-found, masked or broken),
// active (running), enabled. The summary says how long it has been up. Restarts are
// systemd-crash-loop's finding, the open-files limit systemd-limits'.

import { dirname } from "node:path/posix";
import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import type { HomeserverConfigFact, SystemdFact } from "../src/engine/facts.js";
import {
  durationText,
  failureText,
  homeserverUnit,
  latest,
  stateText,
  timeText,
  type UnitSnapshot,
} from "../src/engine/facts/systemd.js";

const SERVICE_DOC = "https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html";
const DENDRITE_START_DOC = "https://matrix-org.github.io/dendrite/installation/manual/start";
const SYNAPSE_INSTALL_DOC = "https://element-hq.github.io/synapse/latest/setup/installation.html";

/** A unit file to create, with the real config path when the homeserver config is known. */
function unitFileFix(unit: string, systemd: SystemdFact, config: HomeserverConfigFact | undefined): { fix: string; docs: string } {
  const implementation = config?.implementation ?? systemd.homeserver.implementation ?? (/synapse/.test(unit) ? "synapse" : "dendrite");
  const short = unit.replace(/\.service$/, "");
  const enable = `then \`systemctl daemon-reload && systemctl enable --now ${unit}\`.`;
  if (implementation === "synapse") {
    const configPath = config?.path ?? "/etc/matrix-synapse/homeserver.yaml";
    return {
      fix:
        `There is no ${unit}. The Debian/Ubuntu package matrix-synapse-py3 ships matrix-synapse.service; for a virtualenv install create /etc/systemd/system/${unit}:\n` +
        `[Unit]\nDescription=Synapse Matrix homeserver\nAfter=network.target postgresql.service\n\n` +
        `[Service]\nType=notify\nNotifyAccess=main\nUser=synapse\nWorkingDirectory=${dirname(configPath)}\n` +
        `ExecStart=/opt/synapse/env/bin/python -m synapse.app.homeserver --config-path=${configPath}\nRestart=always\nRestartSec=3\n\n` +
        `[Install]\nWantedBy=multi-user.target\n` +
        enable +
        ` If Synapse runs under another name, pass it with --systemd-unit (\`systemctl list-units --type=service | grep -i ${short}\`).`,
      docs: SYNAPSE_INSTALL_DOC,
    };
  }
  const configPath = config?.path ?? "/opt/dendrite/dendrite.yaml";
  const dir = dirname(configPath);
  return {
    fix:
      `There is no ${unit}. Create /etc/systemd/system/${unit}:\n` +
      `[Unit]\nDescription=Dendrite Matrix homeserver\nAfter=network.target postgresql.service\n\n` +
      `[Service]\nType=simple\nUser=dendrite\nGroup=dendrite\nWorkingDirectory=${dir}\n` +
      `ExecStart=${dir}/bin/dendrite -config ${configPath}\nRestart=always\nLimitNOFILE=65535\nEnvironment=GODEBUG=madvdontneed=1\n\n` +
      `[Install]\nWantedBy=multi-user.target\n` +
      enable +
      ` If Dendrite runs under another name, pass it with --systemd-unit (\`systemctl list-units --type=service | grep -i dendrite\`).`,
    docs: DENDRITE_START_DOC,
  };
}

function since(s: UnitSnapshot, now: number): string {
  if (s.activeEnterMs === undefined) return "";
  return ` since ${timeText(s.activeEnterMs)} (up ${durationText(now - s.activeEnterMs)})`;
}

function details(unit: string, s: UnitSnapshot, now: number): Record<string, unknown> {
  return {
    unit,
    loadState: s.loadState,
    activeState: s.activeState,
    subState: s.subState,
    ...(s.result !== undefined && { result: s.result }),
    ...(s.unitFileState !== undefined && { unitFileState: s.unitFileState }),
    ...(s.fragmentPath !== undefined && { fragmentPath: s.fragmentPath }),
    ...(s.mainPid !== undefined && s.mainPid > 0 && { mainPid: s.mainPid }),
    ...(s.execMainCode !== undefined && { execMainCode: s.execMainCode, execMainStatus: s.execMainStatus }),
    ...(s.activeEnterMs !== undefined && s.activeState === "active" && { activeSince: new Date(s.activeEnterMs).toISOString(), uptimeSeconds: Math.max(0, Math.round((now - s.activeEnterMs) / 1000)) }),
  };
}

export default defineCheck({
  id: "systemd-homeserver-unit",
  category: "systemd",
  title: "The homeserver's unit is loaded, running and enabled at boot",
  docs: SERVICE_DOC,
  requires: ["systemd"],
  optional: ["homeserverConfig"],
  run({ systemd, homeserverConfig }, ctx): Outcome {
    if (!systemd.reachable) return skip("systemd is not reachable here (systemd-reachable says why)");
    const choice = systemd.homeserver;
    if (!choice.unit) {
      const tried = choice.candidates.join(", ");
      const first = choice.candidates[0] ?? "dendrite.service";
      const { fix, docs } = unitFileFix(first, systemd, homeserverConfig);
      return {
        status: "warn",
        summary: `no homeserver unit found: none of ${tried} is installed`,
        fix: `If the homeserver runs under systemd with another name, pass it: --systemd-unit NAME (\`systemctl list-units --type=service\`). Otherwise: ${fix}`,
        details: { candidates: choice.candidates, ...(choice.implementation && { implementation: choice.implementation }) },
        docs,
      };
    }
    const unitFact = homeserverUnit(systemd);
    if (!unitFact) {
      const why = systemd.errors.map((e) => e.error.message).join("; ") || "no reading";
      return skip(`could not read ${choice.unit}: ${why}`);
    }
    const unit = unitFact.name;
    const s = latest(unitFact);
    const d = details(unit, s, ctx.now);
    const journal = `\`journalctl -u ${unit} -n 50 --no-pager\``;

    switch (s.loadState) {
      case "loaded":
        break;
      case "not-found": {
        const { fix, docs } = unitFileFix(unit, systemd, homeserverConfig);
        return { status: "fail", summary: `${unit} does not exist (LoadState not-found)`, fix, details: d, docs };
      }
      case "masked":
        return {
          status: "fail",
          summary: `${unit} is masked: it cannot be started at all`,
          fix: `\`systemctl unmask ${unit} && systemctl enable --now ${unit}\``,
          details: d,
        };
      default:
        return {
          status: "fail",
          summary: `${unit} could not be loaded (LoadState ${s.loadState || "unknown"}): its unit file has errors`,
          fix: `\`systemd-analyze verify ${s.fragmentPath ?? `/etc/systemd/system/${unit}`}\` names the bad line; fix it, then \`systemctl daemon-reload && systemctl restart ${unit}\`.`,
          details: d,
        };
    }

    if (s.activeState === "failed" || s.activeState === "inactive") {
      const ended = s.execMainCode ? failureText(s) : s.result && s.result !== "success" ? failureText(s) : "was stopped or never started";
      const at = s.stateChangeMs !== undefined ? ` (since ${timeText(s.stateChangeMs)})` : "";
      return {
        status: "fail",
        summary: `${unit} is ${stateText(s)}${at}: ${ended}`,
        fix: `See why in ${journal}, fix the cause, then \`systemctl restart ${unit}\`.`,
        details: d,
      };
    }
    if (s.activeState === "activating" && s.subState === "auto-restart") {
      return {
        status: "warn",
        summary: `${unit} is not running: waiting to be restarted after it ${failureText(s)} (systemd-crash-loop reports the restarts)`,
        fix: `See why it exits in ${journal}, fix the cause; systemd restarts it by itself.`,
        details: d,
      };
    }
    if (s.activeState !== "active") {
      return {
        status: "warn",
        summary: `${unit} is ${stateText(s)}, not active (running)`,
        fix: `Re-run in a minute; if it stays ${s.activeState}, see ${journal} and \`systemctl status ${unit}\`.`,
        details: d,
      };
    }
    if (s.subState !== "running") {
      return {
        status: "warn",
        summary: `${unit} is ${stateText(s)}: active, but no homeserver process runs in it`,
        fix: `A wrapper unit (e.g. RemainAfterExit=yes) is not the homeserver itself: pass the unit that runs it with --systemd-unit (\`systemctl list-units --type=service --state=running\`).`,
        details: d,
      };
    }

    const running = `${unit} is ${stateText(s)}${since(s, ctx.now)}`;
    const fileState = s.unitFileState ?? "";
    if (["disabled", "enabled-runtime", "linked", "linked-runtime"].includes(fileState)) {
      return {
        status: "warn",
        summary: `${running}, but it is not enabled (${fileState}): it will not start after a reboot`,
        fix: `\`systemctl enable ${unit}\``,
        details: d,
      };
    }
    const boot = fileState === "enabled" ? "enabled at boot" : fileState ? `unit file state ${fileState}` : "no unit file state";
    return pass(`${running}, ${boot}`, d);
  },
});
