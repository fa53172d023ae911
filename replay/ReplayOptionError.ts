/** A replay option with a value roadrig cannot use; the CLI reports it as wrong usage. */
export class ReplayOptionError extends Error {
  readonly code = "E_REPLAY_OPTION";

  constructor(message: string) {
    super(message);
    this.name = "ReplayOptionError";
  }
}
