import { Worker } from "node:worker_threads";

/**
 * The read worker's young generation, in MB (V8's default is 48: 16 MB semi-spaces). What the
 * worker allocates per record dies within a batch, so a smaller nursery costs only more, cheaper
 * scavenges. Measured on a paced replay of a 2 GiB MF4 from S3 (`--rate 20`, 200 s of log, three
 * runs each), peak RSS of the process: 48 MB gave 203–225 MB, 16 gave 181–213, 8 gave 167–179,
 * and 4 gave 198–227 (too small: batches outlive the scavenges and are promoted). At 8 the
 * worker's CPU rises about 3 %.
 */
export const READ_WORKER_YOUNG_GENERATION_MB = 8;

/**
 * The worker's script. Built, it sits beside this file; run from the sources (vitest loads
 * .ts), Node cannot load TypeScript in a worker, so the build's copy is used: build first.
 */
export function readWorkerEntry(): URL {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return new URL("../../dist/replay/worker/readWorkerMain.js", here);
  return new URL("./readWorkerMain.js", here);
}

/** A read worker thread given `workerData`, with the worker's heap settings. */
export function startReadWorker(workerData: unknown): Worker {
  return new Worker(readWorkerEntry(), {
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: READ_WORKER_YOUNG_GENERATION_MB },
  });
}
