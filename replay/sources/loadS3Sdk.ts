import { createRequire } from "node:module";
import type * as ClientS3 from "@aws-sdk/client-s3";

/** The AWS SDK's S3 client module. */
export type S3Sdk = typeof ClientS3;

const require = createRequire(import.meta.url);
let loading: Promise<S3Sdk> | undefined;

/**
 * The SDK, loaded on first use. Importing it costs a few hundred milliseconds of start-up;
 * replays of local files never need it, and a replay from S3 loads it only in the thread that
 * reads (the read worker), not in every thread that merely names the S3 sources.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= new Promise((resolve) => resolve(requireS3Sdk()));
  return loading;
}

/**
 * The SDK now, loaded through `require`: the package ships CommonJS only, and an ESM `import`
 * of it first scans its 270 kB bundle for export names, a third of its load time (about 30 ms).
 */
export function requireS3Sdk(): S3Sdk {
  return require("@aws-sdk/client-s3") as S3Sdk;
}
