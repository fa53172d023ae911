import type { WriteStream } from "node:tty";
import type { UploadProgress } from "../../replay/results/uploadBundle.js";

/** The results upload as one line on a terminal's stderr, redrawn at most 10 times a second. */
export class UploadProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly stream: WriteStream) {}

  update(p: UploadProgress): void {
    const now = Date.now();
    if (now - this.lastDraw < 100 && p.loaded < p.total) return;
    this.lastDraw = now;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const percent = p.total > 0 ? Math.floor((100 * p.loaded) / p.total) : 100;
    this.stream.write(`\r\x1b[Kresults: ${mb(p.loaded)}/${mb(p.total)} MB (${percent}%) ${p.file}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
  }
}
