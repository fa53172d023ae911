import type { CanBus, FrameListener } from "../CanBus.js";
import type { CanFrame } from "../CanFrame.js";
import { defaultKernelPaths, diagnoseChannelError, type KernelPaths } from "./diagnoseChannelError.js";
import { fromAddonMessage, toAddonMessage } from "./addonFrames.js";
import { openAddonChannel, type RawChannel, type RawChannelFactory } from "./RawChannel.js";

export interface SocketCanOptions {
  /** Opens the raw channel; the addon by default. */
  openChannel?: RawChannelFactory;
  kernelPaths?: KernelPaths;
  /** First retry delay after a refused write (ENOBUFS: the interface's tx queue is full). */
  retryDelayMs?: number;
  /** Longest delay the backoff grows to. */
  maxRetryDelayMs?: number;
  /** Attempts for one frame before it is dropped and counted. */
  maxAttempts?: number;
  /** Frames held while the kernel refuses writes; beyond this, new frames are dropped. */
  maxQueued?: number;
  /** Timer used for retries; tests substitute their own. */
  schedule?: (callback: () => void, delayMs: number) => void;
}

export interface SocketCanStats {
  sent: number;
  /** Writes the kernel refused (ENOBUFS); each was retried with backoff. */
  refused: number;
  /** Frames given up after `maxAttempts`, or refused because the queue was full. */
  dropped: number;
  /** Error frames: a controller cannot transmit them, so they are counted, not sent. */
  skippedErrorFrames: number;
  queued: number;
}

/** A SocketCAN interface (`can0`, `vcan0`) through the `socketcan` addon. */
export class SocketCanBus implements CanBus {
  private readonly listeners = new Set<FrameListener>();
  private readonly queue: CanFrame[] = [];
  private attempts = 0;
  private retryPending = false;
  private closed = false;
  private readonly counters = { sent: 0, refused: 0, dropped: 0, skippedErrorFrames: 0 };
  private drainWaiters: (() => void)[] = [];

  private constructor(
    readonly name: string,
    private readonly channel: RawChannel,
    private readonly options: Required<Omit<SocketCanOptions, "openChannel" | "kernelPaths">>,
  ) {
    channel.addListener("onMessage", (message) => {
      const frame = fromAddonMessage(message, name);
      const timestampNs = process.hrtime.bigint();
      for (const listener of this.listeners) listener(frame, timestampNs);
    });
    channel.start();
  }

  /** Opens `iface`; a kernel without AF_CAN or a missing interface is named in the error. */
  static open(iface: string, options: SocketCanOptions = {}): SocketCanBus {
    let channel: RawChannel;
    try {
      channel = (options.openChannel ?? openAddonChannel)(iface);
    } catch (err) {
      throw diagnoseChannelError(iface, err, options.kernelPaths ?? defaultKernelPaths);
    }
    return new SocketCanBus(iface, channel, {
      retryDelayMs: options.retryDelayMs ?? 1,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 50,
      maxAttempts: options.maxAttempts ?? 20,
      maxQueued: options.maxQueued ?? 4096,
      schedule: options.schedule ?? ((callback, ms) => void setTimeout(callback, ms)),
    });
  }

  send(frame: CanFrame): void {
    if (this.closed) throw new Error(`socketcan:${this.name}: bus is closed`);
    if (frame.error) {
      this.counters.skippedErrorFrames++;
      return;
    }
    // Once one write is refused, later frames queue behind it so that order on the bus holds.
    if (this.queue.length > 0 || !this.write(frame)) this.enqueue(frame);
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): SocketCanStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** Resolves once every queued frame was written or dropped. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drained();
    this.closed = true;
    this.listeners.clear();
    this.channel.stop();
  }

  private write(frame: CanFrame): boolean {
    const message = toAddonMessage(frame);
    const written = frame.fd ? this.channel.sendFD(message) : this.channel.send(message);
    if (written < 0) {
      this.counters.refused++;
      return false;
    }
    this.counters.sent++;
    return true;
  }

  private enqueue(frame: CanFrame): void {
    if (this.queue.length >= this.options.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(frame);
    this.scheduleRetry();
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
      const frame = this.queue[0] as CanFrame;
      if (!this.write(frame)) {
        this.attempts++;
        if (this.attempts < this.options.maxAttempts) return this.scheduleRetry();
        this.counters.dropped++;
      }
      this.queue.shift();
      this.attempts = 0;
    }
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
