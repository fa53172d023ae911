import {
  closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync,
  renameSync, unlinkSync, writeSync,
} from "node:fs";
import { join } from "node:path";
import { crc32 } from "./crc32.js";
import type { SpoolEntry } from "./SpoolEntry.js";
import { SpoolError } from "./SpoolError.js";
import type { FsyncPolicy, SpoolConfig } from "./TelemetryConfig.js";

const MAGIC = 0x52525331; // "RRS1"
const HEADER = 12; // magic, body length, CRC-32 of the body
const ACK_SIZE = 12; // seq as float64, CRC-32 of those 8 bytes
const ACKS = "acks.log";
const SEGMENT = /^seg-(\d{16})\.rrs$/;

/** What `append` did: the new entry (unless it was itself dropped) and what it evicted. */
export interface AppendResult {
  entry?: SpoolEntry;
  evicted: SpoolEntry[];
}

/**
 * Store-and-forward on disk. Batches are appended to segment files; each entry is framed as
 * `magic u32 | length u32 | crc32 u32 | seq f64 | priority i8 | name length u8 | name | payload`
 * (little-endian). Acknowledged and evicted sequence numbers are appended to `acks.log`; a
 * segment whose every entry is done is deleted. On open, a torn entry at the end of the last
 * segment (a write cut by kill -9 or power loss) is truncated away; damage anywhere else throws.
 *
 * fsync policy: `always` syncs every append and acknowledgement before it returns (a batch
 * reported spooled survives power loss); `interval` syncs every `fsyncIntervalMs` (power loss may
 * lose that much, kill -9 loses nothing: the data is in the page cache); `never` leaves it to
 * the kernel.
 */
export class Spool {
  private readonly queues = new Map<number, { entries: SpoolEntry[]; head: number }>();
  private readonly segments = new Map<string, { live: number }>();
  private readonly byPriority: number[] = [];
  private current: { name: string; fd: number; size: number } | undefined;
  private acksFd: number;
  private nextSeq = 1;
  private pendingBytes = 0;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly fsync: FsyncPolicy;

  constructor(private readonly config: SpoolConfig) {
    this.fsync = config.fsync ?? "interval";
    mkdirSync(config.dir, { recursive: true });
    const acked = this.readAcks();
    const names = this.segmentNames();
    for (const name of names) this.loadSegment(name, acked, name === names.at(-1));
    this.acksFd = this.compactAcks(acked);
    if (this.fsync === "interval") {
      this.syncTimer = setInterval(() => this.sync(), config.fsyncIntervalMs ?? 1000);
      this.syncTimer.unref();
    }
  }

  /** Bytes of payload waiting to be acknowledged. */
  get bytes(): number {
    return this.pendingBytes;
  }

  /** Batches waiting (pending or in flight). */
  get count(): number {
    let n = 0;
    for (const q of this.queues.values()) {
      for (let i = q.head; i < q.entries.length; i++) if (q.entries[i]?.state !== "done") n++;
    }
    return n;
  }

  /** The sequence number the next append gets; payloads may carry it. */
  peekSeq(): number {
    return this.nextSeq;
  }

  /**
   * Appends a batch. When the size bound would be passed, pending batches of the lowest
   * priority not above this one are evicted, oldest first; if that cannot make room, this batch
   * is the one dropped (no entry in the result).
   */
  append(stream: string, priority: number, payload: Uint8Array): AppendResult {
    const evicted = this.makeRoom(priority, payload.length);
    if (evicted === undefined) return { evicted: [] };
    const seq = this.nextSeq++;
    const name = Buffer.from(stream, "utf8");
    const body = Buffer.allocUnsafe(10 + name.length + payload.length);
    body.writeDoubleLE(seq, 0);
    body.writeInt8(Math.max(-128, Math.min(127, priority)), 8);
    body.writeUInt8(name.length, 9);
    name.copy(body, 10);
    body.set(payload, 10 + name.length);
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(body.length, 4);
    header.writeUInt32LE(crc32(body), 8);

    const segment = this.segmentFor(seq);
    const offset = segment.size + HEADER + 10 + name.length;
    writeSync(segment.fd, Buffer.concat([header, body]));
    segment.size += HEADER + body.length;
    this.afterWrite(segment.fd);
    const entry: SpoolEntry = {
      seq, stream, priority, size: payload.length, segment: segment.name, offset, state: "pending",
    };
    this.track(entry);
    return { entry, evicted };
  }

  /**
   * The oldest pending batch of the highest priority that `wanted` accepts, now in flight; or
   * undefined.
   */
  take(wanted: (stream: string) => boolean): SpoolEntry | undefined {
    for (const priority of this.byPriority) {
      const q = this.queues.get(priority);
      if (!q) continue;
      while (q.head < q.entries.length && q.entries[q.head]?.state === "done") q.head++;
      for (let i = q.head; i < q.entries.length; i++) {
        const entry = q.entries[i] as SpoolEntry;
        if (entry.state === "pending" && wanted(entry.stream)) {
          entry.state = "inflight";
          return entry;
        }
      }
    }
    return undefined;
  }

  /** Payload of an entry, read back from its segment. */
  read(entry: SpoolEntry): Uint8Array {
    const fd = openSync(join(this.config.dir, entry.segment), "r");
    try {
      const out = Buffer.allocUnsafe(entry.size);
      readSync(fd, out, 0, entry.size, entry.offset);
      return out;
    } finally {
      closeSync(fd);
    }
  }

  /** A batch taken but not delivered goes back to pending. */
  release(entry: SpoolEntry): void {
    if (entry.state === "inflight") entry.state = "pending";
  }

  /** The sink acknowledged the batch: it leaves the spool. */
  ack(entry: SpoolEntry): void {
    if (entry.state === "done") return;
    this.finish(entry);
  }

  sync(): void {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.current) fsyncSync(this.current.fd);
    fsyncSync(this.acksFd);
  }

  close(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.fsync !== "never") this.sync();
    if (this.current) closeSync(this.current.fd);
    this.current = undefined;
    closeSync(this.acksFd);
  }

  private makeRoom(priority: number, size: number): SpoolEntry[] | undefined {
    const max = this.config.maxBytes ?? Infinity;
    if (this.pendingBytes + size <= max) return [];
    let evictable = 0;
    for (const q of this.queues.values()) {
      for (let i = q.head; i < q.entries.length; i++) {
        const e = q.entries[i] as SpoolEntry;
        if (e.state === "pending" && e.priority <= priority) evictable += e.size;
      }
    }
    // Evicting only helps if it makes enough room; otherwise the newcomer is the one dropped.
    if (this.pendingBytes - evictable + size > max) return undefined;
    const evicted: SpoolEntry[] = [];
    while (this.pendingBytes + size > max) {
      const victim = this.victim(priority) as SpoolEntry;
      this.finish(victim);
      evicted.push(victim);
    }
    return evicted;
  }

  private victim(priority: number): SpoolEntry | undefined {
    for (let i = this.byPriority.length - 1; i >= 0; i--) {
      const p = this.byPriority[i] as number;
      if (p > priority) return undefined;
      const q = this.queues.get(p);
      const entry = q?.entries.slice(q.head).find((e) => e.state === "pending");
      if (entry) return entry;
    }
    return undefined;
  }

  private finish(entry: SpoolEntry): void {
    entry.state = "done";
    this.pendingBytes -= entry.size;
    const ack = Buffer.allocUnsafe(ACK_SIZE);
    ack.writeDoubleLE(entry.seq, 0);
    ack.writeUInt32LE(crc32(ack, 0, 8), 8);
    writeSync(this.acksFd, ack);
    this.afterWrite(this.acksFd);
    const segment = this.segments.get(entry.segment);
    if (segment && --segment.live === 0 && this.current?.name !== entry.segment) {
      this.segments.delete(entry.segment);
      unlinkSync(join(this.config.dir, entry.segment));
    }
  }

  private afterWrite(fd: number): void {
    if (this.fsync === "always") fsyncSync(fd);
    else this.dirty = true;
  }

  private track(entry: SpoolEntry): void {
    let q = this.queues.get(entry.priority);
    if (!q) {
      q = { entries: [], head: 0 };
      this.queues.set(entry.priority, q);
      this.byPriority.push(entry.priority);
      this.byPriority.sort((a, b) => b - a);
    }
    q.entries.push(entry);
    this.pendingBytes += entry.size;
    const segment = this.segments.get(entry.segment);
    if (segment) segment.live++;
    else this.segments.set(entry.segment, { live: 1 });
  }

  private segmentFor(seq: number): { name: string; fd: number; size: number } {
    const limit = this.config.segmentBytes ?? 4 * 1024 * 1024;
    if (this.current && this.current.size < limit) return this.current;
    if (this.current) this.retire(this.current);
    const name = `seg-${String(seq).padStart(16, "0")}.rrs`;
    const fd = openSync(join(this.config.dir, name), "a");
    this.current = { name, fd, size: 0 };
    this.segments.set(name, { live: 0 });
    return this.current;
  }

  private retire(segment: { name: string; fd: number }): void {
    if (this.fsync !== "never") fsyncSync(segment.fd);
    closeSync(segment.fd);
    if (this.segments.get(segment.name)?.live === 0) {
      this.segments.delete(segment.name);
      unlinkSync(join(this.config.dir, segment.name));
    }
  }

  private isPending(seq: number): boolean {
    for (const q of this.queues.values()) if (q.entries.some((e) => e.seq === seq)) return true;
    return false;
  }

  private segmentNames(): string[] {
    return readdirSync(this.config.dir).filter((n) => SEGMENT.test(n)).sort();
  }

  private readAcks(): Set<number> {
    const acked = new Set<number>();
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.config.dir, ACKS));
    } catch {
      return acked;
    }
    // A torn final acknowledgement is ignored: the batch is sent again (at least once).
    for (let at = 0; at + ACK_SIZE <= bytes.length; at += ACK_SIZE) {
      if (crc32(bytes, at, at + 8) !== bytes.readUInt32LE(at + 8)) break;
      const seq = bytes.readDoubleLE(at);
      acked.add(seq);
      if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    }
    return acked;
  }

  private loadSegment(name: string, acked: Set<number>, last: boolean): void {
    const path = join(this.config.dir, name);
    const bytes = readFileSync(path);
    let at = 0;
    let live = 0;
    while (at < bytes.length) {
      const entry = this.parseEntry(bytes, at, name);
      if (typeof entry === "string") {
        if (!last) throw new SpoolError(path, at, "a complete spool entry", entry);
        // A torn tail: what was being written when the process died.
        const fd = openSync(path, "r+");
        ftruncateSync(fd, at);
        closeSync(fd);
        break;
      }
      if (entry.seq >= this.nextSeq) this.nextSeq = entry.seq + 1;
      if (!acked.has(entry.seq)) {
        this.track(entry);
        live++;
      }
      at = entry.offset + entry.size;
    }
    if (live === 0) {
      this.segments.delete(name);
      unlinkSync(path);
    }
  }

  private parseEntry(bytes: Buffer, at: number, segment: string): SpoolEntry | string {
    if (at + HEADER + 10 > bytes.length) return "a truncated header";
    const magic = bytes.readUInt32LE(at);
    if (magic !== MAGIC) return `magic 0x${magic.toString(16)}`;
    const length = bytes.readUInt32LE(at + 4);
    const end = at + HEADER + length;
    if (end > bytes.length) return `${bytes.length - at - HEADER} of ${length} body bytes`;
    if (crc32(bytes, at + HEADER, end) !== bytes.readUInt32LE(at + 8)) return "a CRC mismatch";
    const body = at + HEADER;
    const nameLength = bytes.readUInt8(body + 9);
    const offset = body + 10 + nameLength;
    return {
      seq: bytes.readDoubleLE(body),
      priority: bytes.readInt8(body + 8),
      stream: bytes.toString("utf8", body + 10, offset),
      size: end - offset,
      segment,
      offset,
      state: "pending",
    };
  }

  /**
   * Rewrites the acknowledgement log with only what still matters (acks of entries in live
   * segments) plus the highest sequence number seen, so numbering continues after a restart.
   */
  private compactAcks(acked: Set<number>): number {
    const live = new Set<number>();
    const names = new Set(this.segments.keys());
    for (const name of this.segmentNames()) {
      if (!names.has(name)) continue;
      const bytes = readFileSync(join(this.config.dir, name));
      for (let at = 0; at < bytes.length;) {
        const entry = this.parseEntry(bytes, at, name);
        if (typeof entry === "string") break;
        if (acked.has(entry.seq)) live.add(entry.seq);
        at = entry.offset + entry.size;
      }
    }
    // Keeping the highest number as acknowledged is harmless unless that batch is pending.
    const top = this.nextSeq - 1;
    if (top > 0 && !this.isPending(top)) live.add(top);
    const out = Buffer.alloc(live.size * ACK_SIZE);
    let at = 0;
    for (const seq of live) {
      out.writeDoubleLE(seq, at);
      out.writeUInt32LE(crc32(out, at, at + 8), at + 8);
      at += ACK_SIZE;
    }
    const tmp = join(this.config.dir, `${ACKS}.tmp`);
    const fd = openSync(tmp, "w");
    writeSync(fd, out);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.config.dir, ACKS));
    return openSync(join(this.config.dir, ACKS), "a");
  }
}
