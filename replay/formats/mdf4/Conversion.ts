import type { BlockReader, Origin } from "./BlockReader.js";
import { readText } from "./readText.js";

/**
 * A channel conversion (CC block) in the form the decoder applies it. Values follow the
 * spec's cc_type numbering: 0 identity, 1 linear, 2 rational, 3 algebraic, 4/5 value to value
 * with/without interpolation, 6 value range to value, 7 value to text, 8 value range to text.
 */
export type Conversion =
  | { type: "identity" }
  | { type: "linear"; factor: number; offset: number }
  | { type: "rational"; p: readonly number[] }
  | { type: "table"; interpolate: boolean; keys: number[]; values: number[] }
  | { type: "range"; mins: number[]; maxs: number[]; values: number[]; fallback: number }
  | { type: "valueText"; keys: number[]; refs: TextRef[]; fallback: TextRef }
  | { type: "rangeText"; mins: number[]; maxs: number[]; refs: TextRef[]; fallback: TextRef }
  | { type: "unsupported"; ccType: number; offset: number };

/** Target of a text conversion entry: a text, a nested scale conversion, or nothing. */
export type TextRef = string | Conversion | null;

export const IDENTITY: Conversion = { type: "identity" };

const MAX_DEPTH = 4;

/** Reads the CC block at `link` (0 = identity), nested scale conversions included. */
export async function readConversion(
  blocks: BlockReader,
  link: number,
  from: Origin,
  depth = 0,
): Promise<Conversion> {
  if (link === 0) return IDENTITY;
  if (depth > MAX_DEPTH) {
    throw blocks.fail(from.where, from.offset, `expected conversions nested at most ${MAX_DEPTH}` +
      " deep, found deeper (a cycle?)");
  }
  const cc = await blocks.block(link, ["##CC"], from, 24);
  const type = cc.view.getUint8(0);
  const refCount = cc.view.getUint16(4, true);
  const valCount = cc.view.getUint16(6, true);
  if (cc.bytes.length < 24 + 8 * valCount || cc.links.length < 4 + refCount) {
    throw blocks.fail("##CC", link, `expected ${valCount} values and ${refCount} refs, found ` +
      `${cc.bytes.length - 24} value bytes and ${cc.links.length - 4} refs`);
  }
  const vals: number[] = [];
  for (let i = 0; i < valCount; i++) vals.push(cc.view.getFloat64(24 + 8 * i, true));
  const refLinks = cc.links.slice(4, 4 + refCount);
  const here = { where: "##CC", offset: link };
  const refs = async (): Promise<TextRef[]> => {
    const out: TextRef[] = [];
    for (const ref of refLinks) out.push(await readTextRef(blocks, ref, here, depth));
    return out;
  };
  return build(type, vals, refs, link);
}

async function build(
  type: number,
  v: number[],
  refs: () => Promise<TextRef[]>,
  offset: number,
): Promise<Conversion> {
  switch (type) {
    case 0:
      return IDENTITY;
    case 1:
      return { type: "linear", offset: v[0] ?? 0, factor: v[1] ?? 1 };
    case 2:
      return { type: "rational", p: v.slice(0, 6) };
    case 4:
    case 5:
      return { type: "table", interpolate: type === 4, keys: even(v), values: odd(v) };
    case 6: {
      const n = Math.floor(v.length / 3);
      const t = v.slice(0, 3 * n);
      return {
        type: "range",
        mins: t.filter((_, i) => i % 3 === 0),
        maxs: t.filter((_, i) => i % 3 === 1),
        values: t.filter((_, i) => i % 3 === 2),
        fallback: v[3 * n] ?? Number.NaN,
      };
    }
    case 7: {
      const r = await refs();
      return { type: "valueText", keys: v, refs: r.slice(0, v.length), fallback: r[v.length] ?? null };
    }
    case 8: {
      const r = await refs();
      const n = Math.floor(v.length / 2);
      return {
        type: "rangeText", mins: even(v), maxs: odd(v), refs: r.slice(0, n), fallback: r[n] ?? null,
      };
    }
    default:
      return { type: "unsupported", ccType: type, offset };
  }
}

async function readTextRef(blocks: BlockReader, link: number, from: Origin, depth: number):
  Promise<TextRef> {
  if (link === 0) return null;
  const head = await blocks.header(link, ["##TX", "##MD", "##CC"], from);
  if (head.id === "##CC") return readConversion(blocks, link, from, depth + 1);
  return readText(blocks, link, from);
}

function even(v: number[]): number[] {
  return v.filter((_, i) => i % 2 === 0);
}

function odd(v: number[]): number[] {
  return v.filter((_, i) => i % 2 === 1);
}

/** Physical value of `raw`; text conversions give strings. */
export function convert(conv: Conversion, raw: number): number | string {
  switch (conv.type) {
    case "identity":
      return raw;
    case "linear":
      return conv.factor * raw + conv.offset;
    case "rational": {
      const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 1] = conv.p;
      return (a * raw * raw + b * raw + c) / (d * raw * raw + e * raw + f);
    }
    case "table":
      return lookupTable(conv.keys, conv.values, raw, conv.interpolate);
    case "range": {
      const i = rangeIndex(conv.mins, conv.maxs, raw);
      return i >= 0 ? (conv.values[i] as number) : conv.fallback;
    }
    case "valueText": {
      const i = conv.keys.indexOf(raw);
      return resolveRef(i >= 0 ? (conv.refs[i] ?? null) : conv.fallback, raw);
    }
    case "rangeText": {
      const i = rangeIndex(conv.mins, conv.maxs, raw);
      return resolveRef(i >= 0 ? (conv.refs[i] ?? null) : conv.fallback, raw);
    }
    case "unsupported":
      return Number.NaN;
  }
}

// An entry without text (a null link, also as default) stands for the empty text.
function resolveRef(ref: TextRef, raw: number): number | string {
  if (ref === null) return "";
  return typeof ref === "string" ? ref : convert(ref, raw);
}

// Value to value: exact key, else the nearest key (without interpolation) or the straight line
// between the neighbours (with), clamped at both ends, as the spec describes for cc_type 4/5.
function lookupTable(keys: number[], values: number[], raw: number, interp: boolean): number {
  const n = keys.length;
  if (n === 0) return raw;
  if (raw <= (keys[0] as number)) return values[0] as number;
  if (raw >= (keys[n - 1] as number)) return values[n - 1] as number;
  let i = 1;
  while ((keys[i] as number) < raw) i++;
  const k0 = keys[i - 1] as number;
  const k1 = keys[i] as number;
  const v0 = values[i - 1] as number;
  const v1 = values[i] as number;
  if (raw === k1) return v1;
  if (interp) return v0 + ((v1 - v0) * (raw - k0)) / (k1 - k0);
  return raw - k0 <= k1 - raw ? v0 : v1;
}

// Ranges are taken as closed [min, max] for integers and floats alike; the spec's half-open
// form for floats differs only for a value exactly on an upper bound.
function rangeIndex(mins: number[], maxs: number[], raw: number): number {
  for (let i = 0; i < mins.length; i++) {
    if (raw >= (mins[i] as number) && raw <= (maxs[i] as number)) return i;
  }
  return -1;
}

/** Short text for describe(): `linear 0.1*x+0`, `value-to-text (3)`... */
export function describeConversion(conv: Conversion): string | undefined {
  switch (conv.type) {
    case "identity":
      return undefined;
    case "linear":
      return `linear ${conv.factor}*x+${conv.offset}`;
    case "rational":
      return "rational";
    case "table":
      return `value-to-value${conv.interpolate ? " interpolated" : ""} (${conv.keys.length})`;
    case "range":
      return `range-to-value (${conv.mins.length})`;
    case "valueText":
      return `value-to-text (${conv.keys.length})`;
    case "rangeText":
      return `range-to-text (${conv.mins.length})`;
    case "unsupported":
      return `cc_type ${conv.ccType} (unsupported)`;
  }
}
