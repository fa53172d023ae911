import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { CanBus, FrameListener } from "../CanBus.js";
import type { CanFrame } from "../CanFrame.js";
import { defaultKernelPaths, diagnoseChannelError, type KernelPaths } from "./diagnoseChannelError.js";
import { diagnoseRefusedWrite, interfaceIsUp, type RefusalCause } from "./diagnoseRefusedWrite.js";
import { fromAddonMessage, isInexactForAddon, toAddonMessage } from "./addonFrames.js";
import { openAddonChannel, type RawChannel, type RawChannelFactory } from "./RawChannel.js";
import { toAddonFilter, type SocketCanFilter } from "./SocketCanFilter.js";
import type { SocketCanState, SocketCanStateListener } from "./SocketCanState.js";

export interface SocketCanOptions {
  /** Opens the raw channel; the addon by default. */
  openChannel?: RawChannelFactory;
  kernelPaths?: KernelPaths;
  /** Kernel receive filters; frames matching none never reach the process. Default: all. */
  filters?: readonly SocketCanFilter[];
  /**
   * Error frames given to `send`: written (as a replayed log means them on a virtual bus) or
   * counted and skipped. Default: written on virtual interfaces (vcan, vxcan) only, since a
   * real controller would put them on the wire as data frames.
   */
  errorFrames?: "send" | "skip";
  /** First retry delay after a refused write (ENOBUFS: the interface's tx queue is full). */
  retryDelayMs?: number;
  /** Longest delay the backoff grows to. */
  maxRetryDelayMs?: number;
  /** Attempts for one frame before it is dropped and counted. */
  maxAttempts?: number;
  /** Frames held while the kernel refuses writes; beyond this, new frames are dropped. */
  maxQueued?: number;
  /** How often a downed interface is checked for coming back up. */
  reopenDelayMs?: number;
  /** Timer used for retries and reopening; tests substitute their own. */
  schedule?: (callback: () => void, delayMs: number) => void;
}

export interface SocketCanStats {
  sent: number;
  /** Writes the kernel refused; each was retried with backoff unless `rejected`. */
  refused: number;
  /** Refusals by cause, read back from the interface's state. */
  refusedBy: Record<RefusalCause, number>;
  /** Frames the interface can never take (CAN FD on a classic interface): dropped at once. */
  rejected: number;
  /** Frames given up after `maxAttempts`, refused because the queue was full, or on close. */
  dropped: number;
  /** Error frames not written (`errorFrames: "skip"`, the default on real controllers). */
  skippedErrorFrames: number;
  /** Frames written with a classic DLC over 8 clamped to 8 or ESI cleared (addon limits). */
  inexact: number;
  /** Times the interface came back up and the socket was reopened. */
  recoveries: number;
  down: boolean;
  queued: number;
}

type Resolved = Required<Omit<SocketCanOptions, "openChannel" | "kernelPaths" | "filters">> & {
  openChannel: RawChannelFactory;
  kernelPaths: KernelPaths;
  filters: readonly SocketCanFilter[];
};

type WriteOutcome = "sent" | "refused" | "rejected";

/** A SocketCAN interface (`can0`, `vcan0`) through the `socketcan` addon. */
export class SocketCanBus implements CanBus {
  private readonly listeners = new Set<FrameListener>();
  private readonly stateListeners = new Set<SocketCanStateListener>();
  private readonly queue: CanFrame[] = [];
  private attempts = 0;
  private retryPending = false;
  private closed = false;
  private down = false;
  private downSince = 0;
  private running = false;
  private readonly counters = {
    sent: 0, refused: 0, rejected: 0, dropped: 0, skippedErrorFrames: 0, inexact: 0,
    recoveries: 0,
  };
  private readonly refusedBy: Record<RefusalCause, number> =
    { ENOBUFS: 0, ENETDOWN: 0, ENODEV: 0, EINVAL: 0 };
  private drainWaiters: (() => void)[] = [];

  private constructor(
    readonly name: string,
    private channel: RawChannel,
    private readonly options: Resolved,
  ) {
    this.attach(channel);
  }

  /** Opens `iface`; a kernel without AF_CAN or a missing interface is named in the error. */
  static open(iface: string, options: SocketCanOptions = {}): SocketCanBus {
    const kernelPaths = options.kernelPaths ?? defaultKernelPaths;
    const openChannel = options.openChannel ?? openAddonChannel;
    let channel: RawChannel;
    try {
      channel = openChannel(iface);
    } catch (err) {
      throw diagnoseChannelError(iface, err, kernelPaths);
    }
    return new SocketCanBus(iface, channel, {
      openChannel,
      kernelPaths,
      filters: options.filters ?? [],
      errorFrames: options.errorFrames ??
        (isVirtualInterface(iface, kernelPaths) ? "send" : "skip"),
      retryDelayMs: options.retryDelayMs ?? 1,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 50,
      maxAttempts: options.maxAttempts ?? 20,
      maxQueued: options.maxQueued ?? 4096,
      reopenDelayMs: options.reopenDelayMs ?? 100,
      schedule: options.schedule ?? ((callback, ms) => void setTimeout(callback, ms)),
    });
  }

  send(frame: CanFrame): void {
    if (this.closed) throw new Error(`socketcan:${this.name}: bus is closed`);
    if (frame.error && this.options.errorFrames === "skip") {
      this.counters.skippedErrorFrames++;
      return;
    }
    // Once one write is refused, later frames queue behind it so that order on the bus holds.
    if (this.queue.length > 0 || this.down) return this.enqueue(frame);
    if (this.write(frame) === "refused") this.enqueue(frame);
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Registers a listener for the interface going down and coming back. */
  onState(listener: SocketCanStateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Replaces the kernel receive filters; an empty list receives everything again. */
  setFilters(filters: readonly SocketCanFilter[]): void {
    this.options.filters = filters;
    this.channel.setRxFilters(filtersOrAll(filters));
  }

  stats(): SocketCanStats {
    return {
      ...this.counters, refusedBy: { ...this.refusedBy }, down: this.down,
      queued: this.queue.length,
    };
  }

  /** Resolves once every queued frame was written or dropped. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Frames held for an interface that is down would wait for ever: they are dropped.
    if (this.down) this.dropQueue();
    await this.drained();
    this.closed = true;
    this.listeners.clear();
    this.stateListeners.clear();
    if (this.running) this.channel.stop();
    this.running = false;
  }

  private attach(channel: RawChannel): void {
    this.channel = channel;
    channel.addListener("onMessage", (message) => {
      if (channel !== this.channel) return;
      const frame = fromAddonMessage(message, this.name);
      const timestampNs = process.hrtime.bigint();
      for (const listener of this.listeners) listener(frame, timestampNs);
    });
    channel.addListener("onStopped", () => {
      if (channel === this.channel && this.running) this.wentDown();
    });
    if (this.options.filters.length > 0) channel.setRxFilters(filtersOrAll(this.options.filters));
    channel.start();
    this.running = true;
  }

  /** The addon ends its receive thread when the socket reports ENETDOWN or ENODEV. */
  private wentDown(): void {
    this.running = false;
    if (this.closed) return;
    this.down = true;
    this.downSince = Date.now();
    this.emit({ state: "down", iface: this.name });
    this.options.schedule(() => this.reopen(), this.options.reopenDelayMs);
  }

  private reopen(): void {
    if (this.closed) return;
    const { kernelPaths, openChannel, reopenDelayMs, schedule } = this.options;
    let channel: RawChannel | undefined;
    if (interfaceIsUp(this.name, kernelPaths)) {
      try {
        channel = openChannel(this.name);
      } catch {
        channel = undefined;
      }
    }
    if (channel === undefined) return schedule(() => this.reopen(), reopenDelayMs);
    this.attach(channel);
    this.down = false;
    this.counters.recoveries++;
    this.emit({
      state: "up", iface: this.name, downMs: Date.now() - this.downSince,
      queued: this.queue.length,
    });
    this.retry();
  }

  private emit(event: SocketCanState): void {
    for (const listener of this.stateListeners) listener(event);
  }

  private write(frame: CanFrame): WriteOutcome {
    const message = toAddonMessage(frame);
    const fd = frame.fd && !frame.error;
    const written = fd ? this.channel.sendFD(message) : this.channel.send(message);
    if (written < 0) {
      const cause = diagnoseRefusedWrite(this.name, frame, this.options.kernelPaths);
      this.counters.refused++;
      this.refusedBy[cause]++;
      if (cause !== "EINVAL") return "refused";
      this.counters.rejected++;
      return "rejected";
    }
    this.counters.sent++;
    if (isInexactForAddon(frame)) this.counters.inexact++;
    return "sent";
  }

  private enqueue(frame: CanFrame): void {
    if (this.queue.length >= this.options.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(frame);
    if (!this.down) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryPending) return;
    this.retryPending = true;
    const { retryDelayMs, maxRetryDelayMs } = this.options;
    const delay = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** Math.min(this.attempts, 16));
    this.options.schedule(() => this.retry(), delay);
  }

  private retry(): void {
    this.retryPending = false;
    while (this.queue.length > 0) {
      // Writes wait for the interface to come back instead of spending their attempts.
      if (this.down) return;
      const frame = this.queue[0] as CanFrame;
      if (this.write(frame) === "refused") {
        this.attempts++;
        if (this.attempts < this.options.maxAttempts) return this.scheduleRetry();
        this.counters.dropped++;
      }
      this.queue.shift();
      this.attempts = 0;
    }
    this.resolveDrained();
  }

  private dropQueue(): void {
    this.counters.dropped += this.queue.length;
    this.queue.length = 0;
    this.resolveDrained();
  }

  private resolveDrained(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}

/** vcan and vxcan live under /sys/devices/virtual; a controller sits on a bus. */
function isVirtualInterface(iface: string, paths: KernelPaths): boolean {
  try {
    return realpathSync(join(paths.sysClassNet, iface)).includes("/devices/virtual/");
  } catch {
    return false;
  }
}

/** The kernel's default filter passes everything; an empty list means that default. */
function filtersOrAll(filters: readonly SocketCanFilter[]) {
  if (filters.length === 0) return [{ id: 0, mask: 0 }];
  return filters.map(toAddonFilter);
}
