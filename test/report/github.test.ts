import { describe, expect, it } from "vitest";
import { marked, type Tokens } from "marked";
import { escapeData, escapeProperty, renderGithub } from "../../src/report/github.js";
import { everyStatus, hostileReport, HOSTILE, makeReport } from "./fixtures.js";

/** The runner's side: split a workflow command line and undo the escaping (actions/runner's rules). */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unProp = (s: string) => unData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));
  const properties: Record<string, string> = {};
  for (const pair of (m[2] ?? "").split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    properties[pair.slice(0, eq)] = unProp(pair.slice(eq + 1));
  }
  return { command: m[1]!, properties, message: unData(m[3]!) };
}

function lines(annotations: string): string[] {
  expect(annotations === "" || annotations.endsWith("\n")).toBe(true);
  return annotations.split("\n").filter((l) => l !== "");
}

function tables(markdown: string): Tokens.Table[] {
  return marked.lexer(markdown, { gfm: true }).filter((t): t is Tokens.Table => t.type === "table");
}

describe("escaping (vitest's github-actions reporter rules)", () => {
  it("data: % CR LF", () => {
    expect(escapeData("100% done\r\nnext: a, b")).toBe("100%25 done%0D%0Anext: a, b");
  });
  it("properties: also : and ,", () => {
    expect(escapeProperty("100% done\r\nnext: a, b")).toBe("100%25 done%0D%0Anext%3A a%2C b");
  });
  it("escapes % first, so an escaped text is not escaped twice", () => {
    expect(escapeData("%0A")).toBe("%250A");
  });
});

describe("renderGithub annotations", () => {
  it("::error for fail and error, ::warning for warn, nothing for pass and skip, no notice, no file/line", () => {
    const out = lines(renderGithub(everyStatus(), false).annotations).map(parseCommand);
    expect(out.map((c) => c.command)).toEqual(["error", "warning", "error"]);
    expect(out.map((c) => Object.keys(c.properties))).toEqual([["title"], ["title"], ["title"]]);
    expect(out[0]).toEqual({
      command: "error",
      properties: { title: "Certificates are valid for at least 14 more days (tls-expiry)" },
      message:
        "federation 203.0.113.7:8448: the certificate expires in 3 days\nFix: certbot renew\nsystemctl reload nginx\n" +
        "Docs: https://spec.matrix.org/latest/server-server-api/#tls",
    });
    expect(out[2]!.properties.title).toBe("Client API answers /_matrix/client/versions (client-versions): check error");
    expect(out[1]!.message).toContain("Fix: add_header Access-Control-Allow-Origin * always;");
  });

  it("with strict, warnings are errors too", () => {
    const out = lines(renderGithub(everyStatus(), true).annotations).map(parseCommand);
    expect(out.map((c) => c.command)).toEqual(["error", "error", "error"]);
    expect(out[1]!.properties.title).toBe(
      "Client API allows web clients (CORS on /versions) (client-cors-versions): warning, fails with --strict",
    );
  });

  it("prints nothing when every check passed or was skipped", () => {
    const report = everyStatus();
    report.checks = report.checks.filter((c) => c.status === "pass" || c.status === "skip");
    expect(renderGithub(report, true).annotations).toBe("");
  });

  it("keeps hostile findings inside one command: no injected command, property or line", () => {
    const { annotations } = renderGithub(hostileReport(), false);
    const raw = lines(annotations);
    expect(raw).toHaveLength(2); // one fail, one warn: the injected "::error"/"::warning" stayed data
    for (const line of raw) {
      expect(line).not.toMatch(/[\r\0\x07\x1b]/);
      // Exactly one "title=" property, and it holds no raw separator.
      expect(line).toMatch(/^::(error|warning) title=[^:,\r\n]*::/);
    }
    expect(raw[0]).toContain("title=Title%3A with%2C commas%2C colons%3A and 100%25 %0D%0Anew lines (wellknown-server-json)::");
    expect(raw[0]).toContain("line one | pipe <script>alert(\"x\")</script> & 'quote'%0D%0Aline two 50%25 ::error title=x::injected%0A::warning::again");

    const [fail, warn] = raw.map(parseCommand);
    expect(fail!.properties.title).toBe(`${HOSTILE.title} (wellknown-server-json)`);
    expect(fail!.message).toBe(
      'line one | pipe <script>alert("x")</script> & \'quote\'\r\nline two 50% ::error title=x::injected\n::warning::againred end' +
        `\nFix: ${HOSTILE.fix}\nDocs: ${HOSTILE.docs}`,
    );
    expect(warn!.command).toBe("warning");
    expect(warn!.properties.title).toBe("Support contacts <are> published (client-support)");
  });
});

describe("renderGithub summary Markdown", () => {
  it("heads with the target and the verdict, counts every status and tables the problems, worst first", () => {
    const md = renderGithub(everyStatus(), false).summaryMarkdown;
    expect(md.split("\n")[0]).toBe("## ❌ matrix-doctor: example.org: problems found");
    const [counts, problems] = tables(md);
    expect(counts!.header.map((h) => h.text)).toEqual(["✅ pass", "⚠️ warn", "❌ fail", "💥 error", "⏭️ skip"]);
    expect(counts!.rows[0]!.map((c) => c.text)).toEqual(["2", "1", "1", "1", "1"]);
    expect(problems!.header.map((h) => h.text)).toEqual(["status", "check", "finding", "fix", "docs"]);
    expect(problems!.rows.map((r) => r.slice(0, 2).map((c) => c.text))).toEqual([
      ["💥 error", "`client-versions`"],
      ["❌ fail", "`tls-expiry`"],
      ["⚠️ warn", "`client-cors-versions`"],
    ]);
    const fail = problems!.rows[1]!;
    expect(fail[2]!.text).toBe("federation 203.0.113.7:8448: the certificate expires in 3 days");
    expect(fail[3]!.text).toBe("`certbot renew` …"); // the first line of the fix only
    expect(fail[4]!.text).toBe("[docs](https://spec.matrix.org/latest/server-server-api/#tls)");
    expect(md).toContain("<details><summary>1 skipped</summary>");
    expect(md).toContain("- `dns-srv`: no SRV records: discovery uses the well-known");
  });

  it("states the verdict for warnings with and without --strict, and for a clean run", () => {
    const warnOnly = makeReport(everyStatus().checks.filter((c) => c.status === "warn" || c.status === "pass"));
    expect(renderGithub(warnOnly, false).summaryMarkdown).toMatch(/^## ⚠️ matrix-doctor: example.org: healthy, with warnings\n/);
    expect(renderGithub(warnOnly, true).summaryMarkdown).toMatch(/^## ❌ matrix-doctor: example.org: warnings fail the run \(--strict\)\n/);
    expect(tables(renderGithub(warnOnly, true).summaryMarkdown)[1]!.rows[0]![0]!.text).toBe("❌ warn (--strict)");

    const clean = makeReport(everyStatus().checks.filter((c) => c.status === "pass" || c.status === "skip"));
    const md = renderGithub(clean, false).summaryMarkdown;
    expect(md).toMatch(/^## ✅ matrix-doctor: example.org: healthy\n/);
    expect(md).toContain("All 2 checks that ran passed.");
    expect(tables(md)).toHaveLength(1);
  });

  it("keeps hostile text inside its cell: pipes, newlines, HTML, Markdown and link syntax", () => {
    const md = renderGithub(hostileReport(), false).summaryMarkdown;
    const [, problems] = tables(md);
    expect(problems!.rows).toHaveLength(2);
    for (const row of problems!.rows) expect(row).toHaveLength(5); // no pipe opened a column

    const fail = problems!.rows[0]!;
    const finding = marked.parseInline(fail[2]!.text) as string;
    expect(finding).toBe(
      "line one | pipe &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quote&#39;<br>" +
        "line two 50% ::error title=x::injected<br>::warning::againred end",
    );
    // The fix is a code span: shown literally (backticks, HTML, emphasis), and only its first line.
    expect(marked.parseInline(fail[3]!.text)).toBe(
      "<code>first | line `with` backticks &lt;b&gt;bold&lt;/b&gt; *not emphasised*</code> …",
    );
    expect(fail[3]!.text).not.toContain("second line");
    // The docs URL cannot end the link early or add HTML.
    expect(marked.parseInline(fail[4]!.text)).toBe(
      '<a href="https://example.org/docs/a%20path%28with%29parens%7Cpipe?q=%3Cx%3E#frag">docs</a>',
    );

    const warn = problems!.rows[1]!;
    // A Markdown link in a finding stays text; a javascript: docs URL is not linked.
    expect(marked.parseInline(warn[2]!.text)).toBe("no support file | see [here](javascript:alert(1))");
    expect(marked.parseInline(warn[4]!.text)).toBe("javascript:alert(1)");
    expect(warn[3]!.text).toBe("`publish /.well-known/matrix/support` …"); // first non-empty line

    const html = marked.parse(md, { gfm: true }) as string;
    expect(html).not.toMatch(/<script|<img|<b>|href="javascript/i);
    expect(html).toContain("<h2>❌ matrix-doctor: evil.example|&lt;img src=x&gt;: problems found</h2>");
    expect(html).toContain("<li><code>dns-srv</code>: skipped because | of &lt;reasons&gt;<br>across lines</li>");
    expect(md).not.toMatch(/[\0\x07\x1b\uFFFE]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
