// The fault matrix: every scenario is a real misconfiguration made in the real component of the rig (nginx, knot,
// PostgreSQL, systemd, coturn, the homeserver's own config), never in matrix-doctor's inputs. inject() registers
// its undo steps as it goes; the runner always runs them (finally) and then probes the rig's health.

import { join } from "node:path";
import { replaceOnce, until, type Homeserver, type RigOps, type Undo } from "./rig-ops.js";

export type Expected = "fail" | "warn";

/** Which run of matrix-doctor fits: the remote one (`<server> --resolver --ca-file --allow-private-addresses`)
 * or the one on the homeserver (`--homeserver-config <config>` with the host's environment). */
export type RunMode = "remote" | "homeserver";

export interface Scenario {
  id: string;
  description: string;
  homeservers: Homeserver[];
  run: RunMode;
  /** Per homeserver when they differ. */
  expect: Partial<Record<Homeserver, Record<string, Expected>>> & { both?: Record<string, Expected> };
  inject(ops: RigOps, hs: Homeserver, undo: Undo): Promise<void>;
}

export function expectationsFor(s: Scenario, hs: Homeserver): Record<string, Expected> {
  return { ...(s.expect.both ?? {}), ...(s.expect[hs] ?? {}) };
}

const BOTH: Homeserver[] = ["dendrite", "synapse"];

// ------------------------------------------------------------------ nginx helpers
/** The server well-known location of the homeserver's block (as the rig writes it). */
function wkServer(ops: RigOps, hs: Homeserver, m: string): string {
  return hs === "dendrite"
    ? `add_header Cache-Control "max-age=86400";\n            return 200 '${m}';`
    : `return 200 '${m}';`;
}
const healthyM = (ops: RigOps, hs: Homeserver): string => `{"m.server":"${ops.serverName(hs)}:443"}`;

function setMServer(value: string): Scenario["inject"] {
  return (ops, hs, undo) =>
    ops.editNginx(undo, ops.nginxFile(hs), (t) =>
      replaceOnce(t, wkServer(ops, hs, healthyM(ops, hs)), wkServer(ops, hs, value.replace("NAME", ops.serverName(hs))), "m.server"),
    );
}

/** Remove the server well-known location from the homeserver's block (requests for it then get nginx's 404). */
function dropServerWellKnown(ops: RigOps, hs: Homeserver, t: string): string {
  const name = ops.serverName(hs);
  const block =
    hs === "dendrite"
      ? `        location = /.well-known/matrix/server {\n            default_type application/json;\n            add_header Access-Control-Allow-Origin *;\n            add_header Cache-Control "max-age=86400";\n            return 200 '{"m.server":"${name}:443"}';\n        }\n`
      : `    location = /.well-known/matrix/server {\n        default_type application/json;\n        add_header Access-Control-Allow-Origin *;\n        return 200 '{"m.server":"${name}:443"}';\n    }\n`;
  return replaceOnce(t, block, "", "server well-known location");
}

/** The client well-known location: Dendrite's is the snippet wk-client-healthy.conf, Synapse's inline in services/synapse.conf. */
function editClientWellKnown(transform: (loc: string) => string): Scenario["inject"] {
  return async (ops, hs, undo) => {
    if (hs === "dendrite") {
      const snippet = join(ops.run, "nginx", "snippets", "wk-client-healthy.conf");
      await ops.editNginx(undo, snippet, (t) => transform(t));
    } else {
      await ops.editNginx(undo, ops.nginxFile(hs), (t) => {
        const start = t.indexOf("    location = /.well-known/matrix/client {");
        const end = t.indexOf("    }\n", start) + 6;
        if (start < 0) throw new Error("no client well-known location in synapse.conf");
        return t.slice(0, start) + transform(t.slice(start, end)) + t.slice(end);
      });
    }
  };
}

/** Serve another certificate of the test PKI for the homeserver's name (its block gets its own ssl_certificate). */
function certificate(which: "expired" | "wrongname" | "untrusted" | "nochain"): Scenario["inject"] {
  return (ops, hs, undo) =>
    ops.editNginx(undo, ops.nginxFile(hs), (t) => {
      const pki = ops.rig.caFile.replace(/\/root\.pem$/, "");
      // untrusted: the leaf with its (rogue) chain; nochain: the leaf alone; the others: leaf + intermediate.
      const cert = which === "untrusted" ? "untrusted.chain.pem" : which === "nochain" ? "nochain.pem" : `${which}.fullchain.pem`;
      const line = `server_name ${ops.serverName(hs)};`;
      return replaceOnce(t, line, `${line}\n        ssl_certificate ${pki}/${cert};\n        ssl_certificate_key ${pki}/${which}.key;`, "server_name");
    });
}

// ------------------------------------------------------------------ homeserver config helpers
function removeTurn(hs: Homeserver, t: string): string {
  if (hs === "dendrite") {
    // client_api.turn: the keys the rig set (lifetime, URIs, secret) commented out, as if never configured.
    return t.replace(/^(    )(turn_user_lifetime|turn_uris|turn_shared_secret):.*$/gm, (_l, ind: string, key: string) => `${ind}# ${key}: (removed by the fault matrix)`);
  }
  return t.replace(/^(turn_uris|turn_shared_secret|turn_user_lifetime):.*$/gm, (_l, key: string) => `# ${key}: (removed by the fault matrix)`);
}

function pgRoleOf(ops: RigOps, hs: Homeserver): { role: string; password: string } {
  if (hs === "dendrite") return { role: ops.pg.user, password: ops.pg.password };
  const u = new URL(ops.synapse.database.dsn);
  return { role: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export const SCENARIOS: Scenario[] = [
  {
    id: "healthy",
    description: "the deployment as the rig builds it (allowed warnings: faults/healthy-<homeserver>.json)",
    homeservers: BOTH,
    run: "homeserver",
    expect: {},
    inject: async () => undefined,
  },
  // ---------------------------------------------------------------- nginx: well-knowns
  {
    id: "wk-client-no-cors",
    description: "client well-known served without Access-Control-Allow-Origin",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "client-cors-wellknown": "fail" } },
    inject: editClientWellKnown((loc) => replaceOnce(loc, "add_header Access-Control-Allow-Origin *;", "", "ACAO")),
  },
  {
    id: "wk-client-html",
    description: "client well-known answered with an HTML page",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "client-wellknown": "fail" } },
    inject: editClientWellKnown((loc) =>
      loc.replace("default_type application/json;", "default_type text/html;").replace(/return 200 '.*';/, "return 200 '<html><body>Welcome to nginx!</body></html>';"),
    ),
  },
  {
    id: "wk-client-bad-json",
    description: "client well-known with invalid (truncated) JSON",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "client-wellknown": "fail" } },
    inject: editClientWellKnown((loc) => loc.replace(/return 200 '(.*)"}}';/, "return 200 '$1\"';")),
  },
  {
    id: "wk-server-scheme",
    description: "m.server with a URL scheme (https://name:443)",
    homeservers: BOTH,
    run: "remote",
    // Peers ignore the delegation and fall back to SRV / port 8448, where the rig's nginx serves the same homeserver:
    // federation-discovery still passes.
    expect: { both: { "wellknown-server-m-server": "fail" } },
    inject: setMServer('{"m.server":"https://NAME:443"}'),
  },
  {
    id: "wk-server-wrong-port",
    description: "m.server names port 8449, where nothing listens",
    homeservers: BOTH,
    run: "remote",
    // m.server itself is well-formed (wellknown-server-m-server passes); the handshake on :8449 is what fails.
    expect: { both: { "tls-handshake": "fail" } },
    inject: setMServer('{"m.server":"NAME:8449"}'),
  },
  // ---------------------------------------------------------------- nginx: certificates
  {
    id: "cert-expired",
    description: "nginx serves an expired certificate (2020-01-01..2020-04-01) for the name",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "tls-expiry": "fail", "tls-certificate": "fail" } },
    inject: certificate("expired"),
  },
  {
    id: "cert-wrong-name",
    description: "nginx serves a certificate for other.example.net",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "tls-certificate": "fail" } },
    inject: certificate("wrongname"),
  },
  {
    id: "cert-unknown-ca",
    description: "nginx serves a certificate from a CA nobody trusts (the rogue root)",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "tls-certificate": "fail" } },
    inject: certificate("untrusted"),
  },
  {
    id: "cert-no-intermediate",
    description: "nginx serves the leaf without its intermediate (ssl_certificate = cert.pem, not fullchain.pem)",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "tls-certificate": "fail" } },
    inject: certificate("nochain"),
  },
  // ---------------------------------------------------------------- nginx: federation path
  {
    id: "no-8448",
    description:
      "no server well-known and nothing listening on 8448 (the healthy well-known delegates to :443, so closing 8448 alone breaks nothing: the well-known goes too, and peers fall back to name:8448)",
    homeservers: BOTH,
    run: "remote",
    // Nothing to connect to: tls-handshake fails, and the checks that need a handshake (federation-version) skip.
    expect: { both: { "tls-handshake": "fail" } },
    inject: async (ops, hs, undo) => {
      await ops.editNginx(undo, ops.nginxFile(hs), (t) => dropServerWellKnown(ops, hs, t));
      // Every :8448 listener of the rig's nginx (the port is shared by all server blocks).
      for (const f of [join(ops.run, "nginx", "nginx.conf"), join(ops.run, "nginx", "snippets", "listen-main.conf")]) {
        await ops.editNginx(undo, f, (t) => t.replace(/^\s*listen \S+:8448 [^\n]*\n/gm, ""));
      }
    },
  },
  {
    id: "proxy-pass-trailing-slash",
    description: "location /_matrix/ { proxy_pass http://127.0.0.1:PORT/; }: nginx strips /_matrix/ from every URI",
    homeservers: BOTH,
    run: "remote",
    // Dendrite answers the stripped URIs with its JSON 404 M_UNRECOGNIZED, so federation-routing (which looks for the
    // proxy's own HTML 404) passes there; Synapse's 404 page is HTML and federation-routing warns.
    expect: { both: { "federation-version": "fail", "client-versions": "fail" }, synapse: { "federation-routing": "warn" } },
    inject: (ops, hs, undo) =>
      ops.editNginx(undo, ops.nginxFile(hs), (t) => {
        const port = new URL(ops.homeserverUrl(hs)).port;
        const bad = `location /_matrix/ {\n        proxy_pass http://127.0.0.1:${port}/;\n        proxy_set_header Host $host;\n    }`;
        return hs === "dendrite"
          ? replaceOnce(t, "include snippets/support-healthy.conf;\n        include snippets/matrix-proxy.conf;", `include snippets/support-healthy.conf;\n        ${bad}`, "example.test proxy")
          : replaceOnce(t, `location ~* ^(\\/_matrix|\\/_synapse|\\/_client) {\n        proxy_pass http://127.0.0.1:${port};`, `location /_matrix/ {\n        proxy_pass http://127.0.0.1:${port}/;`, "synapse proxy");
      }),
  },
  {
    id: "homeserver-stopped",
    description: "the homeserver is stopped behind nginx (502): systemctl stop dendrite.service / kill -TERM Synapse",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "federation-version": "fail", "client-versions": "fail" } },
    inject: (ops, hs, undo) => ops.stopHomeserver(undo, hs),
  },
  // ---------------------------------------------------------------- DNS
  {
    id: "dns-no-address",
    description: "the server name has no A (and no AAAA) record in the zone",
    homeservers: BOTH,
    run: "remote",
    // The well-known fetch only warns: peers fall through to SRV / 8448 (which fail too, on the same missing address).
    expect: { both: { "dns-addresses": "fail", "wellknown-server-fetch": "warn" } },
    inject: (ops, hs, undo) => {
      const label = hs === "dendrite" ? "@" : "synapse";
      const name = ops.serverName(hs);
      return ops.editZone(
        undo,
        (t) => t.replace(new RegExp(`^${label === "@" ? "@" : label}(\\s+)(A|AAAA)(\\s+)`, "gm"), "; removed by the fault matrix: $&"),
        () => ops.dig(name, "A").length === 0 && ops.dig(name, "AAAA").length === 0,
        () => ops.dig(name, "A").includes("127.0.0.2"),
      );
    },
  },
  {
    id: "srv-target-cname",
    description:
      "delegation by SRV (no server well-known) whose target is a CNAME: _matrix-fed._tcp.<name> SRV → cname-<x>.example.test, a CNAME of the name",
    homeservers: BOTH,
    run: "remote",
    expect: { both: { "dns-srv": "fail" } },
    inject: async (ops, hs, undo) => {
      const name = ops.serverName(hs);
      const alias = `fault-cname-${hs}.example.test`;
      await ops.editZone(
        undo,
        (t) => `${t}\n; fault matrix: SRV target that is a CNAME\n_matrix-fed._tcp.${name}. 60 SRV 10 5 443 ${alias}.\n${alias}. 60 CNAME ${name}.\n`,
        () => ops.dig(`_matrix-fed._tcp.${name}`, "SRV").length > 0,
        () => ops.dig(`_matrix-fed._tcp.${name}`, "SRV").length === 0,
      );
      await ops.editNginx(undo, ops.nginxFile(hs), (t) => dropServerWellKnown(ops, hs, t));
    },
  },
  // ---------------------------------------------------------------- homeserver config
  {
    id: "server-name-mismatch",
    description:
      "server_name in dendrite.yaml is other.example.test, served for example.test (restarted; Dendrite keeps its database). Not for Synapse: it refuses to start on a database made for another server_name",
    homeservers: ["dendrite"],
    run: "remote",
    expect: { both: { "federation-keys-server-name": "fail" } },
    inject: (ops, hs, undo) =>
      ops.editHomeserverConfig(undo, hs, (t) => replaceOnce(t, '  server_name: "example.test"', '  server_name: "other.example.test"', "server_name"), true).then(() =>
        untilAnswers(ops, hs),
      ),
  },
  {
    id: "per-component-database",
    description:
      "dendrite.yaml still has a per-component database: section of the SQLite sample (room_server, file:roomserver.db) beside the global PostgreSQL one (config only; Synapse has no such sections)",
    homeservers: ["dendrite"],
    run: "homeserver",
    expect: { both: { "config-database-sections": "warn" } },
    inject: (ops, hs, undo) =>
      ops.editHomeserverConfig(
        undo,
        hs,
        (t) => {
          // The rig's dendrite.yaml has no room_server key left (up.sh deleted its database, its only key).
          if (/^room_server:/m.test(t)) throw new Error("dendrite.yaml already has a room_server section");
          return `${t.trimEnd()}\n\n# Added by the fault matrix: a component with its own database section.\nroom_server:\n  database:\n    connection_string: "file:roomserver.db"\n`;
        },
        false,
      ),
  },
  {
    id: "db-non-c-locale",
    description: "the config points at database badlocale (en_US.UTF-8 collation): Dendrite only warns, Synapse refuses it",
    homeservers: BOTH,
    run: "homeserver",
    expect: { dendrite: { "postgres-locale": "warn" }, synapse: { "postgres-locale": "fail" } },
    inject: (ops, hs, undo) =>
      ops.editHomeserverConfig(
        undo,
        hs,
        (t) => (hs === "dendrite" ? replaceOnce(t, "@127.0.0.1:5432/dendrite?", "@127.0.0.1:5432/badlocale?", "dsn") : replaceOnce(t, "    database: synapse\n", "    database: badlocale\n", "database")),
        false,
      ),
  },
  {
    id: "db-wrong-password",
    description: "ALTER ROLE ... PASSWORD: the password in the config no longer works (the running homeserver keeps its open connections)",
    homeservers: BOTH,
    run: "homeserver",
    expect: { both: { "postgres-connect": "fail" } },
    inject: async (ops, hs, undo) => {
      const { role, password } = pgRoleOf(ops, hs);
      undo.push("restore the role's password", () => void ops.psql(`ALTER ROLE "${role}" WITH PASSWORD ${sqlString(password)};`));
      ops.psql(`ALTER ROLE "${role}" WITH PASSWORD ${sqlString(`fault-${Date.now()}`)};`);
    },
  },
  {
    id: "db-pool-over-budget",
    description: "Dendrite max_open_conns 200 / Synapse cp_max 200, over the 97 connections PostgreSQL allows (config only, no restart)",
    homeservers: BOTH,
    run: "homeserver",
    // Dendrite refuses to start with a pool over the budget (its startup check): fail. Synapse starts and fails
    // only under load: warn.
    expect: { dendrite: { "postgres-connection-budget": "fail" }, synapse: { "postgres-connection-budget": "warn" } },
    inject: (ops, hs, undo) =>
      ops.editHomeserverConfig(
        undo,
        hs,
        (t) => (hs === "dendrite" ? replaceOnce(t, "    max_open_conns: 90\n", "    max_open_conns: 200\n", "max_open_conns") : replaceOnce(t, "    cp_max: 10\n", "    cp_max: 200\n", "cp_max")),
        false,
      ),
  },
  {
    id: "postgres-down",
    description: "the PostgreSQL cluster is stopped (fast shutdown of the postmaster)",
    homeservers: BOTH,
    run: "homeserver",
    expect: { both: { "postgres-connect": "fail" } },
    inject: (ops, _hs, undo) => ops.stopPostgres(undo),
  },
  // ---------------------------------------------------------------- systemd (Dendrite only: the rig has no Synapse unit)
  {
    id: "unit-failed",
    description: "dendrite.service failed: drop-in with Restart=no and an ExecStart that exits 1 (Synapse has no unit in the rig)",
    homeservers: ["dendrite"],
    run: "homeserver",
    expect: { both: { "systemd-homeserver-unit": "fail" } },
    inject: async (ops, _hs, undo) => {
      await ops.dendriteDropIn(undo, "[Service]\nRestart=no\nExecStart=\nExecStart=/bin/sh -c 'echo fault matrix: exiting; exit 1'\n");
      await untilUnit(ops, (s) => s["ActiveState"] === "failed");
    },
  },
  {
    id: "unit-crash-loop",
    description: "dendrite.service crash-looping: drop-in ExecStart with a nonexistent config, Restart=always stays (Synapse has no unit in the rig)",
    homeservers: ["dendrite"],
    run: "homeserver",
    expect: { both: { "systemd-crash-loop": "fail" } },
    inject: async (ops, _hs, undo) => {
      await ops.dendriteDropIn(undo, `[Service]\nExecStart=\nExecStart=${ops.rig.dendrite.binDir}/dendrite -config /nonexistent/dendrite.yaml\n`);
      await untilUnit(ops, (s) => s["SubState"] === "auto-restart" || Number(s["NRestarts"]) > 0);
    },
  },
  // ---------------------------------------------------------------- TURN
  {
    id: "coturn-down",
    description: "the coturn of turn.example.test is stopped",
    homeservers: BOTH,
    run: "homeserver",
    expect: { both: { "turn-reachable": "fail" } },
    inject: (ops, _hs, undo) => ops.coturnFault(undo),
  },
  {
    id: "turn-wrong-secret",
    description: "coturn restarted with another static-auth-secret than the homeserver's turn_shared_secret",
    homeservers: BOTH,
    run: "homeserver",
    expect: { both: { "turn-allocate": "fail" } },
    inject: (ops, _hs, undo) => ops.coturnFault(undo, (c) => c.replace(/^static-auth-secret=.*$/m, `static-auth-secret=fault${Date.now()}`)),
  },
  {
    id: "turn-loopback-allowed",
    description: "coturn restarted with allow-loopback-peers and no denied-peer-ip (an open relay into internal networks)",
    homeservers: BOTH,
    run: "homeserver",
    expect: { both: { "turn-denied-peers": "fail" } },
    inject: (ops, _hs, undo) =>
      ops.coturnFault(undo, (c) => `${c.replace(/^denied-peer-ip=.*\n/gm, "")}allow-loopback-peers\n`),
  },
  {
    id: "turn-missing",
    description: "no TURN in the homeserver config (turn_uris/turn_shared_secret removed, homeserver restarted)",
    homeservers: BOTH,
    run: "homeserver",
    expect: { both: { "config-turn": "warn" } },
    inject: (ops, hs, undo) => ops.editHomeserverConfig(undo, hs, (t) => removeTurn(hs, t), true).then(() => untilAnswers(ops, hs)),
  },
];

async function untilAnswers(ops: RigOps, hs: Homeserver): Promise<void> {
  await until(`${hs} to answer with the edited config`, () => ops.homeserverAnswers(hs), 60_000, 100);
}

async function untilUnit(ops: RigOps, ok: (s: Record<string, string>) => boolean): Promise<void> {
  await until("dendrite.service to reach the faulty state", () => ok(ops.unitState()), 20_000, 100);
}
