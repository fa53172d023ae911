/** Where one S3 object lives. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** A malformed `s3://` URL: the user's input (code `E_S3_URL`), not a fault of the program. */
export class S3UrlError extends Error {
  readonly code = "E_S3_URL";

  constructor(message: string) {
    super(message);
    this.name = "S3UrlError";
  }
}

/** `s3://bucket/key` for messages; the key is kept verbatim. */
export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/**
 * Splits `s3://bucket/key`. A prefix ending in `/` is a valid key here (listing uses it);
 * a missing bucket or key is refused with the URL in the message.
 */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/s.exec(url);
  if (!match) throw new S3UrlError(`${url}: not an S3 URL, expected s3://bucket/key`);
  const bucket = match[1] ?? "";
  const key = match[2] ?? "";
  if (bucket === "") throw new S3UrlError(`${url}: missing bucket, expected s3://bucket/key`);
  if (key === "") throw new S3UrlError(`${url}: missing key, expected s3://bucket/key`);
  return { bucket, key };
}

/** Like parseS3Url, but an empty key (the whole bucket) is allowed: for listing prefixes. */
export function parseS3Prefix(url: string): S3Location {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/s.exec(url);
  if (!match || (match[1] ?? "") === "") {
    throw new S3UrlError(`${url}: missing bucket, expected s3://bucket/prefix`);
  }
  return { bucket: match[1] ?? "", key: match[2] ?? "" };
}
