import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../../../../replay/formats/FormatError.js";
import { openMdf4 } from "../../../../replay/formats/mdf4/Mdf4Reader.js";
import { memorySource } from "./mdf4Builder.js";
import { canFile, signalFile } from "./mdf4Fixtures.js";

const seeds: [string, Uint8Array][] = [
  ["DT", signalFile(40)],
  ["DL of DT", signalFile(40, { data: "dl" })],
  ["transposed DZ", signalFile(40, { data: "dz-transposed" })],
  ["CAN", canFile([
    [{ t: 0.001, id: 0x100, ide: false, data: [1, 2], bus: 1 }],
    [{ t: 0.002, id: 0x1abcdef, ide: true, data: [1, 2, 3, 4, 5, 6, 7, 8], bus: 2 }],
  ])],
];

/** Everything a caller can ask of a reader: describe, every channel, every frame. */
async function readEverything(bytes: Uint8Array): Promise<void> {
  const reader = await openMdf4(memorySource(bytes));
  const d = reader.describe();
  for (const [g, group] of d.groups.entries()) {
    for (const ch of group.channels ?? []) {
      for await (const _ of reader.readSignal(g, ch.name)) { /* drain */ }
    }
  }
  for await (const _ of reader.batches()) { /* drain */ }
}

type Edit = { kind: "flip" | "cut" | "word"; at: number; value: number };

// Whole 8-byte fields (links, lengths, counts) set to values that hit the interesting cases:
// zero, the ID block, inside the file, just past it, far away.
const mutation: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({
    kind: fc.constant("word" as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0, 1, 8, 24, 64, 2 ** 32 - 1, 2 ** 40), fc.nat(4096)),
  }),
);

function mutate(seed: Uint8Array, edits: Edit[]): Uint8Array {
  let bytes = Uint8Array.from(seed);
  for (const e of edits) {
    if (bytes.length < 8) break;
    const at = e.at % bytes.length;
    if (e.kind === "flip") bytes[at] = e.value;
    else if (e.kind === "cut") bytes = bytes.subarray(0, at);
    else {
      const word = Math.min(at - (at % 8), bytes.length - 8);
      new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(word, BigInt(e.value), true);
    }
  }
  return bytes;
}

describe("Mdf4Reader under mutated input", () => {
  it.each(seeds)("%s: reads or throws a FormatError, quickly", async (_name, seed) => {
    await readEverything(seed);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (edits) => {
        const bytes = mutate(seed, edits);
        const started = performance.now();
        try {
          await readEverything(bytes);
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
        }
        expect(performance.now() - started).toBeLessThan(2000);
      }),
      { numRuns: 400 },
    );
  });
});
