import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { requireS3Sdk } from "./loadS3Sdk.js";

/** Options for reaching S3 or an S3-compatible store; everything else follows AWS's chain. */
export interface S3ClientOptions {
  /** Else AWS_REGION / AWS_PROFILE's region, as for the AWS CLI. */
  readonly region?: string;
  /** Else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the profile's endpoint_url. */
  readonly endpoint?: string;
  /** Path-style URLs (`host/bucket/key`): most S3-compatible stores want them. */
  readonly forcePathStyle?: boolean;
  readonly credentials?: S3ClientConfig["credentials"];
  /** Sockets per host: at least the number of ranges kept in flight. */
  readonly maxSockets?: number;
  readonly connectionTimeoutMs?: number;
  /** The SDK's own attempts per request (default 1: ranged reads retry themselves). */
  readonly maxAttempts?: number;
}

/**
 * An S3 client for ranged reads. The SDK's own retries are off (maxAttempts 1): the sources
 * retry themselves so that a body that breaks mid-stream is resumed, not restarted, and so
 * that retries are counted. The installed SDK reads AWS_ENDPOINT_URL(_S3), AWS_REGION and
 * AWS_PROFILE itself.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const config: S3ClientConfig = {
    maxAttempts: options.maxAttempts ?? 1,
    // Whole-object checksums cannot be checked on ranged replies; skip the work.
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
    },
  };
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  const sdk = requireS3Sdk();
  const client = new sdk.S3Client(config);
  // destroy() ends the sockets in use, but the SDK's retries would open new ones for the
  // request it broke, and wait on a hung server for ever (an aborted results upload then kept
  // the process alive: lib-storage passes no abort signal to its requests). Once destroyed, no
  // attempt goes out.
  let destroyed = false;
  client.middlewareStack.add((next) => (args) => {
    if (destroyed) {
      return Promise.reject(Object.assign(new Error("the S3 client was closed"),
        { name: "AbortError" }));
    }
    return next(args);
  }, { step: "deserialize", priority: "low", name: "roadrigClosedClient" });
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    destroyed = true;
    destroy();
  };
  return client;
}
