import type { CanFrame } from "../../drivers/can/CanFrame.js";

export const captureFormats = ["mf4", "candump"] as const;
export type CaptureFormat = (typeof captureFormats)[number];

/** Where captured frames are written as they arrive. */
export interface CaptureSink {
  readonly format: CaptureFormat;
  readonly path: string;
  /** `timeNs`: replay time, ns from the origin; `absNs`: the same instant in epoch ns. */
  write(frame: CanFrame, timeNs: number, absNs: bigint): void;
  close(): Promise<void>;
}
