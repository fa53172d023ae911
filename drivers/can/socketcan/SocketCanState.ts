/**
 * The interface went down (its socket reported an error: `ip link set down`, the device
 * unplugged, bus-off with restart off) or came back and was reopened.
 */
export type SocketCanState =
  | { state: "down"; iface: string }
  | { state: "up"; iface: string; downMs: number; queued: number };

export type SocketCanStateListener = (event: SocketCanState) => void;
