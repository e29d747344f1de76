// Canonical JSON as the spec appendix defines it (https://spec.matrix.org/latest/appendices/#canonical-json):
// the shortest UTF-8 encoding, object keys sorted by Unicode code point, no insignificant whitespace, non-ASCII
// written as itself (never \u-escaped), and numbers only as integers within ±(2^53 − 1).
// It is what Matrix signatures are computed over, so any value it cannot encode makes a signature unverifiable.

export class CanonicalJsonError extends Error {
  override name = "CanonicalJsonError";
  /** Where in the value the problem is, e.g. `verify_keys["ed25519:a"].key` (empty for the root). */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(path === "" ? problem : `${path}: ${problem}`);
    this.path = path;
  }
}

/** Lone UTF-16 surrogates: with the u flag a paired surrogate is one code point and does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Encode a value as canonical JSON. Throws CanonicalJsonError for anything the encoding cannot represent. */
export function canonicalJson(value: unknown): string {
  return encode(value, "");
}

function encode(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return encodeString(value, path);
    case "number":
      return encodeNumber(value, path);
    case "object":
      if (Array.isArray(value)) return `[${value.map((item, index) => encode(item, `${path}[${index}]`)).join(",")}]`;
      return encodeObject(value, path);
    default:
      throw new CanonicalJsonError(path, `${typeof value} is not a JSON value`);
  }
}

function encodeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
  if (!Number.isInteger(value)) throw new CanonicalJsonError(path, `${value} is not an integer (canonical JSON allows no floats)`);
  if (Object.is(value, -0)) throw new CanonicalJsonError(path, "-0 is not allowed in canonical JSON");
  if (!Number.isSafeInteger(value)) {
    throw new CanonicalJsonError(path, `${value} is outside the integer range ±(2^53 − 1) of canonical JSON`);
  }
  return String(value);
}

function encodeString(value: string, path: string): string {
  // UTF-8 cannot encode a lone surrogate, so no canonical byte string exists for it.
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, "string contains a lone UTF-16 surrogate");
  // JSON.stringify escapes exactly what the grammar requires: `"`, `\`, the short escapes \b \f \n \r \t and other
  // control characters as lower-case \u00xx; everything else, non-ASCII included, is written as itself.
  return JSON.stringify(value);
}

function encodeObject(value: object, path: string): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new CanonicalJsonError(path, `${value.constructor.name} is not a plain JSON object`);
  }
  const entries = Object.entries(value).sort(([a], [b]) => compareCodePoints(a, b));
  const members = entries.map(([key, member]) => `${encodeString(key, path)}:${encode(member, memberPath(path, key))}`);
  return `{${members.join(",")}}`;
}

function memberPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path === "" ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Order by Unicode code point (the order of the UTF-8 bytes). JavaScript's default sort compares UTF-16 code units,
 * which puts characters above U+FFFF before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(j) ?? 0;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

/**
 * Number literals in raw JSON text that canonical JSON cannot reproduce: fractions (`1.0`), exponents (`1e3`), `-0`
 * and integers beyond ±(2^53 − 1). JSON.parse turns `1.0` into 1, so only the text shows that the signer saw a float.
 */
export function findNonCanonicalNumbers(jsonText: string): string[] {
  const found: string[] = [];
  const numberToken = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let i = 0;
  while (i < jsonText.length) {
    const ch = jsonText[i] ?? "";
    if (ch === '"') {
      // Skip the string, escapes included, so digits inside strings are not mistaken for numbers.
      i++;
      while (i < jsonText.length && jsonText[i] !== '"') i += jsonText[i] === "\\" ? 2 : 1;
      i++;
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      numberToken.lastIndex = i;
      const token = numberToken.exec(jsonText)?.[0] ?? ch;
      if (/[.eE]/.test(token) || token === "-0" || !Number.isSafeInteger(Number(token))) found.push(token);
      i += token.length;
    } else {
      i++;
    }
  }
  return found;
}
