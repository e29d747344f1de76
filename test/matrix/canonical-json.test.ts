import { describe, expect, it } from "vitest";
import { CanonicalJsonError, canonicalJson, compareCodePoints, findNonCanonicalNumbers } from "../../src/matrix/canonical-json.js";

describe("canonicalJson: the spec appendix examples", () => {
  // https://spec.matrix.org/latest/appendices/#examples (input given as JSON text, as the spec does)
  const examples: [string, string][] = [
    ["{}", "{}"],
    ['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
    ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
    ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
    [
      `{
        "auth": {
          "success": true,
          "mxid": "@john.doe:example.com",
          "profile": {
            "display_name": "John Doe",
            "three_pids": [
              { "medium": "email", "address": "john.doe@example.org" },
              { "medium": "msisdn", "address": "123456789" }
            ]
          }
        }
      }`,
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ],
    ['{\n    "a": "日本語"\n}', '{"a":"日本語"}'],
    ['{\n    "本": 2,\n    "日": 1\n}', '{"日":1,"本":2}'],
    ['{\n    "a": "\\u65E5"\n}', '{"a":"日"}'],
    ['{\n    "a": null\n}', '{"a":null}'],
  ];
  for (const [input, expected] of examples) {
    it(`${input.replace(/\s+/g, " ").slice(0, 40)} → ${expected.slice(0, 40)}`, () => {
      expect(canonicalJson(JSON.parse(input))).toBe(expected);
    });
  }
});

describe("canonicalJson: encoding rules", () => {
  it("escapes control characters as lower-case \\u00xx and uses the short escapes", () => {
    expect(canonicalJson({ a: "\u001F" })).toBe('{"a":"\\u001f"}');
    expect(canonicalJson({ a: "\b\f\n\r\t\"\\" })).toBe('{"a":"\\b\\f\\n\\r\\t\\"\\\\"}');
    expect(canonicalJson("\u0000\u007f")).toBe('"\\u0000\u007f"');
  });

  it("writes non-ASCII, slash and U+2028 as themselves", () => {
    expect(canonicalJson("a/b\u2028é😀")).toBe('"a/b\u2028é😀"');
  });

  it("encodes scalars, arrays and nesting without whitespace", () => {
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson([true, false, null, 0, -1, "x", [], {}])).toBe('[true,false,null,0,-1,"x",[],{}]');
    expect(canonicalJson({ z: [{ b: 1, a: [2, { d: 4, c: 3 }] }] })).toBe('{"z":[{"a":[2,{"c":3,"d":4}],"b":1}]}');
  });

  it("accepts the integer range ±(2^53 − 1)", () => {
    expect(canonicalJson([9007199254740991, -9007199254740991])).toBe("[9007199254740991,-9007199254740991]");
  });

  it("sorts keys by code point, not by UTF-16 code unit", () => {
    // U+FB01 sorts before U+1F600 by code point; UTF-16 units (0xFB01 vs 0xD83D) would put the emoji first.
    expect(canonicalJson({ "😀": 1, "ﬁ": 2, B: 3, a: 4 })).toBe('{"B":3,"a":4,"ﬁ":2,"😀":1}');
    expect(compareCodePoints("a", "ab")).toBeLessThan(0);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("é", "é")).toBe(0);
  });

  it.each([
    [{ a: 1.5 }, /a: 1.5 is not an integer/],
    [{ a: { b: [1, 2.25] } }, /a\.b\[1\]: 2.25 is not an integer/],
    [{ "ed25519:x": -0 }, /\["ed25519:x"\]: -0 is not allowed/],
    [{ a: 2 ** 53 }, /outside the integer range/],
    [{ a: -(2 ** 53) }, /outside the integer range/],
    [{ a: Number.NaN }, /NaN is not a JSON number/],
    [{ a: Number.POSITIVE_INFINITY }, /Infinity is not a JSON number/],
    [{ a: undefined }, /undefined is not a JSON value/],
    [{ a: 1n }, /bigint is not a JSON value/],
    [{ a: () => 1 }, /function is not a JSON value/],
    [{ a: new Date(0) }, /Date is not a plain JSON object/],
    [{ a: "\uD800" }, /lone UTF-16 surrogate/],
  ])("rejects %o", (value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });
});

describe("findNonCanonicalNumbers", () => {
  it("finds floats, exponents, -0 and out-of-range integers in raw text", () => {
    expect(findNonCanonicalNumbers('{"a":1.0,"b":1e3,"c":-0,"d":9007199254740993,"e":[2,-5]}')).toEqual([
      "1.0",
      "1e3",
      "-0",
      "9007199254740993",
    ]);
  });

  it("ignores digits inside strings, escaped quotes included", () => {
    expect(findNonCanonicalNumbers('{"a":"1.5 \\" 2.5","b.1":7}')).toEqual([]);
  });

  it("passes a canonical document", () => {
    expect(findNonCanonicalNumbers('{"valid_until_ts":1764240000000,"n":-12}')).toEqual([]);
  });
});
