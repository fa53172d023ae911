/** One signal of a sample message, Intel byte order (DBC `@1`), as the DBC describes it. */
export interface SampleSignal {
  name: string;
  startBit: number;
  length: number;
  signed?: boolean;
  factor: number;
  offset: number;
  min: number;
  max: number;
  unit: string;
  /** Name of a value table (VAL_) for the signal's raw values. */
  values?: string;
  comment?: string;
}

/** A message of the sample drive: where it goes, how often, and its signals. */
export interface SampleMessage {
  name: string;
  id: number;
  extended: boolean;
  /** CAN FD with bit rate switch. */
  fd: boolean;
  channel: "can0" | "can1";
  /** Payload bytes. */
  length: number;
  /** Cycle time; 0 for event-driven messages. */
  periodMs: number;
  sender: string;
  /** Fill for bits no signal uses (J1939 leaves them all ones). */
  fill: number;
  signals: readonly SampleSignal[];
  comment: string;
}
