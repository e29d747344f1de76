import check from "../../checks/turn-cleanup.js";
import { testCheck } from "../support/check-tester.js";
import { turnFact } from "../fixtures/turn/fixtures.js";

testCheck(check, {
  valid: [
    { name: "recorded: all six allocations released", facts: { turn: turnFact("healthy") }, summary: /all 6 allocation\(s\) released/ },
    { name: "recorded: clock skew run released its far-future allocation", facts: { turn: turnFact("clock-skew") }, summary: /all 1 allocation/ },
    { name: "nothing allocated", facts: { turn: turnFact("wrong-secret") }, status: "skip" },
  ],
  invalid: [
    {
      name: "Refresh refused",
      facts: { turn: turnFact("healthy", (f) => { f.endpoints[0]!.allocations[0]!.refresh = { ok: false, errorCode: 437, reason: "Allocation Mismatch", durationMs: 1 }; }) },
      status: "warn",
      summary: /was not released by Refresh\(lifetime 0\): 437 Allocation Mismatch/,
      fix: /frees it when its lifetime ends \(600 s\)/,
    },
    {
      name: "Refresh unanswered",
      facts: { turn: turnFact("healthy", (f) => { f.endpoints[1]!.allocations[1]!.refresh = { ok: false, error: { code: "timeout", message: "timed out" }, durationMs: 3000 }; }) },
      status: "warn",
      summary: /: timeout$/,
    },
  ],
});
