import type { Command } from "commander";
import type { S3ClientOptions } from "../replay/sources/createS3Client.js";

/** The flags that point a command at S3 or an S3-compatible store, as the AWS CLI names them. */
export interface S3ClientFlags {
  endpointUrl?: string;
  region?: string;
  forcePathStyle?: boolean;
}

/** Adds `--endpoint-url`, `--region` and `--force-path-style`, the same on every S3 command. */
export function addS3ClientFlags(command: Command): Command {
  return command
    .option("--endpoint-url <url>",
      "an S3-compatible store (else AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL)")
    .option("--region <region>", "else AWS_REGION or the profile's region")
    .option("--force-path-style", "path-style bucket URLs, as most S3-compatible stores want");
}

/** Client options from the flags; what a flag does not say is left to AWS's own chain. */
export function s3ClientOptionsOf(flags: S3ClientFlags): S3ClientOptions {
  return {
    ...(flags.endpointUrl === undefined ? {} : { endpoint: flags.endpointUrl }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(flags.forcePathStyle === true ? { forcePathStyle: true } : {}),
  };
}
