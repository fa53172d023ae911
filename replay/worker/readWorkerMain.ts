/**
 * Entry point of the read worker thread (see WorkerLogReader): the log is opened, read,
 * parsed and inflated here, so that none of it runs on the replay's thread.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type {
  FromWorker, ReadWorkerData, ReadWorkerStart, ToWorker,
} from "./ReadWorkerProtocol.js";

if (parentPort) {
  const port = parentPort;
  forwardWarnings(port);
  const start = workerData as ReadWorkerStart;
  if ("prestart" in start) {
    warmUp(start.prestart.s3);
    port.once("message", (m: ToWorker) => {
      if (m.type === "open") run(port, m.data);
    });
  } else {
    run(port, start);
  }
}

/** Imported here, not at the top: a prestarted worker loads the SDK before the loop's modules. */
function run(port: MessagePort, data: ReadWorkerData): void {
  void import("./ReadWorkerLoop.js").then(async ({ ReadWorkerLoop }) => {
    const loop = new ReadWorkerLoop(port, data);
    await loop.open();
    // Messages wait until the log is open: a run must not start before there is a reader.
    port.on("message", (m: ToWorker) => loop.onMessage(m));
  });
}

/**
 * Loads, while the main thread still parses its command line, what the open will need: the
 * SDK first (the first request waits for it), then the format sniffers. Failures are left to
 * the open, which meets them again and reports them.
 */
function warmUp(s3: boolean): void {
  const sdk = s3
    ? Promise.all([import("../sources/loadS3Sdk.js").then((m) => m.loadS3Sdk()),
      import("../sources/createS3Client.js")])
    : Promise.resolve();
  sdk.then(() => import("./ReadWorkerLoop.js"))
    .then(() => import("../formats/openLog.js"))
    .catch(() => undefined);
}

/**
 * Node prints a worker's process warnings as free text on the program's stderr; they go to
 * the main thread instead, whose handler logs them.
 */
function forwardWarnings(port: MessagePort): void {
  process.removeAllListeners("warning");
  process.on("warning", (warning) => {
    const message: FromWorker = { type: "nodeWarning", name: warning.name, message: warning.message };
    port.postMessage(message);
  });
}
