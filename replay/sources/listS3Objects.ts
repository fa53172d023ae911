import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { formatS3Url, parseS3Prefix } from "./S3Url.js";

/** An object found under a prefix. */
export interface ListedObject {
  readonly url: string;
  readonly size: number;
}

/** Every object under `s3://bucket/prefix` (all pages), folder markers left out. */
export async function listS3Objects(client: S3Client, prefixUrl: string): Promise<ListedObject[]> {
  const { bucket, key: prefix } = parseS3Prefix(prefixUrl);
  const found: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: prefix,
      ...(token === undefined ? {} : { ContinuationToken: token }),
    })).catch((err: unknown) => {
      // The SDK's message ("The specified bucket does not exist") names no URL.
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw Object.assign(new Error(`${prefixUrl}: listing failed: ${reason}`, { cause: err }),
        { code: "E_S3_LIST" });
    });
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined || o.Key.endsWith("/")) continue;
      found.push({ url: formatS3Url({ bucket, key: o.Key }), size: o.Size ?? 0 });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return found;
}
