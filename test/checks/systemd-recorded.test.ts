// Replays the facts recorded from the rig's real systemd (test/probes/systemd.test.ts with
// MATRIX_DOCTOR_RECORD_FIXTURES=1) through the systemd checks: offline, with the recording's clock,
// they must give the verdicts the live run gave.

import { describe, expect, it } from "vitest";
import crashLoop from "../../checks/systemd-crash-loop.js";
import certbotTimer from "../../checks/systemd-certbot-timer.js";
import dependencies from "../../checks/systemd-dependencies.js";
import homeserverUnit from "../../checks/systemd-homeserver-unit.js";
import limits from "../../checks/systemd-limits.js";
import reachable from "../../checks/systemd-reachable.js";
import { runCheck } from "../support/check-tester.js";
import { recording, recordingNames } from "../fixtures/systemd/load.js";

const SYSTEMD_CHECKS = [reachable, homeserverUnit, crashLoop, limits, dependencies, certbotTimer];

describe("systemd checks over facts recorded from the rig's systemd", () => {
  const names = recordingNames();
  it("has the recordings", () => {
    expect(names).toEqual(
      expect.arrayContaining(["healthy", "failed", "crashloop", "nofile-low", "unknown-unit", "unreachable", "dendrite", "disabled-running", "certbot-inactive"]),
    );
  });
  for (const name of names) {
    it(`${name}: same verdicts as the live run`, () => {
      const rec = recording(name);
      const replayed = Object.fromEntries(SYSTEMD_CHECKS.map((c) => [c.id, runCheck(c, rec.facts, { now: rec.recordedAt }).status]));
      // Checks skipped by the engine for a missing fact are not in play here: the fact is recorded.
      expect(replayed).toEqual(rec.statuses);
    });
  }
});
