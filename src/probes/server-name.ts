import { defineProbe } from "../engine/probe.js";
import { parseServerName } from "../matrix/server-name.js";

/** The server name parsed by the spec's grammar; no I/O. */
export const serverNameProbe = defineProbe({
  fact: "serverName",
  run: async (ctx) => parseServerName(ctx.input.serverName),
});
