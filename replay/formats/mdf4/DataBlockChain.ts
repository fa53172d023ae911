import { deflateSync } from "node:zlib";
import type { BlockFile } from "./BlockFile.js";
import { dataSection, encodeBlock, encodeBlockHeader } from "./encodeBlock.js";
import { transposeRecords } from "./transposeRecords.js";

export type Mdf4Compression = "none" | "deflate" | "transposed-deflate";

/** DZ zip_type codes. */
const ZIP_TYPE = { deflate: 0, transposedDeflate: 1 } as const;

/** One data block as the DL lists it: file offset and offset within the group's record data. */
export interface ChainedBlock {
  offset: number;
  dataOffset: number;
}

/**
 * The records of one channel group, buffered and written as a chain of DT or DZ blocks of
 * `blockBytes` (record data) each. Memory is one block buffer per group whatever the file size;
 * the offsets of the written blocks are kept for the DL written at close.
 */
export class DataBlockChain {
  readonly blocks: ChainedBlock[] = [];
  records = 0;

  private buffer: Uint8Array | null = null;
  private view: DataView | null = null;
  private used = 0;
  private written = 0;

  constructor(
    private readonly file: BlockFile,
    readonly recordBytes: number,
    private readonly blockBytes: number,
    private readonly compression: Mdf4Compression,
  ) {}

  /** hl_zip_type of the blocks, or null for DT. */
  get zipType(): 0 | 1 | null {
    if (this.compression === "none") return null;
    return this.compression === "deflate" ? ZIP_TYPE.deflate : ZIP_TYPE.transposedDeflate;
  }

  /** Room for the next record: returns the buffer, its view and the record's offset in it. */
  nextRecord(): { bytes: Uint8Array; view: DataView; at: number } {
    if (this.buffer === null || this.view === null) {
      this.buffer = new Uint8Array(this.blockBytes);
      this.view = new DataView(this.buffer.buffer);
    }
    if (this.used + this.recordBytes > this.buffer.length) {
      this.flush();
    }
    const at = this.used;
    this.used += this.recordBytes;
    this.records++;
    return { bytes: this.buffer, view: this.view, at };
  }

  /** Writes what is buffered as one block. */
  flush(): void {
    if (this.buffer === null || this.used === 0) return;
    const data = this.buffer.subarray(0, this.used);
    this.blocks.push({ offset: this.append(data), dataOffset: this.written });
    this.written += this.used;
    this.used = 0;
  }

  private append(data: Uint8Array): number {
    if (this.compression !== "none") return this.file.append(this.dz(data));
    // Header and records go out separately: no copy of a block-sized buffer. Records are whole
    // multiples of 8 bytes, so the block needs no padding.
    const offset = this.file.append(encodeBlockHeader("##DT", data.length));
    this.file.append(data);
    return offset;
  }

  private dz(data: Uint8Array): Uint8Array {
    const transposed = this.compression === "transposed-deflate";
    const packed = deflateSync(transposed ? transposeRecords(data, this.recordBytes) : data);
    // dz_org_block_type, dz_zip_type, reserved, dz_zip_parameter, dz_org_data_length,
    // dz_data_length, then the zlib stream.
    const { bytes, view } = dataSection(24 + packed.length);
    bytes[0] = "D".charCodeAt(0);
    bytes[1] = "T".charCodeAt(0);
    bytes[2] = transposed ? ZIP_TYPE.transposedDeflate : ZIP_TYPE.deflate;
    view.setUint32(4, transposed ? this.recordBytes : 0, true);
    view.setBigUint64(8, BigInt(data.length), true);
    view.setBigUint64(16, BigInt(packed.length), true);
    bytes.set(packed, 24);
    return encodeBlock("##DZ", [], bytes);
  }
}
