import { fieldReader, type FieldReader } from "./FieldReader.js";
import { CN_MASTER, CN_VIRTUAL_MASTER, type Mdf4ChannelGroup } from "./Mdf4Structure.js";

const SYNC_TIME = 1;

/** The time master of a group: cn_type 2 or 3 with cn_sync_type 1 (time, seconds). */
export function timeMaster(cg: Mdf4ChannelGroup): Mdf4ChannelGroup["channels"][number] | undefined {
  return cg.channels.find((c) =>
    (c.type === CN_MASTER || c.type === CN_VIRTUAL_MASTER) && c.syncType === SYNC_TIME);
}

/**
 * Record time in whole nanoseconds from the master channel. A linear conversion is folded into
 * one multiply-add in nanoseconds, so integer tick masters (µs, ns) stay exact.
 */
export function timeReader(cg: Mdf4ChannelGroup): FieldReader | undefined {
  const master = timeMaster(cg);
  if (master === undefined) return undefined;
  const conv = master.conversion;
  if (master.type === CN_MASTER && (conv.type === "linear" || conv.type === "identity")) {
    const seconds = fieldReader({ ...master, conversion: { type: "identity" } });
    if (seconds === undefined) return undefined;
    const scale = conv.type === "linear" ? conv.factor * 1e9 : 1e9;
    const offset = conv.type === "linear" ? conv.offset * 1e9 : 0;
    return (b, v, p, i) => Math.round(seconds(b, v, p, i) * scale + offset);
  }
  const seconds = fieldReader(master);
  if (seconds === undefined) return undefined;
  return (b, v, p, i) => Math.round(seconds(b, v, p, i) * 1e9);
}
