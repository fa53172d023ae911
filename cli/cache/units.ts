/**
 * Sizes, durations and bandwidths as people type them. Decimal prefixes (k, M, G, T) are
 * powers of 1000 and binary ones (Ki, Mi, Gi, Ti) powers of 1024, as in IEC 80000-13; a
 * bandwidth in bits (`Gbit/s`, `Gbps`) is a network link, one in bytes (`MB/s`) a disk.
 */
const prefixes: Record<string, number> = {
  "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
};

/** Bytes in "500GB", "1.5 TiB", "123" (bytes). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKMGTP]i?)?(B|bytes?)?\s*$/.exec(text);
  const factor = prefixes[m?.[2] ?? ""];
  if (!m || factor === undefined) {
    throw new Error(`expected a size like 500GB or 1.5TiB, found ${JSON.stringify(text)}`);
  }
  return Number(m[1]) * factor;
}

const seconds: Record<string, number> = {
  ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86400, w: 604800,
};

/** Seconds in "8h", "1d12h", "90min", "45s", "1.5h"; a bare number is seconds. */
export function parseDuration(text: string): number {
  const parts = text.trim().match(/\d+(?:\.\d+)?\s*[a-z]*/g);
  if (parts === null || parts.join("").replace(/\s/g, "") !== text.replace(/\s/g, "")) {
    throw new Error(`expected a duration like 8h or 1d12h, found ${JSON.stringify(text)}`);
  }
  let total = 0;
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(part);
    const unit = seconds[m?.[2] || "s"];
    if (!m || unit === undefined) {
      throw new Error(`expected a duration like 8h or 1d12h, found ${JSON.stringify(text)}`);
    }
    total += Number(m[1]) * unit;
  }
  if (!(total > 0)) throw new Error(`expected a duration above zero, found ${JSON.stringify(text)}`);
  return total;
}

/** Bits per second in "10Gbit/s", "10 Gbps", "1.25GB/s" (bytes: ×8), "100Mb/s". */
export function parseBandwidth(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKMGTP]i?)?(bit\/s|bps|b\/s|B\/s|Bps)\s*$/.exec(text);
  const factor = prefixes[m?.[2] ?? ""];
  if (!m || factor === undefined) {
    throw new Error(`expected a bandwidth like 10Gbit/s or 500MB/s, found ${JSON.stringify(text)}`);
  }
  const bytes = m[3] === "B/s" || m[3] === "Bps";
  return Number(m[1]) * factor * (bytes ? 8 : 1);
}

function scaled(value: number, unit: string, base: number, names: string[]): string {
  let v = value;
  let i = 0;
  while (Math.abs(v) >= base && i < names.length - 1) {
    v /= base;
    i++;
  }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${names[i] ?? ""}${unit}`;
}

/** "1.50 TB" (decimal, as disks and links are sold). */
export function formatSize(bytes: number): string {
  return scaled(bytes, "B", 1000, ["", "k", "M", "G", "T", "P"]);
}

/** "2.78 Gbit/s". */
export function formatBandwidth(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, "bit/s", 1000, ["", "k", "M", "G", "T", "P"]);
}

/** "1d 2h 3min 4s", leaving out zero parts. */
export function formatDuration(totalSeconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.length === 0 ? "0s" : parts.join(" ");
}
