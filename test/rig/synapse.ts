// Typed view of what test/rig/services/synapse.sh wrote into rig.json (services.synapse): Synapse 1.98.0,
// the rig's second homeserver, on synapse.example.test (nginx on the main listeners → 127.0.0.1:8018),
// PostgreSQL database `synapse` on the main cluster, the same coturn as Dendrite.
import { loadRig, type Json, type Rig } from "./rig.js";

export interface RigSynapse {
  /** "synapse.example.test". */
  serverName: string;
  /** "1.98.0". */
  version: string;
  /** homeserver.yaml: Synapse's own --generate-config output, minimally edited (mode 0600). */
  configPath: string;
  /** Plain HTTP listener inside the netns: "http://127.0.0.1:8018". */
  url: string;
  /** PID of Synapse at up (a fault test that restarts it records the new one in state/pids/synapse). */
  pid: number;
  /** The venv made by scripts/build-synapse.sh. */
  venv: string;
  /** The run dir's synapse/ directory: config, log config, signing key, media store, start.sh. */
  dataDir: string;
  /** Synapse's own log file (the log config's file handler). */
  logPath: string;
  /** `bash <startScript>` starts Synapse again after `kill -TERM <pid>`, records the PID, waits until it answers. */
  startScript: string;
  /** Access token of the account `doctor` (registered with register_new_matrix_user, not an admin). */
  accessToken: string;
  /** "@doctor:synapse.example.test". */
  userId: string;
  database: {
    /** postgres://synapse_user:PASSWORD@127.0.0.1:5432/synapse?sslmode=disable (rig test data). */
    dsn: string;
    name: string;
    user: string;
  };
}

function str(o: Json, key: string, where = "services.synapse."): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw new Error(`rig.json: ${where}${key} must be a non-empty string`);
  return v;
}

export function parseRigSynapse(o: Json): RigSynapse {
  const pid = o["pid"];
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 1) throw new Error("rig.json: services.synapse.pid must be a PID");
  const db = o["database"];
  if (typeof db !== "object" || db === null || Array.isArray(db)) throw new Error("rig.json: services.synapse.database must be an object");
  const d = db as Json;
  return {
    serverName: str(o, "serverName"),
    version: str(o, "version"),
    configPath: str(o, "configPath"),
    url: str(o, "url"),
    pid,
    venv: str(o, "venv"),
    dataDir: str(o, "dataDir"),
    logPath: str(o, "logPath"),
    startScript: str(o, "startScript"),
    accessToken: str(o, "accessToken"),
    userId: str(o, "userId"),
    database: {
      dsn: str(d, "dsn", "services.synapse.database."),
      name: str(d, "name", "services.synapse.database."),
      user: str(d, "user", "services.synapse.database."),
    },
  };
}

/** The rig's Synapse, or undefined when no rig is up or it has no synapse service. */
export function rigSynapse(rig: Rig | undefined = loadRig()): RigSynapse | undefined {
  const o = rig?.services["synapse"];
  return o ? parseRigSynapse(o) : undefined;
}
