import type { CanBus, FrameListener } from "../CanBus.js";
import type { CanFrame } from "../CanFrame.js";

/**
 * An in-process CAN bus: every frame one endpoint sends reaches all the other endpoints of the
 * same bus, stamped with the monotonic clock. Buses are process-wide by name, so `virtual:rig`
 * in two parts of a program names one bus.
 */
export class VirtualBus {
  private static readonly registry = new Map<string, VirtualBus>();
  private readonly endpoints = new Set<VirtualEndpoint>();

  private constructor(readonly name: string) {}

  /** The bus called `name`, created on first use. */
  static get(name: string): VirtualBus {
    let bus = VirtualBus.registry.get(name);
    if (!bus) {
      bus = new VirtualBus(name);
      VirtualBus.registry.set(name, bus);
    }
    return bus;
  }

  /** A new endpoint on the bus called `busName`. */
  static endpoint(busName: string, endpointName?: string): CanBus {
    return VirtualBus.get(busName).endpoint(endpointName);
  }

  endpoint(name = `${this.name}#${this.endpoints.size}`): CanBus {
    const endpoint = new VirtualEndpoint(name, this);
    this.endpoints.add(endpoint);
    return endpoint;
  }

  get endpointCount(): number {
    return this.endpoints.size;
  }

  /** @internal */
  deliver(from: VirtualEndpoint, frame: CanFrame): void {
    const timestampNs = process.hrtime.bigint();
    for (const endpoint of this.endpoints) {
      if (endpoint !== from) endpoint.receive(frame, timestampNs);
    }
  }

  /** @internal */
  detach(endpoint: VirtualEndpoint): void {
    this.endpoints.delete(endpoint);
    // An empty bus leaves the registry so that tests and long runs do not accumulate buses.
    if (this.endpoints.size === 0 && VirtualBus.registry.get(this.name) === this) {
      VirtualBus.registry.delete(this.name);
    }
  }
}

class VirtualEndpoint implements CanBus {
  private readonly listeners = new Set<FrameListener>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly bus: VirtualBus,
  ) {}

  send(frame: CanFrame): void {
    if (this.closed) throw new Error(`virtual:${this.bus.name}: endpoint ${this.name} is closed`);
    this.bus.deliver(this, frame);
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  receive(frame: CanFrame, timestampNs: bigint): void {
    for (const listener of this.listeners) listener(frame, timestampNs);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.listeners.clear();
      this.bus.detach(this);
    }
    return Promise.resolve();
  }
}
