/** What a data set replayed within an interval asks of the S3 link and of the NAS cache. */
export interface CachePlan {
  readonly dataSetBytes: number;
  readonly intervalSeconds: number;
  /** Streaming everything from S3 within the interval needs this link: size × 8 / interval. */
  readonly linkBitsPerSecond: number;
  /** The link at hand, if given. */
  readonly availableLinkBitsPerSecond: number | undefined;
  /**
   * What the given link cannot bring within the interval must already be in the cache:
   * size − link × interval / 8 (never below zero). Without a link: the whole data set.
   */
  readonly cacheBytes: number;
}

export function planCache(
  dataSetBytes: number,
  intervalSeconds: number,
  linkBitsPerSecond?: number,
): CachePlan {
  const carried = linkBitsPerSecond === undefined ? 0 : (linkBitsPerSecond * intervalSeconds) / 8;
  return {
    dataSetBytes,
    intervalSeconds,
    linkBitsPerSecond: (dataSetBytes * 8) / intervalSeconds,
    availableLinkBitsPerSecond: linkBitsPerSecond,
    cacheBytes: Math.max(0, dataSetBytes - carried),
  };
}
