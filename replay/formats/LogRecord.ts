import type { CanFrame } from "../../drivers/can/CanFrame.js";

/** A message that is not a CAN frame (a ROS message, an MCAP message), kept as raw bytes. */
export interface LogMessage {
  topic: string;
  /** Schema name, e.g. `std_msgs/String` or `sensor_msgs/msg/Imu`. */
  type: string;
  /** Serialized message as stored in the log (ROS1 serialization, CDR, ...). */
  data: Uint8Array;
  /** Message encoding where the log names one (`ros1`, `cdr`, `json`...). */
  encoding?: string;
}

/**
 * One record of a log. `timeNs` counts nanoseconds from the reader's `startNs`
 * (the log's absolute start), as a plain number: exact for 104 days.
 */
export type LogRecord =
  | { kind: "frame"; timeNs: number; channel: string; frame: CanFrame }
  | { kind: "message"; timeNs: number; channel: string; message: LogMessage };
