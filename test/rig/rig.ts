// Loader for the test rig's description (written by test/rig/up.sh).
// Probe tests call loadRig() and skip themselves when it returns undefined.
import { readFileSync } from "node:fs";

export interface RigDendrite {
  /** Plain HTTP listener inside the netns, e.g. "http://127.0.0.1:8008". */
  url: string;
  serverName: string;
  configPath: string;
  pid: number;
  binDir: string;
}

export interface RigPids {
  knot: number;
  nginx: number;
  dendrite: number;
}

export interface Rig {
  /** Network namespace name; tests must run inside it (nsenter --net=/run/netns/<netns>). */
  netns: string;
  runDir: string;
  /** "host:port" of the rig's authoritative DNS server. */
  resolver: string;
  /** PEM file of the test root CA (the only certificate to trust). */
  caFile: string;
  /** PEM file of the rogue root that signed untrusted.example.test. */
  rogueCaFile: string;
  dendrite: RigDendrite;
  /** Address reserved for a hanging server the tests start themselves. */
  hangAddress: string;
  pids: RigPids;
  /** What each extra service (test/rig/services/<name>.sh) wrote about itself; typed by test/rig/<name>.ts. */
  services: Record<string, Json>;
}

/** Environment variable holding the path of rig.json. */
export const RIG_ENV = "MATRIX_DOCTOR_RIG";

export type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") {
    throw new Error(`rig.json: ${where}${key} must be a non-empty string`);
  }
  return v;
}

function int(o: Json, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new Error(`rig.json: ${where}${key} must be a positive integer`);
  }
  return v;
}

function obj(o: Json, key: string): Json {
  const v = o[key];
  if (!isObject(v)) throw new Error(`rig.json: ${key} must be an object`);
  return v;
}

/** Check the shape of a parsed rig.json and return it typed. */
export function parseRig(data: unknown): Rig {
  if (!isObject(data)) throw new Error("rig.json: top level must be an object");
  const d = obj(data, "dendrite");
  const p = obj(data, "pids");
  return {
    netns: str(data, "netns", ""),
    runDir: str(data, "runDir", ""),
    resolver: str(data, "resolver", ""),
    caFile: str(data, "caFile", ""),
    rogueCaFile: str(data, "rogueCaFile", ""),
    dendrite: {
      url: str(d, "url", "dendrite."),
      serverName: str(d, "serverName", "dendrite."),
      configPath: str(d, "configPath", "dendrite."),
      pid: int(d, "pid", "dendrite."),
      binDir: str(d, "binDir", "dendrite."),
    },
    hangAddress: str(data, "hangAddress", ""),
    pids: {
      knot: int(p, "knot", "pids."),
      nginx: int(p, "nginx", "pids."),
      dendrite: int(p, "dendrite", "pids."),
    },
    services: isObject(data["services"])
      ? Object.fromEntries(Object.entries(data["services"]).filter((e): e is [string, Json] => isObject(e[1])))
      : {},
  };
}

/**
 * The running rig, or undefined when MATRIX_DOCTOR_RIG is not set (rig tests
 * are then skipped). Throws when the variable is set but the file is missing
 * or malformed, so a broken rig fails loudly instead of skipping tests.
 */
export function loadRig(): Rig | undefined {
  const path = process.env[RIG_ENV];
  if (path === undefined || path === "") return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err: unknown) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${RIG_ENV}=${path}: cannot read rig.json (is the rig up? bash test/rig/up.sh): ${why}`);
  }
  return parseRig(JSON.parse(text));
}
