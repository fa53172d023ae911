/**
 * The object behind an S3 source was replaced while it was being read (If-Match failed, or a
 * reply carried another ETag). Replaying on would splice two versions of a log.
 */
export class S3ObjectChangedError extends Error {
  readonly code = "S3_OBJECT_CHANGED";

  constructor(
    readonly url: string,
    readonly expectedEtag: string,
    readonly foundEtag: string | undefined,
    readonly offset: number,
  ) {
    super(
      `${url}: object changed during replay at byte offset ${offset}: expected ETag ` +
        `${expectedEtag}, found ${foundEtag ?? "another version (new ETag unknown)"}`,
    );
    this.name = "S3ObjectChangedError";
  }
}
