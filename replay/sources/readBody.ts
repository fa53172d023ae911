import type { Readable } from "node:stream";

/** The body stopped before the expected byte count, without a socket error. */
export class ShortBodyError extends Error {
  constructor(received: number, expected: number) {
    super(`reply body ended after ${received} of ${expected} bytes`);
    this.name = "ShortBody";
  }
}

/**
 * Copies a reply body into `target` from `target.length - remaining` on, after discarding
 * `skip` leading bytes (a 200 reply to a Range request carries the whole object; then the rest
 * is abandoned, else the body is read to its end so that the socket can be reused). `onBytes`
 * reports progress as it happens, so that a connection dropped mid-body can be resumed from the
 * last byte received. A body idle for `idleMs` is destroyed: a stalled socket is a dropped one.
 */
export async function readBody(
  body: Readable,
  target: Uint8Array,
  from: number,
  skip: number,
  idleMs: number,
  onBytes: (n: number) => void,
): Promise<void> {
  let pos = from;
  let toSkip = skip;
  const timer = armIdleTimer(body, idleMs);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      timer.refresh();
      let view: Uint8Array = chunk;
      if (toSkip > 0) {
        const dropped = Math.min(toSkip, view.length);
        toSkip -= dropped;
        view = view.subarray(dropped);
      }
      const take = Math.min(view.length, target.length - pos);
      target.set(view.subarray(0, take), pos);
      pos += take;
      if (take > 0) onBytes(take);
      if (pos === target.length && skip > 0) break;
    }
  } finally {
    clearTimeout(timer);
    if (!body.destroyed) body.destroy();
  }
  if (pos < target.length) throw new ShortBodyError(pos - from, target.length - from);
}

function armIdleTimer(body: Readable, idleMs: number): NodeJS.Timeout {
  return setTimeout(() => {
    const err = new Error(`no reply bytes for ${idleMs} ms`);
    err.name = "BodyIdleTimeout";
    body.destroy(err);
  }, idleMs);
}
