import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { BlockFile } from "./BlockFile.js";
import { BusChannelMap } from "./BusChannelMap.js";
import {
  CAN_GROUPS,
  recordBytes,
  type CanGroupName,
  type DataBytesSize,
} from "./canRecordLayout.js";
import { DataBlockChain, type Mdf4Compression } from "./DataBlockChain.js";
import { encodeCanRecord } from "./encodeCanRecord.js";
import { encodeDataList } from "./encodeDataList.js";
import { encodeIdBlock, type Mdf4Version } from "./encodeIdBlock.js";
import { encodeValueToText } from "./encodeValueToText.js";
import { layoutBusLoggingHeader, type HeaderPatches } from "./layoutBusLoggingHeader.js";

export type { Mdf4Compression } from "./DataBlockChain.js";
export type { Mdf4Version } from "./encodeIdBlock.js";
export type { DataBytesSize } from "./canRecordLayout.js";

export interface Mdf4WriterOptions {
  /** Absolute time of `timeNs` 0 (HD start time), epoch nanoseconds. Default: now. */
  startNs?: bigint;
  /** Default `4.11`. */
  version?: Mdf4Version;
  /** Data blocks as DT (`none`, the default) or DZ. */
  compression?: Mdf4Compression;
  /** Record data per DT/DZ block; rounded down to whole records. Default 4 MiB. */
  blockBytes?: number;
  /** id_prog, at most 8 characters. Default `roadrig`. */
  program?: string;
  /** HD comment. */
  comment?: string;
  /**
   * Size of the fixed DataBytes array: 64 (the default) takes CAN FD frames; 8 makes records
   * of 24 bytes instead of 80 for logs known to hold classic frames only.
   */
  dataBytes?: DataBytesSize;
}

const DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Writes CAN frames as a finalized, sorted ASAM MDF4 bus log (layout: canRecordLayout). Frames
 * stream in through `write`; memory is one block buffer per frame type whatever the file's
 * size. `close` writes the data lists and patches counts and links. I/O is synchronous.
 */
export class Mdf4Writer {
  private readonly chains: Record<CanGroupName, DataBlockChain>;
  private readonly channels = new BusChannelMap();
  private lastTimeNs = 0;
  private closed = false;

  private constructor(
    private readonly file: BlockFile,
    private readonly patches: HeaderPatches,
    private readonly version: Mdf4Version,
    private readonly program: string,
    private readonly dataBytes: DataBytesSize,
    compression: Mdf4Compression,
    blockBytes: number,
  ) {
    const chain = (group: CanGroupName): DataBlockChain => {
      const size = recordBytes(group, dataBytes);
      const bytes = Math.max(1, Math.floor(blockBytes / size)) * size;
      return new DataBlockChain(file, size, bytes, compression);
    };
    this.chains = {
      CAN_DataFrame: chain("CAN_DataFrame"),
      CAN_RemoteFrame: chain("CAN_RemoteFrame"),
      CAN_ErrorFrame: chain("CAN_ErrorFrame"),
    };
  }

  static create(path: string, options: Mdf4WriterOptions = {}): Mdf4Writer {
    const version = options.version ?? "4.11";
    const program = options.program ?? "roadrig";
    const startNs = options.startNs ?? BigInt(Date.now()) * 1_000_000n;
    const dataBytes = options.dataBytes ?? 64;
    const header = layoutBusLoggingHeader({
      startNs,
      program,
      comment: options.comment ?? "CAN bus log",
      dataBytes,
    });
    const file = new BlockFile(path);
    try {
      file.append(encodeIdBlock(version, program, false));
      file.append(header.bytes);
    } catch (err) {
      file.close();
      throw err;
    }
    const compression = options.compression ?? "none";
    const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    return new Mdf4Writer(
      file,
      header.patches,
      version,
      program,
      dataBytes,
      compression,
      blockBytes,
    );
  }

  /** Frames written so far. */
  get frameCount(): number {
    return CAN_GROUPS.reduce((sum, group) => sum + this.chains[group].records, 0);
  }

  /**
   * Appends one frame at `timeNs` after the start. Times must not go backwards: the Timestamp
   * master of a sorted file rises within each group, and readers merge groups by it.
   */
  write(frame: CanFrame, timeNs: number): void {
    this.check(frame, timeNs);
    const group = groupOf(frame);
    const chain = this.chains[group];
    const busChannel = this.channels.numberOf(frame.channel);
    const { bytes, view, at } = chain.nextRecord();
    encodeCanRecord(frame, busChannel, timeNs / 1e9, bytes, view, at, chain.recordBytes);
    this.lastTimeNs = timeNs;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.finish();
    } finally {
      this.file.close();
    }
  }

  private finish(): void {
    for (const group of CAN_GROUPS) this.chains[group].flush();
    for (const group of CAN_GROUPS) {
      this.file.patchUint64(this.patches.dataLinkAt[group], this.writeDataList(group));
      this.file.patchUint64(this.patches.cycleCountAt[group], this.chains[group].records);
    }
    if (this.channels.hasNamedChannels) {
      const { bytes, cc } = encodeValueToText(this.file.size, this.channels.entries());
      this.file.append(bytes);
      for (const group of CAN_GROUPS) this.file.patchUint64(this.patches.busChannelCcAt[group], cc);
    }
    this.file.patch(0, encodeIdBlock(this.version, this.program, true));
  }

  /** The block dg_data links to: nothing, the lone DT, or a DL (under an HL for DZ). */
  private writeDataList(group: CanGroupName): number {
    const chain = this.chains[group];
    if (chain.blocks.length === 0) return 0;
    const zipType = chain.zipType;
    const lone = chain.blocks[0];
    if (zipType === null && chain.blocks.length === 1 && lone) return lone.offset;
    const { bytes, first } = encodeDataList(this.file.size, chain.blocks, zipType);
    this.file.append(bytes);
    return first;
  }

  private check(frame: CanFrame, timeNs: number): void {
    if (this.closed) throw new Error(`${this.file.path}: write after close`);
    if (!Number.isFinite(timeNs) || timeNs < this.lastTimeNs) {
      throw new RangeError(`${this.file.path}: time ${timeNs} ns is before ${this.lastTimeNs} ns`);
    }
    if (frame.data.length > this.dataBytes) {
      const limit = this.dataBytes;
      throw new RangeError(`${this.file.path}: ${frame.data.length} data bytes exceed ${limit}`);
    }
    if (frame.remote && !frame.error && frame.data.length > 0) {
      throw new RangeError(`${this.file.path}: a remote frame carries no data`);
    }
  }
}

function groupOf(frame: CanFrame): CanGroupName {
  if (frame.error) return "CAN_ErrorFrame";
  return frame.remote ? "CAN_RemoteFrame" : "CAN_DataFrame";
}
