import { describe, expect, it } from "vitest";
import { redactDsn } from "../../src/engine/secret.js";
import { dsnFormat, dsnHasPassword, parseKeyValueDsn, redactConnectionString, synapseLibpqParams, uriFromKeywords } from "../../src/homeserver/dsn.js";
import { formatDuration, parseGoDuration, parseSynapseDuration } from "../../src/homeserver/duration.js";
import { editDistance, reviewKeys } from "../../src/homeserver/known-keys.js";
import { parseSigningKey } from "../../src/homeserver/signing-key.js";
import { dendriteFact, dendritePem, newKey, synapseFact, synapseKeyLine } from "./fixtures.js";

describe("durations", () => {
  it("parses Go durations as time.ParseDuration does", () => {
    expect(parseGoDuration("5m")).toBe(300_000);
    expect(parseGoDuration("1h30m")).toBe(5_400_000);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("300ms")).toBe(300);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-1s")).toBe(-1000);
    for (const bad of ["", "5", "5 m", "1d", "m", "1h ", "five minutes", "."]) expect(parseGoDuration(bad), bad).toBeUndefined();
  });

  it("parses Synapse durations as Config.parse_duration does", () => {
    expect(parseSynapseDuration("1h")).toBe(3_600_000);
    expect(parseSynapseDuration("2d")).toBe(172_800_000);
    expect(parseSynapseDuration(86_400_000)).toBe(86_400_000);
    expect(parseSynapseDuration("1500")).toBe(1500);
    for (const bad of ["1ms", "1.5h", "h", "", "1 x", true, null]) expect(parseSynapseDuration(bad), String(bad)).toBeUndefined();
  });

  it("formats", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(500)).toBe("500ms");
    expect(formatDuration(3_600_000)).toBe("1h");
  });
});

describe("connection strings", () => {
  it("classifies", () => {
    expect(dsnFormat("postgres://a@b/c")).toBe("uri");
    expect(dsnFormat("postgresql://a@b/c")).toBe("uri");
    expect(dsnFormat("file:dendrite.db")).toBe("sqlite-file");
    expect(dsnFormat("host=localhost user=dendrite")).toBe("key-value");
    expect(dsnFormat("localhost:5432")).toBe("other");
  });

  it("turns key=value into a URI, masking the password on request", () => {
    const kv = parseKeyValueDsn("host=db.internal port=5433 user=dendrite password='it''s' dbname=dendrite sslmode=require");
    expect(kv.get("password")).toBe("it");
    const params = parseKeyValueDsn("host=db.internal port=5433 user=dendrite password='a b\\'c' dbname=dendrite sslmode=require");
    expect(params.get("password")).toBe("a b'c");
    expect(uriFromKeywords(params)).toBe("postgresql://dendrite:a%20b'c@db.internal:5433/dendrite?sslmode=require");
    expect(uriFromKeywords(params, { maskPassword: true })).toBe("postgresql://dendrite:***@db.internal:5433/dendrite?sslmode=require");
    expect(uriFromKeywords(new Map([["host", "::1"], ["dbname", "x"]]))).toBe("postgresql://[::1]/x");
    expect(uriFromKeywords(new Map([["host", "h"], ["password", "p"]]), { maskPassword: true })).toBe("postgresql://:***@h/");
  });

  it("redacts passwords in the user info, key=value pairs and query parameters", () => {
    expect(redactConnectionString("postgres://u:pw@h/d?sslmode=require&sslpassword=kp", redactDsn)).toBe("postgres://u:***@h/d?sslmode=require&sslpassword=***");
    expect(redactConnectionString("host=h password='a b' sslpassword=x dbname=d", redactDsn)).toBe("host=h password=*** sslpassword=*** dbname=d");
  });

  it("keeps only libpq keywords from Synapse's args (a typo'd key may hold a secret)", () => {
    const params = synapseLibpqParams({ user: "s", pasword: "leak", password: "pw", database: "syn", cp_max: 10, sslpassword: "kp", keepalives: true });
    expect([...params.keys()]).toEqual(["user", "password", "database", "sslpassword", "keepalives"]);
    expect(uriFromKeywords(params, { maskPassword: true })).toBe("postgresql://s:***@/syn?sslpassword=***&keepalives=1");
  });

  it("knows when a DSN has a password", () => {
    expect(dsnHasPassword("postgres://u:p@h/d")).toBe(true);
    expect(dsnHasPassword("postgres://u@h/d")).toBe(false);
    expect(dsnHasPassword("host=h password=p")).toBe(true);
    expect(dsnHasPassword("postgres://u@h/d?password=p")).toBe(true);
    expect(dsnHasPassword("file:x.db")).toBe(false);
  });
});

describe("signing keys", () => {
  it("reads Dendrite's PEM and derives the public key", () => {
    const { seed, publicKey } = newKey();
    expect(parseSigningKey(dendritePem("ed25519:Abc_1", seed), "dendrite")).toEqual({ format: "dendrite-pem", keys: [{ keyId: "ed25519:Abc_1", publicKey }] });
  });

  it("reads Synapse's lines, several keys, padded or not", () => {
    const a = newKey();
    const b = newKey();
    const text = synapseKeyLine("a_AAAA", a.seed) + `\ned25519 a_BBBB ${b.seed.toString("base64")}\n`;
    expect(parseSigningKey(text, "synapse")).toEqual({
      format: "synapse",
      keys: [
        { keyId: "ed25519:a_AAAA", publicKey: a.publicKey },
        { keyId: "ed25519:a_BBBB", publicKey: b.publicKey },
      ],
    });
  });

  it("says why a key cannot be used", () => {
    const { seed } = newKey();
    const cases: [string, "dendrite" | "synapse", RegExp][] = [
      [dendritePem("ed25519:a-b", seed), "dendrite", /only a-z, A-Z, 0-9 and _/],
      [dendritePem("rsa:x", seed), "dendrite", /does not start with "ed25519:"/],
      [dendritePem("ed25519:ok", seed.subarray(0, 16)), "dendrite", /16 bytes/],
      ["-----BEGIN MATRIX PRIVATE KEY-----\n\nAAAA\n-----END MATRIX PRIVATE KEY-----\n", "dendrite", /no Key-ID header/],
      ["-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n", "dendrite", /"PRIVATE KEY" PEM block.*TLS key/],
      [synapseKeyLine("a_x", seed), "dendrite", /Synapse's "ed25519 <id> <key>" format/],
      ["", "synapse", /is empty/],
      [dendritePem("ed25519:ok", seed), "synapse", /is a PEM file/],
      [`${seed.toString("base64")}\n`, "synapse", /single word/],
      [`ed25519 a_x ${seed.subarray(0, 31).toString("base64")}\n`, "synapse", /31 bytes/],
      [`rsa a_x ${seed.toString("base64")}\n`, "synapse", /algorithm "rsa"/],
      [`ed25519 a_x !!!\n`, "synapse", /not Base64/],
    ];
    for (const [text, impl, problem] of cases) {
      const parsed = parseSigningKey(text, impl);
      expect(parsed.keys, text).toEqual([]);
      expect(parsed.problem, text).toMatch(problem);
    }
  });
});

describe("known keys", () => {
  it("edit distance", () => {
    expect(editDistance("turn_uri", "turn_uris")).toBe(1);
    expect(editDistance("server_nmae", "server_name")).toBe(2);
    expect(editDistance("abcdef", "uvwxyz", 2)).toBe(3);
  });

  it("finds typos in Dendrite sections and leaves known and unrelated keys alone", () => {
    const f = dendriteFact({
      "client_api.turn.turn-shared-secret": "x",
      "client_api.turn.turn_uri": ["turn:a"],
      "global.server-name": "example.test",
      "client_api.captcha_bypass_secret": "",
      "global.my_own_setting": true,
      "sync_api.search.langauge": "de",
    });
    const review = reviewKeys("dendrite", f.keys);
    expect(review.typos.map((t) => [t.path, t.meant, t.meantAlsoPresent]).sort()).toEqual([
      ["client_api.captcha_bypass_secret", "client_api.recaptcha_bypass_secret", true],
      ["client_api.turn.turn-shared-secret", "client_api.turn.turn_shared_secret", true],
      ["client_api.turn.turn_uri", "client_api.turn.turn_uris", true],
      ["global.server-name", "global.server_name", true],
      ["sync_api.search.langauge", "sync_api.search.language", true],
    ]);
    expect(review.unknown.map((k) => k.path)).toEqual(["global.my_own_setting"]);
  });

  it("finds typos at Synapse's top level and in database.args", () => {
    const f = synapseFact({ "turn-shared-secret": "x", "Server_Name": "a", "database.args.pasword": "x", "enable_registation": true, my_module_config: 1 });
    const review = reviewKeys("synapse", f.keys);
    expect(review.typos.map((t) => [t.path, t.meant])).toEqual([
      ["database.args.pasword", "database.args.password"],
      ["turn-shared-secret", "turn_shared_secret"],
      ["Server_Name", "server_name"],
      ["enable_registation", "enable_registration"],
    ]);
    expect(review.unknown.map((k) => k.path)).toEqual(["my_module_config"]);
  });

  it("the real Dendrite sample and the Synapse fixture have no unknown keys", () => {
    expect(reviewKeys("dendrite", dendriteFact().keys)).toEqual({ typos: [], unknown: [] });
    expect(reviewKeys("synapse", synapseFact().keys)).toEqual({ typos: [], unknown: [] });
  });
});
