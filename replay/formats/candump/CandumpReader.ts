import type { ByteSource } from "../../sources/ByteSource.js";
import type { LogDescription, LogReader, ReadOptions } from "../LogReader.js";
import type { LogRecord } from "../LogRecord.js";
import { gunzipChunks, isGzip } from "./gunzipChunks.js";
import { isBlank, lineBlocks, lineEnd } from "./lineBlocks.js";
import { CandumpLineParser, type CandumpLine } from "./parseCandumpLine.js";
import { DEFAULT_CHUNK_BYTES, sourceChunks } from "./sourceChunks.js";

export interface CandumpReaderOptions {
  /** Bytes per read from the source (default 1 MiB). */
  chunkBytes?: number;
  /** Records per yielded batch (default 4096). */
  batchSize?: number;
}

const NS_PER_SECOND = 1e9;

/**
 * Reads a `candump -l` / `-L` log (optionally gzip-compressed) as a stream of frames.
 *
 * - `startNs` is the first frame line's time; `timeNs` counts from it. Lines are yielded in
 *   file order, so a clock that jumps backwards gives falling (even negative) times: the
 *   timeline and the pacer decide what that means, the reader does not sort.
 * - Blank lines are skipped; any other line that is not a frame is a FormatError with the
 *   line number and the byte offset of the line (in the decompressed text for .gz input).
 * - `describe()` never scans: the channels it lists are those seen so far, and
 *   `details.channelsComplete` says whether the whole log has been read.
 */
export class CandumpReader implements LogReader {
  private readonly channels = new Set<string>();
  private channelsComplete = false;

  private constructor(
    private readonly source: ByteSource,
    private readonly gzip: boolean,
    private readonly first: CandumpLine | undefined,
    private readonly options: Required<CandumpReaderOptions>,
  ) {
    if (first) this.channels.add(first.frame.channel);
  }

  static async open(
    source: ByteSource,
    options: CandumpReaderOptions = {},
  ): Promise<CandumpReader> {
    const full = { chunkBytes: DEFAULT_CHUNK_BYTES, batchSize: 4096, ...options };
    const gzip = isGzip(await source.read(0, 2));
    let first: CandumpLine | undefined;
    const chunks = chunksOf(source, gzip, full.chunkBytes);
    for await (const lines of frameLines(source.name, chunks, 1)) {
      first = lines[0];
      if (first) break;
    }
    return new CandumpReader(source, gzip, first, full);
  }

  get name(): string {
    return this.source.name;
  }

  get startNs(): bigint {
    if (!this.first) return 0n;
    return BigInt(this.first.sec) * 1_000_000_000n + BigInt(this.first.fracNs);
  }

  describe(): LogDescription {
    return {
      format: "candump",
      compression: [this.gzip ? "gzip" : "none"],
      groups: [...this.channels].map((name) => ({ name, kind: "can-channel" })),
      details: {
        timestampDecimals: this.first?.decimals,
        channelsComplete: this.channelsComplete,
      },
    };
  }

  async *batches(options: ReadOptions = {}): AsyncGenerator<readonly LogRecord[]> {
    const from = options.fromNs ?? -Infinity;
    const sec0 = this.first?.sec ?? 0;
    const frac0 = this.first?.fracNs ?? 0;
    let batch: LogRecord[] = [];
    const chunks = chunksOf(this.source, this.gzip, this.options.chunkBytes);
    try {
      for await (const lines of frameLines(this.source.name, chunks)) {
        for (const { sec, fracNs, frame } of lines) {
          // Whole seconds and the fraction apart keep the sum exact as a double.
          const timeNs = (sec - sec0) * NS_PER_SECOND + (fracNs - frac0);
          this.channels.add(frame.channel);
          if (timeNs < from) continue;
          batch.push({ kind: "frame", timeNs, channel: frame.channel, frame });
          if (batch.length >= this.options.batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
    } catch (err) {
      // The frames before a bad line are part of the replay: they go out, then the error.
      if (batch.length > 0) yield batch;
      throw err;
    }
    this.channelsComplete = true;
    if (batch.length > 0) yield batch;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

function chunksOf(
  source: ByteSource,
  gzip: boolean,
  chunkBytes: number,
): AsyncIterable<Uint8Array> {
  const raw = sourceChunks(source, chunkBytes);
  return gzip ? gunzipChunks(raw, source.name) : raw;
}

/**
 * Parsed frame lines in file order, one array per block of lines: handing lines over one by one
 * through an async generator would cost more than parsing them.
 */
async function* frameLines(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  limit = Infinity,
): AsyncGenerator<CandumpLine[]> {
  const parser = new CandumpLineParser();
  for await (const block of lineBlocks(file, chunks)) {
    const { bytes } = block;
    let line = block.firstLine;
    const parsed: CandumpLine[] = [];
    for (let start = 0; start < bytes.length && parsed.length < limit; line++) {
      const { end, next } = lineEnd(bytes, start);
      if (!isBlank(bytes, start, end)) {
        const at = { file, line, offset: block.offset + start };
        let frameLine: CandumpLine;
        try {
          frameLine = parser.parse(bytes, start, end, at);
        } catch (err) {
          if (parsed.length > 0) yield parsed;
          throw err;
        }
        parsed.push(frameLine);
      }
      start = next;
    }
    yield parsed;
  }
}

/** Opens a candump log (plain or .gz) as a LogReader. */
export function openCandump(
  source: ByteSource,
  options?: CandumpReaderOptions,
): Promise<LogReader> {
  return CandumpReader.open(source, options);
}
