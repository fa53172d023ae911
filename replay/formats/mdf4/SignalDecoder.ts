import { UnsupportedError } from "../FormatError.js";
import type { BlockReader } from "./BlockReader.js";
import { fitsRecord, isNumericType, rawReader, type RawReader } from "./ChannelReader.js";
import { convert } from "./Conversion.js";
import { fieldReader, type FieldReader } from "./FieldReader.js";
import {
  CN_VIRTUAL_DATA, CN_VIRTUAL_MASTER, CN_VLSD, type Mdf4Channel, type Mdf4ChannelGroup,
} from "./Mdf4Structure.js";
import type { RecordHandler } from "./scanRecords.js";
import type { StreamReader } from "./StreamReader.js";
import { timeReader } from "./timeReader.js";
import { VlsdMatcher } from "./VlsdMatcher.js";

/** A channel's physical value: numbers (bigint above 53 bits), texts, or raw bytes. */
export type SignalValue = number | bigint | string | Uint8Array;

export interface SignalSample {
  /** Time from the log's start (master channel), or the record index without a master. */
  timeNs: number;
  value: SignalValue;
}

type BytesDecoder = (bytes: Uint8Array) => SignalValue;

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");
const utf16le = new TextDecoder("utf-16le");
const utf16be = new TextDecoder("utf-16be");

/** Decodes one channel of a group into samples; VLSD values come from their group or SD. */
export class SignalDecoder implements RecordHandler {
  out: SignalSample[] = [];
  sd: StreamReader | undefined;
  private count = 0;
  private lastTimeNs = Number.NEGATIVE_INFINITY;
  private readonly time: FieldReader;
  private readonly value: (b: Uint8Array, v: DataView, p: number, i: number) => SignalValue;
  private readonly vlsdOffset: RawReader | undefined;
  private readonly fromBytes: BytesDecoder;
  private readonly values: VlsdMatcher<SignalSample>;

  constructor(
    private readonly blocks: BlockReader,
    readonly cg: Mdf4ChannelGroup,
    readonly channel: Mdf4Channel,
    private readonly checkOrder: boolean,
  ) {
    const where = (detail: string): UnsupportedError =>
      new UnsupportedError(blocks.file, "##CN", channel.offset, `${channel.name}: ${detail}`);
    if (!fitsRecord(channel, cg.dataBytes)) {
      throw blocks.fail("##CN", channel.offset, `expected ${channel.name} inside the ` +
        `${cg.dataBytes}-byte record, found bit ${channel.bitOffset} of byte ` +
        `${channel.byteOffset}, ${channel.bitCount} bits`);
    }
    if (channel.isArray) throw where("array channels (CA) are described, not decoded");
    if (channel.conversion.type === "unsupported") {
      throw where(`cc_type ${channel.conversion.ccType}`);
    }
    this.values = new VlsdMatcher<SignalSample>(
      (sample, value) => { sample.value = this.fromBytes(value); },
      (detail) => blocks.fail("##CG", cg.offset, `${channel.name}: ${detail}`),
    );
    const time = timeReader(cg);
    this.time = time ?? ((_b, _v, _p, i) => i);
    this.fromBytes = bytesDecoder(channel.dataType, () =>
      where(`cn_data_type ${channel.dataType}`));
    if (channel.type === CN_VLSD) {
      this.vlsdOffset = rawReader({ ...channel, dataType: 0 });
      this.value = () => "";
    } else {
      this.vlsdOffset = undefined;
      this.value = valueReader(channel, this.fromBytes, () =>
        where(`cn_data_type ${channel.dataType} with ${channel.bitCount} bits`));
    }
  }

  record(bytes: Uint8Array, view: DataView, pos: number): void {
    const index = this.count++;
    const timeNs = this.time(bytes, view, pos, index);
    if (this.checkOrder && timeNs < this.lastTimeNs) {
      throw this.blocks.fail("##CG", this.cg.offset, `record ${index} of group ${this.cg.index}: ` +
        `expected time >= ${this.lastTimeNs} ns (time going forward), found ${timeNs} ns`);
    }
    this.lastTimeNs = timeNs;
    if (this.vlsdOffset) {
      const sample: SignalSample = { timeNs, value: "" };
      this.values.want(Number(this.vlsdOffset(bytes, view, pos)), sample);
      this.out.push(sample);
      return;
    }
    this.out.push({ timeNs, value: this.value(bytes, view, pos, index) });
  }

  /** Handler for the VLSD channel group that holds this channel's values. */
  vlsdHandler(): RecordHandler {
    return {
      record: (bytes, _view, pos, length) => this.values.item(bytes.subarray(pos, pos + length)),
    };
  }

  async resolveFromSd(): Promise<void> {
    if (this.sd !== undefined) await this.values.drain(this.sd);
  }

  /** Samples whose values are known; the rest wait for their VLSD value. */
  take(): SignalSample[] {
    const ready = this.out.length - this.values.pendingCount;
    const done = ready === this.out.length ? this.out : this.out.slice(0, ready);
    this.out = ready === this.out.length ? [] : this.out.slice(ready);
    return done;
  }
}

function valueReader(ch: Mdf4Channel, fromBytes: BytesDecoder, unsupported: () => Error):
  (b: Uint8Array, v: DataView, p: number, i: number) => SignalValue {
  if (isNumericType(ch.dataType) || ch.type === CN_VIRTUAL_DATA || ch.type === CN_VIRTUAL_MASTER) {
    if (ch.type === CN_VIRTUAL_DATA || ch.type === CN_VIRTUAL_MASTER) {
      const conv = ch.conversion;
      return (_b, _v, _p, i) => convert(conv, i);
    }
    const raw = rawReader(ch);
    if (raw === undefined) throw unsupported();
    const conv = ch.conversion;
    if (conv.type === "identity") return raw;
    if (conv.type === "linear" || conv.type === "rational" || conv.type === "table" ||
      conv.type === "range") {
      const phys = fieldReader(ch) as FieldReader;
      return phys;
    }
    return (b, v, p) => convert(conv, Number(raw(b, v, p)));
  }
  const start = ch.byteOffset;
  const size = Math.floor(ch.bitCount / 8);
  return (b, _v, p) => fromBytes(b.subarray(p + start, p + start + size));
}

function bytesDecoder(dataType: number, unsupported: () => Error): BytesDecoder {
  switch (dataType) {
    case 6:
      return (b) => latin1.decode(trimZeros(b, 1));
    case 7:
      return (b) => utf8.decode(trimZeros(b, 1));
    case 8:
      return (b) => utf16le.decode(trimZeros(b, 2));
    case 9:
      return (b) => utf16be.decode(trimZeros(b, 2));
    case 10:
    case 11:
    case 12:
      return (b) => b;
    default:
      if (!isNumericType(dataType)) throw unsupported();
      return (b) => b;
  }
}

/** Strings are zero-terminated or zero-padded inside their field. */
function trimZeros(b: Uint8Array, unit: number): Uint8Array {
  let end = 0;
  while (end + unit <= b.length) {
    let zero = true;
    for (let k = 0; k < unit; k++) if (b[end + k] !== 0) zero = false;
    if (zero) break;
    end += unit;
  }
  return b.subarray(0, end);
}
