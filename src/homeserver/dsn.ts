// Database connection strings: what form a Dendrite connection_string has, turning a libpq key=value string
// into the URI form Dendrite needs (for a fix text, password masked), and the URI matrix-doctor builds from
// Synapse's database.args (psycopg2 passes them to libpq as keywords).

export type DsnFormat = "uri" | "key-value" | "sqlite-file" | "other";

export function dsnFormat(dsn: string): DsnFormat {
  if (/^postgres(?:ql)?:\/\//i.test(dsn)) return "uri";
  if (dsn.startsWith("file:")) return "sqlite-file";
  if (/^\s*[A-Za-z_]+\s*=/.test(dsn)) return "key-value";
  return "other";
}

/** libpq key=value pairs (values may be single-quoted with \' and \\ escapes). */
export function parseKeyValueDsn(dsn: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(dsn)) !== null) {
    if (m[0] === "") break;
    const key = m[1] ?? "";
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
    out.set(key, value);
  }
  return out;
}

const enc = encodeURIComponent;

/**
 * A postgresql:// URI from libpq keywords. `user`, `password`, `host`, `port` and `dbname` (or psycopg2's
 * `database`) go into the URI's parts; a host that is a socket directory goes into ?host=; every other keyword
 * becomes a query parameter, which libpq and node-postgres both accept.
 */
export function uriFromKeywords(params: Map<string, string>, options: { maskPassword?: boolean } = {}): string {
  const user = params.get("user");
  const password = params.get("password");
  const host = params.get("host");
  const port = params.get("port");
  const dbname = params.get("dbname") ?? params.get("database");
  const query: string[] = [];
  let authority = "";
  const hasUser = user !== undefined && user !== "";
  const hasPassword = password !== undefined && password !== "";
  if (hasUser || hasPassword) {
    authority = `${hasUser ? enc(user) : ""}${hasPassword ? `:${options.maskPassword ? "***" : enc(password)}` : ""}@`;
  }
  let hostPart = "";
  if (host !== undefined && host !== "") {
    if (host.startsWith("/")) query.push(`host=${enc(host)}`);
    else hostPart = host.includes(":") ? `[${host}]` : host;
  }
  if (port !== undefined && port !== "") {
    if (hostPart !== "") hostPart += `:${port}`;
    else query.push(`port=${enc(port)}`);
  }
  for (const [key, value] of params) {
    if (["user", "password", "host", "port", "dbname", "database"].includes(key)) continue;
    query.push(`${enc(key)}=${options.maskPassword && /pass/i.test(key) ? "***" : enc(value)}`);
  }
  const path = dbname !== undefined && dbname !== "" ? `/${enc(dbname)}` : "/";
  return `postgresql://${authority}${hostPart}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

/** libpq connection keywords (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS). */
export const LIBPQ_KEYWORDS: readonly string[] = (
  "host hostaddr port dbname user password passfile require_auth channel_binding connect_timeout client_encoding options " +
  "application_name fallback_application_name keepalives keepalives_idle keepalives_interval keepalives_count " +
  "tcp_user_timeout replication gssencmode sslmode requiressl sslnegotiation sslcompression sslcert sslkey sslpassword " +
  "sslcertmode sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version " +
  "krbsrvname gsslib gssdelegation service target_session_attrs load_balance_hosts"
).split(" ");

/**
 * The libpq keywords among Synapse's database.args (plus psycopg2's `database` alias), as strings. Anything else
 * (Twisted's cp_* arguments, typos such as `pasword`) is left out: psycopg2 would reject it, and its value might
 * be a secret.
 */
export function synapseLibpqParams(args: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(args)) {
    if (key !== "database" && !LIBPQ_KEYWORDS.includes(key)) continue;
    if (typeof value === "string") out.set(key, value);
    else if (typeof value === "number") out.set(key, String(value));
    else if (typeof value === "boolean") out.set(key, value ? "1" : "0");
  }
  return out;
}

/** redactDsn, and also every query parameter whose name says it is a password (sslpassword, …). */
export function redactConnectionString(dsn: string, redact: (dsn: string) => string): string {
  return redact(dsn)
    .replace(/([?&][^=&]*pass[^=&]*=)[^&]*/gi, "$1***")
    .replace(/(^|\s)(\w*pass\w*\s*=\s*)('[^']*'|\S+)/gi, "$1$2***");
}

/** True when the DSN carries a password (URI user:pass@, key=value password=, or ?password=). */
export function dsnHasPassword(dsn: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:[^@]+@/i.test(dsn) || /(^|\s)password\s*=\s*\S/i.test(dsn) || /[?&]password=[^&]/i.test(dsn);
}
