// /.well-known/matrix/support (MSC1929, spec v1.10): how users and other admins reach the server's
// admins, e.g. to report abuse or a security problem. Validated against the spec's support.yaml schema.

import { defineCheck, fail, pass, warn, type Outcome } from "../src/engine/check.js";
import { describeNetError, exchangeEndpoint, hostnameOfUrl, isJsonObject } from "../src/engine/describe.js";

const DOCS = "https://spec.matrix.org/latest/client-server-api/#getwell-knownmatrixsupport";

/** An example file and the nginx block serving it, with the real host filled in. */
function publishFix(host: string, intro: string): string {
  const example = JSON.stringify({
    contacts: [{ matrix_id: `@admin:${host}`, email_address: `admin@${host}`, role: "m.role.admin" }],
    support_page: `https://${host}/support`,
  });
  return (
    `${intro} In the nginx server block for ${host}:443:\n` +
    "location = /.well-known/matrix/support {\n    default_type application/json;\n" +
    "    add_header Access-Control-Allow-Origin * always;\n" +
    `    return 200 '${example}';\n}\n` +
    `(use your real admin contacts), then check with: curl -si https://${host}/.well-known/matrix/support`
  );
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Every way `body` breaks support.yaml; empty when it is valid. */
function violations(body: Record<string, unknown>): string[] {
  const found: string[] = [];
  const { contacts, support_page: supportPage } = body;
  if (contacts === undefined && supportPage === undefined) {
    found.push('neither "contacts" nor "support_page" is present');
  }
  if (contacts !== undefined) {
    if (!Array.isArray(contacts)) {
      found.push('"contacts" is not an array');
    } else {
      if (contacts.length === 0 && supportPage === undefined) found.push('"contacts" is empty and there is no "support_page"');
      contacts.forEach((contact: unknown, index) => found.push(...contactViolations(contact, index)));
    }
  }
  if (supportPage !== undefined && (typeof supportPage !== "string" || !isHttpUrl(supportPage))) {
    found.push(`"support_page" ${JSON.stringify(supportPage)} is not an http(s) URL`);
  }
  return found;
}

function contactViolations(contact: unknown, index: number): string[] {
  const name = `contacts[${index}]`;
  if (!isJsonObject(contact)) return [`${name} is not an object`];
  const found: string[] = [];
  const { role, matrix_id: matrixId, email_address: email } = contact;
  // Roles are m.role.admin, m.role.security or a namespaced identifier (judgement: "has a dot").
  if (typeof role !== "string" || role === "") found.push(`${name} has no "role"`);
  else if (role !== "m.role.admin" && role !== "m.role.security" && !role.includes(".")) {
    found.push(`${name} has role "${role}" (use m.role.admin, m.role.security or a namespaced role)`);
  }
  if (matrixId === undefined && email === undefined) found.push(`${name} has neither "matrix_id" nor "email_address"`);
  if (matrixId !== undefined && (typeof matrixId !== "string" || !matrixId.startsWith("@") || !matrixId.includes(":"))) {
    found.push(`${name}.matrix_id ${JSON.stringify(matrixId)} is not a user ID like @admin:example.org`);
  }
  // Judgement: a loose email test (something@something); the spec only says "format: email".
  if (email !== undefined && (typeof email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(email))) {
    found.push(`${name}.email_address ${JSON.stringify(email)} is not an email address`);
  }
  return found;
}

export default defineCheck({
  id: "client-support",
  category: "client",
  title: "Support contacts are published (/.well-known/matrix/support)",
  docs: DOCS,
  requires: ["support"],
  run({ support }): Outcome {
    const { url, fetch: supportFetch } = support;
    const final = supportFetch.final;
    const host = hostnameOfUrl(url);
    const endpoint = exchangeEndpoint(final);

    if (supportFetch.redirectLoop || supportFetch.tooManyRedirects) {
      return warn(
        `GET ${url} ends in ${supportFetch.redirectLoop ? "a redirect loop" : "too many redirects"}: the support contacts cannot be read`,
        publishFix(host, "Serve the file directly."),
        { url, redirects: supportFetch.hops.map((hop) => hop.url) },
      );
    }
    if (final.error || !final.response) {
      const problem = final.error ? describeNetError(final.error) : "got no response";
      return warn(`GET ${final.url} (${endpoint}) ${problem}: the support contacts cannot be read`, publishFix(host, `Make ${host}:443 answer.`), {
        url,
        endpoint,
        error: final.error ?? null,
      });
    }

    const { status, body, headers } = final.response;
    if (status === 404) {
      return warn(`no admin contact published (${final.url} returned 404 from ${endpoint})`, publishFix(host, "Publish the file."), {
        url,
        endpoint,
        status,
      });
    }
    // Judgement: any other non-200 is a missing file too, not a broken one: warn like the 404.
    if (status !== 200) {
      return warn(
        `GET ${final.url} (${endpoint}) returned HTTP ${status}: no admin contact can be read`,
        publishFix(host, `Return 200 with the file instead of ${status}.`),
        { url, endpoint, status },
      );
    }

    const trimmed = body.trim();
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed) as unknown;
    } catch {
      parsed = undefined;
    }
    if (!isJsonObject(parsed)) {
      const what = trimmed.startsWith("<")
        ? "looks like HTML, not JSON (the site's catch-all page is served instead of the file)"
        : "is not a JSON object";
      return fail(`the body of ${final.url} (${endpoint}) ${what}`, publishFix(host, "Serve a JSON object."), {
        url,
        endpoint,
        status,
        bodyStart: trimmed.slice(0, 80),
      });
    }

    const acao = headers["access-control-allow-origin"] ?? null;
    const problems = violations(parsed);
    const contacts = Array.isArray(parsed.contacts) ? parsed.contacts : [];
    const roles = [...new Set(contacts.filter(isJsonObject).map((contact) => contact.role).filter((role) => typeof role === "string"))];
    const details = { url, endpoint, status, contacts: contacts.length, roles, supportPage: parsed.support_page ?? null, acao, violations: problems };

    if (problems.length > 0) {
      return fail(`${final.url} breaks the support schema: ${problems.join("; ")}`, publishFix(host, "Fix the file to match the schema."), details);
    }
    if (!acao) {
      return warn(
        `${final.url} (${endpoint}) has no Access-Control-Allow-Origin: web clients cannot show the contacts`,
        `In the nginx location = /.well-known/matrix/support on ${host} add: add_header Access-Control-Allow-Origin * always;`,
        details,
      );
    }
    const page = typeof parsed.support_page === "string" ? `, support page ${parsed.support_page}` : "";
    return pass(`${contacts.length} contact(s)${roles.length > 0 ? ` (${roles.join(", ")})` : ""}${page}`, details);
  },
});
