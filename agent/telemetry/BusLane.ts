import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { Dbc, DbcMessage } from "../../drivers/dbc/index.js";
import type { MessagePlan, StreamFilter, Emit } from "./StreamFilter.js";
import type { BusMetrics } from "./TelemetryMetrics.js";

/** One stream's filter on the lane's bus, and where its records go. */
export interface LaneFilter {
  filter: StreamFilter;
  emit: Emit;
}

/** What the lane does with frames of one ID, worked out on the ID's first frame. */
interface Route {
  message: DbcMessage;
  /** Streams whose ID rules accept the ID, with their plans for its message. */
  accepted: { plan: MessagePlan; filter: StreamFilter; emit: Emit }[];
  /** Streams whose ID rules reject it but whose triggers read or capture its signals. */
  triggers: { plan: MessagePlan; filter: StreamFilter; emit: Emit }[];
  /** Streams whose ID rules reject it: their `filteredFrames` count each frame. */
  rejecting: StreamFilter[];
  /** The decoded values of `payload`, the last payload of the ID that was decoded. */
  values: Float64Array;
  payload: Uint8Array;
  /** Bytes of `payload` in use; -1 before the first decode. */
  length: number;
  /** Counts the decodes: frames run with the same version carry the same values. */
  version: number;
}

/** An ID the DBC does not know: a sentinel that keeps the route table free of undefined. */
const UNKNOWN = null;

/**
 * The per-bus front of the pipeline: decodes each frame with the DBC and hands it to every
 * stream's filter. The ID rules of all streams are applied once per ID, not once per frame: a
 * route per ID lists which streams take its frames, so a frame no stream wants (no ID rule
 * accepts it and no trigger reads its signals) is not decoded at all.
 */
export class BusLane {
  readonly counters: BusMetrics = { framesReceived: 0, framesDecoded: 0, unknownIds: 0 };
  private readonly standard = new Array<Route | typeof UNKNOWN | undefined>(0x800);
  private readonly extended = new Map<number, Route | typeof UNKNOWN>();
  /** Time of the last frame of a known ID, ms on the epoch. */
  lastFrameMs: number | undefined;

  constructor(
    readonly bus: string,
    private readonly dbc: Dbc,
    readonly filters: readonly LaneFilter[],
  ) {}

  /** One frame received at `t` (ms on the epoch). Returns whether the DBC knows its ID. */
  frame(frame: CanFrame, t: number): boolean {
    this.counters.framesReceived++;
    if (frame.error || frame.remote) return false;
    const route = this.route(frame.id, frame.extended);
    if (route === UNKNOWN) {
      this.counters.unknownIds++;
      return false;
    }
    this.counters.framesDecoded++;
    this.lastFrameMs = t;
    const { rejecting, accepted, triggers } = route;
    for (let i = 0; i < rejecting.length; i++) {
      (rejecting[i] as StreamFilter).stats.filteredFrames++;
    }
    if (accepted.length === 0 && triggers.length === 0) return true;
    const values = this.decode(route, frame);
    for (let i = 0; i < accepted.length; i++) {
      const a = accepted[i] as Route["accepted"][number];
      a.filter.run(a.plan, values, t, a.emit, route.version);
    }
    for (let i = 0; i < triggers.length; i++) {
      const a = triggers[i] as Route["triggers"][number];
      a.filter.trigger(a.plan, values, t, a.emit);
    }
    return true;
  }

  /**
   * Decoding is a function of the payload alone, and most frames on a bus repeat their ID's
   * previous payload (status messages sent cyclically whose content rarely changes): those
   * reuse the values decoded last time. The filters only read `values`.
   */
  private decode(route: Route, frame: CanFrame): Float64Array {
    const data = frame.data;
    const last = route.payload;
    const n = data.length;
    let same = n === route.length;
    for (let i = 0; same && i < n; i++) same = data[i] === last[i];
    if (same) return route.values;
    this.dbc.decodeInto(frame, route.values);
    route.version++;
    // A payload longer than CAN FD's 64 bytes (a malformed frame) is decoded but not kept.
    if (n <= last.length) last.set(data);
    route.length = n <= last.length ? n : -1;
    return route.values;
  }

  private route(id: number, extended: boolean): Route | typeof UNKNOWN {
    const cached = !extended && id < 0x800 ? this.standard[id] : this.extended.get(id);
    if (cached !== undefined) return cached;
    const route = this.makeRoute(id, extended);
    if (!extended && id < 0x800) this.standard[id] = route;
    // Unknown extended IDs are not remembered: a bus of random 29-bit IDs would grow the map.
    else if (route !== UNKNOWN) this.extended.set(id, route);
    return route;
  }

  private makeRoute(id: number, extended: boolean): Route | typeof UNKNOWN {
    const message = this.dbc.messageById(id, extended);
    if (message === undefined) return UNKNOWN;
    const route: Route = {
      message, accepted: [], triggers: [], rejecting: [],
      values: new Float64Array(Math.max(1, message.signals.length)),
      payload: new Uint8Array(64), length: -1, version: 0,
    };
    for (const { filter, emit } of this.filters) {
      // The filter's own accepts() counts rejections per frame; here the route counts them.
      if (filter.decide(id, extended)) {
        route.accepted.push({ plan: filter.planFor(message), filter, emit });
        continue;
      }
      route.rejecting.push(filter);
      // A plan only where a trigger needs one: plans hold per-signal state that ticks visit.
      if (filter.triggersRead(message)) {
        route.triggers.push({ plan: filter.planFor(message), filter, emit });
      }
    }
    return route;
  }
}
