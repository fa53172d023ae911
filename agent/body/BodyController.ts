import { EventEmitter } from "node:events";
import type { CanBus } from "../../drivers/can/CanBus.js";
import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { Dbc } from "../../drivers/dbc/Dbc.js";
import type { JsonObject, JsonValue } from "../shadow/JsonValue.js";
import { setKey } from "../shadow/JsonValue.js";
import type { BodyField, BodyMap } from "./BodyMap.js";
import type { BodyOutcome } from "./BodyOutcome.js";
import { checkDesired } from "./checkDesired.js";
import { encodeWithDefaults } from "./encodeWithDefaults.js";
import { frameKey } from "./frameKey.js";

export interface BodyControllerOptions {
  readonly bus: CanBus;
  readonly dbc: Dbc;
  readonly map: BodyMap;
  /** How long the body ECU has to confirm a command on its status signals. */
  readonly confirmTimeoutMs?: number;
  /** The channel name put on command frames. */
  readonly channel?: string;
  readonly now?: () => number;
}

export interface BodyControllerEvents {
  /** A field's state changed on CAN while no command for it was waiting: someone's hand. */
  changed: [field: string, value: JsonValue];
}

interface Pending {
  readonly target: JsonValue;
  readonly outcome: Promise<BodyOutcome>;
  settle(outcome: BodyOutcome): void;
}

interface StatusReader {
  readonly field: string;
  readonly spec: BodyField;
}

/**
 * Door, lock, trunk and windows over CAN: turns a desired value into the mapped command, and
 * resolves once the body ECU's status signals show it (or says why not). It keeps the state the
 * status signals last showed, and the vehicle's speed for the interlock.
 */
export class BodyController extends EventEmitter<BodyControllerEvents> {
  readonly #bus: CanBus;
  readonly #dbc: Dbc;
  readonly #map: BodyMap;
  readonly #timeoutMs: number;
  readonly #channel: string;
  readonly #now: () => number;
  readonly #state = new Map<string, JsonValue>();
  readonly #pending = new Map<string, Pending>();
  readonly #readers = new Map<number, StatusReader[]>();
  readonly #speedKey: number | undefined;
  #speed: { value: number; atMs: number } | undefined;
  #detach: (() => void) | undefined;

  constructor(options: BodyControllerOptions) {
    super();
    this.#bus = options.bus;
    this.#dbc = options.dbc;
    this.#map = options.map;
    this.#timeoutMs = options.confirmTimeoutMs ?? 3000;
    this.#channel = options.channel ?? options.bus.name;
    this.#now = options.now ?? Date.now;
    for (const [field, spec] of Object.entries(options.map.fields)) {
      const key = this.#keyOf(spec.status.message);
      this.#readers.set(key, [...(this.#readers.get(key) ?? []), { field, spec }]);
    }
    this.#speedKey = this.#keyOf(options.map.interlock.message);
  }

  start(): void {
    this.#detach ??= this.#bus.onFrame(this.#onFrame);
  }

  /** Stops listening; commands still waiting end as superseded. */
  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
    for (const [field, pending] of this.#pending) {
      pending.settle(this.#failure(field, pending.target, "superseded", "the agent stopped"));
    }
  }

  /** The state every field's status signals last showed; fields not yet seen are left out. */
  snapshot(): JsonObject {
    const state: JsonObject = {};
    for (const [field, value] of this.#state) setKey(state, field, value);
    return state;
  }

  get waiting(): number {
    return this.#pending.size;
  }

  /**
   * Drives `field` to `value`. Resolves, never rejects: with the confirmed state, or with the
   * reason it was refused, not confirmed in time, or replaced by a newer value.
   */
  apply(field: string, value: JsonValue): Promise<BodyOutcome> {
    const refusal = checkDesired(this.#map, field, value);
    if (refusal !== undefined) {
      return Promise.resolve(this.#failure(field, value, refusal.code, refusal.reason));
    }
    const spec = this.#map.fields[field]!;
    const current = this.#state.get(field);
    const blocked = this.#interlock(spec, value, current);
    if (blocked !== undefined) {
      return Promise.resolve(this.#failure(field, value, "interlock", blocked));
    }

    const waiting = this.#pending.get(field);
    if (waiting !== undefined && waiting.target === value) return waiting.outcome;
    if (waiting !== undefined) {
      waiting.settle(this.#failure(field, waiting.target, "superseded",
        `replaced by a newer desired value ${JSON.stringify(value)}`));
    }
    if (current !== undefined && reached(spec, current, value)) {
      return Promise.resolve({ field, desired: value, ok: true, reported: current });
    }
    return this.#command(field, spec, value);
  }

  #command(field: string, spec: BodyField, value: JsonValue): Promise<BodyOutcome> {
    let frame: CanFrame;
    try {
      frame = this.#commandFrame(spec, value);
    } catch (error) {
      return Promise.resolve(this.#failure(field, value, "invalid", (error as Error).message));
    }
    let settle!: (outcome: BodyOutcome) => void;
    const outcome = new Promise<BodyOutcome>((resolve) => (settle = resolve));
    const timer = setTimeout(() => {
      const seen = this.#state.get(field);
      const shown = seen === undefined ? "not seen" : JSON.stringify(seen);
      pending.settle(this.#failure(field, value, "timeout",
        `no confirmation from the body ECU within ${this.#timeoutMs} ms ` +
        `(${spec.status.message}.${spec.status.signal}: ${shown})`));
    }, this.#timeoutMs);
    const pending: Pending = {
      target: value,
      outcome,
      settle: (result) => {
        clearTimeout(timer);
        if (this.#pending.get(field) === pending) this.#pending.delete(field);
        settle(result);
      },
    };
    this.#pending.set(field, pending);
    this.#bus.send(frame);
    return outcome;
  }

  #commandFrame(spec: BodyField, value: JsonValue): CanFrame {
    if (spec.kind === "enum") {
      const signals = spec.command.values[value as string] ?? {};
      return encodeWithDefaults(this.#dbc, spec.command.message, signals, this.#channel);
    }
    const signals = { ...spec.command.with, [spec.command.signal]: value as number };
    return encodeWithDefaults(this.#dbc, spec.command.message, signals, this.#channel);
  }

  /** The reason opening is refused now, or undefined when it is allowed. */
  #interlock(
    spec: BodyField,
    value: JsonValue,
    current: JsonValue | undefined,
  ): string | undefined {
    if (!opens(spec, value, current)) return undefined;
    const { signal, maxSpeed, maxAgeMs } = this.#map.interlock;
    const speed = this.#speed;
    if (speed === undefined || this.#now() - speed.atMs > maxAgeMs) {
      return `vehicle speed unknown (no ${signal} in the last ${maxAgeMs} ms): opening refused`;
    }
    if (speed.value > maxSpeed) {
      return `vehicle speed ${speed.value} is above ${maxSpeed}: opening refused`;
    }
    return undefined;
  }

  #failure(
    field: string,
    desired: JsonValue,
    code: Extract<BodyOutcome, { ok: false }>["code"],
    reason: string,
  ): BodyOutcome {
    const reported = this.#state.get(field);
    return reported === undefined
      ? { field, desired, ok: false, code, reason }
      : { field, desired, ok: false, code, reason, reported };
  }

  readonly #onFrame = (frame: CanFrame): void => {
    const key = frameKey(frame.id, frame.extended);
    const readers = this.#readers.get(key);
    if (readers === undefined && key !== this.#speedKey) return;
    const values = this.#dbc.decodeValues(frame);
    if (values === undefined) return;
    if (key === this.#speedKey) this.#onSpeed(values[this.#map.interlock.signal]);
    for (const reader of readers ?? []) this.#onStatus(reader, values[reader.spec.status.signal]);
  };

  #onSpeed(value: number | bigint | undefined): void {
    if (value !== undefined) this.#speed = { value: Number(value), atMs: this.#now() };
  }

  #onStatus({ field, spec }: StatusReader, physical: number | bigint | undefined): void {
    if (physical === undefined) return;
    const value: JsonValue = spec.kind === "enum"
      ? (spec.status.values[String(physical)] ?? `unknown ${String(physical)}`)
      : Number(physical);
    const previous = this.#state.get(field);
    if (previous === value) return;
    this.#state.set(field, value);

    const pending = this.#pending.get(field);
    if (pending === undefined) {
      this.emit("changed", field, value);
      return;
    }
    // Intermediate states of a moving window are not reported; the final one is.
    if (reached(spec, value, pending.target)) {
      pending.settle({ field, desired: pending.target, ok: true, reported: value });
    }
  }

  #keyOf(messageName: string): number {
    const message = this.#dbc.messageByName(messageName);
    if (message === undefined) {
      throw new Error(`${this.#dbc.file}: the body map names message ${messageName}, not in the DBC`);
    }
    return frameKey(message.id, message.extended);
  }
}

function reached(spec: BodyField, current: JsonValue, target: JsonValue): boolean {
  if (spec.kind === "enum") return current === target;
  return typeof current === "number" && typeof target === "number" &&
    Math.abs(current - target) <= spec.status.tolerance;
}

function opens(spec: BodyField, value: JsonValue, current: JsonValue | undefined): boolean {
  if (spec.kind === "enum") return spec.opening?.includes(value as string) ?? false;
  if (spec.opening === undefined) return false;
  // An unknown position might be anything: moving it counts as opening.
  if (typeof current !== "number") return true;
  const target = value as number;
  return spec.opening === "increase" ? target > current : target < current;
}
