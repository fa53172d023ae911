import type { CanBus } from "../../drivers/can/CanBus.js";
import { Capture } from "../../replay/capture/Capture.js";
import type { CaptureBus } from "../../replay/capture/CaptureBus.js";
import { openCaptureBus } from "../../replay/capture/openCaptureBus.js";
import { openCaptureSink } from "../../replay/capture/openCaptureSink.js";
import type { ReplayClock } from "../../replay/capture/ReplayClock.js";
import { CanBusOutput } from "../../replay/outputs/CanBusOutput.js";
import type { ReplayOutput } from "../../replay/outputs/ReplayOutput.js";
import { CountingOutput } from "../../replay/results/CountingOutput.js";
import type { CaptureSettings } from "./captureFlags.js";

/** Opens the capture's buses (sharing an output's endpoint on the same target) and its file. */
export function openCapture(
  settings: CaptureSettings,
  clock: ReplayClock,
  outputs: readonly ReplayOutput[],
): Capture {
  const outputBus = (target: string): CanBus | undefined => {
    const output = outputs.find((o) => o.target === target);
    const inner = output instanceof CountingOutput ? output.inner : output;
    return inner instanceof CanBusOutput ? inner.bus : undefined;
  };
  const buses: CaptureBus[] = [];
  try {
    for (const target of settings.targets) buses.push(openCaptureBus(target, outputBus));
    const sink = openCaptureSink(settings.format, settings.path, clock.originNs);
    return new Capture({ buses, filter: settings.filter, clock, sink });
  } catch (err) {
    for (const b of buses) if (b.owned) void b.bus.close();
    throw err;
  }
}
