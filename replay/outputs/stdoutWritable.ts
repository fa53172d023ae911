import { Writable } from "node:stream";

/**
 * The process's stdout as a Writable that can be ended without ending stdout. Lines go through
 * process.stdout rather than an fs stream on fd 1: once anything has read process.stdout (a
 * pretty logger's pipe() does), a piped fd 1 is non-blocking, and fs writes give up with
 * "write failed" after a few EAGAINs when the reader lags; libuv's stream waits for room.
 * A closed reader still surfaces as an EPIPE error on this stream.
 */
export function stdoutWritable(): Writable {
  const stdout = process.stdout;
  const failure = stdoutFailure();
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const failed = failure();
      if (failed) return done(failed);
      stdout.write(chunk, (err) => done(err ?? failure()));
    },
    final(done) {
      done(failure());
    },
  });
}

/**
 * The first error stdout emits from now on (EPIPE once its reader went away), or undefined.
 * Without a listener such an error would be an uncaught exception; the listener stays, as
 * stdout emits it on a later tick, possibly after its writer is done.
 */
export function stdoutFailure(): () => Error | undefined {
  let failure: Error | undefined;
  process.stdout.on("error", (err: Error) => {
    failure ??= err;
  });
  return () => failure;
}
