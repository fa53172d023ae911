import type { SampleMessage } from "./SampleMessage.js";

/**
 * The payload of `message` with physical `values` (missing ones are 0) scaled, clamped to each
 * signal's min/max and packed Intel-order, the way a DBC decoder will read them back.
 */
export function packSignals(
  message: SampleMessage,
  values: Readonly<Record<string, number>>,
): Uint8Array {
  const data = new Uint8Array(message.length).fill(message.fill);
  for (const signal of message.signals) {
    const physical = Math.min(signal.max, Math.max(signal.min, values[signal.name] ?? 0));
    let raw = Math.round((physical - signal.offset) / signal.factor);
    if (signal.signed && raw < 0) raw += 2 ** signal.length;
    for (let bit = 0; bit < signal.length; bit++) {
      const at = signal.startBit + bit;
      const mask = 1 << (at % 8);
      const index = at >> 3;
      const set = Math.floor(raw / 2 ** bit) % 2 === 1;
      data[index] = set ? (data[index] as number) | mask : (data[index] as number) & ~mask;
    }
  }
  return data;
}
