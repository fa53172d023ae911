import type { WriteStream } from "node:tty";

export interface ProgressState {
  /** Replay time reached, ns from the start of the window. */
  doneNs: number;
  /** Length of the window, ns, when known. */
  totalNs: number | undefined;
  frames: number;
  pass: number;
  paused: boolean;
}

/**
 * One line on a terminal's stderr, redrawn at most 10 times a second: a bar when the window's
 * length is known, replay time and frame count always. Only shown once the replay has run for
 * a second, so that short replays leave no trace.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly startedAt = Date.now();
  private drawn = false;

  constructor(
    private readonly stream: WriteStream,
    private readonly width = 30,
  ) {}

  update(state: ProgressState, force = false): void {
    const now = Date.now();
    if (!force && (now - this.lastDraw < 100 || now - this.startedAt < 1000)) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r${renderProgress(state, this.width)}\x1b[K`);
  }

  /** Clears the line, so that later log lines start clean. */
  done(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
  }
}

export function renderProgress(state: ProgressState, width: number): string {
  const time = `${(state.doneNs / 1e9).toFixed(1)} s`;
  const tail = `${state.frames} frames${state.pass > 0 ? `, pass ${state.pass + 1}` : ""}` +
    (state.paused ? " [paused: space resumes]" : "");
  if (state.totalNs === undefined || state.totalNs <= 0) return `${time}  ${tail}`;
  const fraction = Math.min(1, Math.max(0, state.doneNs / state.totalNs));
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const total = `${(state.totalNs / 1e9).toFixed(1)} s`;
  return `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${time} / ${total}  ${tail}`;
}
