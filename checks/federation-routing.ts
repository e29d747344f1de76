// An unknown federation path gets the homeserver's JSON error (spec "Unsupported endpoints": 404 or 405 with
// errcode M_UNRECOGNIZED), which shows that the proxy hands all of /_matrix to the homeserver. An HTML or plain
// 404 means the proxy answered itself: it routes only some /_matrix paths (e.g. `location /_matrix/federation/v1`),
// so endpoints the version check does not cover are unreachable for peers.

import { defineCheck, pass, skip, warn } from "../src/engine/check.js";
import { federationEndpoint, nginxMatrixRegexLocation } from "../src/engine/describe.js";
import type { HttpExchange } from "../src/engine/facts.js";

const NGINX_MATRIX_LOCATION = nginxMatrixRegexLocation("http://127.0.0.1:8008");

function pathOf(exchange: HttpExchange): string {
  try {
    return new URL(exchange.url).pathname;
  } catch {
    return exchange.url;
  }
}

export default defineCheck({
  id: "federation-routing",
  category: "federation",
  title: "The proxy routes all of /_matrix to the homeserver",
  docs: "https://element-hq.github.io/synapse/latest/reverse_proxy.html",
  requires: ["federationEndpoints"],
  run({ federationEndpoints }) {
    const probe = federationEndpoints.unknownPath;
    if (!probe) return skip("no unknown-path request was made (no federation endpoint answered)");
    const where = federationEndpoint(probe);
    const path = pathOf(probe);
    const response = probe.response;
    if (!response) {
      return skip(`GET ${path} on ${where} got no response (${probe.error?.message ?? "no answer"}); tls-handshake and federation-version report reachability`);
    }

    const contentType = response.headers["content-type"];
    let errcode: string | undefined;
    let isJson = true;
    try {
      const parsed: unknown = JSON.parse(response.body);
      if (typeof parsed === "object" && parsed !== null && "errcode" in parsed && typeof parsed.errcode === "string") errcode = parsed.errcode;
    } catch {
      isJson = false;
    }
    const details = { url: probe.url, status: response.status, contentType: contentType ?? null, errcode: errcode ?? null };
    const fix =
      `In the nginx server block that listens on ${probe.port}, send every /_matrix path to the homeserver with one location: ` +
      `\`${NGINX_MATRIX_LOCATION}\` (instead of locations for single paths such as /_matrix/federation/v1), then \`systemctl reload nginx\`.`;

    // Judgement: a gateway error here is the homeserver being down, which federation-version already fails.
    if (response.status === 502 || response.status === 504) {
      return skip(`GET ${path} on ${where} returned HTTP ${response.status}: the homeserver is unreachable behind the proxy (federation-version reports it)`, details);
    }
    if (errcode !== undefined && response.status >= 400 && response.status < 500) {
      // Judgement: any JSON errcode shows the homeserver answered; M_UNRECOGNIZED is only what the spec asks for.
      const note = errcode === "M_UNRECOGNIZED" ? "" : ` (the spec asks for M_UNRECOGNIZED, but the homeserver clearly answered)`;
      return pass(`the proxy routes /_matrix to the homeserver: an unknown path gets HTTP ${response.status} ${errcode}${note}`, details);
    }
    if (!isJson || errcode === undefined) {
      return warn(
        `GET ${path} on ${where} returned HTTP ${response.status} ${isJson ? "JSON without errcode" : `(${contentType ?? "no content-type"})`}: the proxy answers it, not the homeserver`,
        fix,
        details,
      );
    }
    // A JSON errcode with a 2xx/3xx/5xx status: something answers unknown paths oddly.
    return warn(`GET ${path} on ${where} returned HTTP ${response.status} ${errcode} where 404 M_UNRECOGNIZED was expected`, fix, details);
  },
});
