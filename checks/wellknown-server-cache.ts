import { defineCheck, pass, skip, warn } from "../src/engine/check.js";

const HOUR = 3600;
/** Peers' default, cap and (Synapse's) floor for the well-known cache period. */
const DEFAULT_TTL = 24 * HOUR;
const MAX_TTL = 48 * HOUR;
const SYNAPSE_MIN_TTL = 5 * 60;

export default defineCheck({
  id: "wellknown-server-cache",
  category: "wellknown",
  title: "Server well-known can be cached by peers",
  docs: "https://spec.matrix.org/latest/server-server-api/#resolving-server-names",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }, ctx) {
    const res = wellKnownServer.primary.final.response;
    if (!res) return skip("no response from the well-known (see wellknown-server-fetch)");
    if (res.status !== 200) return skip(`the well-known answered ${res.status}, not 200 (see wellknown-server-fetch)`);

    const cacheControl = res.headers["cache-control"];
    const expires = res.headers["expires"];
    const directives = parseCacheControl(cacheControl ?? "");
    const fix =
      `In the nginx location for /.well-known/matrix/server on ${wellKnownServer.host}, remove what sends ` +
      `${cacheControl !== undefined ? `"Cache-Control: ${cacheControl}"` : `"Expires: ${expires}"`} and add \`expires 24h;\` ` +
      '(or `add_header Cache-Control "public, max-age=86400" always;`)';
    const headerDetails = { cacheControl: cacheControl ?? null, expires: expires ?? null };

    const refusing = ["no-store", "no-cache"].filter((d) => directives.has(d));
    if (refusing.length > 0) {
      return warn(
        `Cache-Control: ${cacheControl} (${refusing.join(", ")}) makes peers refetch the well-known constantly (Synapse: every ${SYNAPSE_MIN_TTL / 60} min, its floor)`,
        fix,
        { ...headerDetails, source: "cache-control", ttlSeconds: 0 },
      );
    }

    // Synapse's order: max-age wins over Expires; a non-numeric max-age is ignored.
    const maxAge = directives.get("max-age");
    let ttl: number | undefined;
    let source: "cache-control" | "expires" | "default" = "default";
    if (maxAge !== undefined && /^\d+$/.test(maxAge)) {
      ttl = Number(maxAge);
      source = "cache-control";
    } else if (expires !== undefined) {
      const dateHeader = res.headers["date"];
      const reference = dateHeader !== undefined && !Number.isNaN(Date.parse(dateHeader)) ? Date.parse(dateHeader) : ctx.now;
      const expiresAt = Date.parse(expires);
      // RFC 9111: an invalid Expires (such as "0") means already expired.
      ttl = Number.isNaN(expiresAt) ? 0 : Math.round((expiresAt - reference) / 1000);
      source = "expires";
    }

    if (ttl === undefined) {
      return pass(`no cache headers: peers cache it for 24 h by default`, {
        ...headerDetails,
        source,
        ttlSeconds: DEFAULT_TTL,
        expiresAt: new Date(ctx.now + DEFAULT_TTL * 1000).toISOString(),
      });
    }
    const shown = source === "cache-control" ? `Cache-Control: ${cacheControl}` : `Expires: ${expires}`;
    const details = { ...headerDetails, source, ttlSeconds: ttl, expiresAt: new Date(ctx.now + Math.max(ttl, 0) * 1000).toISOString() };
    if (ttl <= 0) {
      return warn(
        `${shown}: the well-known is already expired, so peers refetch it constantly (Synapse: every ${SYNAPSE_MIN_TTL / 60} min, its floor)`,
        fix,
        details,
      );
    }
    let note = "";
    if (ttl > MAX_TTL) note = "; peers cap it at 48 h";
    else if (ttl < SYNAPSE_MIN_TTL) note = `; Synapse caches it for at least ${SYNAPSE_MIN_TTL / 60} min`;
    return pass(`peers cache it for ${formatDuration(ttl)} (${shown}), until ${details.expiresAt}${note}`, details);
  },
});

function parseCacheControl(header: string): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const part of header.split(",")) {
    const [name = "", value] = part.split("=", 2).map((s) => s.trim());
    if (name === "") continue;
    directives.set(name.toLowerCase(), value?.replace(/^"(.*)"$/, "$1"));
  }
  return directives;
}

function formatDuration(seconds: number): string {
  if (seconds % HOUR === 0) return `${seconds / HOUR} h`;
  if (seconds >= HOUR) return `${(seconds / HOUR).toFixed(1)} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
