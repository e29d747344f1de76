// Typed view of what test/rig/services/postgres.sh wrote into rig.json (services.postgres).
import { loadRig, type Json, type Rig } from "./rig.js";

export interface RigPostgres {
  /** Address of both clusters inside the netns. */
  host: string;
  /** The main cluster (default settings, max_connections 100): Dendrite's database. */
  port: number;
  /** The small cluster: max_connections 20, superuser_reserved_connections 3. */
  port2: number;
  database: string;
  user: string;
  /** Password of role `user` on both clusters (rig test data; random per start). */
  password: string;
  /** The healthy database, created as the guide does and initialised by the rig's Dendrite. */
  dsn: string;
  /** Database badlocale: UTF8 with en_US.UTF-8 collation and ctype. */
  badLocaleDsn: string;
  /** Role wrongpw with a password that is not its own. */
  wrongPasswordDsn: string;
  /** Database dendrite on the port2 cluster. */
  lowMaxConnDsn: string;
  /** Directory of the unix sockets of both clusters (peer auth only). */
  socketDir: string;
}

function str(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw new Error(`rig.json: services.postgres.${key} must be a non-empty string`);
  return v;
}

function port(o: Json, key: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0 || v > 65535) {
    throw new Error(`rig.json: services.postgres.${key} must be a port number`);
  }
  return v;
}

export function parseRigPostgres(o: Json): RigPostgres {
  return {
    host: str(o, "host"),
    port: port(o, "port"),
    port2: port(o, "port2"),
    database: str(o, "database"),
    user: str(o, "user"),
    password: str(o, "password"),
    dsn: str(o, "dsn"),
    badLocaleDsn: str(o, "badLocaleDsn"),
    wrongPasswordDsn: str(o, "wrongPasswordDsn"),
    lowMaxConnDsn: str(o, "lowMaxConnDsn"),
    socketDir: str(o, "socketDir"),
  };
}

/** The rig's PostgreSQL, or undefined when no rig is up or it has no postgres service. */
export function rigPostgres(rig: Rig | undefined = loadRig()): RigPostgres | undefined {
  const o = rig?.services["postgres"];
  return o ? parseRigPostgres(o) : undefined;
}
