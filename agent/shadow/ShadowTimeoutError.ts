import type { ShadowOperation } from "./ShadowTopic.js";

/** A shadow request that got neither `/accepted` nor `/rejected` in time. */
export class ShadowTimeoutError extends Error {
  readonly code = "E_SHADOW_TIMEOUT";

  constructor(
    readonly operation: ShadowOperation,
    readonly topic: string,
    readonly timeoutMs: number,
    readonly clientToken: string,
  ) {
    super(`${topic}: no answer to ${operation} (clientToken ${clientToken}) in ${timeoutMs} ms`);
    this.name = "ShadowTimeoutError";
  }
}
