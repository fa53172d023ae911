import type { CapturedSample, TelemetryRecord } from "./TelemetryRecord.js";
import type { TelemetryBatch } from "./TelemetryBatch.js";

/** "RRTB": roadrig telemetry batch, the compact binary form. */
export const BINARY_MAGIC = Uint8Array.of(0x52, 0x52, 0x54, 0x42);

const SAMPLE = 1;
const WINDOW = 2;
const CAPTURE = 3;

/**
 * The binary form (all little-endian): magic "RRTB", version u8 = 1, then a string table
 * (varint count, each varint length + UTF-8), then seq f64, createdAt f64, stream, vehicle
 * (string indexes), identifiers (varint count, key and value indexes), varint record count and
 * the records. Each record starts with a type u8 and t f64: sample = bus, message, signal
 * indexes, value f64, flags u8 (bit 0 out of range); window = bus, message, signal, ms varint,
 * count varint, min, max, mean, last f64, flags u8; capture = trigger, bus indexes, varint
 * sample count, each t f64, signal index, value f64. Names repeat across records, so the table
 * makes a sample ~20 bytes instead of ~100 in JSON.
 */
export function encodeBinaryBatch(batch: TelemetryBatch): Uint8Array {
  const strings = new StringTable();
  // Sized for the usual record (a sample is ~20 bytes, a window ~50) so that it rarely grows.
  const body = new Writer(64 + 48 * batch.records.length);
  body.f64(batch.seq);
  body.f64(batch.createdAt);
  body.varint(strings.id(batch.stream));
  body.varint(strings.id(batch.vehicle));
  const ids = Object.entries(batch.identifiers ?? {});
  body.varint(ids.length);
  for (const [k, v] of ids) {
    body.varint(strings.id(k));
    body.varint(strings.id(v));
  }
  body.varint(batch.records.length);
  for (const r of batch.records) writeRecord(body, strings, r);
  const payload = body.finish();
  const w = new Writer(payload.length + 16 * strings.list.length + 16);
  w.bytes(BINARY_MAGIC);
  w.u8(1);
  w.varint(strings.list.length);
  for (const s of strings.list) {
    const b = Buffer.from(s, "utf8");
    w.varint(b.length);
    w.bytes(b);
  }
  w.bytes(payload);
  return w.finish();
}

export function decodeBinaryBatch(bytes: Uint8Array): TelemetryBatch {
  const r = new Reader(bytes);
  for (const b of BINARY_MAGIC) if (r.u8() !== b) throw r.error("magic RRTB");
  const version = r.u8();
  if (version !== 1) throw r.error("version 1", String(version));
  const strings = Array.from({ length: r.varint() }, () => r.string());
  const s = () => {
    const at = r.at;
    const value = strings[r.varint()];
    if (value === undefined) throw new RangeError(`binary batch at ${at}: string index out of range`);
    return value;
  };
  const seq = r.f64();
  const createdAt = r.f64();
  const stream = s();
  const vehicle = s();
  const idCount = r.varint();
  // fromEntries defines own properties: a key "__proto__" stays data, not a prototype.
  const identifiers = Object.fromEntries(Array.from({ length: idCount }, () => [s(), s()]));
  const records = Array.from({ length: r.varint() }, () => readRecord(r, s));
  return {
    v: 1, stream, seq, vehicle, createdAt, records,
    ...(idCount > 0 ? { identifiers } : {}),
  };
}

function writeRecord(w: Writer, strings: StringTable, r: TelemetryRecord): void {
  switch (r.type) {
    case "sample":
      w.u8(SAMPLE);
      w.f64(r.t);
      w.varint(strings.id(r.bus));
      w.varint(strings.id(r.message));
      w.varint(strings.id(r.signal));
      w.f64(r.value);
      w.u8(r.outOfRange ? 1 : 0);
      return;
    case "window":
      w.u8(WINDOW);
      w.f64(r.t);
      w.varint(strings.id(r.bus));
      w.varint(strings.id(r.message));
      w.varint(strings.id(r.signal));
      w.varint(r.ms);
      w.varint(r.count);
      w.f64(r.min);
      w.f64(r.max);
      w.f64(r.mean);
      w.f64(r.last);
      w.u8(r.outOfRange ? 1 : 0);
      return;
    case "capture":
      w.u8(CAPTURE);
      w.f64(r.t);
      w.varint(strings.id(r.trigger));
      w.varint(strings.id(r.bus));
      w.varint(r.samples.length);
      for (const c of r.samples) {
        w.f64(c.t);
        w.varint(strings.id(c.signal));
        w.f64(c.value);
      }
      return;
  }
}

function readRecord(r: Reader, s: () => string): TelemetryRecord {
  const type = r.u8();
  const t = r.f64();
  if (type === SAMPLE) {
    const [bus, message, signal] = [s(), s(), s()];
    const value = r.f64();
    const flagged = (r.u8() & 1) === 1;
    return { type: "sample", t, bus, message, signal, value, ...(flagged ? { outOfRange: true } : {}) };
  }
  if (type === WINDOW) {
    const [bus, message, signal] = [s(), s(), s()];
    const ms = r.varint();
    const count = r.varint();
    const [min, max, mean, last] = [r.f64(), r.f64(), r.f64(), r.f64()];
    const flagged = (r.u8() & 1) === 1;
    return {
      type: "window", t, ms, bus, message, signal, count, min, max, mean, last,
      ...(flagged ? { outOfRange: true } : {}),
    };
  }
  if (type === CAPTURE) {
    const trigger = s();
    const bus = s();
    const samples: CapturedSample[] = Array.from({ length: r.varint() }, () => {
      const at = r.f64();
      return { t: at, signal: s(), value: r.f64() };
    });
    return { type: "capture", t, trigger, bus, samples };
  }
  throw r.error("record type 1, 2 or 3", String(type));
}

class StringTable {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

class Writer {
  private buf: Buffer;
  // Doubles go through a DataView, which the optimising compiler turns into a single store.
  private view: DataView;
  private at = 0;

  constructor(size = 1024) {
    this.buf = Buffer.allocUnsafe(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.at++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }

  varint(v: number): void {
    let n = v;
    while (n >= 0x80) {
      this.u8((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.u8(n);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}

class Reader {
  at = 0;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++] as number;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
      if (scale > 2 ** 53) throw this.error("a varint of at most 53 bits");
    }
  }

  string(): string {
    const length = this.varint();
    this.need(length);
    const s = this.buf.toString("utf8", this.at, this.at + length);
    this.at += length;
    return s;
  }

  error(expected: string, found = "other bytes"): RangeError {
    return new RangeError(`binary batch at byte ${this.at}: expected ${expected}, found ${found}`);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw this.error(`${n} more bytes`, "the end");
  }
}
