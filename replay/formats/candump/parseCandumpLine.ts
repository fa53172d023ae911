import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { lengthToDlc } from "../../../drivers/can/CanFrame.js";
import { FormatError } from "../FormatError.js";
import { PayloadSlab } from "./PayloadSlab.js";
import { canFrame } from "./canFrame.js";

/** One `candump -l` line: `(<sec>.<frac>) <channel> <frame>[ R|T]`. */
export interface CandumpLine {
  /** Whole seconds of the timestamp (epoch seconds for a live capture). */
  sec: number;
  /** Fraction of the second in nanoseconds. */
  fracNs: number;
  /** Decimals the timestamp was written with. */
  decimals: 6 | 9;
  frame: CanFrame;
}

/** Where a line sits, for errors. */
export interface LinePosition {
  file: string;
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
}

const OPEN = 0x28;
const CLOSE = 0x29;
const DOT = 0x2e;
const HASH = 0x23;
const UNDERSCORE = 0x5f;
const CAN_ERR_FLAG = 0x20000000;
const CAN_RTR_FLAG = 0x40000000;
const EMPTY = new Uint8Array(0);

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09;
}

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Value of one hex digit, or -1; both cases, as can-utils' asc2nibble accepts. */
export function nibble(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

const latin1 = new TextDecoder("latin1");

/**
 * Parses candump log lines held as bytes, without decoding them to strings: the channel name is
 * the only text, and it is decoded once per distinct name.
 */
export class CandumpLineParser {
  private lastChannel: Uint8Array = new Uint8Array(0);
  private lastChannelName = "";
  private readonly slab = new PayloadSlab();
  // Out-values of digits() and data(), kept in fields so the hot path allocates no tuples.
  private digitCount = 0;
  private dataEnd = 0;
  private b: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private at: LinePosition = { file: "", line: 0, offset: 0 };

  parse(bytes: Uint8Array, start: number, end: number, at: LinePosition): CandumpLine {
    this.b = bytes;
    this.start = start;
    this.end = end;
    this.at = at;

    let i = start;
    if (bytes[i] !== OPEN) this.fail(i, `"(" opening the timestamp`);
    const sec = this.digits(++i, 1, 15, "seconds of the timestamp");
    i += this.digitCount;
    if (bytes[i] !== DOT) this.fail(i, `"." in the timestamp`);
    const frac = this.digits(++i, 1, 9, "decimals of the timestamp");
    const decimals = this.digitCount;
    if (decimals !== 6 && decimals !== 9) {
      this.fail(i, `6 or 9 decimals in the timestamp (found ${decimals})`);
    }
    i += decimals;
    if (bytes[i] !== CLOSE) this.fail(i, `")" closing the timestamp`);

    i = this.skipSpaces(i + 1, "a channel name");
    const channelEnd = this.tokenEnd(i);
    const channel = this.channelName(i, channelEnd);
    i = this.skipSpaces(channelEnd, "a frame");
    const frameEnd = this.tokenEnd(i);
    const frame = this.frame(i, frameEnd, channel);
    this.direction(frameEnd, frame);

    const fracNs = decimals === 6 ? frac * 1000 : frac;
    return { sec, fracNs, decimals, frame };
  }

  /** Decimal value of the digits at `i`; their count is left in `digitCount`. */
  private digits(i: number, min: number, max: number, what: string): number {
    let value = 0;
    let j = i;
    for (let c = this.b[j]; j < this.end && isDigit(c); c = this.b[++j]) {
      value = value * 10 + c - 0x30;
    }
    this.digitCount = j - i;
    if (this.digitCount < min || this.digitCount > max) {
      this.fail(i, `${min}–${max} digits of ${what}`);
    }
    return value;
  }

  private skipSpaces(i: number, what: string): number {
    if (!isSpace(this.b[i])) this.fail(i, `a space, then ${what}`);
    let j = i;
    while (j < this.end && isSpace(this.b[j])) j++;
    if (j >= this.end) this.fail(j, what);
    return j;
  }

  private tokenEnd(i: number): number {
    let j = i;
    while (j < this.end && !isSpace(this.b[j])) j++;
    return j;
  }

  private channelName(i: number, end: number): string {
    const last = this.lastChannel;
    let same = end - i === last.length;
    for (let k = 0; same && k < last.length; k++) same = this.b[i + k] === last[k];
    if (!same) {
      this.lastChannel = this.b.slice(i, end);
      this.lastChannelName = latin1.decode(this.lastChannel);
    }
    return this.lastChannelName;
  }

  /** `<id>#<data>`, `<id>##<flags><data>`, `<id>#R[<len>[_<dlc>]]`, as can-utils reads them. */
  private frame(i: number, end: number, channel: string): CanFrame {
    let hash = i;
    while (hash < end && this.b[hash] !== HASH) hash++;
    if (hash === end) this.fail(i, `"#" after the CAN ID`);
    const digits = hash - i;
    if (digits !== 3 && digits !== 8) this.fail(i, "a CAN ID of 3 or 8 hex digits");
    const raw = this.hex(i, hash, "hex digits of the CAN ID");

    let id = raw;
    let extended = digits === 8;
    let error = false;
    if (digits === 3 && raw > 0x7ff) this.fail(i, "an 11-bit CAN ID (at most 7FF)");
    if (raw >= CAN_RTR_FLAG) this.fail(i, "a 29-bit CAN ID or 2xxxxxxx for an error frame");
    if (raw >= CAN_ERR_FLAG) {
      // 8 digits normally mean EFF; with CAN_ERR_FLAG they carry the error class instead.
      error = true;
      extended = false;
      id = raw - CAN_ERR_FLAG;
    }

    const j = hash + 1;
    if (this.b[j] === HASH) {
      if (error) this.fail(j, "classic data after an error frame's ID");
      return this.fdFrame(j + 1, end, id, extended, channel);
    }
    if (this.b[j] === 0x52 || this.b[j] === 0x72) {
      if (error) this.fail(j, "data after an error frame's ID");
      return this.remoteFrame(j + 1, end, id, extended, channel);
    }
    return this.classicFrame(j, end, id, extended, error, channel);
  }

  private fdFrame(
    i: number,
    end: number,
    id: number,
    extended: boolean,
    channel: string,
  ): CanFrame {
    const flags = nibble(this.b[i]);
    if (flags < 0 || flags > 7) this.fail(i, "one hex digit of FD flags 0–7 (BRS 1, ESI 2, FDF 4)");
    const data = this.data(i + 1, end, 64);
    if (this.dataEnd !== end) this.fail(this.dataEnd, "end of the FD frame");
    const brs = (flags & 1) !== 0;
    const esi = (flags & 2) !== 0;
    const dlc = lengthToDlc(data.length);
    return canFrame(id, extended, true, brs, esi, false, false, dlc, data, channel);
  }

  private remoteFrame(
    i: number,
    end: number,
    id: number,
    extended: boolean,
    channel: string,
  ): CanFrame {
    let dlc = 0;
    let j = i;
    if (j < end) {
      dlc = nibble(this.b[j]);
      if (dlc < 0 || dlc > 8) this.fail(j, "a remote frame's length 0–8");
      j++;
      if (dlc === 8 && this.b[j] === UNDERSCORE) {
        dlc = this.len8Dlc(j + 1);
        j += 2;
      }
    }
    if (j !== end) this.fail(j, "end of the remote frame");
    return canFrame(id, extended, false, false, false, true, false, dlc, EMPTY, channel);
  }

  private classicFrame(
    i: number,
    end: number,
    id: number,
    extended: boolean,
    error: boolean,
    channel: string,
  ): CanFrame {
    const data = this.data(i, end, 8);
    let j = this.dataEnd;
    let dlc = data.length;
    if (j < end && this.b[j] === UNDERSCORE) {
      if (data.length !== 8) this.fail(j, "a raw DLC suffix only after 8 data bytes");
      dlc = this.len8Dlc(j + 1);
      j += 2;
    }
    if (j !== end) this.fail(j, "end of the classic frame (at most 8 data bytes)");
    return canFrame(id, extended, false, false, false, false, error, dlc, data, channel);
  }

  /** `_<dlc>`: the raw DLC 9–15 of a classic frame carrying 8 bytes (SocketCAN's len8_dlc). */
  private len8Dlc(i: number): number {
    const dlc = nibble(this.b[i]);
    if (dlc < 9) this.fail(i, "a raw DLC 9–F after \"_\"");
    return dlc;
  }

  /**
   * Hex byte pairs, each optionally preceded by one "." separator; stops at "_" or the end,
   * leaving the position in `dataEnd`.
   */
  private data(i: number, end: number, max: number): Uint8Array {
    this.slab.reserve(max);
    const slab = this.slab.bytes;
    const at = this.slab.at;
    let j = i;
    let length = 0;
    while (j < end) {
      if (this.b[j] === DOT) j++;
      if (j >= end || this.b[j] === UNDERSCORE) break;
      const hi = nibble(this.b[j]);
      const lo = nibble(this.b[j + 1]);
      if (hi < 0 || lo < 0 || j + 1 >= end) this.fail(j, "two hex digits per data byte");
      if (length === max) break;
      slab[at + length++] = hi * 16 + lo;
      j += 2;
    }
    this.dataEnd = j;
    return this.slab.commit(length);
  }

  private hex(i: number, end: number, what: string): number {
    let v = 0;
    for (let j = i; j < end; j++) {
      const n = nibble(this.b[j]);
      if (n < 0) this.fail(i, what);
      v = v * 16 + n;
    }
    return v;
  }

  /** Optional ` R` / ` T` after the frame: candump -x writes the direction there. */
  private direction(i: number, frame: CanFrame): void {
    let j = i;
    while (j < this.end && isSpace(this.b[j])) j++;
    if (j === this.end) return;
    const c = this.b[j];
    if ((c === 0x52 || c === 0x54) && this.tokenEnd(j) === j + 1) {
      frame.dir = c === 0x52 ? "rx" : "tx";
      j++;
      while (j < this.end && isSpace(this.b[j])) j++;
      if (j === this.end) return;
    }
    this.fail(j, "end of line after the frame (or R / T for the direction)");
  }

  private fail(i: number, expected: string): never {
    const found = i >= this.end ? "end of line" : `"${latin1.decode(this.b.subarray(i, this.tokenEnd(i)))}"`;
    const line = latin1.decode(this.b.subarray(this.start, Math.min(this.end, this.start + 120)));
    throw new FormatError(
      this.at.file,
      `line ${this.at.line}`,
      this.at.offset,
      `expected ${expected}, found ${found} at column ${i - this.start + 1} in "${line}"`,
    );
  }
}


/** Parses one line given as text (tests, tools); readers use CandumpLineParser on bytes. */
export function parseCandumpLine(text: string, at?: Partial<LinePosition>): CandumpLine {
  const bytes = Buffer.from(text, "latin1");
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  const where = { file: at?.file ?? "<line>", line: at?.line ?? 1, offset: at?.offset ?? 0 };
  return new CandumpLineParser().parse(bytes, 0, end, where);
}
