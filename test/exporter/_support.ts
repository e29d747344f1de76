// Helpers of the exporter tests: a real exporter in this process or as a child process (the built
// dist/src/exporter/bin.js), plain HTTP against it, and promtool.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseServeArgs } from "../../src/exporter/config.js";
import { Exporter } from "../../src/exporter/server.js";
import { rig } from "../support/rig-gate.js";

export const BIN = fileURLToPath(new URL("../../dist/src/exporter/bin.js", import.meta.url));
export const CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `md-${prefix}-`));
}

/** A YAML file with the rig's resolver and CA, and whatever else is given. */
export function writeConfig(dir: string, name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, `resolver: "${rig!.resolver}"\nca_file: ${rig!.caFile}\nallow_private_addresses: true\n${yaml}`);
  return file;
}

export interface InProcess {
  exporter: Exporter;
  url: string;
  logs: string[];
}

export async function startInProcess(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<InProcess> {
  const logs: string[] = [];
  const exporter = await Exporter.start({ flags: parseServeArgs(["--listen", "127.0.0.1:0", ...argv]), env, log: (l) => logs.push(l) });
  return { exporter, url: exporter.address.url, logs };
}

export interface Child {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the built exporter; resolves once it says where it listens. */
export function startChild(args: string[], options: { env?: NodeJS.ProcessEnv; bin?: string[] } = {}): Promise<Child> {
  const command = options.bin ?? [BIN];
  if (!existsSync(command[0]!)) throw new Error(`${command[0]} is missing: run 'npm run build' first`);
  const child = spawn(process.execPath, [...command, ...args], { env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the exporter did not start: ${stderr}`));
    }, 15_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(killer);
        resolve({ child, url: m[1]!, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(killer);
      reject(new Error(`the exporter exited with ${code}: ${stderr}`));
    });
  });
}

export async function stopChild(c: Child): Promise<number | null> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
  const timer = setTimeout(() => c.child.kill("SIGKILL"), 10_000);
  const code = await c.exited;
  clearTimeout(timer);
  return code;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

/** The value of a sample line `name{labels} value` (labels given exactly as exported), or undefined. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

export function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
