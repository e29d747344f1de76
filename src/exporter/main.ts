// `matrix-doctor serve`: start the exporter, reload on SIGHUP, drain and exit 0 on SIGTERM/SIGINT.
// Exit codes: 0 after a clean shutdown (or --help), 2 for a usage or configuration error (including an
// address that cannot be bound), 3 for an internal error.

import { ConfigError, formatListen, parseServeArgs, SERVE_HELP } from "./config.js";
import { Exporter } from "./server.js";

/** How long SIGTERM waits for scrapes in flight before closing their connections. */
export const SHUTDOWN_GRACE_MS = 5_000;

export async function serveMain(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const say = (line: string): void => void process.stderr.write(`matrix-doctor serve: ${line}\n`);
  let exporter: Exporter;
  try {
    const flags = parseServeArgs(argv);
    if (flags.help) {
      process.stdout.write(SERVE_HELP);
      return 0;
    }
    exporter = await Exporter.start({ flags, env });
  } catch (err) {
    if (err instanceof ConfigError) {
      say(err.message);
      return 2;
    }
    say(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    return 3;
  }

  const c = exporter.config;
  say(
    `listening on ${exporter.address.url} (configured ${formatListen(c.listen)}); ${c.targets.length} allowed targets; ` +
      `modules: ${[...c.modules.keys()].join(", ")}${c.schedule ? `; schedule "${c.schedule.cron}" for ${c.schedule.serverName}` : ""}` +
      `${c.auth ? `; ${c.auth.kind} auth` : ""}`,
  );

  return new Promise<number>((resolve) => {
    const onHup = (): void => {
      say("SIGHUP: reloading the configuration");
      void exporter.reload();
    };
    const onStop = (signal: NodeJS.Signals): void => {
      process.off("SIGHUP", onHup);
      process.off("SIGTERM", onStop);
      process.off("SIGINT", onStop);
      say(`${signal}: no new connections; waiting up to ${SHUTDOWN_GRACE_MS / 1000} s for requests in flight`);
      exporter.close(SHUTDOWN_GRACE_MS).then(
        () => {
          say("stopped");
          resolve(0);
        },
        (err: unknown) => {
          say(`error while stopping: ${err instanceof Error ? err.message : String(err)}`);
          resolve(3);
        },
      );
    };
    process.on("SIGHUP", onHup);
    process.on("SIGTERM", onStop);
    process.on("SIGINT", onStop);
  });
}
