import type { Worker } from "node:worker_threads";
import type { PrestartData } from "./ReadWorkerProtocol.js";
import { startReadWorker } from "./readWorkerEntry.js";

/** Workers started ahead of need, not yet taken; a worker that ended leaves the list. */
const waiting = new Set<Worker>();

/**
 * Starts a read worker before its log is known, so that the thread's start and its imports
 * (the AWS SDK, when `s3`) run while the caller still loads and parses; the next
 * WorkerLogReader.open takes it. An unused one holds nothing open (unref'd); end it with
 * endPrestartedReadWorkers once the logs are open.
 */
export function prestartReadWorker(hint: { s3: boolean }): Worker {
  const data: PrestartData = { prestart: { s3: hint.s3 } };
  const worker = startReadWorker(data);
  worker.unref();
  waiting.add(worker);
  // A worker that fails before it is taken is dropped; the open starts a fresh one.
  worker.on("error", () => waiting.delete(worker));
  worker.on("exit", () => waiting.delete(worker));
  return worker;
}

/** A started worker waiting for its `open` message, if any; it keeps the process alive again. */
export function takePrestartedReadWorker(): Worker | undefined {
  const [worker] = waiting;
  if (worker === undefined) return undefined;
  waiting.delete(worker);
  worker.ref();
  return worker;
}

/** Ends the workers no open took (a replay that read in its own thread, for one). */
export async function endPrestartedReadWorkers(): Promise<void> {
  const unused = [...waiting];
  waiting.clear();
  await Promise.all(unused.map((w) => w.terminate()));
}
