import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseHomeserverConfig, readHomeserverConfig, systemdUnitCandidates } from "../../src/homeserver/config.js";
import { DENDRITE_PATH, dendriteFact, edit, SAMPLE_TEXT, SYNAPSE_PATH, synapseFact } from "./fixtures.js";

const FIXTURES = new URL("../fixtures/config/", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "md-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe("readHomeserverConfig: Dendrite", () => {
  it("reads the real v0.13.8 dendrite-sample.yaml", () => {
    const f = readHomeserverConfig(join(FIXTURES, "dendrite-sample.yaml"));
    expect(f.implementation).toBe("dendrite");
    expect(f.serverName).toBe("localhost");
    expect(f.serverNameLine).toBe(13);
    expect(f.configVersion).toBe(2);
    expect(f.configVersionLine).toBe(8);
    // private_key: matrix_key.pem, relative → against the config's directory.
    expect(f.signingKeyPath).toBe(join(FIXTURES, "matrix_key.pem"));
    expect(f.signingKeyPathRaw).toBe("matrix_key.pem");
    expect(f.databases).toHaveLength(1);
    const [db] = f.databases;
    expect(db).toMatchObject({
      component: "global",
      engine: "postgres",
      section: "global.database",
      line: 43,
      format: "uri",
      maxOpenConns: 90,
      maxOpenConnsSource: "config",
      maxIdleConns: 5,
      samplePlaceholder: true,
      redacted: "postgresql://username:***@hostname/dendrite?sslmode=disable",
    });
    expect(db?.connectionString.reveal()).toBe("postgresql://username:password@hostname/dendrite?sslmode=disable");
    expect(f.turn).toMatchObject({ uris: [], userLifetime: "5m", keyPrefix: "client_api.turn.", line: 200 });
    expect(f.turn?.sharedSecret).toBeUndefined();
    expect(f.registration).toMatchObject({ open: false, captcha: false, sharedSecretSet: false, guestAccess: false });
    expect(f.wellKnown).toEqual({});
    expect(f.tlsValidation.map((t) => [t.key, t.disabled])).toEqual([
      ["federation_api.disable_tls_validation", false],
      ["app_service_api.disable_tls_validation", false],
      ["global.jetstream.disable_tls_validation", false],
    ]);
    expect(f.keys.find((k) => k.path === "client_api.turn.turn_uris")).toEqual({ path: "client_api.turn.turn_uris", line: 202 });
    expect(f.connectionPools).toMatchObject({ perProcessMaxOpenConns: 90, totalMaxOpenConns: 90, unlimited: false });
    expect(f.inlineSecrets).toEqual(["global.metrics.basic_auth.password", "global.database.connection_string"]);
    expect(systemdUnitCandidates(f)).toEqual(["dendrite.service", "matrix-dendrite.service"]);
  });

  it("reads the rig's generated config (SQLite per component, no global database)", () => {
    const f = readHomeserverConfig(join(FIXTURES, "dendrite-rig.yaml"));
    expect(f.serverName).toBe("example.test");
    expect(f.signingKeyPath).toBe("/opt/dendrite/matrix_key.pem");
    expect(f.databases.map((d) => [d.component, d.engine, d.format])).toEqual([
      ["federation_api", "sqlite", "sqlite-file"],
      ["key_server", "sqlite", "sqlite-file"],
      ["media_api", "sqlite", "sqlite-file"],
      ["mscs", "sqlite", "sqlite-file"],
      ["relay_api", "sqlite", "sqlite-file"],
      ["room_server", "sqlite", "sqlite-file"],
      ["sync_api", "sqlite", "sqlite-file"],
      ["user_api", "sqlite", "sqlite-file"],
    ]);
    expect(f.databases.find((d) => d.component === "user_api")?.section).toBe("user_api.account_database");
    expect(f.connectionPools.pools).toEqual([]);
    expect(f.registration.sharedSecretSet).toBe(true);
    expect(f.inlineSecrets).toContain("client_api.registration_shared_secret");
    expect(JSON.stringify(f)).not.toContain("rig-registration-secret-4f1c9a");
  });

  it("sizes pools as Dendrite opens them: components without max_open_conns are unlimited, one pool per DSN", () => {
    const pg = "postgres://dendrite:pw@localhost/dendrite?sslmode=disable";
    const f = dendriteFact(
      {
        "global.database": { connection_string: pg, max_open_conns: 40 },
        "room_server.database": { connection_string: "postgres://dendrite:pw@localhost/rooms" },
        "sync_api.database": { connection_string: pg, max_open_conns: 10 },
        "federation_api.database": undefined,
        "key_server.database": undefined,
        "media_api.database": undefined,
        "mscs.database": undefined,
        "relay_api.database": undefined,
        "user_api.account_database": undefined,
      },
      SAMPLE_TEXT,
    );
    expect(f.databases.map((d) => [d.section, d.maxOpenConns, d.maxOpenConnsSource])).toEqual([
      ["global.database", 40, "config"],
      ["room_server.database", 0, "default"],
      ["sync_api.database", 10, "config"],
    ]);
    expect(f.connectionPools.pools.map((p) => [p.sections, p.maxOpenConns, p.unlimited])).toEqual([
      [["global.database", "sync_api.database"], 40, false],
      [["room_server.database"], 0, true],
    ]);
    expect(f.connectionPools).toMatchObject({ perProcessMaxOpenConns: 40, totalMaxOpenConns: 40, unlimited: true });
  });

  it("defaults the global pool to 90/2 and recognises key=value DSNs", () => {
    const f = dendriteFact({ "global.database": { connection_string: "host=db user=dendrite password=pw dbname=dendrite" } }, SAMPLE_TEXT);
    expect(f.databases[0]).toMatchObject({ maxOpenConns: 90, maxOpenConnsSource: "default", maxIdleConns: 2, format: "key-value", redacted: "host=db user=dendrite password=*** dbname=dendrite" });
  });

  it("reads YAML 1.1 booleans as Go's yaml.v2 does", () => {
    const f = dendriteFact({}, SAMPLE_TEXT.replace("registration_disabled: true", "registration_disabled: no").replace("disable_tls_validation: false\n\n  # Disable HTTP", "disable_tls_validation: on\n\n  # Disable HTTP"));
    expect(f.registration.open).toBe(true);
    expect(f.tlsValidation.find((t) => t.key === "federation_api.disable_tls_validation")?.disabled).toBe(true);
  });

  it("keeps TURN secrets and passwords as Secret", () => {
    const f = dendriteFact({ "client_api.turn.turn_uris": ["turn:turn.example.test"], "client_api.turn.turn_shared_secret": "s3cret", "client_api.turn.turn_password": "pw" });
    expect(f.turn?.sharedSecret?.reveal()).toBe("s3cret");
    expect(f.turn?.password?.reveal()).toBe("pw");
    expect(JSON.stringify(f.turn)).toContain('"sharedSecret":"[redacted]"');
  });

  it("detects Dendrite without version, and a config with only global", () => {
    const f = parseHomeserverConfig("global:\n  server_name: example.org\n", DENDRITE_PATH);
    expect(f.implementation).toBe("dendrite");
    expect("configVersion" in f).toBe(false);
  });
});

describe("readHomeserverConfig: Synapse", () => {
  it("reads a homeserver.yaml written after Synapse's docs", () => {
    const f = readHomeserverConfig(join(FIXTURES, "synapse-homeserver.yaml"));
    expect(f.implementation).toBe("synapse");
    expect(f.serverName).toBe("example.org");
    expect(f.serverNameLine).toBe(4);
    expect(f.signingKeyPath).toBe("/etc/matrix-synapse/homeserver.signing.key");
    expect(f.databases).toHaveLength(1);
    const [db] = f.databases;
    expect(db).toMatchObject({
      component: "synapse",
      engine: "postgres",
      section: "database",
      format: "built",
      maxOpenConns: 10,
      maxOpenConnsSource: "config",
      minConns: 5,
      redacted: "postgresql://synapse_user:***@localhost:5432/synapse?keepalives_idle=10",
    });
    expect(db?.connectionString.reveal()).toBe("postgresql://synapse_user:fixture-db-password-9c1e@localhost:5432/synapse?keepalives_idle=10");
    expect(f.turn).toMatchObject({
      uris: ["turn:turn.example.org?transport=udp", "turn:turn.example.org?transport=tcp", "turns:turn.example.org:5349?transport=tcp"],
      userLifetime: "1h",
      allowGuests: true,
      keyPrefix: "",
    });
    expect(f.turn?.sharedSecret?.reveal()).toBe("fixture-turn-secret-5a6b");
    expect(f.wellKnown).toEqual({
      publicBaseurl: "https://matrix.example.org/",
      servedClientBaseUrl: "https://matrix.example.org/",
      serveServerWellknown: true,
      servedServer: "example.org:443",
    });
    expect(f.registration).toMatchObject({ open: false, sharedSecretSet: true });
    expect(f.inlineSecrets).toEqual(["registration_shared_secret", "macaroon_secret_key", "form_secret", "turn_shared_secret", "database.args.password"]);
    expect(f.connectionPools).toMatchObject({ perProcessMaxOpenConns: 10, totalMaxOpenConns: 10, workers: [] });
    expect(systemdUnitCandidates(f)).toEqual(["matrix-synapse.service", "synapse.service"]);
  });

  it("builds a socket URI, counts workers, defaults cp_max to 5", () => {
    const f = synapseFact({
      "database.args": { user: "synapse", password: "p@ss/w:rd", database: "synapse", host: "/var/run/postgresql", sslmode: "disable" },
      instance_map: { main: { host: "localhost", port: 8034 }, worker1: { host: "localhost", port: 8035 }, worker2: { host: "localhost", port: 8036 } },
    });
    expect(f.databases[0]?.connectionString.reveal()).toBe("postgresql://synapse:p%40ss%2Fw%3Ard@/synapse?host=%2Fvar%2Frun%2Fpostgresql&sslmode=disable");
    expect(f.databases[0]?.redacted).toBe("postgresql://synapse:***@/synapse?host=%2Fvar%2Frun%2Fpostgresql&sslmode=disable");
    expect(f.databases[0]).toMatchObject({ maxOpenConns: 5, maxOpenConnsSource: "default", minConns: 3 });
    expect(f.connectionPools).toMatchObject({ perProcessMaxOpenConns: 5, workers: ["worker1", "worker2"], totalMaxOpenConns: 15 });
  });

  it("reads `databases:` (main + state) and SQLite", () => {
    const f = synapseFact({
      database: undefined,
      databases: {
        basement: { name: "psycopg2", data_stores: ["main"], args: { user: "s", dbname: "main", host: "db", cp_max: 7 } },
        state: { name: "sqlite3", data_stores: ["state"], args: { database: "/var/lib/synapse/state.db" } },
      },
    });
    expect(f.databases.map((d) => [d.component, d.section, d.engine, d.maxOpenConns])).toEqual([
      ["synapse:basement", "databases.basement", "postgres", 7],
      ["synapse:state", "databases.state", "sqlite", 1],
    ]);
    expect(f.databases[1]?.redacted).toBe("file:/var/lib/synapse/state.db");
  });

  it("defaults signing_key_path to <config dir>/<server_name>.signing.key and parses an inline signing_key", () => {
    const f = synapseFact({ signing_key_path: undefined });
    expect(f.signingKeyPath).toBe("/etc/matrix-synapse/example.org.signing.key");
    expect(f.signingKeyPathDefaulted).toBe(true);
    const inline = synapseFact({ signing_key_path: undefined, signing_key: "ed25519 a_abcd nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" });
    expect(inline.signingKeyPath).toBeUndefined();
    // RFC 8032 test 1: this seed's public key is d75a9801…511a.
    expect(inline.signingKey).toEqual({ source: "inline", format: "synapse", keys: [{ keyId: "ed25519:a_abcd", publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo" }] });
    expect(inline.inlineSecrets).toContain("signing_key");
    expect(JSON.stringify(inline)).not.toContain("nWGxne");
  });

  it("reads registration with the legacy disable_registration and strtobool values", () => {
    expect(synapseFact({ enable_registration: "yes" }).registration.open).toBe(true);
    expect(synapseFact({ enable_registration: undefined, disable_registration: false }).registration).toMatchObject({ open: true, openKey: "disable_registration" });
    expect(synapseFact({ federation_verify_certificates: false }).tlsValidation).toEqual([{ key: "federation_verify_certificates", disabled: true, line: expect.any(Number) }]);
  });

  it("records a database name Synapse does not support, and a missing database section", () => {
    expect(synapseFact({ "database.name": "postgres" }).databaseEngineInvalid).toMatchObject({ section: "database.name", name: "postgres" });
    expect(synapseFact({ database: undefined }).databaseMissing).toBe(true);
  });

  it("detects Synapse by database.name alone", () => {
    expect(parseHomeserverConfig("database:\n  name: psycopg2\n", SYNAPSE_PATH).implementation).toBe("synapse");
  });
});

describe("readHomeserverConfig: unusable files", () => {
  const oneLine = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).not.toContain("\n");
      return message;
    }
    throw new Error("no ConfigError");
  };

  it("a missing file", () => {
    const path = join(tmp, "nope.yaml");
    expect(oneLine(() => readHomeserverConfig(path))).toBe(`cannot read the homeserver config ${path}: no such file`);
  });

  it("a directory", () => {
    mkdirSync(join(tmp, "dir.yaml"));
    expect(oneLine(() => readHomeserverConfig(join(tmp, "dir.yaml")))).toMatch(/dir\.yaml is a directory/);
  });

  it("an unreadable file (when not root)", () => {
    const path = write("locked.yaml", "server_name: x\n");
    chmodSync(path, 0o000);
    const root = process.getuid?.() === 0;
    if (root) expect(readHomeserverConfig(path).serverName).toBe("x");
    else expect(oneLine(() => readHomeserverConfig(path))).toMatch(/permission denied/);
  });

  it("invalid YAML names file, line and column", () => {
    const path = write("bad.yaml", "global:\n  server_name: example.org\n  private_key: [unclosed\n");
    expect(oneLine(() => readHomeserverConfig(path))).toMatch(new RegExp(`^${path}:\\d+:\\d+: invalid YAML: `));
    const tabs = write("tabs.yaml", "server_name: a\n\tdatabase: x\n");
    expect(oneLine(() => readHomeserverConfig(tabs))).toMatch(/tabs\.yaml:2:\d+: invalid YAML/);
  });

  it("a duplicate key is a YAML error with its line", () => {
    const path = write("dup.yaml", "server_name: a\nreport_stats: false\nserver_name: b\n");
    expect(oneLine(() => readHomeserverConfig(path))).toMatch(/dup\.yaml:3:1: invalid YAML: Map keys must be unique/);
  });

  it("empty, a list, or neither homeserver", () => {
    expect(oneLine(() => readHomeserverConfig(write("empty.yaml", "# nothing\n")))).toMatch(/empty\.yaml: the file is empty/);
    expect(oneLine(() => readHomeserverConfig(write("list.yaml", "- a\n- b\n")))).toMatch(/list\.yaml: its top level is not a YAML mapping/);
    expect(oneLine(() => readHomeserverConfig(write("other.yaml", "listen: 80\nroot: /srv\n")))).toBe(
      `${join(tmp, "other.yaml")} is neither a Dendrite config (no global: section with server_name) nor a Synapse config (no top-level server_name)`,
    );
  });

  it("keeps the file name the user gave", () => {
    expect(() => parseHomeserverConfig("a: [", "/abs/x.yaml", "x.yaml")).toThrow(/^x\.yaml:1:\d+: invalid YAML/);
  });
});
