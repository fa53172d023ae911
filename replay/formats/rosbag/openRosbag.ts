import { Bag } from "@foxglove/rosbag";
import type { ByteSource } from "../../sources/ByteSource.js";
import { FormatError, UnsupportedError } from "../FormatError.js";
import { ByteSourceFilelike } from "./ByteSourceFilelike.js";
import { looksLikeRosbag } from "./looksLikeRosbag.js";
import { RosbagReader } from "./RosbagReader.js";
import { readHeaderFields } from "./readHeaderFields.js";
import { rosbagDecompress } from "./rosbagDecompress.js";
import { toFormatError } from "./toFormatError.js";

const MAGIC = "#ROSBAG V2.0\n";
/** The bag header record follows the version line. */
const HEADER_OFFSET = MAGIC.length;

/**
 * Opens a ROS1 bag (format 2.0) from its index: the bag header, then the connection and chunk
 * info records at `index_pos`. Messages are read chunk by chunk later. The reader owns `source`
 * and closes it.
 */
export async function openRosbag(source: ByteSource): Promise<RosbagReader> {
  const size = await source.size();
  await checkMagic(source);
  const bag = new Bag(new ByteSourceFilelike(source, size), { parse: false });
  const header = await readHeader(source.name, bag, size);
  await readIndex(source, bag, header.indexPosition, size);
  checkChunkPositions(source.name, bag, header.indexPosition);
  linkChunksInFileOrder(bag);

  const compression = await firstChunkCompression(source, bag);
  return new RosbagReader(source, bag, await rosbagDecompress(), compression);
}

async function checkMagic(source: ByteSource): Promise<void> {
  const first = await source.read(0, HEADER_OFFSET);
  const found = new TextDecoder().decode(first);
  if (found === MAGIC) return;
  if (looksLikeRosbag(first)) {
    throw new UnsupportedError(source.name, "version line", 0, `bag ${found.trim()}, not V2.0`);
  }
  throw new FormatError(source.name, "version line", 0, `expected ${JSON.stringify(MAGIC)}, ` +
    `found ${JSON.stringify(found)}`);
}

async function readHeader(name: string, bag: Bag, size: number) {
  let header;
  try {
    header = await bag.reader.readHeader();
  } catch (err) {
    throw toFormatError(name, "bag header record", HEADER_OFFSET, err);
  }
  if (header.indexPosition === 0) {
    throw new UnsupportedError(name, "bag header record", HEADER_OFFSET,
      "index_pos is 0: the recorder never finished this bag (reindex it with `rosbag reindex`)");
  }
  if (header.indexPosition > size) {
    throw new FormatError(name, "bag header record", HEADER_OFFSET,
      `expected index_pos inside the file (${size} bytes), found ${header.indexPosition}: ` +
      "the bag is truncated");
  }
  return header;
}

async function readIndex(
  source: ByteSource, bag: Bag, indexPosition: number, size: number,
): Promise<void> {
  try {
    await bag.open();
  } catch (err) {
    // The library's message ("Header fields are corrupt.") says neither where nor why; a bag
    // cut short is the usual cause, and the records' own lengths show it.
    throw await truncatedIndex(source, indexPosition, size)
      ?? toFormatError(source.name, "connection and chunk info records", indexPosition, err);
  }
}

/**
 * Walks the index records from `indexPosition` by their lengths (header length, header, data
 * length, data); the error for the first one that runs past the end of the file, if any.
 */
async function truncatedIndex(
  source: ByteSource, indexPosition: number, size: number,
): Promise<FormatError | undefined> {
  const u32 = async (at: number) => {
    const bytes = await source.read(at, 4);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  };
  for (let pos = indexPosition, n = 0; pos < size; n++) {
    // What is known of the record's length so far: its header length field, then the header
    // and the data length field, then the data.
    let length = 4;
    let whole = false;
    if (pos + length <= size) length += (await u32(pos)) + 4;
    if (pos + length <= size) {
      length += await u32(pos + length - 4);
      whole = true;
    }
    if (pos + length > size) {
      return new FormatError(source.name, `index record ${n}`, pos, `expected a record of ` +
        `${length} bytes${whole ? "" : " or more"}, found ${size - pos} before the end of the ` +
        "file (the bag is truncated)");
    }
    pos += length;
  }
  return undefined;
}

function checkChunkPositions(name: string, bag: Bag, indexPosition: number): void {
  bag.chunkInfos.forEach((info, i) => {
    if (info.chunkPosition < HEADER_OFFSET || info.chunkPosition >= indexPosition) {
      throw new FormatError(name, `chunk info ${i}`, info.offset ?? indexPosition,
        `expected chunk_pos between ${HEADER_OFFSET} and index_pos ${indexPosition}, ` +
        `found ${info.chunkPosition}`);
    }
  });
}

// The library reads a chunk up to the next chunk info's position, which is only right when the
// chunk infos are in file order; the spec does not promise that.
function linkChunksInFileOrder(bag: Bag): void {
  const infos = [...bag.chunkInfos].sort((a, b) => a.chunkPosition - b.chunkPosition);
  infos.forEach((info, i) => {
    info.nextChunk = infos[i + 1];
  });
}

// Chunk info records do not name the compression; the first chunk's header does. Recorders use
// one compression for a whole bag, so one small read stands for all chunks.
async function firstChunkCompression(source: ByteSource, bag: Bag): Promise<string[]> {
  const first = bag.chunkInfos[0];
  if (!first) return [];
  const bytes = await source.read(first.chunkPosition, 4096);
  try {
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
    const fields = readHeaderFields(bytes.subarray(4, 4 + headerLength));
    return [new TextDecoder().decode(fields.get("compression"))];
  } catch (err) {
    throw toFormatError(source.name, "chunk 0 record header", first.chunkPosition, err);
  }
}
