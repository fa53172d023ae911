import type { SinkListener } from "./Sink.js";

/** The listeners of a sink's connection state; shared by the sink implementations. */
export class SinkStateEmitter {
  private readonly listeners = new Set<SinkListener>();
  connected = false;

  on(listener: SinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(connected: boolean, error?: Error): void {
    if (connected === this.connected && error === undefined) return;
    this.connected = connected;
    for (const l of this.listeners) l(connected, error);
  }
}
