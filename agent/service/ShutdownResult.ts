/** How a shutdown ended: clean, or cut short in a named component (timeout or forced). */
export type ShutdownResult =
  | { readonly clean: true; readonly elapsedMs: number }
  | {
    readonly clean: false;
    readonly elapsedMs: number;
    readonly cause: "timeout" | "forced";
    /** The component whose stop had not finished, with its health details; or "nothing". */
    readonly cutShort: string;
  };
