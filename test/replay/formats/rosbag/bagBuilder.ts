import { lz4Frame } from "../mcap/lz4Frame.js";

/** Builds rosbag 2.0 files byte by byte, per the format's record layout, for tests. */

export interface BagConnection {
  conn: number;
  topic: string;
  type: string;
}

export interface BagMessage {
  conn: number;
  sec: number;
  nsec: number;
  data: Uint8Array;
}

export interface BagChunk {
  messages: BagMessage[];
  compression?: "none" | "lz4";
}

export interface BuiltBag {
  bytes: Uint8Array;
  chunkPositions: number[];
  /** Offset of each message data record inside its chunk's uncompressed data. */
  messageOffsets: number[][];
  indexPos: number;
}

const enc = new TextEncoder();

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

function time(sec: number, nsec: number): Uint8Array {
  return concat([u32(sec), u32(nsec)]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function fields(entries: [string, Uint8Array][]): Uint8Array {
  return concat(entries.flatMap(([name, value]) => {
    const field = concat([enc.encode(`${name}=`), value]);
    return [u32(field.length), field];
  }));
}

export function record(header: [string, Uint8Array][], data: Uint8Array): Uint8Array {
  const head = fields(header);
  return concat([u32(head.length), head, u32(data.length), data]);
}

function connectionRecord(c: BagConnection): Uint8Array {
  return record(
    [["op", Uint8Array.of(0x07)], ["conn", u32(c.conn)], ["topic", enc.encode(c.topic)]],
    fields([
      ["topic", enc.encode(c.topic)],
      ["type", enc.encode(c.type)],
      ["md5sum", enc.encode("*")],
      ["message_definition", enc.encode("")],
    ]),
  );
}

function messageRecord(m: BagMessage): Uint8Array {
  return record(
    [["op", Uint8Array.of(0x02)], ["conn", u32(m.conn)], ["time", time(m.sec, m.nsec)]],
    m.data,
  );
}

const HEADER_RECORD_BYTES = 4096;

export function buildBag(connections: BagConnection[], chunks: BagChunk[]): BuiltBag {
  const magic = enc.encode("#ROSBAG V2.0\n");
  const body: Uint8Array[] = [];
  const chunkPositions: number[] = [];
  const messageOffsets: number[][] = [];
  const chunkInfos: Uint8Array[] = [];
  const written = new Set<number>();
  let position = magic.length + HEADER_RECORD_BYTES;

  for (const chunk of chunks) {
    const built = chunkRecords(connections, chunk, written);
    chunkPositions.push(position);
    messageOffsets.push(built.offsets);
    body.push(built.bytes);
    chunkInfos.push(chunkInfo(position, chunk));
    position += built.bytes.length;
  }

  const indexPos = position;
  const header = bagHeader(indexPos, connections.length, chunks.length);
  const index = concat([...connections.map(connectionRecord), ...chunkInfos]);
  return {
    bytes: concat([magic, header, ...body, index]),
    chunkPositions,
    messageOffsets,
    indexPos,
  };
}

function bagHeader(indexPos: number, connCount: number, chunkCount: number): Uint8Array {
  const head = fields([
    ["op", Uint8Array.of(0x03)],
    ["index_pos", u64(indexPos)],
    ["conn_count", u32(connCount)],
    ["chunk_count", u32(chunkCount)],
  ]);
  // Recorders pad the bag header record to 4 KiB so that it can be rewritten in place.
  const padding = new Uint8Array(HEADER_RECORD_BYTES - 8 - head.length).fill(0x20);
  return concat([u32(head.length), head, u32(padding.length), padding]);
}

function chunkRecords(connections: BagConnection[], chunk: BagChunk, written: Set<number>) {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  const entries = new Map<number, Uint8Array[]>();
  let at = 0;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    at += bytes.length;
  };
  for (const m of chunk.messages) {
    const c = connections.find((x) => x.conn === m.conn);
    if (c && !written.has(c.conn)) {
      written.add(c.conn);
      push(connectionRecord(c));
    }
    offsets.push(at);
    entries.set(m.conn, [...(entries.get(m.conn) ?? []), time(m.sec, m.nsec), u32(at)]);
    push(messageRecord(m));
  }
  const plain = concat(parts);
  const compression = chunk.compression ?? "none";
  const data = compression === "lz4" ? lz4Frame(plain) : plain;
  const chunkRecord = record(
    [
      ["op", Uint8Array.of(0x05)],
      ["compression", enc.encode(compression)],
      ["size", u32(plain.length)],
    ],
    data,
  );
  const indexRecords = [...entries].map(([conn, list]) =>
    record(
      [
        ["op", Uint8Array.of(0x04)],
        ["ver", u32(1)],
        ["conn", u32(conn)],
        ["count", u32(list.length / 2)],
      ],
      concat(list),
    ),
  );
  return { bytes: concat([chunkRecord, ...indexRecords]), offsets };
}

function chunkInfo(position: number, chunk: BagChunk): Uint8Array {
  const times = chunk.messages.map((m) => BigInt(m.sec) * 1_000_000_000n + BigInt(m.nsec));
  const start = times.reduce((a, b) => (b < a ? b : a), times[0] ?? 0n);
  const end = times.reduce((a, b) => (b > a ? b : a), times[0] ?? 0n);
  const counts = new Map<number, number>();
  for (const m of chunk.messages) counts.set(m.conn, (counts.get(m.conn) ?? 0) + 1);
  const asTime = (ns: bigint) => time(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
  return record(
    [
      ["op", Uint8Array.of(0x06)],
      ["ver", u32(1)],
      ["chunk_pos", u64(position)],
      ["start_time", asTime(start)],
      ["end_time", asTime(end)],
      ["count", u32(counts.size)],
    ],
    concat([...counts].flatMap(([conn, count]) => [u32(conn), u32(count)])),
  );
}
