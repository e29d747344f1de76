// Typed view of what test/rig/services/systemd.sh wrote into rig.json (services.systemd): systemd as
// PID 1 of its own PID+mount namespace inside the rig's network namespace, managing the test units in
// test/rig/systemd/units (bind-mounted on /etc/systemd/system in that namespace), Dendrite among them.
import { loadRig, type Json, type Rig } from "./rig.js";

export interface RigSystemd {
  /** Host PID of the namespaced systemd (PID 1 inside). */
  pid: number;
  /** The systemctl command that reaches it from the host, exactly as MATRIX_DOCTOR_SYSTEMCTL takes it:
   * "nsenter -t <pid> -m -p -- systemctl". Needs root. */
  systemctl: string;
  /** The test units: healthy.service (sleep, enabled), failed.service (exits 1), crashloop.service
   * (Restart=always, exits 1 after 0.4 s, RestartSec=1), nofile-low.service (LimitNOFILE=1024),
   * disabled-running.service (running, not enabled), dendrite.service (the guide's unit: the rig's real
   * Dendrite, whose host PID is rig.json dendrite.pid; stop, start or break it through `systemctl`),
   * certbot.timer (active). */
  units: string[];
  /** The unit systemd was started with (--unit=). */
  target: string;
  /** The rig's unit directory on the host (= /etc/systemd/system inside the namespace). */
  unitDir: string;
  /** What systemd and the units printed on their console. */
  consoleLog: string;
}

function str(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw new Error(`rig.json: services.systemd.${key} must be a non-empty string`);
  return v;
}

export function parseRigSystemd(o: Json): RigSystemd {
  const pid = o["pid"];
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 1) throw new Error("rig.json: services.systemd.pid must be a PID");
  const units = o["units"];
  if (!Array.isArray(units) || !units.every((u): u is string => typeof u === "string")) {
    throw new Error("rig.json: services.systemd.units must be a list of unit names");
  }
  return {
    pid,
    systemctl: str(o, "systemctl"),
    units,
    target: str(o, "target"),
    unitDir: str(o, "unitDir"),
    consoleLog: str(o, "consoleLog"),
  };
}

/** The rig's systemd, or undefined when no rig is up or it has no systemd service. */
export function rigSystemd(rig: Rig | undefined = loadRig()): RigSystemd | undefined {
  const o = rig?.services["systemd"];
  return o ? parseRigSystemd(o) : undefined;
}
