/** How `parseDbc` reads a file. */
export interface DbcOptions {
  /** Name for messages (path or URL). */
  file?: string;
  /**
   * Default true: a signal whose bits run past its message, or an identifier that does not fit
   * its frame type, stops loading. False keeps such definitions, flags them (`fitsMessage`,
   * `warnings`) and decodes what the frame actually carries, as lenient tools do.
   */
  strict?: boolean;
  /**
   * Default true: a frame with no exact id match is matched by PGN against the messages the
   * DBC declares as J1939 parameter groups (`VFrameFormat` J1939PG, or `ProtocolType` J1939).
   */
  j1939?: boolean;
}
