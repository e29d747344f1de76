import { defineCheck, pass, skip, warn } from "../src/engine/check.js";
import type { HttpFetch } from "../src/engine/facts.js";
import type { NetErrorCode } from "../src/engine/types.js";
import { parseWellKnownServerBody } from "./wellknown-server-json.js";

const ERROR_WORDS: Record<NetErrorCode, string> = {
  timeout: "timed out",
  refused: "connection refused",
  reset: "connection reset",
  unreachable: "unreachable",
  dns: "DNS error",
  tls: "TLS error",
  "too-large": "too large",
  protocol: "protocol error",
  aborted: "aborted",
  other: "failed",
};

export default defineCheck({
  id: "wellknown-server-consistent",
  category: "wellknown",
  title: "Every address of the host serves the same server well-known",
  docs: "https://spec.matrix.org/latest/server-server-api/#resolving-server-names",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }) {
    const { perAddress, host } = wellKnownServer;
    if (perAddress.length === 0) return skip(`no addresses for ${host} to compare (see dns-addresses)`);

    const answers = perAddress.map((p) => ({ address: p.address, answer: answerOf(p.fetch) }));
    const details = { answers: Object.fromEntries(answers.map((a) => [a.address, a.answer])) };
    const distinct = [...new Set(answers.map((a) => a.answer))];
    if (perAddress.length === 1) {
      return pass(`single address ${bracket(answers[0]?.address ?? "")}: ${answers[0]?.answer}`, details);
    }
    if (distinct.length === 1) {
      return pass(`all ${perAddress.length} addresses answer ${distinct[0]}`, details);
    }

    // The majority answer is presumably the intended one; name the addresses that differ from it.
    const majority = distinct
      .map((answer) => ({ answer, count: answers.filter((a) => a.answer === answer).length }))
      .sort((x, y) => y.count - x.count)[0]?.answer;
    const odd = answers.filter((a) => a.answer !== majority);
    return warn(
      `split brain: ${answers.map((a) => `${bracket(a.address)} → ${a.answer}`).join(", ")}; peers get a different answer depending on the address they pick`,
      `Serve the same file on every address of ${host}: each A/AAAA must reach the same web server, and nginx needs both ` +
        "`listen 443 ssl;` and `listen [::]:443 ssl;` in that server block. Compare with:\n" +
        odd
          .map((a) => `curl -sS --resolve ${host}:443:${bracket(a.address)} https://${host}/.well-known/matrix/server`)
          .join("\n"),
      details,
    );
  },
});

/** A comparable one-line answer: the status and m.server for a 200, the error otherwise. */
function answerOf(fetch: HttpFetch): string {
  const { error, response } = fetch.final;
  if (error) return ERROR_WORDS[error.code];
  if (!response) return "no response";
  const untrusted = fetch.hops.find((h) => h.response?.tls && !h.response.tls.authorized);
  if (untrusted) return `untrusted certificate (${untrusted.response?.tls?.authorizationError ?? "not trusted"})`;
  if (response.status !== 200) return `${response.status}`;
  const body = parseWellKnownServerBody(response.body);
  return body.ok ? `200 m.server=${body.mServer}` : "200 without a valid m.server";
}

const bracket = (address: string): string => (address.includes(":") ? `[${address}]` : address);
