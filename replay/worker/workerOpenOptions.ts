import type { OpenLogOptions } from "../formats/openLog.js";
import type { WorkerOpenOptions } from "./ReadWorkerProtocol.js";

/**
 * The plain-data part of openLog's options, which the worker rebuilds its S3 client and cache
 * from. A ready-made client, a credential provider (a function) and retry hooks cannot cross
 * threads: without them the worker's client follows AWS's own chain (environment, profile).
 */
export function workerOpenOptions(options: OpenLogOptions): WorkerOpenOptions {
  const out: WorkerOpenOptions = {};
  const { s3, cache } = options;
  if (s3) {
    const { chunkBytes, readAheadBytes, spanBytes } = s3;
    const { credentials, ...rest } = s3.clientOptions ?? {};
    const clientOptions = typeof credentials === "function" || credentials === undefined
      ? rest : { ...rest, credentials };
    out.s3 = {
      clientOptions,
      ...(chunkBytes !== undefined ? { chunkBytes } : {}),
      ...(readAheadBytes !== undefined ? { readAheadBytes } : {}),
      ...(spanBytes !== undefined ? { spanBytes } : {}),
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
