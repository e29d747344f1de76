import { describe, expect, it } from "vitest";
import check, { parseWellKnownServerBody } from "../../checks/wellknown-server-json.js";
import { testCheck } from "../support/check-tester.js";
import { jsonResponse, response, wellKnown } from "./_fixtures-wellknown.js";

const body200 = (body: string) => wellKnown(response(200, body, { "content-type": "application/json" }));

testCheck(check, {
  valid: [
    {
      name: "object with a string m.server",
      facts: { wellKnownServer: wellKnown() },
      summary: /m\.server is "matrix\.example\.org:443"/,
      details: { mServer: "matrix.example.org:443" },
    },
    {
      name: "extra keys and whitespace are fine",
      facts: { wellKnownServer: body200('\n  { "m.server": "matrix.example.org", "org.example.x": 1 }\n') },
      details: { mServer: "matrix.example.org" },
    },
    {
      name: "served as text/plain still parses",
      facts: { wellKnownServer: wellKnown(response(200, '{"m.server":"matrix.example.org:443"}', { "content-type": "text/plain" })) },
    },
    { name: "skipped on 404", facts: { wellKnownServer: wellKnown(response(404)) }, status: "skip", summary: /wellknown-server-fetch/ },
    {
      name: "skipped on a network error",
      facts: { wellKnownServer: wellKnown({ code: "timeout", message: "timed out" }) },
      status: "skip",
    },
    {
      name: "skipped when the body was cut off",
      facts: { wellKnownServer: wellKnown({ ...jsonResponse({ "m.server": "x" }), truncated: true }) },
      status: "skip",
      summary: /wellknown-server-size/,
    },
  ],
  invalid: [
    {
      name: "not JSON",
      facts: { wellKnownServer: body200("m.server: matrix.example.org") },
      status: "warn",
      summary: /\(203\.0\.113\.10:443\): the body is not JSON.*fall through to SRV/,
      fix: /return 200 '\{"m\.server":"example\.org:443"\}'/,
    },
    {
      name: "empty body",
      facts: { wellKnownServer: body200("") },
      status: "warn",
      summary: /the body is empty/,
    },
    {
      name: "JSON array",
      facts: { wellKnownServer: body200('["matrix.example.org"]') },
      status: "warn",
      summary: /an array, not a JSON object/,
    },
    {
      name: "client well-known served in its place",
      facts: { wellKnownServer: body200('{"m.homeserver":{"base_url":"https://matrix.example.org"}}') },
      status: "warn",
      summary: /no `m\.server` key — this looks like the client well-known/,
    },
    {
      name: "m.server is a number",
      facts: { wellKnownServer: body200('{"m.server": 8448}') },
      status: "warn",
      summary: /`m\.server` is a number, not a string/,
    },
    {
      name: "m.server is empty",
      facts: { wellKnownServer: body200('{"m.server": ""}') },
      status: "warn",
      summary: /empty string/,
    },
    {
      name: "trailing comma (hand-edited file)",
      facts: { wellKnownServer: body200('{"m.server": "matrix.example.org:443",}') },
      status: "warn",
      summary: /not JSON/,
      details: { body: '{"m.server": "matrix.example.org:443",}' },
    },
  ],
});

describe("parseWellKnownServerBody", () => {
  it("reads m.server", () => {
    expect(parseWellKnownServerBody('{"m.server":"a.example:1"}')).toEqual({ ok: true, mServer: "a.example:1" });
  });
  it("rejects null", () => {
    expect(parseWellKnownServerBody("null")).toMatchObject({ ok: false, problem: expect.stringMatching(/null/) });
  });
  it("rejects a list m.server", () => {
    expect(parseWellKnownServerBody('{"m.server":["a"]}')).toMatchObject({ ok: false, problem: expect.stringMatching(/list/) });
  });
});
