import { EventEmitter } from "node:events";
import type { CanBus } from "../../drivers/can/CanBus.js";
import { CanBusOutput } from "../../replay/outputs/CanBusOutput.js";
import { TimerClock } from "../../replay/pacing/TimerClock.js";
import { Replay } from "../../replay/Replay.js";
import { SampleDriveReader } from "../../replay/sample/SampleDriveReader.js";
import type { Component, ComponentHealth } from "../Component.js";

/**
 * A simulated vehicle: roadrig's sample drive replayed onto a bus at its recorded pace, over and
 * over, as the embedded default's source of telemetry. Emits `failed` if the replay stops with
 * an error.
 */
export class SimulatedDrive extends EventEmitter implements Component {
  readonly name = "simulated-drive";
  private replay: Replay | undefined;
  private running: Promise<unknown> | undefined;
  private error: unknown;

  constructor(private readonly bus: CanBus) {
    super();
  }

  start(): Promise<void> {
    const output = new CanBusOutput(`virtual:${this.bus.name}`, this.bus);
    const replay = new Replay({
      sources: [{ reader: new SampleDriveReader() }],
      outputs: [output],
      passes: Infinity,
      clock: new TimerClock(),
    });
    this.replay = replay;
    this.running = replay.run().catch((err: unknown) => {
      this.error = err;
      this.emit("failed", err);
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.replay?.stop();
    await this.running;
    await this.bus.close();
  }

  health(): ComponentHealth {
    const ok = this.running !== undefined && this.error === undefined;
    const error = this.error instanceof Error ? this.error.message : null;
    return { ok, details: { error } };
  }
}
