// valid_until_ts of the key document lies in the future (peers refuse expired key documents) and, as the spec
// asks of origin servers, at least an hour ahead. Homeservers compute it fresh for every response (Dendrite:
// now + key_validity_period), so a past or nearly past value almost always means a cache in front of the
// homeserver or a wrong clock. details.validUntil (ms, the earliest across endpoints) feeds
// matrix_doctor_federation_signing_key_valid_until_timestamp_seconds.

import { defineCheck, fail, pass, skip, warn } from "../src/engine/check.js";
import { keyDocuments } from "../src/matrix/signing.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function inWords(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  if (ms >= 2 * HOUR_MS) return `${Math.floor(ms / HOUR_MS)} hours`;
  return `${Math.max(0, Math.floor(ms / 60_000))} minutes`;
}

const FIX =
  "Homeservers set valid_until_ts freshly on every response, so look for what serves an old one: no cache may sit in front of " +
  "/_matrix/key/v2/server (remove `proxy_cache` from the nginx /_matrix location, bypass CDN caching for /_matrix), and the server " +
  "clock must be right (`timedatectl`, `timedatectl set-ntp true`). Dendrite takes the lifetime from `global.key_validity_period: 168h0m0s`, " +
  "Synapse from `key_refresh_interval: 1d`.";

export default defineCheck({
  id: "federation-keys-validity",
  category: "federation",
  title: "Signing keys are valid for at least an hour",
  docs: "https://spec.matrix.org/latest/server-server-api/#get_matrixkeyv2server",
  requires: ["serverKeys"],
  run({ serverKeys }, ctx) {
    const { documents, noneBecause } = keyDocuments(serverKeys.responses);
    if (documents.length === 0) return skip(noneBecause ?? "no key document");

    const entries = documents.map((d) => ({ endpoint: `federation ${d.endpoint}`, validUntil: d.document["valid_until_ts"] }));
    const malformed = entries.find((e) => typeof e.validUntil !== "number" || !Number.isSafeInteger(e.validUntil));
    const details = {
      endpoints: entries.map((e) => ({
        endpoint: e.endpoint,
        validUntil: e.validUntil,
        ...(typeof e.validUntil === "number" && Number.isFinite(e.validUntil) && { validUntilIso: new Date(e.validUntil).toISOString() }),
      })),
    };
    if (malformed) {
      return fail(
        `${malformed.endpoint}: the key document's valid_until_ts is ${malformed.validUntil === undefined ? "missing" : `not an integer (${JSON.stringify(malformed.validUntil)})`}`,
        `valid_until_ts (milliseconds since the epoch) is a required field; compare with what the homeserver itself serves: \`curl -s http://127.0.0.1:8008/_matrix/key/v2/server\`. ${FIX}`,
        details,
      );
    }

    const earliest = entries.reduce((a, b) => ((b.validUntil as number) < (a.validUntil as number) ? b : a));
    const validUntil = earliest.validUntil as number;
    const iso = new Date(validUntil).toISOString();
    const withMetric = { validUntil, validUntilIso: iso, ...details };
    if (validUntil <= ctx.now) {
      return fail(`${earliest.endpoint}: the key document expired ${inWords(ctx.now - validUntil)} ago (valid_until_ts ${iso})`, FIX, withMetric);
    }
    if (validUntil - ctx.now < HOUR_MS) {
      return warn(
        `${earliest.endpoint}: the key document expires in ${inWords(validUntil - ctx.now)} (valid_until_ts ${iso}); the spec asks for at least an hour`,
        FIX,
        withMetric,
      );
    }
    // Judgement: a lifetime beyond 7 days is fine; peers cap their cache at 7 days anyway (spec), which the summary says.
    const capped = validUntil - ctx.now > 7 * DAY_MS ? "; peers cache keys for at most 7 days" : "";
    return pass(`signing keys valid until ${iso} (in ${inWords(validUntil - ctx.now)})${capped}`, withMetric);
  },
});
