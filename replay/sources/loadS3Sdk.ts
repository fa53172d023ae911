import type * as ClientS3 from "@aws-sdk/client-s3";

/** The AWS SDK's S3 client module. */
export type S3Sdk = typeof ClientS3;

let loading: Promise<S3Sdk> | undefined;

/**
 * The SDK, loaded on first use. Importing it costs a few hundred milliseconds of start-up;
 * replays of local files never need it, and a replay from S3 loads it only in the thread that
 * reads (the read worker), not in every thread that merely names the S3 sources.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= import("@aws-sdk/client-s3");
  return loading;
}
