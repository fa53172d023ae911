/**
 * Entry point of the read worker thread (see WorkerLogReader): the log is opened, read,
 * parsed and inflated here, so that none of it runs on the replay's thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ReadWorkerData, ToWorker } from "./ReadWorkerProtocol.js";
import { ReadWorkerLoop } from "./ReadWorkerLoop.js";

if (parentPort) {
  const loop = new ReadWorkerLoop(parentPort, workerData as ReadWorkerData);
  const port = parentPort;
  // Messages wait until the log is open: a run must not start before there is a reader.
  void loop.open().then(() => port.on("message", (m: ToWorker) => loop.onMessage(m)));
}
