import { parseS3Prefix, type S3Location } from "../sources/S3Url.js";

/** Where a run's results bundle goes: a local folder, or an S3 prefix (bundled locally first). */
export type ResultsTarget =
  | { readonly kind: "local"; readonly dir: string }
  | { readonly kind: "s3"; readonly url: string; readonly prefix: S3Location };

/** `s3://bucket/prefix/` or a local directory. A prefix is used as a folder: `/` is added. */
export function parseResultsTarget(text: string): ResultsTarget {
  if (!text.startsWith("s3://")) return { kind: "local", dir: text };
  const { bucket, key } = parseS3Prefix(text);
  const folder = key === "" || key.endsWith("/") ? key : `${key}/`;
  return { kind: "s3", url: `s3://${bucket}/${folder}`, prefix: { bucket, key: folder } };
}
