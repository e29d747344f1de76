// The relayed transport address (XOR-RELAYED-ADDRESS of the Allocate success) is one clients on the
// internet can reach: not private, loopback, link-local or CGNAT. A TURN server behind NAT without
// `external-ip` hands out its private address and calls hang at "connecting" while LAN calls work
// (coturn/coturn#501, matrix-org/voip-tester#2). --allow-private-addresses accepts private relays (a LAN
// deployment or a test rig).

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import { classifyAddress } from "../src/net/address-class.js";
import { DOCS, endpointLabel, firstSuccess, outcomeOf, transportLabel, type Problem } from "../src/turn/verdict.js";

export default defineCheck({
  id: "turn-relay-address",
  category: "turn",
  title: "TURN relays on a public address",
  docs: DOCS.coturnConf,
  requires: ["turn"],
  run({ turn }, ctx): Outcome {
    const allocated = turn.endpoints.map((e) => ({ e, a: firstSuccess(e) })).filter((x) => x.a !== undefined);
    if (allocated.length === 0) return skip("no successful Allocate (turn-allocate reports why)");
    const problems: Problem[] = [];
    const relays: Record<string, unknown>[] = [];
    let privateAllowed = false;
    for (const { e, a } of allocated) {
      const label = `${transportLabel(e.transport)} ${endpointLabel(e)}`;
      const relayed = a!.relayed;
      if (!relayed) {
        problems.push({
          level: "fail",
          text: `${label}: the Allocate success has no XOR-RELAYED-ADDRESS`,
          fix: "Check that a real TURN server (coturn) answers here and not a STUN-only server; its log (`journalctl -u coturn`) shows each allocation.",
        });
        continue;
      }
      const cls = classifyAddress(relayed.address) ?? "public";
      relays.push({ uri: e.uri, address: e.address, relayed: `${relayed.address}:${relayed.port}`, class: cls });
      const dnsA = turn.dns.find((d) => d.host === e.host);
      const publicA = [...(dnsA?.a.values ?? []), ...(dnsA?.aaaa.values ?? [])].filter((ip) => classifyAddress(ip) === "public");
      if (cls !== "public") {
        if (ctx.allowPrivateAddresses) {
          privateAllowed = true;
          continue;
        }
        const pub = publicA[0] ?? "<public IP>";
        problems.push({
          level: "fail",
          text: `${label} relays on ${relayed.address}:${relayed.port}, a ${cls} address that clients on the internet cannot reach (TURN behind NAT without external-ip)`,
          fix:
            `Tell coturn its public address: \`external-ip=${pub}/${relayed.address}\` in /etc/turnserver.conf (public/private), ` +
            `forward the relay range (\`min-port\`..\`max-port\`, UDP) from ${pub} to ${relayed.address}, then \`systemctl restart coturn\`.`,
          docs: DOCS.coturnConf,
        });
        continue;
      }
      if (!e.host || e.host === e.address || publicA.length === 0) continue;
      if (!publicA.includes(relayed.address)) {
        problems.push({
          level: "warn",
          text: `${label} relays on ${relayed.address}, which is not an address of ${e.host} (${publicA.join(", ")})`,
          fix: `If ${publicA[0]} is the address clients should use, set \`external-ip=${publicA[0]}\` (or \`relay-ip=${publicA[0]}\`) in /etc/turnserver.conf; otherwise make sure the firewall passes the relay range on ${relayed.address}.`,
        });
      }
    }
    const addresses = [...new Set(relays.map((r) => String(r["relayed"]).replace(/:\d+$/, "")))].join(", ");
    return outcomeOf(
      problems,
      `relay address${addresses.includes(",") ? "es" : ""} ${addresses}${privateAllowed ? " (private, accepted with --allow-private-addresses)" : " reachable from the internet"}`,
      { relays, privateAllowed },
    );
  },
});
