/**
 * AWS IoT's Device Shadow quotas, which this service enforces the same way so that a rig finds
 * an oversized or over-deep document before the cloud does.
 */
export const ShadowLimits = {
  /** Bytes of `{desired, reported}` (metadata excluded), both per request and once merged. */
  stateBytes: 8192,
  /**
   * Levels of keys inside desired or reported. AWS's quota page counts 8 from the document root
   * (`state` and `desired` are two of them); its error message counts the 6 inside the section.
   */
  depth: 6,
  clientTokenBytes: 64,
  /** AWS's largest MQTT payload; anything longer is refused before it is parsed. */
  payloadBytes: 128 * 1024,
  /** Requests queued or running per thing before new ones are refused with 429. */
  inFlightPerThing: 10,
  /** A shadow re-created within this time of its delete continues the old version numbers. */
  deletedVersionRetentionMs: 48 * 3600 * 1000,
} as const;
