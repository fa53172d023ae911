import { createReadStream } from "node:fs";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { formatS3Url, type S3Location } from "../sources/S3Url.js";
import type { BundleFile } from "./ResultsBundle.js";
import { ResultsUploadError } from "./ResultsUploadError.js";

export interface UploadProgress {
  readonly file: string;
  /** Bytes of all files sent so far, and in total. */
  readonly loaded: number;
  readonly total: number;
}

export interface UploadBundleOptions {
  /** Its retry strategy retries each request (PutObject, UploadPart...). */
  readonly client: S3Client;
  /** Parts in flight at once, per file (default 4). */
  readonly queueSize?: number;
  /** Bytes per part (default 8 MiB; S3's minimum is 5 MiB). */
  readonly partSize?: number;
  /** Aborts the upload in progress (a timeout, a second Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: UploadProgress) => void;
}

export interface UploadedObject {
  readonly url: string;
  readonly bytes: number;
  readonly etag?: string;
}

const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

/**
 * Uploads the files of a bundle under `prefix` (its key ends in `/`), one after the other,
 * each as a multipart upload when larger than a part. The first failure stops the upload and
 * is thrown as a ResultsUploadError naming `localDir`, where the bundle stays.
 */
export async function uploadBundle(
  files: readonly BundleFile[],
  prefix: S3Location,
  localDir: string,
  options: UploadBundleOptions,
): Promise<UploadedObject[]> {
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  let before = 0;
  const uploaded: UploadedObject[] = [];
  for (const file of files) {
    const target = { bucket: prefix.bucket, key: `${prefix.key}${file.name}` };
    const progress = (loaded: number) =>
      options.onProgress?.({ file: file.name, loaded: before + loaded, total });
    try {
      const etag = await uploadFile(file, target, options, progress);
      uploaded.push({ url: formatS3Url(target), bytes: file.bytes, ...(etag ? { etag } : {}) });
    } catch (err) {
      throw new ResultsUploadError(formatS3Url(target), localDir, { cause: err });
    }
    before += file.bytes;
  }
  return uploaded;
}

async function uploadFile(
  file: BundleFile,
  target: S3Location,
  options: UploadBundleOptions,
  onLoaded: (bytes: number) => void,
): Promise<string | undefined> {
  options.signal?.throwIfAborted();
  const abortController = new AbortController();
  const upload = new Upload({
    client: options.client,
    params: { Bucket: target.bucket, Key: target.key, Body: createReadStream(file.path) },
    queueSize: options.queueSize ?? 4,
    partSize: Math.max(5 * 1024 * 1024, options.partSize ?? DEFAULT_PART_BYTES),
    abortController,
  });
  upload.on("httpUploadProgress", (p) => onLoaded(p.loaded ?? 0));
  const abort = () => abortController.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    const out = await upload.done();
    onLoaded(file.bytes);
    return out.ETag;
  } catch (err) {
    // The SDK says only "Upload aborted.": the reason (a signal, the timeout) says why.
    if (options.signal?.aborted) throw options.signal.reason;
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}
