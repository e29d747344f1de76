import { describe, expect, it } from "vitest";
import { renderJunit } from "../../src/report/junit.js";
import { everyStatus, hostileReport, HOSTILE } from "./fixtures.js";
import { childrenNamed, parseXml, type XmlElement } from "./xml.js";

function only(element: XmlElement, name: string): XmlElement {
  const found = childrenNamed(element, name);
  expect(found, `<${element.name}> has exactly one <${name}>`).toHaveLength(1);
  return found[0]!;
}

function testcase(root: XmlElement, id: string): XmlElement {
  const all = childrenNamed(root, "testsuite").flatMap((s) => childrenNamed(s, "testcase"));
  const found = all.filter((c) => c.attributes.name?.startsWith(`${id}: `));
  expect(found, `one testcase for ${id}`).toHaveLength(1);
  return found[0]!;
}

describe("renderJunit", () => {
  const xml = renderJunit(everyStatus(), { hostname: "ci-runner-1" });
  const root = parseXml(xml);

  it("is well-formed XML with an XML declaration and a <testsuites> root with the totals", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.name).toBe("testsuites");
    expect(root.attributes).toMatchObject({
      name: "matrix-doctor example.org",
      tests: "6",
      failures: "1",
      errors: "1",
      skipped: "1",
      time: "1.432",
      timestamp: "2025-11-26T07:00:00.000Z",
    });
  });

  it("has one <testsuite> per category, in the contract's category order, with its counts", () => {
    const suites = childrenNamed(root, "testsuite");
    expect(suites.map((s) => s.attributes.name)).toEqual(["dns", "tls", "client"]);
    const [dns, tls, client] = suites;
    expect(dns!.attributes).toEqual({
      name: "dns",
      tests: "2",
      failures: "0",
      errors: "0",
      skipped: "1",
      time: "0.003",
      timestamp: "2025-11-26T07:00:00.000Z",
      hostname: "ci-runner-1",
    });
    expect(tls!.attributes).toMatchObject({ tests: "2", failures: "1", errors: "0", skipped: "0", time: "0.014" });
    expect(client!.attributes).toMatchObject({ tests: "2", failures: "0", errors: "1", skipped: "0", time: "1.536" });
    for (const suite of suites) {
      const cases = childrenNamed(suite, "testcase");
      expect(cases).toHaveLength(Number(suite.attributes.tests));
      for (const c of cases) expect(c.attributes.classname).toBe(`matrix-doctor.${suite.attributes.name}`);
    }
  });

  it("names each testcase '<id>: <title>' with its time in seconds", () => {
    expect(testcase(root, "client-cors-versions").attributes).toEqual({
      classname: "matrix-doctor.client",
      name: "client-cors-versions: Client API allows web clients (CORS on /versions)",
      time: "1.535",
    });
    expect(testcase(root, "dns-server-name").attributes.time).toBe("0");
  });

  it("fail → <failure message type> with summary, fix and docs in the body", () => {
    const c = testcase(root, "tls-expiry");
    expect(c.children.map((e) => e.name)).toEqual(["failure"]);
    const failure = only(c, "failure");
    expect(failure.attributes).toEqual({ message: "federation 203.0.113.7:8448: the certificate expires in 3 days", type: "fail" });
    expect(failure.text).toBe(
      "federation 203.0.113.7:8448: the certificate expires in 3 days\n" +
        "Fix: certbot renew\nsystemctl reload nginx\n" +
        "Docs: https://spec.matrix.org/latest/server-server-api/#tls",
    );
  });

  it("error → <error>, skip → <skipped message/>, pass → a bare testcase", () => {
    const error = only(testcase(root, "client-versions"), "error");
    expect(error.attributes.type).toBe("error");
    expect(error.attributes.message).toContain("check crashed");
    expect(error.text).toContain("reading 'versions'");

    const skip = testcase(root, "dns-srv");
    expect(skip.children.map((e) => e.name)).toEqual(["skipped"]);
    expect(only(skip, "skipped")).toMatchObject({ attributes: { message: "no SRV records: discovery uses the well-known" }, text: "" });

    for (const id of ["dns-server-name", "tls-protocol"]) {
      const pass = testcase(root, id);
      expect(pass.children).toEqual([]);
      expect(pass.text).toBe("");
    }
  });

  it("warn → passes, with the finding in <system-out>; with strict it is a <failure type=warn>", () => {
    const warn = testcase(root, "client-cors-versions");
    expect(warn.children.map((e) => e.name)).toEqual(["system-out"]);
    expect(only(warn, "system-out").text).toBe(
      "warning: Access-Control-Allow-Origin is missing on /_matrix/client/versions\n" +
        "Fix: add_header Access-Control-Allow-Origin * always;\n" +
        "Docs: https://spec.matrix.org/latest/client-server-api/#web-browser-clients",
    );

    const strict = parseXml(renderJunit(everyStatus(), { strict: true, hostname: "h" }));
    expect(strict.attributes.failures).toBe("2");
    const client = childrenNamed(strict, "testsuite").find((s) => s.attributes.name === "client")!;
    expect(client.attributes.failures).toBe("1");
    expect(only(testcase(strict, "client-cors-versions"), "failure").attributes.type).toBe("warn");
  });

  it("uses the machine's host name by default", async () => {
    const { hostname } = await import("node:os");
    const suite = childrenNamed(parseXml(renderJunit(everyStatus())), "testsuite")[0]!;
    expect(suite.attributes.hostname).toBe(hostname());
  });

  it("escapes & \" ' < > and strips what XML cannot carry, so a strict parser reads hostile text back", () => {
    const out = renderJunit(hostileReport(), { hostname: 'h"<&>' });
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\0-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const hostile = parseXml(out); // throws on anything not well-formed
    expect(hostile.attributes.name).toBe("matrix-doctor evil.example|<img src=x>");
    expect(childrenNamed(hostile, "testsuite")[0]!.attributes.hostname).toBe('h"<&>');

    const c = testcase(hostile, "wellknown-server-json");
    expect(c.attributes.name).toBe(`wellknown-server-json: ${HOSTILE.title}`);
    const cleaned =
      'line one | pipe <script>alert("x")</script> & \'quote\'\r\nline two 50% ::error title=x::injected\n::warning::againred end';
    const failure = only(c, "failure");
    // Line breaks survive in the attribute too (as character references), not folded into spaces.
    expect(failure.attributes.message).toBe(cleaned);
    expect(failure.text).toBe(`${cleaned}\nFix: ${HOSTILE.fix}\nDocs: ${HOSTILE.docs}`);
    expect(out).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quote&apos;");
    expect(only(testcase(hostile, "dns-srv"), "skipped").attributes.message).toBe("skipped because | of <reasons>\nacross lines");
    expect(only(testcase(hostile, "client-support"), "system-out").text).toContain("Fix: \n\n  publish /.well-known/matrix/support  \nmore");
  });

  it("reports an empty run as an empty, valid <testsuites>", () => {
    const empty = parseXml(renderJunit({ ...everyStatus(), checks: [], summary: { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 } }));
    expect(empty.attributes.tests).toBe("0");
    expect(empty.children).toEqual([]);
  });
});
