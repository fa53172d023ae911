/** The bundle could not be uploaded; it stays on disk at `localDir`. */
export class ResultsUploadError extends Error {
  readonly code = "E_RESULTS_UPLOAD";

  constructor(
    /** The object that failed, `s3://bucket/key`. */
    readonly url: string,
    readonly localDir: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`results upload to ${url} failed (${reason}); the bundle is kept in ${localDir}`, options);
    this.name = "ResultsUploadError";
  }
}
