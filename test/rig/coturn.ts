// The coturn part of rig.json (written by test/rig/services/coturn.sh), typed.
import { loadRig, type Json, type Rig } from "./rig.js";

export interface RigCoturn {
  /** The healthy coturn on turn.example.test (127.0.0.3): UDP, TCP (3478) and TLS (5349) URIs. */
  uris: string[];
  /** static-auth-secret of both instances (= Dendrite's client_api.turn.turn_shared_secret). */
  secret: string;
  realm: string;
  /** turn-open.example.test (127.0.0.6): allow-loopback-peers and no denied-peer-ip. */
  openRelayUri: string;
  openRelayTcpUri: string;
  /** 127.0.0.3:3479, where nothing listens. */
  downUri: string;
  downTcpUri: string;
  /** Access token of the Dendrite account `doctor` (for /voip/turnServer). */
  accessToken: string;
  userId: string;
  confDir: string;
  relayPorts: [number, number];
}

function str(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw new Error(`rig.json: services.coturn.${key} must be a non-empty string`);
  return v;
}

export function parseCoturn(o: Json): RigCoturn {
  const uris = o["uris"];
  if (!Array.isArray(uris) || !uris.every((u) => typeof u === "string")) throw new Error("rig.json: services.coturn.uris must be strings");
  const ports = o["relayPorts"];
  if (!Array.isArray(ports) || ports.length !== 2 || !ports.every((p) => typeof p === "number")) {
    throw new Error("rig.json: services.coturn.relayPorts must be [min, max]");
  }
  return {
    uris: uris as string[],
    secret: str(o, "secret"),
    realm: str(o, "realm"),
    openRelayUri: str(o, "openRelayUri"),
    openRelayTcpUri: str(o, "openRelayTcpUri"),
    downUri: str(o, "downUri"),
    downTcpUri: str(o, "downTcpUri"),
    accessToken: str(o, "accessToken"),
    userId: str(o, "userId"),
    confDir: str(o, "confDir"),
    relayPorts: [ports[0] as number, ports[1] as number],
  };
}

/** The rig's coturn, or undefined when the rig is not up or has no coturn service. */
export function loadCoturn(rig: Rig | undefined = loadRig()): RigCoturn | undefined {
  const o = rig?.services["coturn"];
  return o ? parseCoturn(o) : undefined;
}
