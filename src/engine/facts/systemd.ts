// Facts of the systemd area: what `systemctl show` says about the homeserver's unit and the units a
// deployment leans on (PostgreSQL, nginx, coturn, the certbot timer). Raw states as systemd reports
// them, never verdicts; checks/systemd-*.ts judge them.

import type { Implementation } from "./config.js";

/** Why systemctl gave no answer at all. */
export type SystemctlFailure =
  /** No systemctl binary (or the MATRIX_DOCTOR_SYSTEMCTL command does not exist). */
  | "no-systemctl"
  /** "System has not been booted with systemd as init system (PID 1)": a container, WSL, another init. */
  | "not-booted"
  /** "Failed to connect to bus": systemd's socket is not reachable from here. */
  | "no-bus"
  /** No answer within the operation's budget or the run deadline. */
  | "timeout"
  | "error";

export interface SystemctlError {
  failure: SystemctlFailure;
  /** The first lines systemctl (or the command) printed on stderr, or the spawn error. */
  message: string;
  exitCode?: number;
}

/** What a unit is to the deployment. */
export type UnitRole = "homeserver" | "database" | "proxy" | "turn" | "certbot";

/**
 * One reading of one unit (`systemctl show --property=...`). Properties that the unit's type lacks
 * (a timer has no NRestarts) or that this systemd does not know (NRestarts needs systemd 235) are absent.
 */
export interface UnitSnapshot {
  /** When it was read, milliseconds since the epoch. */
  atMs: number;
  /** The unit's primary name (an alias given on the command line resolves to it). */
  id: string;
  /** loaded, not-found, bad-setting, error, masked. */
  loadState: string;
  /** active, reloading, inactive, failed, activating, deactivating. */
  activeState: string;
  /** Type-specific: running, exited, dead, failed, auto-restart, start, waiting (timers), ... */
  subState: string;
  /** success, exit-code, signal, core-dump, timeout, watchdog, start-limit-hit, oom-kill, ... */
  result?: string;
  /** enabled, disabled, static, masked, enabled-runtime, linked, indirect, generated, alias, ... ("" for none). */
  unitFileState?: string;
  fragmentPath?: string;
  /** 0 when no main process runs. PID as seen in systemd's PID namespace. */
  mainPid?: number;
  /** With execMainCode 1 the exit status, with 2 or 3 the signal number. */
  execMainStatus?: number;
  /** How the main process ended last: 0 not yet, 1 exited (CLD_EXITED), 2 killed (CLD_KILLED), 3 dumped core. */
  execMainCode?: number;
  /** Automatic restarts since the unit was last started by hand (systemd >= 235). */
  nRestarts?: number;
  /** Restart= setting: no, always, on-failure, ... */
  restart?: string;
  /** RestartSec= as systemd prints it ("100ms", "3s"). */
  restartSec?: string;
  /** LimitNOFILE: the hard limit of open files, or "infinity". */
  limitNofile?: number | "infinity";
  /** LimitNOFILESoft: the soft limit the process starts with. */
  limitNofileSoft?: number | "infinity";
  /** When the unit last entered the active state (absent when it never did). */
  activeEnterMs?: number;
  /** The same, microseconds of CLOCK_MONOTONIC, as systemd reports it. */
  activeEnterMonotonicUs?: number;
  execMainStartMs?: number;
  stateChangeMs?: number;
  /** Timers: when the timer last fired / fires next. */
  lastTriggerMs?: number;
  nextElapseMs?: number;
}

export interface UnitFact {
  /** The name asked for (e.g. dendrite.service or postgresql@15-main.service). */
  name: string;
  role: UnitRole;
  /**
   * Readings about 1.5 s apart, first one first: a crash loop shows as NRestarts growing between them
   * (Result= is reset on every restart, so one reading can look healthy). One reading when the run's
   * deadline left no time for a second.
   */
  samples: UnitSnapshot[];
}

export interface HomeserverUnitChoice {
  /** Where the name came from: --systemd-unit, or guessed from the homeserver config's implementation. */
  source: "flag" | "config";
  /** The implementation named by the homeserver config, when there was one. */
  implementation?: Implementation;
  /** The names tried in order (only the flag's name when source is "flag"). */
  candidates: string[];
  /** The unit inspected: the flag's name (loaded or not), or the first candidate that is loaded. */
  unit?: string;
}

export interface SystemdFact {
  /** The command run (argv prefix): ["systemctl"], or MATRIX_DOCTOR_SYSTEMCTL split on spaces. */
  systemctl: string[];
  /** systemd answered. When false, `error` says why and nothing else is known. */
  reachable: boolean;
  error?: SystemctlError;
  /** systemd's version string, e.g. "252.38-1~deb12u1". */
  version?: string;
  /** The manager's SystemState: running, degraded, starting, ... */
  systemState?: string;
  homeserver: HomeserverUnitChoice;
  /** The homeserver unit first (when there is one), then the dependency units that are loaded. */
  units: UnitFact[];
  /** Dependency units looked for that are not loaded (not installed here). */
  absent: string[];
  /** Milliseconds between the first and the second reading (absent with one reading). */
  sampleIntervalMs?: number;
  /** Commands after the first that failed (the fact is then partial). */
  errors: { command: string; error: SystemctlError }[];
}

// ---------------------------------------------------------------------------------------------------
// Reading helpers shared by checks/systemd-*.ts (pure; every rule stays in the check's own file).

/** The most recent reading of a unit. */
export function latest(unit: UnitFact): UnitSnapshot {
  return unit.samples[unit.samples.length - 1] as UnitSnapshot;
}

/** The homeserver unit's readings, when the unit was named or found and could be read. */
export function homeserverUnit(fact: SystemdFact): UnitFact | undefined {
  return fact.units.find((u) => u.role === "homeserver");
}

/** "active (running)". */
export function stateText(s: UnitSnapshot): string {
  return s.subState && s.subState !== s.activeState ? `${s.activeState} (${s.subState})` : s.activeState;
}

const SIGNALS: Readonly<Record<number, string>> = {
  1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
  9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
};

/** systemd's own exit codes (systemd.exec(5), "Process Exit Codes"): what failed before the program ran. */
const SYSTEMD_EXIT_CODES: Readonly<Record<number, string>> = {
  200: "CHDIR: WorkingDirectory= does not exist or is not accessible",
  203: "EXEC: the ExecStart= program is missing or not executable",
  205: "LIMITS: a Limit...= setting could not be applied",
  209: "STDOUT: standard output could not be set up",
  214: "SETSCHEDULER: the scheduling policy could not be set",
  216: "GROUP: the Group= does not exist",
  217: "USER: the User= does not exist",
  226: "NAMESPACE: file system namespacing failed (a path in ReadWritePaths=, ProtectSystem= & co. is missing?)",
  233: "RUNTIME_DIRECTORY: RuntimeDirectory= could not be created",
  238: "STATE_DIRECTORY: StateDirectory= could not be created",
};

/**
 * How the main process ended last, in words: "exited with status 1", "killed by signal 9 (SIGKILL)",
 * "exited with status 203 (EXEC: ...)". Undefined when it has not ended (ExecMainCode 0).
 */
export function exitText(s: UnitSnapshot): string | undefined {
  const status = s.execMainStatus;
  if (s.execMainCode === undefined || s.execMainCode === 0 || status === undefined) return undefined;
  if (s.execMainCode === 1) {
    const special = SYSTEMD_EXIT_CODES[status];
    return special ? `exited with status ${status} (${special})` : `exited with status ${status}`;
  }
  const signal = SIGNALS[status] ? ` (${SIGNALS[status]})` : "";
  return s.execMainCode === 3 ? `dumped core on signal ${status}${signal}` : `was killed by signal ${status}${signal}`;
}

/** Result= in words, for the results that are not plain exit codes. */
export const RESULT_WORDS: Readonly<Record<string, string>> = {
  "exit-code": "exit-code",
  signal: "killed by a signal",
  "core-dump": "dumped core",
  timeout: "timed out (start or stop took longer than TimeoutSec=)",
  watchdog: "the watchdog timed out",
  "start-limit-hit": "start limit hit: systemd stopped restarting it",
  "oom-kill": "killed by the out-of-memory killer",
  resources: "systemd could not set up its resources (a missing directory, user or file)",
  protocol: "it broke the service protocol (Type=notify/forking)",
};

/** "exited with status 1 (result: exit-code)" — what the last reading says about why a unit stopped. */
export function failureText(s: UnitSnapshot): string {
  const exit = exitText(s);
  const result = s.result && s.result !== "success" ? `result: ${RESULT_WORDS[s.result] ?? s.result}` : undefined;
  if (exit && result) return `${exit} (${result})`;
  return exit ?? (result ? `(${result})` : "no exit recorded");
}

/** "3 d 4 h", "12 min", "45 s". */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "2026-11-26 07:09 UTC". */
export function timeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
