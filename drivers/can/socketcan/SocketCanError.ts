/** Why a SocketCAN channel could not be opened; `code` lets callers branch. */
export type SocketCanErrorCode = "E_NO_AF_CAN" | "E_NO_INTERFACE" | "E_CHANNEL";

export class SocketCanError extends Error {
  constructor(
    readonly code: SocketCanErrorCode,
    readonly iface: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SocketCanError";
  }
}
