import type { Logger } from "pino";
import type { RunRecord } from "../../replay/results/RunRecord.js";

/**
 * Warns while the replay runs, within `everyMs`, each time S3 reads of a log were retried (a
 * dropped connection, a 503 SlowDown, a stalled body): what failed and the byte the read went on
 * from, and how many retries so far. The returned function stops the watch after a last look.
 */
export function watchS3Retries(record: RunRecord, log: Logger, everyMs = 1000): () => void {
  const seen = new Map<string, number>();
  const look = () => {
    for (const { source, retries, lastRetry } of record.s3Retries()) {
      if (retries <= (seen.get(source) ?? 0)) continue;
      seen.set(source, retries);
      log.warn({ source, retries, lastRetry }, "S3 reads retried");
    }
  };
  const timer = setInterval(look, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    look();
  };
}
