import type { CanBus } from "../../../drivers/can/CanBus.js";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import type { Dbc } from "../../../drivers/dbc/Dbc.js";
import type { JsonValue } from "../../shadow/JsonValue.js";
import type { BodyMap, EnumField, PositionField } from "../BodyMap.js";
import { encodeWithDefaults } from "../encodeWithDefaults.js";
import { frameKey } from "../frameKey.js";

export interface SimulatedBodyEcuOptions {
  readonly bus: CanBus;
  readonly dbc: Dbc;
  readonly map: BodyMap;
  readonly channel?: string;
  /** Status and speed frames this often, as a body ECU does; 0 sends them only on change. */
  readonly periodMs?: number;
  /** Delay between a command and its status: the actuator's travel time. */
  readonly actuationMs?: number;
  /** Initial state per field; fields left out start at their first status value (or 0). */
  readonly initial?: Readonly<Record<string, JsonValue>>;
}

/**
 * A body ECU on a CAN bus, driven by the same body map as the agent: it carries out each
 * command (after `actuationMs`) and sends its status messages, and the vehicle's speed. For the
 * embedded default and for tests; `respond = false` makes it ignore commands.
 */
export class SimulatedBodyEcu {
  respond = true;
  speed = 0;
  readonly #bus: CanBus;
  readonly #dbc: Dbc;
  readonly #map: BodyMap;
  readonly #channel: string;
  readonly #actuationMs: number;
  readonly #state = new Map<string, JsonValue>();
  readonly #commandKeys = new Set<number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #detach: (() => void) | undefined;
  #ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: SimulatedBodyEcuOptions) {
    this.#bus = options.bus;
    this.#dbc = options.dbc;
    this.#map = options.map;
    this.#channel = options.channel ?? options.bus.name;
    this.#actuationMs = options.actuationMs ?? 0;
    for (const [field, spec] of Object.entries(options.map.fields)) {
      const first = spec.kind === "enum" ? Object.values(spec.status.values)[0] : spec.min;
      this.#state.set(field, options.initial?.[field] ?? first ?? 0);
      const message = options.dbc.messageByName(spec.command.message);
      if (message !== undefined) this.#commandKeys.add(frameKey(message.id, message.extended));
    }
  }

  start(): void {
    this.#detach ??= this.#bus.onFrame(this.#onFrame);
    this.sendStatus();
    const periodMs = this.options.periodMs ?? 100;
    if (periodMs > 0 && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.sendStatus(), periodMs);
      this.#ticker.unref();
    }
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  state(field: string): JsonValue | undefined {
    return this.#state.get(field);
  }

  /** Changes a field as a hand on the door would, and sends the status at once. */
  set(field: string, value: JsonValue): void {
    this.#state.set(field, value);
    this.sendStatus();
  }

  /**
   * The highest speed its speed message carries: the DBC's range, and the raw field's width
   * for an integer signal. A faster speed could not be sent, and the periodic status would
   * throw from its timer.
   */
  get maxSpeed(): number {
    const { message, signal } = this.#map.interlock;
    const s = this.#dbc.messageByName(message)?.signals.find((x) => x.name === signal);
    if (s === undefined) return Infinity;
    const raw = s.signed ? 2 ** (s.length - 1) - 1 : 2 ** s.length - 1;
    const widest = s.valueType === "integer" && s.factor > 0 ? raw * s.factor + s.offset
      : Infinity;
    return s.min !== 0 || s.max !== 0 ? Math.min(s.max, widest) : widest;
  }

  /** Sends every status message and the speed message once. */
  sendStatus(): void {
    const byMessage = new Map<string, Record<string, number>>();
    for (const [field, spec] of Object.entries(this.#map.fields)) {
      const signals = byMessage.get(spec.status.message) ?? {};
      signals[spec.status.signal] = statusValue(spec, this.#state.get(field));
      byMessage.set(spec.status.message, signals);
    }
    const { message, signal } = this.#map.interlock;
    byMessage.set(message, { ...byMessage.get(message), [signal]: this.speed });
    for (const [name, signals] of byMessage) {
      this.#bus.send(encodeWithDefaults(this.#dbc, name, signals, this.#channel));
    }
  }

  readonly #onFrame = (frame: CanFrame): void => {
    if (!this.respond || !this.#commandKeys.has(frameKey(frame.id, frame.extended))) return;
    const values = this.#dbc.decodeValues(frame);
    const message = this.#dbc.messageById(frame.id, frame.extended);
    if (values === undefined || message === undefined) return;
    for (const [field, spec] of Object.entries(this.#map.fields)) {
      if (spec.command.message !== message.name) continue;
      const target = spec.kind === "enum" ? enumTarget(spec, values) : positionTarget(spec, values);
      if (target !== undefined) this.#actuate(field, target);
    }
  };

  #actuate(field: string, target: JsonValue): void {
    if (this.#actuationMs === 0) {
      this.set(field, target);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.set(field, target);
    }, this.#actuationMs);
    this.#timers.add(timer);
  }
}

type Decoded = Record<string, number | bigint>;

function enumTarget(spec: EnumField, values: Decoded): string | undefined {
  for (const [value, signals] of Object.entries(spec.command.values)) {
    const entries = Object.entries(signals);
    if (entries.length > 0 && entries.every(([name, v]) => matches(values[name], v))) return value;
  }
  return undefined;
}

function positionTarget(spec: PositionField, values: Decoded): number | undefined {
  const flags = Object.entries(spec.command.with ?? {});
  if (!flags.every(([name, v]) => matches(values[name], v))) return undefined;
  const target = values[spec.command.signal];
  return target === undefined ? undefined : Number(target);
}

function matches(decoded: number | bigint | undefined, wanted: number | string): boolean {
  return decoded !== undefined && Number(decoded) === Number(wanted);
}

function statusValue(spec: EnumField | PositionField, value: JsonValue | undefined): number {
  if (spec.kind === "position") return typeof value === "number" ? value : spec.min;
  const entry = Object.entries(spec.status.values).find(([, label]) => label === value);
  return entry === undefined ? 0 : Number(entry[0]);
}
