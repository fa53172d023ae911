/** A send refused at once because the sink is not connected; the batch stays spooled. */
export class SinkUnavailableError extends Error {
  readonly code = "SINK_UNAVAILABLE";

  constructor(readonly sink: string, detail: string) {
    super(`sink ${sink}: ${detail}`);
    this.name = "SinkUnavailableError";
  }
}
