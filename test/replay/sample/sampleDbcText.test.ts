import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleDbcText } from "../../../replay/sample/sampleDbcText.js";
import { SAMPLE_MESSAGES } from "../../../replay/sample/sampleMessages.js";
import { repoRoot } from "../../support/sharedData.js";

const shipped = readFileSync(join(repoRoot, "config", "dbc", "roadrig-sample.dbc"), "utf8");

describe("the sample drive's DBC", () => {
  it("ships in config/dbc exactly as rendered from the message definitions", () => {
    expect(shipped).toBe(sampleDbcText());
  });

  it("declares every message with its DLC and the FD and extended frame formats", () => {
    const bo = [...shipped.matchAll(/^BO_ (\d+) (\w+): (\d+) \w+$/gm)];
    expect(bo.map((m) => m[2])).toEqual(SAMPLE_MESSAGES.map((m) => m.name));
    expect(shipped).toContain('BA_ "VFrameFormat" BO_ 768 14;');
    expect(shipped).toMatch(/^BO_ 2566844672 CCVS1: 8 ECM$/m);
    expect(shipped).toMatch(/^VAL_ 448 GearSelector 3 "D" 2 "N" 1 "R" 0 "P" ;$/m);
    expect(shipped).toMatch(/^VAL_ 928 DoorFL .* 1 "Open" 0 "Closed" ;$/m);
  });

  it("gives every signal a unit, a range, and bits inside its message without overlap", () => {
    const number = String.raw`[-\d.e]+`;
    const line = String.raw`^ SG_ \w+ : \d+\|\d+@1[+-] \(${number},${number}\) `;
    const range = String.raw`\[${number}\|${number}\] "[^"]*" \w+$`;
    const sg = [...shipped.matchAll(new RegExp(line + range, "gm"))];
    expect(sg.length).toBe(SAMPLE_MESSAGES.reduce((n, m) => n + m.signals.length, 0));
    for (const message of SAMPLE_MESSAGES) {
      const used = new Set<number>();
      for (const signal of message.signals) {
        expect(signal.min).toBeLessThan(signal.max);
        for (let bit = signal.startBit; bit < signal.startBit + signal.length; bit++) {
          expect(used.has(bit), `${message.name}.${signal.name} bit ${bit}`).toBe(false);
          used.add(bit);
        }
        expect(signal.startBit + signal.length).toBeLessThanOrEqual(message.length * 8);
        const rawMax = (signal.max - signal.offset) / signal.factor;
        expect(rawMax).toBeLessThan(2 ** (signal.signed ? signal.length - 1 : signal.length));
      }
    }
  });
});
