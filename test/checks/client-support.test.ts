import check from "../../checks/client-support.js";
import { expect } from "vitest";
import { testCheck } from "../support/check-tester.js";
import { JSON_TYPE, NGINX_404_HTML, SUPPORT_URL, answer, failedFetch, support, supportWithBody } from "./_fixtures-client.js";

testCheck(check, {
  valid: [
    {
      name: "contacts and support page",
      facts: { support: support() },
      summary: /2 contact\(s\) \(m\.role\.admin, m\.role\.security\), support page https:\/\/example\.org\/support\.html/,
      details: { contacts: 2, violations: [] },
    },
    { name: "support page only", facts: { support: supportWithBody({ support_page: "https://example.org/help" }) } },
    { name: "empty contacts with a support page", facts: { support: supportWithBody({ contacts: [], support_page: "http://example.org/help" }) } },
    {
      name: "namespaced role, matrix_id only",
      facts: { support: supportWithBody({ contacts: [{ matrix_id: "@mod:example.org", role: "org.example.role.moderator" }] }) },
    },
  ],
  invalid: [
    {
      name: "404",
      facts: { support: support(answer(SUPPORT_URL, 404, NGINX_404_HTML, { "content-type": "text/html" })) },
      status: "warn",
      summary: /no admin contact published/,
      fix: /"matrix_id":"@admin:example\.org".*"role":"m\.role\.admin"/,
    },
    {
      name: "network error",
      facts: { support: support(failedFetch(SUPPORT_URL, { code: "timeout", message: "10 s" })) },
      status: "warn",
      summary: /timed out/,
    },
    {
      name: "HTML catch-all with 200",
      facts: { support: support(answer(SUPPORT_URL, 200, "<!doctype html><html></html>", { "content-type": "text/html" })) },
      summary: /looks like HTML/,
    },
    {
      name: "empty object",
      facts: { support: supportWithBody({}) },
      summary: /neither "contacts" nor "support_page"/,
    },
    {
      name: "empty contacts only",
      facts: { support: supportWithBody({ contacts: [] }) },
      summary: /"contacts" is empty/,
    },
    {
      name: "contact without role",
      facts: { support: supportWithBody({ contacts: [{ email_address: "admin@example.org" }] }) },
      summary: /contacts\[0\] has no "role"/,
    },
    {
      name: "contact with a bare role",
      facts: { support: supportWithBody({ contacts: [{ email_address: "admin@example.org", role: "admin" }] }) },
      summary: /role "admin"/,
    },
    {
      name: "contact without a way to reach it",
      facts: { support: supportWithBody({ contacts: [{ role: "m.role.admin" }] }) },
      summary: /neither "matrix_id" nor "email_address"/,
    },
    {
      name: "bad matrix_id and email",
      facts: { support: supportWithBody({ contacts: [{ matrix_id: "admin", email_address: "admin.example.org", role: "m.role.admin" }] }) },
      summary: /matrix_id "admin" is not a user ID.*email_address "admin\.example\.org" is not an email address/,
      details: { violations: [expectString(), expectString()] },
    },
    {
      name: "support_page not a URL",
      facts: { support: supportWithBody({ support_page: "example.org/support" }) },
      summary: /"support_page" "example\.org\/support" is not an http\(s\) URL/,
    },
    {
      name: "valid but no ACAO",
      facts: { support: supportWithBody({ support_page: "https://example.org/help" }, { ...JSON_TYPE }) },
      status: "warn",
      summary: /no Access-Control-Allow-Origin/,
      fix: /add_header Access-Control-Allow-Origin \* always;/,
    },
    {
      name: "500",
      facts: { support: support(answer(SUPPORT_URL, 500, "error", {})) },
      status: "warn",
      summary: /HTTP 500/,
    },
  ],
});

function expectString(): unknown {
  return expect.any(String);
}
