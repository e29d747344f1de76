import check from "../../checks/config-dendrite-version.js";
import { dendriteFact, SAMPLE_TEXT, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

testCheck(check, {
  valid: [
    { name: "the v0.13.8 sample", facts: { homeserverConfig: dendriteFact({}, SAMPLE_TEXT) }, summary: /^version: 2 \(dendrite\.yaml line 8\)$/ },
    { name: "Synapse", status: "skip", facts: { homeserverConfig: synapseFact() }, summary: /Synapse's homeserver\.yaml has no version key/ },
  ],
  invalid: [
    { name: "version 1", facts: { homeserverConfig: dendriteFact({ version: 1 }) }, summary: /version is 1 at dendrite\.yaml line 8, but Dendrite v0\.13 accepts only 2/, fix: /dendrite-sample\.yaml/ },
    { name: 'the string "2"', facts: { homeserverConfig: dendriteFact({ version: "2" }) }, summary: /"2" \(a string\)/, fix: /without quotes/ },
    { name: "no version key", status: "warn", facts: { homeserverConfig: dendriteFact({ version: undefined }) }, summary: /has no top-level version key/, fix: /version: 2/ },
  ],
});
