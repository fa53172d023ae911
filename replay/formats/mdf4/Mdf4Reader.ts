import type { GroupDescription, LogDescription, LogReader, ReadOptions } from "../LogReader.js";
import type { LogRecord } from "../LogRecord.js";
import type { ByteSource } from "../../sources/ByteSource.js";
import { BlockReader } from "./BlockReader.js";
import { canDataGroupRecords } from "./canDataGroupRecords.js";
import { CanGroupDecoder, canLayout } from "./CanGroupDecoder.js";
import { fitsRecord } from "./ChannelReader.js";
import { describeConversion } from "./Conversion.js";
import { listFragments, type Fragment, type FragmentList } from "./DataFragments.js";
import { dataChunks } from "./DataStream.js";
import { readHeader, type Mdf4Header } from "./Mdf4Header.js";
import {
  CG_VLSD, flattenChannels, readDataGroups, type Mdf4Channel, type Mdf4ChannelGroup,
  type Mdf4DataGroup,
} from "./Mdf4Structure.js";
import { mergeByTime } from "./mergeByTime.js";
import { scanRecords, type RecordHandler } from "./scanRecords.js";
import { SignalDecoder, type SignalSample } from "./SignalDecoder.js";
import { StreamReader } from "./StreamReader.js";

const DATA_TYPES = [
  "uint-le", "uint-be", "int-le", "int-be", "float-le", "float-be", "string-latin1",
  "string-utf8", "string-utf16le", "string-utf16be", "bytes", "mime-sample", "mime-stream",
  "canopen-date", "canopen-time", "complex-le", "complex-be",
];

// Read windows share this budget across the data groups read at once (read-ahead doubles it).
// 256 KiB windows gave the lowest RSS (~100 MB against ~180 MB for 1 MiB on a 300 MB log) at
// the same speed: a window stays alive until the last frame viewing it is collected.
const WINDOW_BUDGET = 4 * 1024 * 1024;
const MAX_WINDOW = 256 * 1024;
const MIN_WINDOW = 64 * 1024;

/**
 * Reads an MDF 4.00–4.20 file over a ByteSource. Opening reads the block tree only; data is
 * read in windows when `batches()` or `readSignal()` runs.
 */
export class Mdf4Reader implements LogReader {
  readonly name: string;
  readonly startNs: bigint;

  private constructor(
    private readonly source: ByteSource,
    private readonly blocks: BlockReader,
    readonly header: Mdf4Header,
    readonly dataGroups: Mdf4DataGroup[],
    private readonly fragments: FragmentList[],
  ) {
    this.name = source.name;
    this.startNs = header.startNs;
  }

  static async open(source: ByteSource): Promise<Mdf4Reader> {
    const blocks = new BlockReader(source, source.name, await source.size());
    const header = await readHeader(blocks);
    blocks.strictLengths = header.finalized;
    const dataGroups = await readDataGroups(blocks, header.firstDataGroup);
    const fragments: FragmentList[] = [];
    for (const dg of dataGroups) {
      const list = await listFragments(blocks, dg.dataLink, "##DT",
        { where: "##DG", offset: dg.offset });
      // The first block tells the compression; the rest are read when the stream gets there.
      if (list.count > 0) await list.at(0);
      if (!header.finalized && list.count > 0) {
        extendLastBlock(blocks, await list.at(list.count - 1));
      }
      fragments.push(list);
    }
    return new Mdf4Reader(source, blocks, header, dataGroups, fragments);
  }

  /** Every channel group, in file order (the `group` numbers of `readSignal`). */
  get channelGroups(): Mdf4ChannelGroup[] {
    return this.dataGroups.flatMap((dg) => dg.groups);
  }

  /**
   * Compression of the data blocks: `none`, `deflate`, `transposed-deflate`. Block headers are
   * read lazily: before a full read this knows each data group's first block only.
   */
  get compression(): string[] {
    const kinds = new Set<string>();
    for (const f of this.fragments.flatMap((list) => list.known())) {
      kinds.add(f.zipType < 0 ? "none" : f.zipType === 0 ? "deflate" : "transposed-deflate");
    }
    return [...kinds];
  }

  describe(): LogDescription {
    const h = this.header;
    return {
      format: "mdf4",
      version: h.version,
      producer: h.program,
      finalized: h.finalized,
      compression: this.compression,
      groups: this.channelGroups.map((cg) => describeGroup(cg)),
      details: {
        comment: h.comment,
        tzOffsetMin: h.tzOffsetMin,
        dstOffsetMin: h.dstOffsetMin,
        timeFlags: h.timeFlags,
        unfinalizedFlags: h.unfinalizedFlags,
        ...(this.blocks.cutShort.length > 0 ? { cutShort: [...this.blocks.cutShort] } : {}),
      },
    };
  }

  /** CAN frames of all CAN_DataFrame/RemoteFrame/ErrorFrame groups, merged in time order. */
  async *batches(options: ReadOptions = {}): AsyncGenerator<readonly LogRecord[]> {
    const sources: AsyncIterable<LogRecord[]>[] = [];
    const perGroup = this.dataGroups.map((dg) => this.canDecoders(dg));
    const active = perGroup.filter((d, i) => d.length > 0 && (this.fragments[i]?.count ?? 0) > 0);
    const window = windowFor(active.length);
    for (const [i, dg] of this.dataGroups.entries()) {
      const decoders = perGroup[i] ?? [];
      const fragments = this.fragments[i];
      if (decoders.length === 0 || fragments === undefined || fragments.count === 0) continue;
      await this.attachVlsd(dg, decoders);
      sources.push(canDataGroupRecords(this.blocks, dg, fragments, decoders, window));
    }
    const from = options.fromNs ?? Number.NEGATIVE_INFINITY;
    for await (const batch of mergeByTime(sources)) {
      if (from === Number.NEGATIVE_INFINITY) yield batch;
      else {
        const kept = batch.filter((r) => r.timeNs >= from);
        if (kept.length > 0) yield kept;
      }
    }
  }

  /**
   * Samples of one channel (by name, structure members included) of channel group `group`
   * (file order, as in `describe().groups`), with its conversion applied.
   */
  async *readSignal(group: number, channel: string): AsyncGenerator<SignalSample[]> {
    const cg = this.channelGroups[group];
    if (cg === undefined) throw new RangeError(`no channel group ${group} in ${this.name}`);
    const ch = flattenChannels(cg.channels).find((c) => c.name === channel);
    if (ch === undefined) throw new RangeError(`no channel ${channel} in group ${group}`);
    const dg = cg.dataGroup;
    const decoder = new SignalDecoder(this.blocks, cg, ch, dg.recordIdSize === 0);
    const handlers = new Map<number, RecordHandler>([[cg.recordId, decoder]]);
    const vlsd = await this.vlsdTarget(dg, ch);
    if (vlsd?.kind === "group") handlers.set(vlsd.recordId, decoder.vlsdHandler());
    if (vlsd?.kind === "sd") decoder.sd = vlsd.reader;
    const fragments = this.fragments[dg.index];
    if (fragments === undefined) throw new RangeError(`no data group ${dg.index} in ${this.name}`);
    if (ch.type === 1 && vlsd === undefined && (await fragments.all()).some((f) => f.length > 0)) {
      throw this.blocks.fail("##CN", ch.offset, `expected cn_data of VLSD channel ${ch.name}, found 0`);
    }
    const chunks = dataChunks(this.blocks, fragments, MAX_WINDOW);
    for await (const _ of scanRecords(this.blocks, dg, chunks, handlers)) {
      await decoder.resolveFromSd();
      const samples = decoder.take();
      if (samples.length > 0) yield samples;
    }
    const rest = decoder.take();
    if (rest.length > 0) yield rest;
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private canDecoders(dg: Mdf4DataGroup): CanGroupDecoder[] {
    const out: CanGroupDecoder[] = [];
    for (const cg of dg.groups) {
      const layout = canLayout(cg);
      if (layout === undefined) continue;
      for (const ch of [...cg.channels, ...layout.struct.members]) {
        if (!fitsRecord(ch, cg.dataBytes)) {
          throw this.blocks.fail("##CN", ch.offset, `expected ${ch.name} inside the ` +
            `${cg.dataBytes}-byte record of ${cg.name}, found byte ${ch.byteOffset}, ` +
            `${ch.bitCount} bits`);
        }
      }
      out.push(new CanGroupDecoder(this.blocks, cg, layout.kind, layout.struct));
    }
    return out;
  }

  private async attachVlsd(dg: Mdf4DataGroup, decoders: CanGroupDecoder[]): Promise<void> {
    for (const d of decoders) {
      const layout = canLayout(d.cg);
      const bytes = layout ? CanGroupDecoder.vlsdBytes(layout.struct) : undefined;
      if (bytes === undefined) continue;
      const target = await this.vlsdTarget(dg, bytes);
      if (target?.kind === "group") d.vlsd = { recordId: target.recordId, handler: d.vlsdHandler() };
      else if (target?.kind === "sd") d.sd = target.reader;
    }
  }

  /** Where a VLSD channel's values are: a VLSD channel group of the data group, or an SD stream. */
  private async vlsdTarget(dg: Mdf4DataGroup, ch: Mdf4Channel): Promise<
    { kind: "group"; recordId: number } | { kind: "sd"; reader: StreamReader } | undefined> {
    if (ch.type !== 1) return undefined;
    const here = { where: "##CN", offset: ch.offset };
    // A VLSD channel without cn_data is only wrong once a record refers to it.
    if (ch.dataLink === 0) return undefined;
    const head = await this.blocks.header(ch.dataLink,
      ["##CG", "##SD", "##DZ", "##DL", "##HL"], here);
    if (head.id === "##CG") {
      const cg = dg.groups.find((g) => g.offset === ch.dataLink && (g.flags & CG_VLSD) !== 0);
      if (cg === undefined) {
        throw this.blocks.fail("##CN", ch.offset, `expected cn_data to name a VLSD channel group ` +
          `of the same data group, found ##CG at ${ch.dataLink}`);
      }
      return { kind: "group", recordId: cg.recordId };
    }
    const fragments = await (await listFragments(this.blocks, ch.dataLink, "##SD", here)).all();
    return { kind: "sd", reader: new StreamReader(this.blocks, fragments, MIN_WINDOW, "##SD") };
  }
}

/** Opens an MDF4 log: reads and checks the ID, HD and the DG/CG/CN tree. */
export function openMdf4(source: ByteSource): Promise<Mdf4Reader> {
  return Mdf4Reader.open(source);
}

/**
 * An unfinalized file (`UnFinMF `) was cut off while the logger appended to its last data
 * block, whose length field still holds an old value: that block runs to the end of the file.
 */
function extendLastBlock(blocks: BlockReader, last: Fragment): void {
  if (last.zipType < 0 && last.blockOffset === blocks.highestBlock) {
    last.length = last.storedLength = blocks.size - last.dataOffset;
  }
}

function windowFor(sources: number): number {
  const share = Math.floor(WINDOW_BUDGET / Math.max(1, sources));
  return Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, share));
}

function describeGroup(cg: Mdf4ChannelGroup): GroupDescription {
  const can = canLayout(cg);
  const kind = can?.kind ?? ((cg.flags & CG_VLSD) !== 0 ? "vlsd" : "signals");
  const desc: GroupDescription = {
    name: cg.name,
    kind,
    count: cg.cycleCount,
    channels: flattenChannels(cg.channels).map((c) => {
      const conversion = describeConversion(c.conversion);
      return {
        name: c.name,
        ...(c.unit ? { unit: c.unit } : {}),
        dataType: DATA_TYPES[c.dataType] ?? `cn_data_type ${c.dataType}`,
        bits: c.bitCount,
        ...(conversion ? { conversion } : {}),
        master: c.type === 2 || c.type === 3,
      };
    }),
  };
  if (cg.sourceName) desc.type = cg.sourceName;
  return desc;
}
