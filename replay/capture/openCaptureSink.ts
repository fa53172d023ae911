import { CandumpCaptureSink } from "./CandumpCaptureSink.js";
import type { CaptureFormat, CaptureSink } from "./CaptureSink.js";
import { Mdf4CaptureSink } from "./Mdf4CaptureSink.js";

/** Creates (or truncates) the capture file at `path` in `format`. */
export function openCaptureSink(
  format: CaptureFormat,
  path: string,
  originNs: bigint,
): CaptureSink {
  switch (format) {
    case "mf4":
      return Mdf4CaptureSink.create(path, originNs);
    case "candump":
      return CandumpCaptureSink.create(path);
  }
}
