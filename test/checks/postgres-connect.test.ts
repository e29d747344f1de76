import check from "../../checks/postgres-connect.js";
import { recorded, variant } from "../fixtures/postgres/fixtures.js";
import { testCheck } from "../support/check-tester.js";

/** A failed connection recorded from the rig, with another server answer put in. */
const failedWith = (code: string, sqlstate: string | undefined, message: string) =>
  variant("wrong-password", (f) => {
    f.connections[0]!.error = { code: code as never, ...(sqlstate && { sqlstate }), message };
  });

testCheck(check, {
  valid: [
    {
      name: "the rig's Dendrite database",
      facts: { postgres: recorded("healthy-dendrite") },
      summary: /^dendrite@127\.0\.0\.1:5432\/dendrite \(global\): connected, PostgreSQL 15\.\d+$/,
      details: { implementation: "dendrite", connections: [{ label: "global", ok: true, sslmode: "disable", tls: false }] },
    },
    { name: "--postgres", facts: { postgres: recorded("healthy-flag") }, summary: /^dendrite@127\.0\.0\.1:5432\/dendrite: connected/ },
  ],
  invalid: [
    {
      name: "wrong password (recorded 28P01)",
      facts: { postgres: recorded("wrong-password") },
      summary: /^wrongpw@127\.0\.0\.1:5432\/dendrite: wrong password for role wrongpw \(password authentication failed for user "wrongpw"\)/,
      fix: /ALTER ROLE wrongpw PASSWORD '<the password from the connection string>';.*createuser -P wrongpw.*host {3}dendrite {3}wrongpw {3}127\.0\.0\.1\/32 {3}scram-sha-256/s,
    },
    {
      name: "database missing (recorded 3D000): the guide's CREATE DATABASE",
      facts: { postgres: recorded("no-database") },
      summary: /database nosuchdb does not exist/,
      fix: /CREATE DATABASE nosuchdb WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;/,
    },
    {
      name: "database missing, Synapse: the Synapse docs' createdb",
      facts: { postgres: variant("no-database", (f) => (f.implementation = "synapse")) },
      fix: /createdb --encoding=UTF8 --locale=C --template=template0 --owner=dendrite nosuchdb/,
    },
    {
      name: "Dendrite DSN without sslmode against a server without TLS (recorded)",
      facts: { postgres: recorded("tls-refused-dendrite") },
      summary: /Dendrite's driver \(lib\/pq\) defaults to sslmode=require/,
      fix: /connection_string: postgres:\/\/dendrite:<password>@127\.0\.0\.1:5432\/dendrite\?sslmode=disable/,
    },
    {
      name: "PostgreSQL down (recorded ECONNREFUSED)",
      facts: { postgres: recorded("down") },
      summary: /nothing accepts connections on 127\.0\.0\.1:5999/,
      fix: /systemctl status postgresql.*SHOW listen_addresses.*127\.0\.0\.1.*SHOW port.*5999/s,
    },
    {
      name: "role does not exist (trust/peer auth)",
      facts: { postgres: failedWith("no-role", "28000", 'role "wrongpw" does not exist') },
      fix: /sudo -u postgres createuser -P wrongpw/,
    },
    {
      name: "no pg_hba.conf line for the client's address",
      facts: { postgres: failedWith("no-hba-entry", "28000", 'no pg_hba.conf entry for host "10.0.0.5", user "wrongpw", database "dendrite", SSL encryption') },
      fix: /host {3}dendrite {3}wrongpw {3}10\.0\.0\.5\/32 {3}scram-sha-256.*systemctl reload postgresql/s,
    },
    {
      name: "pg_hba.conf only allows TLS (hostssl)",
      facts: { postgres: failedWith("tls-required", "28000", 'no pg_hba.conf entry for host "10.0.0.5", user "wrongpw", database "dendrite", no encryption') },
      summary: /only admits TLS connections/,
      fix: /sslmode=require/,
    },
    {
      name: "no connection slot left",
      facts: { postgres: failedWith("too-many-connections", "53300", "sorry, too many clients already") },
      fix: /pg_stat_activity.*max_connections/s,
    },
    {
      name: "timeout",
      facts: { postgres: failedWith("timeout", undefined, "timed out") },
      summary: /no answer from 127\.0\.0\.1:5432/,
      fix: /pg_isready -h 127\.0\.0\.1 -p 5432/,
    },
    {
      name: "one of two databases fails: labelled",
      facts: {
        postgres: variant("healthy-dendrite", (f) => {
          const down = recorded("down").connections[0]!;
          f.connections.push({ ...down, label: "room_server", components: ["room_server"] });
        }),
      },
      summary: /^dendrite@127\.0\.0\.1:5999\/dendrite \(room_server\): nothing accepts/,
      fix: /room_server|systemctl status postgresql/,
    },
  ],
});
