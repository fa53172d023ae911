import type { PrefetchProgress } from "../../replay/sources/prefetchToCache.js";
import { formatSize } from "./units.js";

/** One redrawn line on a terminal's stderr, at most ten times a second. */
export class PrefetchProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private readonly started = performance.now();

  constructor(private readonly stream: NodeJS.WritableStream, private readonly width = 30) {}

  update(p: PrefetchProgress, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r${renderPrefetch(p, (now - this.started) / 1000, this.width)}\x1b[K`);
  }

  done(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
  }
}

export function renderPrefetch(p: PrefetchProgress, elapsedS: number, width: number): string {
  const fraction = p.bytesKnown > 0 ? Math.min(1, p.bytesDone / p.bytesKnown) : 0;
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const rate = elapsedS > 0 ? `${formatSize(p.bytesDone / elapsedS)}/s` : "";
  return `[${bar}] ${p.objectsDone}/${p.objects} objects  ` +
    `${formatSize(p.bytesDone)} / ${formatSize(p.bytesKnown)}  ${rate}`;
}
