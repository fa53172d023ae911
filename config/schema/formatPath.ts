import type { Segment } from "./validate.js";

/**
 * `telemetry.streams[1].signals[0].minIntervalMs`; other keys quoted:
 * `properties["sasl.password"]`.
 */
export function formatPath(at: readonly Segment[]): string {
  let text = "";
  for (const segment of at) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === "" ? "(file)" : text;
}
