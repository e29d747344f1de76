// The recorded turn fixtures hold no secret: no password, shared secret or token field, and no value
// shaped like a TURN REST password (base64 of a 20-byte HMAC-SHA1). With the rig up, also none of the
// rig's actual secrets.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCoturn } from "../rig/coturn.js";

const dir = new URL("../fixtures/turn/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("turn fixtures", () => {
  it("exist", () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const f of files) {
    it(`${f} holds no secret`, () => {
      const text = readFileSync(new URL(f, dir), "utf8");
      expect(text).not.toMatch(/"(password|secret|sharedSecret|accessToken|access_token)"\s*:/i);
      expect(text).not.toMatch(/"[A-Za-z0-9+/]{27}="/);
      const coturn = loadCoturn();
      if (coturn) for (const s of [coturn.secret, coturn.accessToken]) expect(text).not.toContain(s);
    });
  }
});
