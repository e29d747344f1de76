// Every TURN URI host resolves (A and/or AAAA through the run's DNS). An AAAA record is noted: clients
// that prefer IPv6 use it, so coturn must listen and relay on IPv6 too (Synapse's TURN guide suggests
// removing the AAAA record when in doubt).

import { defineCheck, pass, skip, type Outcome } from "../src/engine/check.js";
import { isNotFound } from "../src/net/dns.js";
import { DOCS, outcomeOf, type Problem } from "../src/turn/verdict.js";

export default defineCheck({
  id: "turn-dns",
  category: "turn",
  title: "TURN host names resolve",
  docs: DOCS.synapseTurn,
  requires: ["turn"],
  run({ turn }): Outcome {
    const hosts = [...new Set(turn.uris.filter((u) => u.valid && u.host && !u.hostIsIp).map((u) => u.host!))];
    if (hosts.length === 0) {
      const literals = turn.uris.filter((u) => u.valid && u.hostIsIp).map((u) => u.host);
      return literals.length > 0 ? pass(`the TURN URIs name IP addresses (${[...new Set(literals)].join(", ")}); nothing to resolve`) : skip("no valid TURN URI");
    }
    const problems: Problem[] = [];
    const notes: string[] = [];
    const details: Record<string, unknown>[] = [];
    for (const host of hosts) {
      const d = turn.dns.find((x) => x.host === host);
      if (!d) continue;
      const a = d.a.values ?? [];
      const aaaa = d.aaaa.values ?? [];
      details.push({ host, a, aaaa, aStatus: d.a.status, aaaaStatus: d.aaaa.status });
      const failed = [d.a, d.aaaa].filter((l) => l.status !== "ok" && !isNotFound(l.status));
      if (a.length === 0 && aaaa.length === 0) {
        const why = failed.length > 0 ? failed.map((l) => `${l.type} ${l.status}`).join(", ") : `${d.a.status === "nxdomain" ? "NXDOMAIN" : "no A or AAAA record"}`;
        problems.push({
          level: "fail",
          text: `${host} does not resolve (${why}): clients cannot reach the TURN server`,
          fix: `Add an address record in your DNS zone: \`${host}. 3600 IN A <public IP of the TURN server>\`.`,
        });
        continue;
      }
      if (failed.length > 0) {
        problems.push({
          level: "warn",
          text: `${host}: ${failed.map((l) => `${l.type} lookup ${l.status}`).join(", ")}`,
          fix: `Fix the DNS server that answers for ${host} (\`dig ${host} ${failed[0]!.type}\` should answer NOERROR).`,
        });
      }
      if (aaaa.length > 0) {
        const v6 = turn.endpoints.filter((e) => e.host === host && e.family === 6);
        const dead = v6.filter((e) => !e.binding.ok && e.binding.error);
        if (dead.length > 0) {
          problems.push({
            level: "warn",
            text: `${host} has AAAA ${aaaa.join(", ")} but the TURN server does not answer there: clients that prefer IPv6 fail`,
            fix: `Make coturn listen on IPv6 (\`listening-ip=${aaaa[0]}\` and \`relay-ip=${aaaa[0]}\` in /etc/turnserver.conf, open 3478/5349 for IPv6 in the firewall), or remove the AAAA record of ${host}.`,
            docs: DOCS.synapseTurn,
          });
        } else {
          notes.push(`${host} also has AAAA ${aaaa.join(", ")} (coturn must listen and relay on IPv6 too)`);
        }
      }
    }
    const summary = `${hosts.map((h) => {
      const d = turn.dns.find((x) => x.host === h);
      return `${h} → ${[...(d?.a.values ?? []), ...(d?.aaaa.values ?? [])].join(", ")}`;
    }).join("; ")}${notes.length > 0 ? `; note: ${notes.join("; ")}` : ""}`;
    return outcomeOf(problems, summary, { hosts: details });
  },
});
