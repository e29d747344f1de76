// The homeserver's database accepts its connection string: the address answers, TLS is as the
// driver expects, the role authenticates, the database exists. Each failure class gets its own fix,
// because "could not connect" is where every broken PostgreSQL setup starts.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import {
  createDatabaseSql,
  foldVerdicts,
  homeserverName,
  homeserverUnit,
  pgLabel,
  pgTarget,
  sqlIdent,
  type DatabaseVerdict,
  type PostgresConnectionFact,
  type PostgresImplementation,
} from "../src/engine/facts/postgres.js";

const PG_HBA = "https://www.postgresql.org/docs/current/auth-pg-hba-conf.html";
const PG_CONNECTION = "https://www.postgresql.org/docs/current/runtime-config-connection.html";
const PG_SSL = "https://www.postgresql.org/docs/current/libpq-ssl.html";
const DENDRITE_DB = "https://matrix-org.github.io/dendrite/installation/manual/database";
const SYNAPSE_SETUP = "https://element-hq.github.io/synapse/latest/postgres.html#set-up-database";

const psql = (sql: string): string => `sudo -u postgres psql -c "${sql.replace(/"/g, '\\"')}"`;

/** Where the connection string lives in the homeserver's config. */
function dsnSetting(c: PostgresConnectionFact, implementation: PostgresImplementation): string {
  if (c.label === "--postgres") return "the connection string you passed (and the homeserver's config)";
  if (implementation === "synapse") return "`database.args` in homeserver.yaml";
  const component = c.components[0] ?? "global";
  return component === "global" ? "`global.database.connection_string` in dendrite.yaml" : `\`${component}.database.connection_string\` in dendrite.yaml`;
}

/** The client address PostgreSQL saw, from its "no pg_hba.conf entry for host ..." message. */
function clientCidr(message: string, fallback: string): string {
  const host = /host "([^"]+)"/.exec(message)?.[1];
  if (!host) return fallback;
  return host.includes(":") ? `${host}/128` : `${host}/32`;
}

function hbaLine(c: PostgresConnectionFact, message = ""): string {
  const cidr = c.endpoint.socket ? "" : clientCidr(message, c.endpoint.address?.includes(":") ? "::1/128" : "127.0.0.1/32");
  const db = c.database ?? "all";
  const user = c.user ?? "all";
  return c.endpoint.socket ? `local   ${db}   ${user}   scram-sha-256` : `host   ${db}   ${user}   ${cidr}   scram-sha-256`;
}

function verdict(c: PostgresConnectionFact, implementation: PostgresImplementation): DatabaseVerdict {
  const server = c.server;
  if (c.ok) {
    const version = server?.version ? `PostgreSQL ${server.version.split(" ")[0]}` : "PostgreSQL";
    return { status: "pass", text: `connected, ${version}${c.tls ? " over TLS" : ""}` };
  }
  const err = c.error ?? { code: "other" as const, message: "connection failed" };
  const user = c.user ?? "dendrite";
  const db = c.database ?? user;
  const addr = c.endpoint.socket ? `socket ${c.endpoint.host}/.s.PGSQL.${c.endpoint.port}` : `${c.endpoint.address ?? c.endpoint.host}:${c.endpoint.port}`;
  const hs = homeserverName(implementation);
  const setting = dsnSetting(c, implementation);
  const reload = "`systemctl reload postgresql`";
  const failWith = (text: string, fix: string, docs?: string): DatabaseVerdict => ({
    status: "fail",
    text,
    fix,
    ...(docs && { docs }),
  });
  switch (err.code) {
    case "auth-failed":
      return failWith(
        `wrong password for role ${user} (${err.message})`,
        `The password in ${setting} is not the one PostgreSQL has for role ${user}. Set the role's password to the one in the connection string: ` +
          `${psql(`ALTER ROLE ${sqlIdent(user)} PASSWORD '<the password from the connection string>';`)} ` +
          `(PostgreSQL answers the same when the role does not exist: check with \`sudo -u postgres psql -c '\\du ${user}'\` and create it with \`sudo -u postgres createuser -P ${user}\`). ` +
          `pg_hba.conf must ask for a password for it, e.g. \`${hbaLine(c)}\`, then ${reload}.`,
        PG_HBA,
      );
    case "no-role":
      return failWith(
        `role ${user} does not exist (${err.message})`,
        `Create the role as the guide does: \`sudo -u postgres createuser -P ${user}\` (enter the password from ${setting}).`,
        implementation === "synapse" ? SYNAPSE_SETUP : DENDRITE_DB,
      );
    case "no-hba-entry":
      return failWith(
        `pg_hba.conf has no line that lets ${user} into ${db} from here (${err.message})`,
        `Add \`${hbaLine(c, err.message)}\` to pg_hba.conf (before any broader reject line; \`sudo -u postgres psql -c 'SHOW hba_file'\` prints where it is), then ${reload}.`,
        PG_HBA,
      );
    case "login-not-permitted":
      return failWith(`role ${user} may not log in (${err.message})`, `${psql(`ALTER ROLE ${sqlIdent(user)} LOGIN;`)}`, PG_HBA);
    case "auth-other":
      return failWith(
        `authentication failed (${err.message})`,
        `pg_hba.conf picks an authentication method this connection cannot satisfy (peer/ident only work for the OS user of the same name). ` +
          `Use password authentication for ${hs}: \`${hbaLine(c)}\` in pg_hba.conf, then ${reload}.`,
        PG_HBA,
      );
    case "no-database":
      return failWith(
        `database ${db} does not exist (${err.message})`,
        implementation === "synapse"
          ? `Create it as the Synapse docs do: \`sudo -u postgres createdb --encoding=UTF8 --locale=C --template=template0 --owner=${user} ${db}\`.`
          : `Create it as the guide does: ${psql(createDatabaseSql(db, user))}`,
        implementation === "synapse" ? SYNAPSE_SETUP : DENDRITE_DB,
      );
    case "no-connect-privilege":
      return failWith(`role ${user} may not connect to ${db} (${err.message})`, psql(`GRANT CONNECT ON DATABASE ${sqlIdent(db)} TO ${sqlIdent(user)};`), PG_HBA);
    case "too-many-connections":
      return failWith(
        `PostgreSQL has no connection slot left (${err.message})`,
        `Every connection slot is taken. See who holds them: ${psql("SELECT datname, usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC;")}; ` +
          `then lower the homeserver's pool (max_open_conns / cp_max) or raise \`max_connections\` in postgresql.conf and \`systemctl restart postgresql\`.`,
        PG_CONNECTION,
      );
    case "not-accepting":
      return failWith(
        `PostgreSQL is not accepting connections (${err.message})`,
        "It is starting up, shutting down or in recovery: `systemctl status postgresql` and `journalctl -u postgresql -n 50` say which.",
        PG_CONNECTION,
      );
    case "tls-required":
      return failWith(
        `pg_hba.conf only admits TLS connections and this one is not encrypted (sslmode=${c.sslmode}; ${err.message})`,
        `Use TLS: set \`sslmode=require\` (or verify-full) in ${setting} instead of sslmode=${c.sslmode}; or, for a connection that stays on this host, add \`${hbaLine(c, err.message)}\` (a \`host\`, not \`hostssl\`, line) to pg_hba.conf and ${reload}.`,
        PG_HBA,
      );
    case "tls-refused": {
      const unwritten = c.sslmodeWritten === undefined;
      const why = unwritten
        ? implementation === "dendrite"
          ? `Dendrite's driver (lib/pq) defaults to sslmode=require when the connection string has no sslmode, and this server does not offer TLS ("pq: SSL is not enabled on the server")`
          : `sslmode defaults to ${c.sslmode} and this server does not offer TLS`
        : `sslmode=${c.sslmode} asks for TLS and this server does not offer it`;
      return failWith(
        why,
        `For a database on the same host or a private network, append \`?sslmode=disable\` to the connection string as the Dendrite guide does, e.g. ` +
          `\`connection_string: postgres://${user}:<password>@${c.endpoint.host}:${c.endpoint.port}/${db}?sslmode=disable\`; ` +
          `otherwise turn TLS on in postgresql.conf (\`ssl = on\`, \`ssl_cert_file\`, \`ssl_key_file\`) and \`systemctl restart postgresql\`.`,
        PG_SSL,
      );
    }
    case "tls":
      return failWith(
        `TLS with PostgreSQL failed (sslmode=${c.sslmode}: ${err.message})`,
        `Check the server certificate (\`ssl_cert_file\` in postgresql.conf must hold the full chain for ${c.endpoint.host}); ` +
          `with sslmode=verify-ca/verify-full the CA must be in \`sslrootcert\`. sslmode=require encrypts without verifying.`,
        PG_SSL,
      );
    case "refused":
      return failWith(
        `nothing accepts connections on ${addr} (${err.message})`,
        `Is PostgreSQL running? \`systemctl status postgresql\` (start it with \`systemctl start postgresql\`). If it is, it does not listen there: ` +
          (c.endpoint.socket
            ? `compare \`unix_socket_directories\` (\`sudo -u postgres psql -c 'SHOW unix_socket_directories'\`) and \`port\` with ${c.endpoint.host} and ${c.endpoint.port}.`
            : `\`sudo -u postgres psql -c 'SHOW listen_addresses'\` must include ${c.endpoint.address ?? c.endpoint.host} (or '*') and \`SHOW port\` must be ${c.endpoint.port}; ` +
              `set \`listen_addresses\` in postgresql.conf and \`systemctl restart postgresql\`; \`ss -ltnp | grep ${c.endpoint.port}\` shows what listens.`),
        PG_CONNECTION,
      );
    case "timeout":
      return failWith(
        `no answer from ${addr} (${err.message})`,
        `The host drops the connection attempts: check that it is up and that no firewall blocks port ${c.endpoint.port} between ${hs} and PostgreSQL ` +
          `(\`pg_isready -h ${c.endpoint.address ?? c.endpoint.host} -p ${c.endpoint.port}\` from the homeserver's host).`,
        PG_CONNECTION,
      );
    case "dns":
      return failWith(
        `cannot resolve the database host (${err.message})`,
        `Fix the host in ${setting}: use the database server's IP address (127.0.0.1 when it runs on the same machine) or give ${c.endpoint.host} an A/AAAA record.`,
        DENDRITE_DB,
      );
    case "unreachable":
    case "reset":
    case "other":
      return failWith(
        `connection failed (${err.message})`,
        `\`pg_isready -h ${c.endpoint.address ?? c.endpoint.host} -p ${c.endpoint.port}\` and \`journalctl -u postgresql -n 50\` on the database host; ` +
          `restart ${hs} with \`systemctl restart ${homeserverUnit(implementation)}\` once PostgreSQL answers.`,
        PG_CONNECTION,
      );
  }
}

export default defineCheck({
  id: "postgres-connect",
  category: "postgres",
  title: "The homeserver's PostgreSQL database accepts its connection string",
  docs: DENDRITE_DB,
  requires: ["postgres"],
  run({ postgres }): Outcome {
    const verdicts = postgres.connections.map((c) => ({ c, v: verdict(c, postgres.implementation) }));
    const details = {
      implementation: postgres.implementation,
      source: postgres.source,
      connections: postgres.connections.map((c) => ({
        label: c.label,
        target: pgTarget(c),
        dsn: c.redacted,
        ok: c.ok,
        sslmode: c.sslmode,
        ...(c.tls !== undefined && { tls: c.tls }),
        ...(c.endpoint.address && { address: c.endpoint.address }),
        ...(c.error && { error: c.error.code, sqlstate: c.error.sqlstate, message: c.error.message }),
        connectMs: c.connectMs,
      })),
    };
    return foldVerdicts(verdicts, details, { alwaysLabel: true });
  },
});
