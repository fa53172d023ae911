import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";
import type Pretty from "pino-pretty";

const require = createRequire(import.meta.url);

export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Also write every line as JSON to this file (a run's `run.log`), whatever the format. */
  alsoTo?: string;
}

/**
 * The program's one logger, on stderr (stdout carries data). JSON, one object per line, unless
 * stderr is a terminal, where it is rendered for people.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.ROADRIG_LOG_LEVEL ?? "info";
  const format = options.format ?? (process.stderr.isTTY ? "pretty" : "json");
  // pino-pretty loads only for pretty output: a replay logging JSON starts without it.
  const stderr: DestinationStream = format === "pretty"
    ? (require("pino-pretty") as typeof Pretty)({
      destination: 2, colorize: true, sync: true, translateTime: "SYS:HH:MM:ss.l",
    })
    // `dest`, not `fd`: given no `dest`, pino reads process.stdout.fd, and that getter turns a
    // piped stdout non-blocking, where `--to candump:-` writes fail once the reader lags.
    : pino.destination({ dest: 2, sync: true });
  if (options.alsoTo === undefined) return pino({ level }, stderr);
  // Sync writes: the file is complete whenever the run ends, signals included.
  const file = pino.destination({ dest: options.alsoTo, sync: true, mkdir: true });
  return pino({ level }, pino.multistream([{ stream: stderr, level }, { stream: file, level }]));
}
