/**
 * A request the shadow service refuses. `code` and `message` are the ones AWS IoT's Device
 * Shadow service publishes on `/rejected`, so that clients written for AWS branch on them as is.
 */
export class ShadowError extends Error {
  /** The request's clientToken, echoed on `/rejected` when the request carried a valid one. */
  clientToken: string | undefined;

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "ShadowError";
  }

  withClientToken(clientToken: string | undefined): this {
    this.clientToken = clientToken;
    return this;
  }

  static invalidJson(): ShadowError {
    return new ShadowError(400, "Invalid JSON");
  }

  static missingState(): ShadowError {
    return new ShadowError(400, "Missing required node: state");
  }

  static stateNotObject(): ShadowError {
    return new ShadowError(400, "State node must be an object");
  }

  static sectionNotObject(section: "desired" | "reported"): ShadowError {
    const node = section === "desired" ? "Desired" : "Reported";
    return new ShadowError(400, `${node} node must be an object`);
  }

  static invalidVersion(): ShadowError {
    return new ShadowError(400, "Invalid version");
  }

  static invalidClientToken(): ShadowError {
    return new ShadowError(400, "Invalid clientToken");
  }

  static tooDeep(maximum: number): ShadowError {
    return new ShadowError(400, `JSON contains too many levels of nesting; maximum is ${maximum}`);
  }

  static invalidNode(node: string): ShadowError {
    return new ShadowError(400, `State contains an invalid node: '${node}'`);
  }

  static notFound(name: string): ShadowError {
    return new ShadowError(404, `No shadow exists with name: '${name}'`);
  }

  static versionConflict(): ShadowError {
    return new ShadowError(409, "Version conflict");
  }

  static tooLarge(): ShadowError {
    return new ShadowError(413, "The payload exceeds the maximum size allowed");
  }

  static notUtf8(): ShadowError {
    return new ShadowError(415, "Unsupported documented encoding; supported encoding is UTF-8");
  }

  static tooManyRequests(): ShadowError {
    return new ShadowError(429, "Too Many Requests");
  }

  static internal(): ShadowError {
    return new ShadowError(500, "Internal service failure");
  }
}
