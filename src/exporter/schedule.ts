// Scheduled runs of the server-side checks (PostgreSQL, systemd, TURN with the shared secret, config lint):
// too slow or too intrusive to run on every scrape, so node-cron runs them and /metrics serves the last
// result, saying so in HELP (writing_exporters.md, "Scheduling"). A tick that comes while the previous run
// is still going is skipped and counted, never stacked.

import { createTask, type ScheduledTask } from "node-cron";

export interface SchedulerHooks {
  /** One run; resolves when it is over (errors are the caller's to log). */
  run(): Promise<void>;
  onSkipped(): void;
}

export class Scheduler {
  #task: ScheduledTask | undefined;
  #cron: string | undefined;
  #running: Promise<void> | undefined;
  #hooks: SchedulerHooks;

  constructor(hooks: SchedulerHooks) {
    this.#hooks = hooks;
  }

  get cron(): string | undefined {
    return this.#cron;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  nextRun(): Date | undefined {
    return this.#task?.getNextRun() ?? undefined;
  }

  /** (Re)schedules for this cron expression, or stops when undefined. A run in progress is left to finish. */
  async apply(cron: string | undefined): Promise<void> {
    if (cron === this.#cron) return;
    await this.#destroy();
    this.#cron = cron;
    if (cron === undefined) return;
    // Overlap is prevented here rather than with node-cron's noOverlap so that skips are counted exactly.
    this.#task = createTask(cron, () => void this.trigger(), { name: "matrix-doctor-scheduled-run" });
    await this.#task.start();
  }

  /** Starts a run now; if one is going, counts a skip instead. Resolves when the (running) run is over. */
  trigger(): Promise<void> {
    if (this.#running) {
      this.#hooks.onSkipped();
      return this.#running;
    }
    const run = this.#hooks
      .run()
      .catch(() => undefined)
      .finally(() => {
        this.#running = undefined;
      });
    this.#running = run;
    return run;
  }

  /** Stops ticking and waits (at most waitMs) for a run in progress. */
  async stop(waitMs: number): Promise<void> {
    await this.#destroy();
    this.#cron = undefined;
    if (this.#running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#running, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
  }

  async #destroy(): Promise<void> {
    const task = this.#task;
    this.#task = undefined;
    if (task) await task.destroy();
  }
}
