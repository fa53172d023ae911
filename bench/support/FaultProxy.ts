import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

export interface FaultProxyOptions {
  /** Added to each direction, so a round trip gains twice this. */
  readonly delayMs?: number;
  /** Cap on server-to-client bytes per second (the download direction). */
  readonly bytesPerSecond?: number;
  /**
   * The cap is one link's, shared by all connections (parallel ranges share the rig's uplink),
   * rather than each connection's.
   */
  readonly sharedLink?: boolean;
  /**
   * Cut the n-th connection (0-based) after this many server-to-client bytes, or never
   * (undefined). "close" ends it cleanly, "reset" destroys it.
   */
  readonly cut?: (n: number) => { afterBytes: number; how: "close" | "reset" } | undefined;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a test server: adds latency, caps bandwidth and cuts
 * connections mid-transfer, the faults a replay sees on a real network.
 */
export class FaultProxy {
  connections = 0;
  cuts = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly link: Link = { nextFree: 0 };

  private constructor(
    private readonly target: number,
    private readonly options: FaultProxyOptions,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(targetPort: number, options: FaultProxyOptions = {}): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, options);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const n = this.connections++;
    const upstream = connect(this.target, "127.0.0.1");
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    pipeDelayed(client, upstream, this.options.delayMs ?? 0, Infinity, { nextFree: 0 });
    const cut = this.options.cut?.(n);
    const bps = this.options.bytesPerSecond ?? Infinity;
    const link = this.options.sharedLink === true ? this.link : { nextFree: 0 };
    pipeDelayed(upstream, client, this.options.delayMs ?? 0, bps, link,
      cut && { ...cut, onCut: () => this.cuts++ });
  }
}

/** When the link is next free to carry a byte (performance.now() time). */
interface Link {
  nextFree: number;
}

interface Cut {
  readonly afterBytes: number;
  readonly how: "close" | "reset";
  readonly onCut: () => void;
}

/**
 * Forwards chunks, each released no earlier than its arrival plus the delay and no earlier than
 * the bandwidth allows after the previous one. The source is paused while much is queued.
 */
function pipeDelayed(
  from: Socket, to: Socket, delayMs: number, bps: number, link: Link, cut?: Cut,
): void {
  const queue: { at: number; data: Buffer }[] = [];
  let lastAt = 0;
  let queued = 0;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;

  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.at ?? 0) <= now) {
      const item = queue.shift() as { at: number; data: Buffer };
      queued -= item.data.length;
      if (!forward(item.data)) return;
    }
    if (queue.length > 0) timer = setTimeout(flush, Math.max(0, (queue[0]?.at ?? now) - now));
    else if (ended) to.end();
    if (queued < 1 << 20) from.resume();
  };

  const forward = (data: Buffer): boolean => {
    if (cut !== undefined && sent + data.length >= cut.afterBytes) {
      to.write(data.subarray(0, Math.max(0, cut.afterBytes - sent)));
      cut.onCut();
      if (cut.how === "close") to.end();
      else to.resetAndDestroy();
      from.destroy();
      return false;
    }
    sent += data.length;
    to.write(data);
    return true;
  };

  from.on("data", (data: Buffer) => {
    const now = performance.now();
    const transfer = Number.isFinite(bps) ? (data.length / bps) * 1000 : 0;
    // The link's own clock only moves with bandwidth; a connection's chunks stay in order.
    link.nextFree = Math.max(link.nextFree, now) + transfer;
    lastAt = Math.max(lastAt, link.nextFree + delayMs);
    queue.push({ at: lastAt, data });
    queued += data.length;
    if (queued >= 1 << 20) from.pause();
    timer ??= setTimeout(flush, Math.max(0, lastAt - now));
  });
  from.on("end", () => {
    ended = true;
    timer ??= setTimeout(flush, 0);
  });
}
