import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { dlcToLength } from "../../../drivers/can/CanFrame.js";
import type { LogRecord } from "../LogRecord.js";
import type { BlockReader } from "./BlockReader.js";
import { rawReader } from "./ChannelReader.js";
import { constantOf, fieldReader, type FieldReader } from "./FieldReader.js";
import {
  CG_VLSD, CN_VLSD, type Mdf4Channel, type Mdf4ChannelGroup,
} from "./Mdf4Structure.js";
import type { RecordHandler } from "./scanRecords.js";
import type { StreamReader } from "./StreamReader.js";
import { timeReader } from "./timeReader.js";
import { VlsdMatcher } from "./VlsdMatcher.js";

export type CanKind = "can-data" | "can-remote" | "can-error";

const KINDS: Record<string, CanKind> = {
  CAN_DataFrame: "can-data",
  CAN_RemoteFrame: "can-remote",
  CAN_ErrorFrame: "can-error",
};

/** The ASAM bus-logging structure channel of a CAN group, with its kind. */
export function canLayout(cg: Mdf4ChannelGroup):
  { kind: CanKind; struct: Mdf4Channel } | undefined {
  if ((cg.flags & CG_VLSD) !== 0) return undefined;
  for (const ch of cg.channels) {
    const kind = KINDS[ch.name];
    if (kind !== undefined && ch.members.length > 0) return { kind, struct: ch };
  }
  return undefined;
}

/** Marks a frame whose DataBytes (a VLSD value) have not been read yet. */
export const PENDING = new Uint8Array(0);

interface PendingData {
  frame: CanFrame;
  length: number;
}

const NO_FIELD: FieldReader = () => Number.NaN;
const channelNames: string[] = [];

/**
 * Bus names from a value-to-text conversion on BusChannel, as roadrig's writer stores channel
 * names other than `canN`; plain numbers are named `can<n>` without one.
 */
function busNamesOf(ch: Mdf4Channel): Map<number, string> | undefined {
  const conv = ch.conversion;
  if (conv.type !== "valueText") return undefined;
  const names = new Map<number, string>();
  conv.keys.forEach((key, i) => {
    const ref = conv.refs[i];
    if (typeof ref === "string" && ref.length > 0) names.set(key, ref);
  });
  return names.size > 0 ? names : undefined;
}

function busName(n: number): string {
  if (Number.isInteger(n) && n >= 0 && n < 256) return (channelNames[n] ??= `can${n}`);
  return `can${n}`;
}

/**
 * Turns the records of one CAN_DataFrame / CAN_RemoteFrame / CAN_ErrorFrame group into frame
 * records. ID loses bit 31 (set by some loggers on extended IDs); IDE says extended, or without
 * it an ID above 0x7FF; data is DataBytes cut to DataLength (else the DLC's length). Remote
 * frames carry their DLC and no data. Error frames keep what the group logs: `error` set, the
 * ID, DLC and DataBytes of the damaged frame where logged (else 0 and empty); ErrorType is not
 * mapped to SocketCAN's error classes.
 * Field readers are built once per group (constants folded), so a record costs a few
 * DataView reads and two objects; DataBytes is a view into the chunk, never copied.
 */
export class CanGroupDecoder implements RecordHandler {
  /** Where decoded records go; the data group source swaps the array after each chunk. */
  out: LogRecord[] = [];
  count = 0;
  lastTimeNs = Number.NEGATIVE_INFINITY;
  /** True once a record arrived in the current chunk. */
  touched = false;
  /** Last batch of the data group in which this group had a record. */
  lastBatch = -1;
  private readonly values: VlsdMatcher<PendingData>;
  /** Handler of the VLSD channel group that holds DataBytes, where the layout uses one. */
  vlsd: { recordId: number; handler: RecordHandler } | undefined;
  /** SD stream holding DataBytes, where the layout uses one. */
  sd: StreamReader | undefined;

  private readonly time: FieldReader;
  private readonly id: FieldReader;
  private readonly ide: FieldReader;
  private readonly dlc: FieldReader;
  private readonly dataLength: FieldReader | undefined;
  private readonly edl: FieldReader;
  private readonly brs: FieldReader;
  private readonly esi: FieldReader;
  private readonly dir: FieldReader | undefined;
  private readonly bus: FieldReader;
  private readonly busConst: string | undefined;
  /** Names a value-to-text conversion on BusChannel gives to bus numbers (`vcan0`, `body`). */
  private readonly busNames: ReadonlyMap<number, string> | undefined;
  private readonly dataAt: number;
  private readonly dataSize: number;
  private readonly vlsdOffset: FieldReader | undefined;

  constructor(
    private readonly blocks: BlockReader,
    readonly cg: Mdf4ChannelGroup,
    readonly kind: CanKind,
    struct: Mdf4Channel,
  ) {
    const member = (n: string): Mdf4Channel | undefined =>
      struct.members.find((m) => m.name === `${struct.name}.${n}` || m.name === n);
    const field = (n: string): FieldReader | undefined => {
      const m = member(n);
      return m ? fieldReader(m) : undefined;
    };
    this.values = new VlsdMatcher<PendingData>(
      (p, value) => { p.frame.data = value.subarray(0, Math.min(value.length, p.length)); },
      (detail) => blocks.fail("##CG", cg.offset, `${cg.name}: ${detail}`),
    );
    const time = timeReader(cg);
    if (time === undefined) {
      throw blocks.fail("##CG", cg.offset, `expected a time master channel in ${cg.name}, found none`);
    }
    this.time = time;
    this.id = field("ID") ?? NO_FIELD;
    this.ide = field("IDE") ?? NO_FIELD;
    this.dlc = field("DLC") ?? NO_FIELD;
    this.dataLength = field("DataLength");
    this.edl = field("EDL") ?? NO_FIELD;
    this.brs = field("BRS") ?? NO_FIELD;
    this.esi = field("ESI") ?? NO_FIELD;
    this.dir = field("Dir");
    const busCh = member("BusChannel");
    this.busNames = busCh ? busNamesOf(busCh) : undefined;
    // With names, the number is the raw value; the conversion would turn it into text.
    const busRaw = busCh && this.busNames ? rawReader(busCh) : undefined;
    this.bus = busRaw ? (b, v, p) => Number(busRaw(b, v, p)) : (field("BusChannel") ?? NO_FIELD);
    const busConst = busCh ? constantOf(busCh) : undefined;
    this.busConst = busConst === undefined ? undefined : busName(busConst);
    const bytes = member("DataBytes");
    this.dataAt = bytes?.byteOffset ?? 0;
    this.dataSize = bytes && bytes.type !== CN_VLSD ? Math.floor(bytes.bitCount / 8) : 0;
    if (bytes?.type === CN_VLSD) {
      // The record holds the value's offset as an unsigned integer, whatever cn_data_type says.
      const reader = rawReader({ ...bytes, dataType: 0 });
      this.vlsdOffset = reader ? (b, v, p) => Number(reader(b, v, p)) : undefined;
    }
  }

  /** The DataBytes member when it is a VLSD channel (its cn_data link says where values are). */
  static vlsdBytes(struct: Mdf4Channel): Mdf4Channel | undefined {
    const m = struct.members.find((c) => c.name.endsWith("DataBytes"));
    return m?.type === CN_VLSD ? m : undefined;
  }

  record(bytes: Uint8Array, view: DataView, pos: number): void {
    const index = this.count++;
    const timeNs = this.time(bytes, view, pos, index);
    if (timeNs < this.lastTimeNs) this.backwards(index, timeNs);
    this.lastTimeNs = timeNs;
    this.touched = true;
    const rawId = this.id(bytes, view, pos, index) >>> 0;
    const ideRaw = this.ide(bytes, view, pos, index);
    const extended = ideRaw === ideRaw ? ideRaw !== 0 : rawId > 0x7ff || rawId >= 0x80000000;
    const fd = this.edl(bytes, view, pos, index) === 1;
    const dlcRaw = this.dlc(bytes, view, pos, index);
    const dlc = dlcRaw === dlcRaw ? dlcRaw & 15 : 0;
    const lenRaw = this.dataLength ? this.dataLength(bytes, view, pos, index) : Number.NaN;
    const length = lenRaw === lenRaw ? lenRaw : dlcToLength(dlc, fd);
    let data: Uint8Array;
    if (this.kind === "can-remote") data = PENDING.subarray(0, 0);
    else if (this.vlsdOffset !== undefined) data = PENDING;
    else {
      const start = pos + this.dataAt;
      data = bytes.subarray(start, start + Math.min(length, this.dataSize));
    }
    const id = rawId & 0x7fffffff;
    const brs = this.brs(bytes, view, pos, index) === 1;
    const esi = this.esi(bytes, view, pos, index) === 1;
    const remote = this.kind === "can-remote";
    const error = this.kind === "can-error";
    const channel = this.busConst ?? this.channelOf(this.bus(bytes, view, pos, index));
    // One object literal per shape: adding `dir` afterwards would change the hidden class of
    // every frame on the hot path.
    const frame: CanFrame = this.dir
      ? {
        id, extended, fd, brs, esi, remote, error, dlc, data, channel,
        dir: this.dir(bytes, view, pos, index) === 1 ? "tx" : "rx",
      }
      : { id, extended, fd, brs, esi, remote, error, dlc, data, channel };
    if (data === PENDING && this.vlsd === undefined && this.sd === undefined) {
      throw this.blocks.fail("##CG", this.cg.offset, `expected cn_data of the VLSD DataBytes ` +
        `channel of ${this.cg.name} to name its values, found none`);
    }
    if (data === PENDING && this.vlsdOffset) {
      this.values.want(this.vlsdOffset(bytes, view, pos, index), { frame, length });
    }
    this.out.push({ kind: "frame", timeNs, channel: frame.channel, frame });
  }

  private channelOf(bus: number): string {
    return this.busNames?.get(bus) ?? busName(bus);
  }

  get hasPending(): boolean {
    return this.values.hasPending;
  }

  /** Handler for the records of the VLSD group holding DataBytes (in the same data group). */
  vlsdHandler(): RecordHandler {
    return {
      record: (bytes, _view, pos, length) => this.values.item(bytes.subarray(pos, pos + length)),
    };
  }

  /** Reads the DataBytes of pending frames from the SD stream. */
  async resolveFromSd(): Promise<void> {
    if (this.sd !== undefined) await this.values.drain(this.sd);
  }

  private backwards(index: number, timeNs: number): never {
    throw this.blocks.fail("##CG", this.cg.offset, `record ${index} of ${this.cg.name}: expected ` +
      `time >= ${this.lastTimeNs} ns (time going forward), found ${timeNs} ns`);
  }
}
