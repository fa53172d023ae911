import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detranspose } from "../../../../replay/formats/mdf4/detranspose.js";
import { transposeRecords } from "../../../../replay/formats/mdf4/transposeRecords.js";

describe("detranspose", () => {
  it("undoes the writer's transposition for any record size and tail", () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 4000 }),
      fc.integer({ min: 1, max: 96 }),
      (data, columns) => {
        const back = detranspose(transposeRecords(data, columns), columns);
        expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
      },
    ), { numRuns: 2000 });
  });

  it("reads column-major bytes back into records", () => {
    // Two records of 4 bytes, stored column by column, and a 1-byte tail stored as is.
    const stored = Uint8Array.of(1, 5, 2, 6, 3, 7, 4, 8, 9);
    expect([...detranspose(stored, 4)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
