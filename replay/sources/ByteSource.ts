/**
 * Random access to the bytes of one log, wherever they live (local file, S3, NAS cache).
 * Format readers depend on this interface only.
 */
export interface ByteSource {
  /** What to call the source in messages: a path or an `s3://` URL. */
  readonly name: string;
  size(): Promise<number>;
  /**
   * Reads `length` bytes at `offset`. Returns fewer only at the end of the source; a reader that
   * needs the whole range must check the returned length.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}
