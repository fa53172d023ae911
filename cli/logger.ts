import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

export type LogFormat = "json" | "pretty";

/**
 * The program's one logger, on stderr (stdout carries data). JSON, one object per line, unless
 * stderr is a terminal, where it is rendered for people.
 */
export function createLogger(options: { level?: string; format?: LogFormat } = {}): Logger {
  const level = options.level ?? process.env.ROADRIG_LOG_LEVEL ?? "info";
  const format = options.format ?? (process.stderr.isTTY ? "pretty" : "json");
  if (format === "pretty") {
    const stream = pretty({ destination: 2, colorize: true, sync: true, translateTime: "SYS:HH:MM:ss.l" });
    return pino({ level }, stream);
  }
  return pino({ level }, pino.destination({ fd: 2, sync: true }));
}
