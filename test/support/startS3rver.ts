import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3Client } from "../../replay/sources/createS3Client.js";

export interface RunningS3rver {
  readonly endpoint: string;
  readonly port: number;
  /** A client for the test's own setup (uploads), pointed at this server. */
  readonly client: S3Client;
  put(bucket: string, key: string, body: Uint8Array): Promise<string>;
  close(): Promise<void>;
}

/** s3rver's fixed development credentials. */
export const s3rverCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A real s3rver on 127.0.0.1, a random port and a temporary directory. */
export async function startS3rver(buckets: string[]): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), "roadrig-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client(s3ClientOptionsFor(endpoint));
  return {
    endpoint,
    port,
    client,
    async put(bucket, key, body) {
      const out = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      return out.ETag ?? "";
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export function s3ClientOptionsFor(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: s3rverCredentials,
  } as const;
}

/** The standard AWS variables pointed at a loopback s3rver, as a user's shell would set them. */
export function s3rverEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  };
}
