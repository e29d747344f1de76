// Durations as the two homeservers parse them. Dendrite: Go's time.ParseDuration ("5m", "1h30m", "300ms"; a
// bare number other than 0 is an error). Synapse: Config.parse_duration (an integer is milliseconds; a string is
// digits with an optional one-letter suffix s, m, h, d, w or y; no suffix = milliseconds).

const GO_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign
  "μs": 1e-3, // U+03BC Greek small letter mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go time.ParseDuration, in milliseconds; undefined when Go would reject the text. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  const part = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/u;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || m[1] === undefined || m[2] === undefined) return undefined;
    const number = m[1];
    if (number === "" || number === ".") return undefined;
    const unit = GO_UNITS_MS[m[2]];
    if (unit === undefined) return undefined;
    total += Number(number) * unit;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

const SYNAPSE_UNITS_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Synapse Config.parse_duration, in milliseconds; undefined when Synapse would refuse the value. */
export function parseSynapseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value !== "string" || value === "") return undefined;
  const suffix = value.slice(-1);
  const unit = SYNAPSE_UNITS_MS[suffix];
  const digits = unit === undefined ? value : value.slice(0, -1);
  // Python int(): optional sign, digits, surrounding whitespace, underscores between digits.
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(digits)) return undefined;
  return Number(digits.replace(/_/g, "")) * (unit ?? 1);
}

/** 300000 → "5m", 90000 → "1m30s", 500 → "500ms": for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("");
}
