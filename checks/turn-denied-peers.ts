// The TURN server refuses to relay into internal networks: CreatePermission towards loopback, RFC 1918,
// the docker bridge and the cloud metadata address must each be answered 403 Forbidden IP. If one is
// accepted, anyone with (freely handed out) TURN credentials can reach services that only listen
// inside your network (CVE-2020-26262 class; Synapse's coturn guide, "denied-peer-ip").

import { defineCheck, skip, type Outcome } from "../src/engine/check.js";
import type { TurnPermissionFact } from "../src/engine/facts/turn.js";
import { classifyAddress } from "../src/net/address-class.js";
import { DOCS, endpointLabel, firstSuccess, outcomeOf, transportLabel, type Problem } from "../src/turn/verdict.js";

/** The denied-peer-ip line that covers a peer (Synapse's coturn guide / coturn's example config). */
function denyLine(peer: string): string {
  const [a = 0, b = 0] = peer.split(".").map(Number);
  if (a === 10) return "denied-peer-ip=10.0.0.0-10.255.255.255";
  if (a === 172 && b >= 16 && b <= 31) return "denied-peer-ip=172.16.0.0-172.31.255.255";
  if (a === 192 && b === 168) return "denied-peer-ip=192.168.0.0-192.168.255.255";
  if (a === 169 && b === 254) return "denied-peer-ip=169.254.0.0-169.254.255.255";
  if (a === 100 && b >= 64 && b <= 127) return "denied-peer-ip=100.64.0.0-100.127.255.255";
  if (a === 127) return "denied-peer-ip=127.0.0.0-127.255.255.255";
  if (a === 0) return "denied-peer-ip=0.0.0.0-0.255.255.255";
  return `denied-peer-ip=${peer}`;
}

const FULL_LIST = [
  "denied-peer-ip=0.0.0.0-0.255.255.255",
  "denied-peer-ip=10.0.0.0-10.255.255.255",
  "denied-peer-ip=100.64.0.0-100.127.255.255",
  "denied-peer-ip=127.0.0.0-127.255.255.255",
  "denied-peer-ip=169.254.0.0-169.254.255.255",
  "denied-peer-ip=172.16.0.0-172.31.255.255",
  "denied-peer-ip=192.168.0.0-192.168.255.255",
  "denied-peer-ip=::1",
  "denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  "denied-peer-ip=fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
];

export default defineCheck({
  id: "turn-denied-peers",
  category: "turn",
  title: "TURN refuses to relay into internal networks",
  docs: DOCS.synapseCoturn,
  requires: ["turn"],
  run({ turn }): Outcome {
    const tested = turn.endpoints
      .map((e) => ({ e, permissions: firstSuccess(e)?.permissions ?? [] }))
      .filter((x) => x.permissions.length > 0);
    if (tested.length === 0) return skip("no successful Allocate to try CreatePermission on (turn-allocate reports why)");
    const problems: Problem[] = [];
    const accepted = new Map<string, { peers: Set<string>; labels: string[] }>();
    for (const { e, permissions } of tested) {
      const label = `${transportLabel(e.transport)} ${endpointLabel(e)}`;
      const open = permissions.filter((p) => p.ok);
      if (open.length > 0) {
        const key = e.address;
        const entry = accepted.get(key) ?? { peers: new Set<string>(), labels: [] };
        for (const p of open) entry.peers.add(p.peer);
        entry.labels.push(label);
        accepted.set(key, entry);
      }
      const odd = permissions.filter((p: TurnPermissionFact) => !p.ok && p.errorCode !== 403);
      if (odd.length > 0) {
        problems.push({
          level: "warn",
          text: `${label}: CreatePermission to ${odd.map((p) => `${p.peer} got ${p.errorCode ?? p.error?.code ?? "no answer"}${p.reason ? ` ${p.reason}` : ""}`).join(", ")} instead of 403 Forbidden IP (inconclusive)`,
          fix: `Add the deny list to /etc/turnserver.conf so coturn answers 403 for internal peers: ${FULL_LIST.map((l) => `\`${l}\``).join(", ")}.`,
        });
      }
    }
    for (const [, { peers, labels }] of accepted) {
      const list = [...peers];
      const loopback = list.some((p) => classifyAddress(p) === "loopback");
      const lines = [...new Set(list.filter((p) => classifyAddress(p) !== "loopback").map(denyLine))];
      const fix = [
        loopback ? "Remove `allow-loopback-peers` from /etc/turnserver.conf (since coturn 4.5.2 loopback peers are refused unless it is set; `no-loopback-peers` from older guides is now the default)." : "",
        lines.length > 0 ? `Add to /etc/turnserver.conf: ${lines.map((l) => `\`${l}\``).join(", ")}.` : "",
        `The full list from Synapse's coturn guide: ${FULL_LIST.map((l) => `\`${l}\``).join(", ")}, plus \`no-multicast-peers\`; if clients relay between two users of this server, add \`allowed-peer-ip=<the TURN server's own IP>\`. Then \`systemctl restart coturn\`.`,
      ]
        .filter((s) => s !== "")
        .join(" ");
      problems.push({
        level: "fail",
        text: `open relay into your internal network: ${labels.join(", ")} accepted CreatePermission to ${list.join(", ")}`,
        fix,
        docs: DOCS.synapseCoturn,
      });
    }
    const details = {
      peers: turn.deniedPeersTried,
      endpoints: tested.map(({ e, permissions }) => ({
        uri: e.uri,
        address: e.address,
        permissions: permissions.map((p) => ({ peer: p.peer, ok: p.ok, ...(p.errorCode !== undefined && { errorCode: p.errorCode, reason: p.reason }) })),
      })),
    };
    const peers = [...new Set(tested.flatMap((x) => x.permissions.map((p) => p.peer)))];
    return outcomeOf(problems, `CreatePermission to ${peers.join(", ")} refused with 403 Forbidden IP on ${tested.length} endpoint(s)`, details);
  },
});
