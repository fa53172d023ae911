import { constants, gunzipSync } from "node:zlib";
import type { ByteSource } from "../sources/ByteSource.js";
import { openByteSource, type ByteSourceOptions } from "../sources/openByteSource.js";
import { looksLikeAsc } from "./asc/looksLikeAsc.js";
import { isGzip } from "./candump/gunzipChunks.js";
import { looksLikeCandump } from "./candump/looksLikeCandump.js";
import { FormatError } from "./FormatError.js";
import type { LogFormat, LogReader } from "./LogReader.js";
import { looksLikeMcap } from "./mcap/looksLikeMcap.js";
import { looksLikeRosbag } from "./rosbag/looksLikeRosbag.js";

type OpenReader = (source: ByteSource) => Promise<LogReader>;

interface FormatEntry {
  format: LogFormat;
  /** How the format is named in the list of supported formats. */
  label: string;
  sniff(firstBytes: Uint8Array): boolean;
  /** The reader's module, imported once its format is recognised (or guessed, to preload). */
  load(): Promise<OpenReader>;
  /** Names such logs usually have: only a guess of what to preload, never how to read. */
  usualName: RegExp;
}

/** Bytes read to recognise a format: enough for candump's first line after a long comment. */
const SNIFF_BYTES = 4096;

// Readers load on demand: the MCAP and rosbag readers (their decompressors) alone cost more
// start-up than the MDF4 and candump readers together.
const formats: readonly FormatEntry[] = [
  {
    format: "mdf4",
    label: "MDF4 (.mf4)",
    sniff: looksLikeMdf4,
    load: async () => (await import("./mdf4/Mdf4Reader.js")).openMdf4,
    usualName: /\.mf4$/i,
  },
  {
    format: "mcap",
    label: "MCAP",
    sniff: looksLikeMcap,
    load: async () => (await import("./mcap/openMcap.js")).openMcap,
    usualName: /\.mcap$/i,
  },
  {
    format: "rosbag",
    label: "rosbag 2.0 (.bag)",
    sniff: looksLikeRosbag,
    load: async () => (await import("./rosbag/openRosbag.js")).openRosbag,
    usualName: /\.bag$/i,
  },
  {
    format: "candump",
    label: "candump -l log (plain or .gz)",
    sniff: (bytes) => looksLikeCandump(isGzip(bytes) ? gunzipPrefix(bytes) : bytes),
    // Lines are parsed a whole chunk at a time, in the replay's thread: small chunks and batches
    // keep each parse short enough not to hold up a paced frame (about 2,000 lines each).
    load: async () => {
      const { openCandump } = await import("./candump/CandumpReader.js");
      return (source) => openCandump(source, { chunkBytes: 64 * 1024, batchSize: 512 });
    },
    usualName: /\.(log|candump)(\.gz)?$/i,
  },
  {
    format: "asc",
    label: "Vector ASC (plain or .gz)",
    sniff: (bytes) => looksLikeAsc(isGzip(bytes) ? gunzipPrefix(bytes) : bytes),
    load: async () => (await import("./asc/AscReader.js")).openAsc,
    usualName: /\.asc(\.gz)?$/i,
  },
];

/** For `s3://` URLs: S3 options and the NAS cache to read through. */
export type OpenLogOptions = ByteSourceOptions;

export { openByteSource };

/** Formats openLog recognises, for messages and `--help`. */
export const supportedFormats: readonly string[] = formats.map((f) => f.label);

/**
 * Opens a log from a local path or an `s3://bucket/key` URL, recognising its format from its
 * first bytes (never from its name).
 */
export async function openLog(pathOrUrl: string, options: OpenLogOptions = {}): Promise<LogReader> {
  const source = await openByteSource(pathOrUrl, options);
  try {
    return await openSource(source);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** Opens an already open ByteSource; the reader owns it from then on. */
export async function openSource(source: ByteSource): Promise<LogReader> {
  const firstBytes = await source.read(0, SNIFF_BYTES);
  const entry = formats.find((f) => f.sniff(firstBytes));
  if (!entry) {
    throw new FormatError(
      source.name,
      "start of file",
      0,
      `expected one of: ${supportedFormats.join(", ")}; found ${describeBytes(firstBytes)}`,
    );
  }
  return (await entry.load())(source);
}

/**
 * Starts importing the reader a log's name suggests, so that it is ready when the log's first
 * bytes arrive (a reader that opens while waiting for S3 loses no time). The format is still
 * recognised from those bytes; a wrong guess costs one module loaded for nothing.
 */
export function preloadReaderFor(pathOrUrl: string): void {
  const entry = formats.find((f) => f.usualName.test(pathOrUrl));
  entry?.load().catch(() => undefined);
}

/** MDF4's identification block starts `MDF     `, or `UnFinMF ` while a logger still writes. */
function looksLikeMdf4(firstBytes: Uint8Array): boolean {
  const id = new TextDecoder("latin1").decode(firstBytes.subarray(0, 8));
  return id === "MDF     " || id === "UnFinMF ";
}

function gunzipPrefix(bytes: Uint8Array): Uint8Array {
  try {
    // A sync flush accepts a truncated stream: only the beginning is needed.
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return new Uint8Array(0);
  }
}

function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return "an empty file";
  const head = bytes.subarray(0, 8);
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = new TextDecoder("latin1").decode(head).replace(/[^\x20-\x7e]/g, ".");
  return `bytes ${hex} ("${text}")`;
}
