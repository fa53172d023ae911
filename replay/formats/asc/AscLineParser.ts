import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { dlcToLength, isFdLength, lengthToDlc } from "../../../drivers/can/CanFrame.js";
import { FormatError } from "../FormatError.js";
import { PayloadSlab } from "../candump/PayloadSlab.js";
import { canFrame } from "../candump/canFrame.js";
import type { LinePosition } from "../candump/parseCandumpLine.js";
import type { AscEvent } from "./AscEvent.js";
import type { AscHeader } from "./AscHeader.js";

const TIME = /^(\d+)(?:\.(\d+))?$/;
const INTEGER = /^\d+$/;
// CAN FD message flags (as in BLF's CAN_FD_MESSAGE_64): remote frame, and EDL (an FD frame).
const FLAG_REMOTE = 0x10;
const FLAG_EDL = 0x1000;

const EMPTY = new Uint8Array(0);

/**
 * Parses the event lines of a Vector ASC log, one line of tokens at a time.
 *
 * Classic: `<t> <ch> <id>[x] Rx|Tx d <dlc> <bytes>... [Length = ... BitCount = ... ID = ...]`,
 * `<t> <ch> <id>[x] Rx|Tx r [<dlc>] ...`, `<t> <ch> ErrorFrame ...`.
 * CAN FD: `<t> CANFD <ch> Rx|Tx <id>[x] [<name>] <brs> <esi> <dlc> <len> <bytes>...
 * <duration> <bitcount> <flags> <crc> ...`, `<t> CANFD <ch> Rx|Tx ErrorFrame ...`.
 */
export class AscLineParser {
  private tokens: string[] = [];
  private readonly slab = new PayloadSlab();
  // Out-values of id(), kept in fields so the hot path allocates no tuples.
  private extended = false;
  private text = "";
  private at: LinePosition = { file: "", line: 0, offset: 0 };

  constructor(
    private readonly header: AscHeader,
    private readonly channelName: (channel: number) => string,
  ) {}

  /** `text` must start with a digit; header lines are handled before this. */
  parse(text: string, at: LinePosition): AscEvent {
    this.text = text;
    this.at = at;
    this.tokens = text.trim().split(/\s+/);
    const timeNs = this.time(0);
    const second = this.tokens[1];
    if (second === undefined) this.fail(1, "an event after the time");
    if (second === "CANFD") return this.fdEvent(timeNs);
    if (!INTEGER.test(second)) return this.other(timeNs, 1);

    const channel = this.channelName(Number(second));
    const third = this.tokens[2];
    if (third === "ErrorFrame") return this.frameEvent(timeNs, errorFrame(channel, undefined));
    if (third === undefined || !this.isId(third)) return this.other(timeNs, 2);
    return this.classic(timeNs, channel);
  }

  private classic(timeNs: number, channel: string): AscEvent {
    const id = this.id(2);
    const ext = this.extended;
    const dir = this.dir(3);
    const type = this.tokens[4];
    if (type === "r" || type === "R") {
      const dlcToken = this.tokens[5];
      const dlc = dlcToken !== undefined && this.isDlc(dlcToken) ? this.dlc(5) : 0;
      const f = canFrame(id, ext, false, false, false, true, false, dlc, EMPTY, channel, dir);
      return this.frameEvent(timeNs, f);
    }
    if (type !== "d" && type !== "D") this.fail(4, '"d" (data frame) or "r" (remote frame)');

    const data = this.bytesFrom(6);
    if (data.length === 64 && this.isByte(this.tokens[70])) this.fail(70, "at most 64 data bytes");
    // Some converters write CAN FD frames as classic lines with all their bytes; the count of
    // bytes, an FD length above 8, is then the only reliable size.
    if (data.length > 8 && isFdLength(data.length)) {
      const dlc = lengthToDlc(data.length);
      const fd = canFrame(id, ext, true, false, false, false, false, dlc, data, channel, dir);
      return { kind: "frame", timeNs, frame: fd, fdPayloadInClassicLine: true };
    }
    const dlc = this.dlc(5);
    const length = dlcToLength(dlc, false);
    if (data.length !== length) this.fail(6, `${length} data bytes for DLC ${dlc}`);
    const f = canFrame(id, ext, false, false, false, false, false, dlc, data, channel, dir);
    return this.frameEvent(timeNs, f);
  }

  private fdEvent(timeNs: number): AscEvent {
    const chToken = this.tokens[2];
    // `CANFD Start of measurement` and other events written under the FD keyword.
    if (chToken === undefined || !INTEGER.test(chToken)) return this.other(timeNs, 2);
    const channel = this.channelName(Number(chToken));
    const dir = this.dir(3);
    if (this.tokens[4] === "ErrorFrame") return this.frameEvent(timeNs, errorFrame(channel, dir));

    const id = this.id(4);
    const ext = this.extended;
    // A symbolic message name may sit between the ID and the BRS column.
    const k = /^[01]$/.test(this.tokens[5] ?? "") ? 5 : 6;
    const brs = this.bit(k);
    const esi = this.bit(k + 1);
    const dlc = this.dlc(k + 2);
    const length = this.dataLength(k + 3);
    const data = this.bytesFrom(k + 4, length);
    if (data.length < length) this.fail(k + 4 + data.length, `${length} data bytes`);
    const flags = this.flags(k + 4 + length + 2);

    // Hand-written and converted logs often leave the flags at 0: only a flags word that is
    // set and lacks EDL marks a classic frame, and more than 8 bytes are FD whatever it says.
    if (!flags || (flags & FLAG_EDL) !== 0 || length > 8) {
      if (length !== dlcToLength(dlc, true)) this.fail(k + 3, `length ${dlcToLength(dlc, true)}`);
      const f = canFrame(id, ext, true, brs, esi, false, false, dlc, data, channel, dir);
      return this.frameEvent(timeNs, f);
    }
    // Without EDL the line holds a classic frame in the FD layout.
    if ((flags & FLAG_REMOTE) !== 0 || (length === 0 && dlc > 0)) {
      const f = canFrame(id, ext, false, false, false, true, false, dlc, EMPTY, channel, dir);
      return this.frameEvent(timeNs, f);
    }
    if (length !== dlcToLength(dlc, false)) this.fail(k + 3, `length ${dlcToLength(dlc, false)}`);
    const f = canFrame(id, ext, false, false, false, false, false, dlc, data, channel, dir);
    return this.frameEvent(timeNs, f);
  }

  private frameEvent(timeNs: number, f: CanFrame): AscEvent {
    return { kind: "frame", timeNs, frame: f, fdPayloadInClassicLine: false };
  }

  /** Names a non-frame event by its first word, past channel numbers and bus keywords. */
  private other(timeNs: number, from: number): AscEvent {
    const words = this.tokens.slice(from).filter((t) => !INTEGER.test(t) && t !== "CAN");
    const first = (words[0] ?? "event").split(":")[0] || "event";
    const event = first === "Start" && words[1] === "of" ? "Start of measurement" : first;
    return { kind: "other", timeNs, event };
  }

  private time(k: number): number {
    const m = TIME.exec(this.tokens[k] ?? "");
    if (!m) this.fail(k, "a time in seconds");
    const frac = (m[2] ?? "").slice(0, 9).padEnd(9, "0");
    return Number(m[1]) * 1e9 + Number(frac);
  }

  private isId(token: string): boolean {
    return this.header.base === 16 ? /^[0-9A-Fa-f]{1,8}[xX]?$/.test(token) : /^\d{1,10}[xX]?$/.test(token);
  }

  /** The CAN ID at token `k`; whether it is a 29-bit ID is left in `extended`. */
  private id(k: number): number {
    const token = this.tokens[k] ?? "";
    if (!this.isId(token)) this.fail(k, `a CAN ID in base ${this.header.base}`);
    const last = token.charCodeAt(token.length - 1);
    const extended = last === 0x78 || last === 0x58;
    const id = Number.parseInt(extended ? token.slice(0, -1) : token, this.header.base);
    if (id > (extended ? 0x1fffffff : 0x7ff)) {
      this.fail(k, extended ? "a 29-bit CAN ID" : "an 11-bit CAN ID (or an x for 29 bits)");
    }
    this.extended = extended;
    return id;
  }

  private dir(k: number): "rx" | "tx" {
    const token = this.tokens[k]?.toLowerCase();
    if (token !== "rx" && token !== "tx") this.fail(k, '"Rx" or "Tx"');
    return token;
  }

  private isDlc(token: string): boolean {
    return this.header.base === 16 ? /^[0-9A-Fa-f]$/.test(token) : /^\d{1,2}$/.test(token);
  }

  private dlc(k: number): number {
    const token = this.tokens[k] ?? "";
    const dlc = this.isDlc(token) ? Number.parseInt(token, this.header.base) : NaN;
    if (!(dlc <= 15)) this.fail(k, "a DLC 0–15");
    return dlc;
  }

  private dataLength(k: number): number {
    const token = this.tokens[k] ?? "";
    const length = INTEGER.test(token) ? Number(token) : NaN;
    if (!(length <= 64)) this.fail(k, "a data length 0–64");
    return length;
  }

  private bit(k: number): boolean {
    const token = this.tokens[k];
    if (token !== "0" && token !== "1") this.fail(k, "0 or 1 (BRS, ESI)");
    return token === "1";
  }

  private flags(k: number): number | undefined {
    const token = this.tokens[k];
    return token !== undefined && /^[0-9A-Fa-f]{1,8}$/.test(token)
      ? Number.parseInt(token, 16)
      : undefined;
  }

  private isByte(token: string | undefined): token is string {
    if (token === undefined) return false;
    return this.header.base === 16 ? /^[0-9A-Fa-f]{2}$/.test(token) : /^\d{1,3}$/.test(token);
  }

  /**
   * Consecutive data-byte tokens from `k` on, at most `max`; the first other token ends the
   * data.
   */
  private bytesFrom(k: number, max = 64): Uint8Array {
    this.slab.reserve(max);
    const { bytes, at } = this.slab;
    let n = 0;
    for (let j = k; j < this.tokens.length && n < max; j++) {
      const token = this.tokens[j];
      if (!this.isByte(token)) break;
      const value = Number.parseInt(token, this.header.base);
      if (value > 255) this.fail(j, "a data byte 0–255");
      bytes[at + n++] = value;
    }
    return this.slab.commit(n);
  }

  private fail(k: number, expected: string): never {
    const token = this.tokens[k];
    const found = token === undefined ? "end of line" : `"${token}"`;
    throw new FormatError(
      this.at.file,
      `line ${this.at.line}`,
      this.at.offset,
      `expected ${expected}, found ${found} (token ${k + 1}) in "${this.text.trim().slice(0, 160)}"`,
    );
  }
}

/** ASC error frames give no SocketCAN error class: the ID is 0 and there is no data. */
function errorFrame(channel: string, dir: "rx" | "tx" | undefined): CanFrame {
  return canFrame(0, false, false, false, false, false, true, 0, EMPTY, channel, dir);
}
