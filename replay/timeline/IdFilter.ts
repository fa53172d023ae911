import { ReplayOptionError } from "../ReplayOptionError.js";

interface IdRule {
  exclude: boolean;
  matches(id: number): boolean;
}

/**
 * CAN ID filters in can-utils' notation, IDs in hex: `123` one ID, `100-1FF` a range,
 * `123:7F0` id:mask (match when `frame & mask == id & mask`), `123~7F0` its inverse, and a
 * leading `!` that turns any rule into an exclusion. A frame passes when it matches one of the
 * inclusions (or there are none) and none of the exclusions.
 */
export class IdFilter {
  private constructor(
    private readonly includes: readonly IdRule[],
    private readonly excludes: readonly IdRule[],
  ) {}

  static parse(specs: readonly string[]): IdFilter {
    const rules = specs.flatMap((spec) => spec.split(",")).filter((s) => s.trim() !== "");
    const parsed = rules.map(parseRule);
    return new IdFilter(
      parsed.filter((r) => !r.exclude),
      parsed.filter((r) => r.exclude),
    );
  }

  get isEmpty(): boolean {
    return this.includes.length === 0 && this.excludes.length === 0;
  }

  accepts(id: number): boolean {
    if (this.includes.length > 0 && !this.includes.some((r) => r.matches(id))) return false;
    return !this.excludes.some((r) => r.matches(id));
  }
}

function parseRule(raw: string): IdRule {
  const spec = raw.trim();
  const negated = spec.startsWith("!");
  const body = negated ? spec.slice(1) : spec;
  const mask = /^([0-9a-f]+|0x[0-9a-f]+)([:~])([0-9a-f]+|0x[0-9a-f]+)$/i.exec(body);
  if (mask) {
    const id = hex(mask[1] as string, raw);
    const m = hex(mask[3] as string, raw);
    const inverted = mask[2] === "~";
    return { exclude: negated !== inverted, matches: (x) => (x & m) >>> 0 === (id & m) >>> 0 };
  }
  const range = /^([0-9a-fx]+)-([0-9a-fx]+)$/i.exec(body);
  if (range) {
    const lo = hex(range[1] as string, raw);
    const hi = hex(range[2] as string, raw);
    if (lo > hi) throw new ReplayOptionError(`--id-filter ${raw}: range runs backwards`);
    return { exclude: negated, matches: (x) => x >= lo && x <= hi };
  }
  const id = hex(body, raw);
  return { exclude: negated, matches: (x) => x === id };
}

function hex(text: string, spec: string): number {
  const digits = text.replace(/^0x/i, "");
  if (!/^[0-9a-f]{1,8}$/i.test(digits)) {
    throw new ReplayOptionError(
      `--id-filter ${spec}: expected hex IDs as 123, 100-1FF, 123:7FF or 123~7FF, found "${text}"`,
    );
  }
  const value = parseInt(digits, 16);
  if (value > 0x1fffffff) throw new ReplayOptionError(`--id-filter ${spec}: ${text} exceeds 29 bits`);
  return value;
}
