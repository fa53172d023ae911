import { stdoutFailure } from "../replay/outputs/stdoutWritable.js";

/**
 * Text to the process's stdout at the reader's pace: each write resolves once stdout has room
 * again, so a reader that lags (`roadrig dbc decode ... | less`) holds the producer back instead
 * of the whole output piling up in memory. A reader that went away (`| head`) rejects the write
 * with its EPIPE error, which `unlessStdoutClosed` turns into a quiet end.
 */
export function stdoutText(): (text: string) => Promise<void> {
  const stdout = process.stdout;
  const failure = stdoutFailure();
  const check = (): void => {
    const failed = failure();
    if (failed) throw failed;
  };
  return async (text) => {
    check();
    if (!stdout.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdout.off("drain", done);
          stdout.off("error", done);
          resolve();
        };
        stdout.on("drain", done);
        stdout.on("error", done);
      });
    }
    check();
  };
}

/** A closed stdout (the reader went away) ends the command quietly; any other error stands. */
export function unlessStdoutClosed(err: unknown): undefined {
  if ((err as { code?: unknown } | null)?.code === "EPIPE") return undefined;
  throw err;
}
