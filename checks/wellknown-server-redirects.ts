import { defineCheck, fail, pass, warn } from "../src/engine/check.js";
import type { HttpExchange } from "../src/engine/facts.js";

interface Hop {
  url: string;
  status: number;
  location: string | null;
}

export default defineCheck({
  id: "wellknown-server-redirects",
  category: "wellknown",
  title: "Server well-known redirects are few and followable",
  docs: "https://element-hq.github.io/synapse/latest/federate.html#known-issues",
  requires: ["wellKnownServer"],
  run({ wellKnownServer }) {
    const { primary, host } = wellKnownServer;
    const hops = primary.hops.map(toHop).filter((h): h is Hop => h !== undefined && h.status >= 300 && h.status < 400);
    const chain = hops.map((h) => `${h.status} ${h.url} → ${h.location ?? "(no Location)"}`);
    const details = { hops: hops.map((h) => ({ status: h.status, url: h.url, location: h.location })) };
    const serveDirectly =
      `Answer the file directly on ${host} instead of redirecting:\n` +
      "location = /.well-known/matrix/server {\n" +
      "    default_type application/json;\n" +
      `    return 200 '{"m.server": "${host}:443"}';\n` +
      "}\n(put your federation host:port in m.server)";

    if (primary.redirectLoop) {
      return fail(`redirect loop: ${chain.join("; ")}`, serveDirectly, { ...details, redirectLoop: true });
    }
    if (primary.tooManyRedirects) {
      return fail(`more than 10 redirects (peers give up): ${chain.join("; ")}`, serveDirectly, { ...details, tooManyRedirects: true });
    }
    const permanent308 = hops.filter((h) => h.status === 308);
    if (permanent308.length > 0) {
      const first = permanent308[0];
      const location = first?.location ?? `https://www.${host}/.well-known/matrix/server`;
      return warn(
        `${permanent308.map((h) => `${h.url} answers 308`).join(", ")}: Synapse does not follow 308 redirects, so its peers see no well-known`,
        "Use a 301 or 302 redirect (or serve the file directly), e.g. in nginx:\n" +
          `location = /.well-known/matrix/server {\n    return 301 ${location};\n}\n` +
          'With Kubernetes ingress-nginx, set `http-redirect-code: "301"` in the controller ConfigMap.',
        details,
      );
    }
    if (hops.length === 0) return pass("no redirects", details);
    return pass(`${hops.length} redirect${hops.length === 1 ? "" : "s"}: ${chain.join("; ")}`, details);
  },
});

function toHop(exchange: HttpExchange): Hop | undefined {
  const res = exchange.response;
  if (!res) return undefined;
  const raw = res.headers["location"];
  let location: string | null = raw ?? null;
  if (raw !== undefined) {
    try {
      location = new URL(raw, exchange.url).href;
    } catch {
      // Keep the raw value; an unparseable Location is shown as sent.
    }
  }
  return { url: exchange.url, status: res.status, location };
}
