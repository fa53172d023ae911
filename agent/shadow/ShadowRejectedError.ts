import type { ShadowOperation } from "./ShadowTopic.js";

/** A shadow request answered on `/rejected`, with the service's `code` and `message`. */
export class ShadowRejectedError extends Error {
  constructor(
    readonly operation: ShadowOperation,
    /** The request topic. */
    readonly topic: string,
    /** 400, 404, 409, 413, 415, 429 or 500, as AWS IoT's Device Shadow service uses them. */
    readonly code: number,
    readonly serviceMessage: string,
    readonly clientToken: string | undefined,
  ) {
    super(`${topic}: ${operation} rejected with ${code}: ${serviceMessage}`);
    this.name = "ShadowRejectedError";
  }
}
