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
  let failure: Error | undefined;
  // Without a listener, an EPIPE on stdout would be an uncaught exception. It stays: stdout
  // emits its error on a later tick, after this stream may already be destroyed.
  stdout.on("error", (err: Error) => {
    failure ??= err;
  });
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (failure) return done(failure);
      stdout.write(chunk, (err) => done(err ?? failure));
    },
    final(done) {
      done(failure);
    },
  });
}
