// A secret (TURN shared secret, database password, access token) that cannot leak by accident:
// printing, logging or JSON-serialising it gives "[redacted]"; only reveal() gives the value, and
// only probes that must send it call that.

import { inspect } from "node:util";

const REDACTED = "[redacted]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** True when both hold the same value (without revealing either). */
  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

/** postgres://user:pass@host/db → postgres://user:***@host/db (also key=value DSNs: password=***). */
export function redactDsn(dsn: string): string {
  return dsn
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@")
    .replace(/(password\s*=\s*)('[^']*'|\S+)/gi, "$1***")
    .replace(/([?&]password=)[^&]*/gi, "$1***");
}
