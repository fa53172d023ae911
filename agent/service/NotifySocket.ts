/** Where sd_notify messages go: the datagram socket named by `NOTIFY_SOCKET`. */
export interface NotifySocket {
  /** Sends one message (newline-separated `KEY=VALUE` assignments) as one datagram. */
  send(message: string): Promise<void>;
  close(): void;
}
