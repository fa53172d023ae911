import type { OpenLogOptions } from "../formats/openLog.js";
import type { WorkerOpenOptions } from "./ReadWorkerProtocol.js";

/**
 * The plain-data part of openLog's options, which the worker rebuilds its S3 client and cache
 * from. A ready-made client, credentials given as objects and retry hooks cannot cross threads:
 * the worker's client follows AWS's own chain (environment, profile) for credentials.
 */
export function workerOpenOptions(options: OpenLogOptions): WorkerOpenOptions {
  const out: WorkerOpenOptions = {};
  const { s3, cache } = options;
  if (s3) {
    const { chunkBytes, readAheadBytes } = s3;
    const { credentials: _credentials, ...clientOptions } = s3.clientOptions ?? {};
    out.s3 = {
      clientOptions,
      ...(chunkBytes !== undefined ? { chunkBytes } : {}),
      ...(readAheadBytes !== undefined ? { readAheadBytes } : {}),
    };
  }
  if (cache) {
    out.cache = {
      dir: cache.dir,
      ...(Number.isFinite(cache.maxBytes) ? { maxBytes: cache.maxBytes } : {}),
    };
  }
  return out;
}
