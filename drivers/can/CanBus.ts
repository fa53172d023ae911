import type { CanFrame } from "./CanFrame.js";

export type FrameListener = (frame: CanFrame, timestampNs: bigint) => void;

/**
 * A CAN bus endpoint. `send` queues one frame for transmission; listeners receive every frame
 * the endpoint sees from others on the bus, with the monotonic receive time in nanoseconds.
 */
export interface CanBus {
  readonly name: string;
  send(frame: CanFrame): void;
  /** Registers a listener; the returned function removes it. */
  onFrame(listener: FrameListener): () => void;
  close(): Promise<void>;
}
