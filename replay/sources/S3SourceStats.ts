/** What an S3 source cost: the replayer warns with these figures when reads had to wait. */
export interface S3SourceStats {
  bytesFetched: number;
  requests: number;
  retries: number;
  /** What the latest retry was for: the failure and the byte it resumed from. */
  lastRetry?: string;
  /** Reads that had to wait for the network (read-ahead did not keep up). */
  underruns: number;
  underrunWaitMs: number;
  /** Replies that ignored the Range header (a 200 with the whole object). */
  rangeIgnored: number;
}

export function emptyS3SourceStats(): S3SourceStats {
  return {
    bytesFetched: 0,
    requests: 0,
    retries: 0,
    underruns: 0,
    underrunWaitMs: 0,
    rangeIgnored: 0,
  };
}
