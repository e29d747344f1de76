// Tests against the real deployment run only where the rig is up (scripts/test-all.sh starts it and
// sets MATRIX_DOCTOR_REQUIRE_RIG, so in CI a missing rig fails instead of skipping).

import { describe } from "vitest";
import { loadRig, type Rig } from "../rig/rig.js";

export const rig: Rig | undefined = loadRig();

if (!rig && process.env.MATRIX_DOCTOR_REQUIRE_RIG) {
  throw new Error("MATRIX_DOCTOR_REQUIRE_RIG is set but the rig is not up (MATRIX_DOCTOR_RIG names no rig.json)");
}

export const describeRig: typeof describe | typeof describe.skip = rig ? describe : describe.skip;

/** Flags that point a run at the rig's DNS server and test CA. */
export function rigFlags(): string[] {
  if (!rig) return [];
  return ["--resolver", rig.resolver, "--ca-file", rig.caFile, "--allow-private-addresses"];
}
