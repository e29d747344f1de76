// The homeserver's own config file, read from disk (--homeserver-config), plus the files it points at that the
// config checks judge: the signing key (parsed to key ids and PUBLIC keys only, to compare with what
// /_matrix/key/v2/server serves) and Synapse's turn_shared_secret_path (existence and mode only). Also the mode of
// the config file, which holds secrets. Reading a file is quick but still honours the run deadline.

import { constants } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import type { FileStatus, HomeserverConfigFact, SigningKeyFact } from "../engine/facts/config.js";
import { defineProbe, FactUnavailable } from "../engine/probe.js";
import { ConfigError, readHomeserverConfig } from "../homeserver/config.js";
import { parseSigningKey } from "../homeserver/signing-key.js";

/** A signing key file is under 200 bytes; anything near this is not one. */
const MAX_KEY_BYTES = 64 * 1024;

async function fileStatus(path: string): Promise<FileStatus> {
  try {
    const s = await stat(path);
    const mode = s.mode & 0o7777;
    const base = { path, exists: true, mode: `0${mode.toString(8).padStart(3, "0")}`, worldReadable: (mode & 0o004) !== 0, uid: s.uid };
    if (s.isDirectory()) return { ...base, readable: false, error: "EISDIR" };
    // A FIFO or device would block the read (or never end): only regular files are read.
    if (!s.isFile()) return { ...base, readable: false, error: "ENOTREG" };
    try {
      await access(path, constants.R_OK);
      return { ...base, readable: true };
    } catch (err) {
      return { ...base, readable: false, error: (err as NodeJS.ErrnoException).code ?? "EACCES" };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EIO";
    return { path, exists: code !== "ENOENT" && code !== "ENOTDIR", readable: false, error: code };
  }
}

/** Read at most `max` bytes; undefined with the errno code when it cannot be read. */
async function readCapped(path: string, max: number, signal: AbortSignal): Promise<{ text?: string; error?: string; tooLarge?: boolean }> {
  if (signal.aborted) return { error: "ETIMEDOUT" };
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY);
    const buffer = Buffer.alloc(max + 1);
    const { bytesRead } = await handle.read(buffer, 0, max + 1, 0);
    if (bytesRead > max) {
      buffer.fill(0);
      return { tooLarge: true };
    }
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    buffer.fill(0);
    return { text };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? "EIO" };
  } finally {
    await handle?.close();
  }
}

async function readSigningKey(fact: HomeserverConfigFact, signal: AbortSignal): Promise<SigningKeyFact | undefined> {
  if (fact.signingKey) return fact.signingKey; // inline Synapse signing_key, parsed by the reader
  const path = fact.signingKeyPath;
  if (!path) return undefined;
  const file = await fileStatus(path);
  if (!file.exists || file.error === "EISDIR") return { source: "file", path, file, keys: [] };
  if (file.error === "ENOTREG") return { source: "file", path, file: { ...file, readable: true }, keys: [], problem: "is not a regular file" };
  const content = await readCapped(path, MAX_KEY_BYTES, signal);
  if (content.error) return { source: "file", path, file: { ...file, readable: false, error: content.error }, keys: [] };
  if (content.tooLarge) return { source: "file", path, file, keys: [], problem: "is larger than 64 KiB, so it is not a signing key" };
  const parsed = parseSigningKey(content.text ?? "", fact.implementation);
  return {
    source: "file",
    path,
    file,
    keys: parsed.keys,
    ...(parsed.format && { format: parsed.format }),
    ...(parsed.problem && { problem: parsed.problem }),
  };
}

export const homeserverConfigProbe = defineProbe({
  fact: "homeserverConfig",
  async run(ctx) {
    const configPath = ctx.input.homeserverConfigPath;
    if (!configPath) throw new FactUnavailable("no homeserver config: pass --homeserver-config FILE");
    let fact: HomeserverConfigFact;
    try {
      fact = readHomeserverConfig(configPath);
    } catch (err) {
      // The CLI validated the file before the run; it changed or vanished since.
      if (err instanceof ConfigError) throw new FactUnavailable(err.message);
      throw err;
    }
    const [file, signingKey, secretFile] = await Promise.all([
      fileStatus(fact.path),
      readSigningKey(fact, ctx.signal),
      fact.turn?.sharedSecretPath ? fileStatus(fact.turn.sharedSecretPath) : Promise.resolve(undefined),
    ]);
    ctx.log(`homeserver config: ${fact.implementation} ${fact.path}, signing key ${signingKey?.path ?? signingKey?.source ?? "none"}`);
    return {
      ...fact,
      file,
      ...(signingKey && { signingKey }),
      ...(fact.turn && secretFile && { turn: { ...fact.turn, sharedSecretFile: secretFile } }),
    };
  },
});
