// A STUN Binding is answered on every TURN URI and address (UDP for turn:…?transport=udp, over TCP or
// TLS otherwise). Connection refused (a TCP RST, or ICMP port unreachable for UDP) means nothing listens
// there: the server is down; no answer at all until the timeout means a firewall drops the packets.

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import type { TurnEndpointFact } from "../src/engine/facts/turn.js";
import { DOCS, endpointLabel, outcomeOf, transportLabel, type Problem } from "../src/turn/verdict.js";

function firewallFix(e: TurnEndpointFact): string {
  const proto = e.transport === "udp" ? "udp" : "tcp";
  return (
    `Open the port in every firewall between clients and the TURN server: \`ufw allow ${e.port}/${proto}\` ` +
    `(or \`iptables -A INPUT -p ${proto} --dport ${e.port} -j ACCEPT\`), plus the relay range (\`ufw allow 49152:65535/udp\`). ` +
    `Clients need 3478 UDP and TCP and 5349 TCP (TLS).`
  );
}

function downFix(e: TurnEndpointFact): string {
  const key = e.transport === "tls" ? `tls-listening-port=${e.port}` : `listening-port=${e.port}`;
  return (
    `Start the TURN server and make it start at boot: \`systemctl enable --now coturn\`. ` +
    `It must listen on ${e.address} port ${e.port}: \`${key}\` in /etc/turnserver.conf, and \`listening-ip\` (if set) must include ${e.address}` +
    `${e.transport === "udp" ? "; `no-udp` must not be set" : e.transport === "tcp" ? "; `no-tcp` must not be set" : "; `no-tls` must not be set and `cert=`/`pkey=` must be readable"}.`
  );
}

export default defineCheck({
  id: "turn-reachable",
  category: "turn",
  title: "The TURN server answers STUN on every URI",
  docs: DOCS.synapseTurn,
  requires: ["turn"],
  run({ turn }): Outcome {
    if (turn.endpoints.length === 0) return skip("no TURN URI with an address to try");
    const problems: Problem[] = [];
    for (const e of turn.endpoints) {
      const b = e.binding;
      if (b.ok || (!b.error && b.errorCode !== undefined)) continue; // an error response is an answer too
      const label = `${transportLabel(e.transport)} ${endpointLabel(e)}`;
      const err = b.error;
      if (err?.code === "refused") {
        problems.push({ level: "fail", text: `server down: connection refused at ${label}`, fix: downFix(e) });
      } else if (err?.code === "timeout") {
        problems.push({
          level: "fail",
          text: `port filtered (firewall: open ${e.port} ${e.transport === "udp" ? "udp" : "tcp"}): no answer from ${label} within the timeout`,
          fix: firewallFix(e),
          docs: DOCS.synapseCoturn,
        });
      } else if (err?.code === "tls") {
        problems.push({
          level: "fail",
          text: `TLS with ${label} failed: ${err.message}`,
          fix: "Give coturn a certificate and key it can read: `cert=/etc/letsencrypt/live/<TURN host>/fullchain.pem` and `pkey=/etc/letsencrypt/live/<TURN host>/privkey.pem` in /etc/turnserver.conf, then `systemctl restart coturn`.",
          docs: DOCS.synapseCoturn,
        });
      } else {
        problems.push({
          level: "fail",
          text: `${label}: ${err?.code ?? "no answer"}${err?.message ? ` (${err.message})` : ""}`,
          fix: `${downFix(e)} If it runs, look at coturn's log (\`journalctl -u coturn\`) for this connection.`,
        });
      }
    }
    const ok = turn.endpoints.filter((e) => e.binding.ok || (!e.binding.error && e.binding.errorCode !== undefined));
    const transports = [...new Set(ok.map((e) => transportLabel(e.transport)))].join(", ");
    const software = ok.find((e) => e.binding.software)?.binding.software;
    const details = {
      endpoints: turn.endpoints.map((e) => ({
        uri: e.uri,
        address: e.address,
        transport: e.transport,
        ok: e.binding.ok,
        ...(e.binding.error && { error: e.binding.error.code }),
        ...(e.binding.mapped && { mapped: `${e.binding.mapped.address}:${e.binding.mapped.port}` }),
        transmissions: e.binding.transmissions,
        durationMs: e.binding.durationMs,
      })),
      ...(software && { software }),
    };
    return outcomeOf(problems, `STUN Binding answered on ${ok.length} endpoint(s) (${transports})${software ? `, server ${software}` : ""}`, details);
  },
});
