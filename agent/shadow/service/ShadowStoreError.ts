/** A stored shadow file that cannot be read back; names the file and what was wrong. */
export class ShadowStoreError extends Error {
  readonly code = "E_SHADOW_STORE";

  constructor(
    readonly file: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, options);
    this.name = "ShadowStoreError";
  }
}
