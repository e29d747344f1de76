import check from "../../checks/federation-version.js";
import { testCheck } from "../support/check-tester.js";
import {
  HTML_HEADERS,
  NGINX_404_HTML,
  NGINX_502_HTML,
  REFUSED,
  TIMEOUT,
  UNRECOGNIZED_BODY,
  V4,
  V6,
  federationEndpoints,
  response,
  versionExchange,
} from "./_fixtures-keys.js";
import { failedHandshake, federationTls, handshake } from "./_fixtures-tls.js";

const only = (...exchanges: ReturnType<typeof versionExchange>[]) => ({ federationEndpoints: federationEndpoints(exchanges) });

testCheck(check, {
  valid: [
    {
      name: "Dendrite on both families",
      facts: { federationEndpoints: federationEndpoints() },
      summary: /^Dendrite 0\.13\.8 \(2 endpoints\)$/,
      details: { name: "Dendrite", version: "0.13.8", endpoints: [{ endpoint: "federation 203.0.113.10:8448", status: 200 }, { endpoint: "federation [2001:db8::10]:8448" }] },
    },
    {
      name: "Synapse, content-type with charset",
      facts: only(versionExchange(V4, { response: response(200, '{"server":{"name":"Synapse","version":"1.120.2"}}', { "content-type": "application/json; charset=utf-8" }) })),
      summary: /^Synapse 1\.120\.2 \(1 endpoint\)$/,
    },
    {
      name: "an endpoint whose TLS handshake failed is left to tls-handshake",
      facts: {
        federationEndpoints: federationEndpoints([versionExchange(V4), versionExchange(V6, { error: REFUSED })]),
        federationTls: federationTls([handshake(), failedHandshake({ address: V6, error: REFUSED })]),
      },
      summary: /^Dendrite 0\.13\.8 \(1 endpoint\); federation \[2001:db8::10\]:8448 not reached \(tls-handshake reports why\)$/,
    },
    {
      name: "no endpoint reached",
      facts: {
        federationEndpoints: federationEndpoints([versionExchange(V4, { error: TIMEOUT })]),
        federationTls: federationTls([failedHandshake({ error: TIMEOUT })]),
      },
      status: "skip",
      summary: /tls-handshake/,
    },
    { name: "no endpoints", facts: { federationEndpoints: federationEndpoints([]) }, status: "skip" },
    { name: "2.9 s is fine", facts: only(versionExchange(V4, { durationMs: 2900 })) },
  ],
  invalid: [
    {
      name: "502 from nginx",
      facts: only(versionExchange(V4, { response: response(502, NGINX_502_HTML, HTML_HEADERS) })),
      summary: /^federation 203\.0\.113\.10:8448: HTTP 502: the reverse proxy cannot reach the homeserver \(is it running on 127\.0\.0\.1:8008\?\)$/,
      fix: /systemctl status dendrite/,
      details: { endpoints: [{ status: 502 }] },
    },
    {
      name: "504 on IPv6 only",
      facts: only(versionExchange(V4), versionExchange(V6, { response: response(504, "", HTML_HEADERS) })),
      summary: /^federation \[2001:db8::10\]:8448: HTTP 504/,
    },
    {
      name: "HTML 404: /_matrix not proxied",
      facts: only(versionExchange(V4, { response: response(404, NGINX_404_HTML, HTML_HEADERS) })),
      summary: /HTTP 404 \(text\/html\) from the proxy itself: \/_matrix\/federation is not routed to the homeserver/,
      fix: /location ~\* \^\(\\\/_matrix\|\\\/_synapse\\\/client\) \{ proxy_pass http:\/\/127\.0\.0\.1:8008;/,
    },
    {
      name: "JSON 404: no federation listener",
      facts: only(versionExchange(V4, { response: response(404, UNRECOGNIZED_BODY) })),
      summary: /HTTP 404 M_UNRECOGNIZED from the homeserver/,
      fix: /disable_federation: false.*names: \[client, federation\]/,
    },
    {
      name: "200 HTML (a website answers /_matrix)",
      facts: only(versionExchange(V4, { response: response(200, "<!DOCTYPE html><html><head>", HTML_HEADERS) })),
      summary: /HTTP 200 but not JSON \(text\/html, starting "<!DOCTYPE html><html><head>"\)/,
      fix: /proxy_pass http:\/\/127\.0\.0\.1:8008;/,
    },
    {
      name: "200 JSON without server",
      facts: only(versionExchange(V4, { response: response(200, "{}") })),
      summary: /without server\.name and server\.version/,
    },
    {
      name: "403 from a WAF",
      facts: only(versionExchange(V4, { response: response(403, "<html>Attention Required! | Cloudflare", HTML_HEADERS) })),
      summary: /HTTP 403 \(text\/html, starting "<html>Attention Required!/,
      fix: /curl -sv --resolve example\.test:8448:203\.0\.113\.10 https:\/\/example\.test:8448\/_matrix\/federation\/v1\/version/,
    },
    {
      name: "timeout after a completed handshake",
      facts: {
        federationEndpoints: federationEndpoints([versionExchange(V6, { error: TIMEOUT })]),
        federationTls: federationTls([handshake({ address: V6 })]),
      },
      summary: /^federation \[2001:db8::10\]:8448: timed out waiting for the answer$/,
      fix: /--resolve example\.test:8448:\[2001:db8::10\]/,
    },
    {
      name: "network error without TLS facts is judged here",
      facts: only(versionExchange(V4, { error: REFUSED })),
      summary: /request failed: connect ECONNREFUSED/,
    },
    {
      name: "slow: 4.2 s",
      facts: only(versionExchange(V4, { durationMs: 4200 })),
      status: "warn",
      summary: /answered after 4\.2 s/,
    },
    {
      name: "too slow: 10 s",
      facts: only(versionExchange(V4, { durationMs: 10_000 })),
      summary: /answered after 10\.0 s; peers such as matrix\.org give up after 10 s/,
      details: { name: "Dendrite" },
    },
    {
      name: "wrong content-type",
      facts: only(versionExchange(V4, { response: response(200, '{"server":{"name":"Dendrite","version":"0.13.8"}}', { "content-type": "text/plain" }) })),
      status: "warn",
      summary: /Content-Type text\/plain instead of application\/json/,
    },
    {
      name: "different servers behind one name",
      facts: only(versionExchange(V4), versionExchange(V6, { response: response(200, '{"server":{"name":"Synapse","version":"1.99.0"}}') })),
      status: "warn",
      summary: /different servers: federation 203\.0\.113\.10:8448 → Dendrite 0\.13\.8, federation \[2001:db8::10\]:8448 → Synapse 1\.99\.0/,
    },
  ],
});
