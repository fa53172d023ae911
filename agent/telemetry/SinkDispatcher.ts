import type { Sink, SinkMessage } from "./Sink.js";
import { SinkUnavailableError } from "./SinkUnavailableError.js";
import type { Spool } from "./Spool.js";
import type { SpoolEntry } from "./SpoolEntry.js";
import type { TokenBucket } from "./TokenBucket.js";

export interface DispatchRoute {
  topic: string;
}

export interface DispatchHooks {
  sent(entry: SpoolEntry, latencyMs: number): void;
  failed(entry: SpoolEntry, error: Error): void;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * Moves spooled batches to one sink, highest priority first, oldest first within a priority.
 * At most `maxInFlight` batches are unacknowledged at a time: it bounds what a crash can send
 * twice (with 1, a kill -9 duplicates at most one batch). A refused send goes back to the spool
 * and is retried after a backoff, or at once when the sink reconnects.
 */
export class SinkDispatcher {
  private inFlight = 0;
  private waiting: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private stopped = false;
  private readonly removeListener: () => void;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly sink: Sink,
    private readonly spool: Spool,
    private readonly routes: ReadonlyMap<string, DispatchRoute>,
    private readonly key: string,
    private readonly bucket: TokenBucket,
    private readonly hooks: DispatchHooks,
    private readonly maxInFlight = 1,
  ) {
    this.removeListener = sink.onState((connected) => {
      if (connected) {
        this.backoffMs = MIN_BACKOFF_MS;
        this.clearWait();
        this.kick();
      }
    });
  }

  get busy(): number {
    return this.inFlight;
  }

  /** Sends what it can now; called whenever something was spooled or acknowledged. */
  kick(): void {
    while (!this.stopped && this.waiting === undefined && this.inFlight < this.maxInFlight &&
      this.sink.connected) {
      const entry = this.spool.take((stream) => this.routes.has(stream));
      if (!entry) break;
      const wait = this.bucket.take(entry.size);
      if (wait > 0) {
        this.spool.release(entry);
        this.wait(wait);
        break;
      }
      this.send(entry);
    }
    if (this.inFlight === 0) for (const resolve of this.idle) resolve();
  }

  /** Resolves once nothing is in flight. */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  stop(): void {
    this.stopped = true;
    this.clearWait();
    this.removeListener();
  }

  private send(entry: SpoolEntry): void {
    const route = this.routes.get(entry.stream) as DispatchRoute;
    const payload = this.spool.read(entry);
    const started = performance.now();
    this.inFlight++;
    this.attempt({ topic: route.topic, key: this.key, payload, seq: entry.seq }).then(
      () => {
        this.inFlight--;
        this.backoffMs = MIN_BACKOFF_MS;
        this.spool.ack(entry);
        this.hooks.sent(entry, performance.now() - started);
        this.kick();
      },
      (error: unknown) => {
        this.inFlight--;
        this.spool.release(entry);
        const err = error instanceof Error ? error : new Error(String(error));
        this.hooks.failed(entry, err);
        // Unavailable: the reconnect kicks. Otherwise retry after a growing pause.
        if (!(err instanceof SinkUnavailableError) || this.sink.connected) {
          this.wait(this.backoffMs);
          this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
        }
        this.kick();
      },
    );
  }

  /** A sink that throws instead of rejecting still only fails this one send. */
  private attempt(message: SinkMessage): Promise<void> {
    try {
      return this.sink.send(message);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private wait(ms: number): void {
    this.clearWait();
    this.waiting = setTimeout(() => {
      this.waiting = undefined;
      this.kick();
    }, ms);
  }

  private clearWait(): void {
    if (this.waiting !== undefined) clearTimeout(this.waiting);
    this.waiting = undefined;
  }
}
