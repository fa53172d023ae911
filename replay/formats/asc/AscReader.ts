import type { ByteSource } from "../../sources/ByteSource.js";
import type { LogDescription, LogReader, ReadOptions } from "../LogReader.js";
import type { LogRecord } from "../LogRecord.js";
import { gunzipChunks, isGzip } from "../candump/gunzipChunks.js";
import { lineBlocks, lineEnd } from "../candump/lineBlocks.js";
import { DEFAULT_CHUNK_BYTES, sourceChunks } from "../candump/sourceChunks.js";
import { FormatError } from "../FormatError.js";
import type { AscEvent } from "./AscEvent.js";
import { applyAscHeaderLine, emptyAscHeader, type AscHeader } from "./AscHeader.js";
import { AscLineParser } from "./AscLineParser.js";

export interface AscReaderOptions {
  /** Offset of the recorder's local time from UTC, in minutes (ASC dates carry no zone). */
  utcOffsetMinutes?: number;
  /** Name for a numbered ASC channel; default `can<N>` with N as written (1 for CAN 1). */
  channelName?: (channel: number) => string;
  chunkBytes?: number;
  batchSize?: number;
}

const latin1 = new TextDecoder("latin1");

/**
 * Reads a Vector ASC log (optionally gzip-compressed) as a stream of CAN and CAN FD frames.
 *
 * - `startNs` is the `date` line read as UTC plus `utcOffsetMinutes` (0 unless given), or 0 when
 *   the log has no date it can read; `timeNs` is the event time as written (absolute mode) or
 *   summed (relative mode), so the first frame is rarely at 0.
 * - Events that are not frames (`Start of measurement`, `Statistic`, `Status`, `J1939TP`, other
 *   buses...) are skipped and counted by kind in `skippedEvents` and `describe().details`.
 * - A frame line that breaks the format, or a line that is neither a header line nor an event,
 *   is a FormatError with the line number and the byte offset of the line.
 */
export class AscReader implements LogReader {
  /** Events skipped so far, by kind. */
  readonly skippedEvents = new Map<string, number>();
  private fdPayloadInClassicLines = 0;
  private readonly channels = new Set<string>();
  private complete = false;

  private constructor(
    private readonly source: ByteSource,
    private readonly gzip: boolean,
    private readonly header: AscHeader,
    private readonly options: Required<AscReaderOptions>,
  ) {}

  static async open(source: ByteSource, options: AscReaderOptions = {}): Promise<AscReader> {
    const full: Required<AscReaderOptions> = {
      utcOffsetMinutes: 0,
      channelName: (n) => `can${n}`,
      chunkBytes: DEFAULT_CHUNK_BYTES,
      batchSize: 4096,
      ...options,
    };
    const gzip = isGzip(await source.read(0, 2));
    const header = emptyAscHeader();
    const reader = new AscReader(source, gzip, header, full);
    await reader.readHeader();
    return reader;
  }

  get name(): string {
    return this.source.name;
  }

  get startNs(): bigint {
    return this.header.startNs ?? 0n;
  }

  describe(): LogDescription {
    const { header } = this;
    return {
      format: "asc",
      ...(header.version === undefined ? {} : { version: header.version }),
      compression: [this.gzip ? "gzip" : "none"],
      groups: [...this.channels].map((name) => ({ name, kind: "can-channel" })),
      details: {
        date: header.date,
        startFromDate: header.startNs !== undefined,
        utcOffsetMinutes: this.options.utcOffsetMinutes,
        base: header.base === 16 ? "hex" : "dec",
        timestamps: header.timestamps,
        internalEventsLogged: header.internalEventsLogged,
        skippedEvents: Object.fromEntries(this.skippedEvents),
        fdPayloadInClassicLines: this.fdPayloadInClassicLines,
        channelsComplete: this.complete,
      },
    };
  }

  async *batches(options: ReadOptions = {}): AsyncGenerator<readonly LogRecord[]> {
    const from = options.fromNs ?? -Infinity;
    this.skippedEvents.clear();
    this.fdPayloadInClassicLines = 0;
    let batch: LogRecord[] = [];
    for await (const events of this.events()) {
      for (const event of events) {
        if (event.kind === "other") {
          this.skippedEvents.set(event.event, (this.skippedEvents.get(event.event) ?? 0) + 1);
          continue;
        }
        const { frame, timeNs } = event;
        this.channels.add(frame.channel);
        if (event.fdPayloadInClassicLine) this.fdPayloadInClassicLines++;
        if (timeNs < from) continue;
        batch.push({ kind: "frame", timeNs, channel: frame.channel, frame });
        if (batch.length >= this.options.batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    this.complete = true;
    if (batch.length > 0) yield batch;
  }

  close(): Promise<void> {
    return this.source.close();
  }

  /** Reads header lines up to the first event, for the date and the number base. */
  private async readHeader(): Promise<void> {
    for await (const block of this.lineBlocks()) {
      for (const { text, line, offset } of block) {
        if (isEvent(text)) return;
        this.headerLine(text, line, offset);
      }
    }
  }

  /** Events of each block of lines, as arrays: one await per block, not per line. */
  private async *events(): AsyncGenerator<AscEvent[]> {
    const parser = new AscLineParser(this.header, this.options.channelName);
    const file = this.source.name;
    let previousNs = 0;
    for await (const block of this.lineBlocks()) {
      const events: AscEvent[] = [];
      for (const { text, line, offset } of block) {
        if (!isEvent(text)) {
          this.headerLine(text, line, offset);
          continue;
        }
        const event = parser.parse(text, { file, line, offset });
        if (this.header.timestamps === "relative") {
          event.timeNs += previousNs;
          previousNs = event.timeNs;
        }
        events.push(event);
      }
      yield events;
    }
  }

  private headerLine(text: string, line: number, offset: number): void {
    const trimmed = text.trim();
    if (trimmed === "") return;
    if (applyAscHeaderLine(this.header, trimmed, this.options.utcOffsetMinutes)) return;
    throw new FormatError(
      this.source.name,
      `line ${line}`,
      offset,
      `expected an event (time first) or a header line, found "${trimmed.slice(0, 80)}"`,
    );
  }

  private async *lineBlocks(): AsyncGenerator<TextLine[]> {
    const raw = sourceChunks(this.source, this.options.chunkBytes);
    const chunks = this.gzip ? gunzipChunks(raw, this.source.name) : raw;
    for await (const block of lineBlocks(this.source.name, chunks)) {
      const { bytes } = block;
      let line = block.firstLine;
      const texts: TextLine[] = [];
      for (let start = 0; start < bytes.length; line++) {
        const { end, next } = lineEnd(bytes, start);
        const text = latin1.decode(bytes.subarray(start, end));
        texts.push({ text, line, offset: block.offset + start });
        start = next;
      }
      yield texts;
    }
  }
}

interface TextLine {
  text: string;
  line: number;
  offset: number;
}

function isEvent(text: string): boolean {
  return /^\s*\d/.test(text);
}

/** Opens a Vector ASC log (plain or .gz) as a LogReader. */
export function openAsc(source: ByteSource, options?: AscReaderOptions): Promise<LogReader> {
  return AscReader.open(source, options);
}
