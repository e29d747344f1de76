// How a homeserver reads /.well-known/matrix/server (spec step 3): anything but a 200 JSON object with a
// valid m.server counts as "no well-known", and discovery goes on to step 4.

import type { HttpFetch, ServerNameFact } from "../engine/facts.js";
import { parseServerName } from "./server-name.js";

export type ServerWellKnownReading =
  | { usable: true; mServer: string; delegated: ServerNameFact }
  | { usable: false; reason: string };

export function readServerWellKnown(fetch: HttpFetch): ServerWellKnownReading {
  if (fetch.redirectLoop) return { usable: false, reason: "its redirects loop" };
  if (fetch.tooManyRedirects) return { usable: false, reason: "it redirects more than 10 times" };
  const final = fetch.final;
  if (!final.response) return { usable: false, reason: `it could not be fetched (${final.error?.message ?? "no response"})` };
  const res = final.response;
  if (res.status !== 200) return { usable: false, reason: `it answered HTTP ${res.status}` };
  if (res.truncated || res.bodyBytes > 51200) return { usable: false, reason: "it is larger than 50 KiB" };
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return { usable: false, reason: "its body is not JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { usable: false, reason: "its body is not a JSON object" };
  const mServer = (body as Record<string, unknown>)["m.server"];
  if (typeof mServer !== "string" || mServer === "") return { usable: false, reason: "it has no string m.server" };
  const delegated = parseServerName(mServer);
  if (!delegated.valid) return { usable: false, reason: `m.server "${mServer}" is not a valid server name (${delegated.invalidReason})` };
  return { usable: true, mServer, delegated };
}
