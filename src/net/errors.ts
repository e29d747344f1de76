// Turning Node and undici errors into the few classes that findings are written about.

import type { NetError, NetErrorCode } from "../engine/types.js";

export function errorCode(err: unknown): string {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return "";
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}

const CLASS_BY_CODE: Record<string, NetErrorCode> = {
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EADDRNOTAVAIL: "unreachable",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ABORT_ERR: "timeout",
  UND_ERR_ABORTED: "timeout",
  UND_ERR_RES_EXCEEDED_MAX_SIZE: "too-large",
  HPE_INVALID_CONSTANT: "protocol",
  HPE_INVALID_STATUS: "protocol",
  UND_ERR_INFO: "protocol",
};

/** Classify an error from a socket, TLS or HTTP operation. Aborts are timeouts: we only abort on deadlines. */
export function toNetError(err: unknown): NetError {
  const code = errorCode(err);
  const message = errorMessage(err);
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) {
    return { code: "timeout", message: "timed out" };
  }
  const known = CLASS_BY_CODE[code];
  if (known) return { code: known, message: known === "timeout" ? "timed out" : message };
  if (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || /SSL|TLS|certificate|handshake/i.test(message)) {
    return { code: "tls", message };
  }
  if (code.startsWith("HPE_")) return { code: "protocol", message };
  return { code: "other", message: code ? `${code}: ${message}` : message };
}

/** The run's signal combined with a per-operation budget. */
export function deadlineSignal(runSignal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([runSignal, AbortSignal.timeout(Math.max(1, timeoutMs))]);
}
