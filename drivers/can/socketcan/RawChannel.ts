import { createRequire } from "node:module";

/** A frame as the `socketcan` addon takes and gives it. */
export interface AddonMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
  fd_brs?: boolean;
  ts_sec?: number;
  ts_usec?: number;
}

/** A kernel receive filter (CAN_RAW_FILTER): `id` carries the EFF/RTR flag bits it matches. */
export interface AddonFilter {
  id: number;
  mask: number;
  invert?: boolean;
}

/** The part of the addon's RawChannel roadrig uses; tests substitute their own. */
export interface RawChannel {
  addListener(event: "onMessage", callback: (message: AddonMessage) => void): void;
  /** The receive thread ended: the socket reported an error (interface down or gone). */
  addListener(event: "onStopped", callback: () => void): void;
  start(): void;
  stop(): void;
  /** Bytes written, or -1 when the kernel refused the frame (the addon drops errno). */
  send(message: AddonMessage): number;
  sendFD(message: AddonMessage): number;
  setRxFilters(filters: AddonFilter[]): void;
}

export type RawChannelFactory = (iface: string) => RawChannel;

interface SocketcanModule {
  createRawChannelWithOptions(
    iface: string,
    options: { timestamps?: boolean; non_block_send?: boolean },
  ): RawChannel;
}

/**
 * Opens a channel through the addon. Non-blocking sends: a full transmit queue must come back
 * as a refused write the driver can retry, not stall the event loop that paces the replay.
 */
export const openAddonChannel: RawChannelFactory = (iface) => {
  // The addon is CommonJS with a native part; loading it lazily keeps hosts without a
  // working build able to use every other driver.
  const require = createRequire(import.meta.url);
  const socketcan = require("socketcan") as SocketcanModule;
  return socketcan.createRawChannelWithOptions(iface, { timestamps: false, non_block_send: true });
};
