import type { CanFrame } from "../can/CanFrame.js";
import type { AttributeDefinition, AttributeValue } from "./DbcAttribute.js";
import { resolveAttribute } from "./DbcAttribute.js";
import { DbcError } from "./DbcError.js";
import type { DbcMessage, DbcNode } from "./DbcMessage.js";
import type { DbcSignal } from "./DbcSignal.js";
import type { DecodedMessage } from "./DecodedMessage.js";
import type { SignalInput } from "./encodeMessage.js";
import { pgnOf } from "./j1939.js";
import { MessageCodec } from "./MessageCodec.js";

/** What decoding needs of a frame. */
export type FrameInput = Pick<CanFrame, "id" | "extended" | "data">;

/** The parts of a parsed DBC file that `Dbc` is built from. */
export interface DbcContents {
  file: string;
  version: string;
  nodes: DbcNode[];
  messages: DbcMessage[];
  valueTables: ReadonlyMap<string, ReadonlyMap<number, string>>;
  attributeDefinitions: ReadonlyMap<string, AttributeDefinition>;
  attributes: ReadonlyMap<string, AttributeValue>;
  comment?: string;
  warnings: string[];
  j1939: boolean;
}

/** A loaded DBC database: its model, and a decoder and encoder compiled from it. */
export class Dbc {
  readonly file: string;
  readonly version: string;
  readonly nodes: readonly DbcNode[];
  readonly messages: readonly DbcMessage[];
  readonly valueTables: ReadonlyMap<string, ReadonlyMap<number, string>>;
  readonly attributeDefinitions: ReadonlyMap<string, AttributeDefinition>;
  /** Network attributes (`BA_` without an object). */
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  readonly comment?: string;
  /** What lenient loading accepted although it is not well-formed, with where. */
  readonly warnings: readonly string[];
  /** Most signals of one message: the size of a `decodeInto` output array. */
  readonly maxSignals: number;

  // Standard ids index a dense array; extended ids a Map. Both are built once.
  private readonly standard = new Array<MessageCodec | undefined>(0x800);
  private readonly extended = new Map<number, MessageCodec>();
  private readonly byPgn = new Map<number, MessageCodec>();
  private readonly byName = new Map<string, MessageCodec>();

  constructor(contents: DbcContents) {
    this.file = contents.file;
    this.version = contents.version;
    this.nodes = contents.nodes;
    this.messages = contents.messages;
    this.valueTables = contents.valueTables;
    this.attributeDefinitions = contents.attributeDefinitions;
    this.attributes = contents.attributes;
    if (contents.comment !== undefined) this.comment = contents.comment;
    this.warnings = contents.warnings;
    this.maxSignals = Math.max(0, ...contents.messages.map((m) => m.signals.length));
    for (const message of contents.messages) this.index(message, contents.j1939);
  }

  /** The message with this id, or for J1939 parameter groups the one with its PGN. */
  messageById(id: number, extended: boolean): DbcMessage | undefined {
    return this.codecFor(id, extended)?.message;
  }

  messageByName(name: string): DbcMessage | undefined {
    return this.byName.get(name)?.message;
  }

  signalsOf(message: string | DbcMessage): readonly DbcSignal[] {
    const name = typeof message === "string" ? message : message.name;
    return this.codec(name).message.signals;
  }

  /** The frame's message and the signals it carries; undefined for an unknown id. */
  decode(frame: FrameInput): DecodedMessage | undefined {
    const codec = this.codecFor(frame.id, frame.extended);
    if (codec === undefined) return undefined;
    return { message: codec.message, signals: codec.decodeSignals(frame.data) };
  }

  /** `{ signal: physical value }` for the signals the frame carries. */
  decodeValues(frame: FrameInput): Record<string, number | bigint> | undefined {
    const decoded = this.decode(frame);
    if (decoded === undefined) return undefined;
    const values: Record<string, number | bigint> = {};
    for (const s of decoded.signals) values[s.name] = s.value;
    return values;
  }

  /**
   * The allocation-free path: writes physical values (as doubles) to `out[signal.index]`, NaN
   * for absent signals, and returns the message; `out` needs `maxSignals` slots.
   */
  decodeInto(frame: FrameInput, out: Float64Array): DbcMessage | undefined {
    const codec = this.codecFor(frame.id, frame.extended);
    if (codec === undefined) return undefined;
    codec.decodeInto(frame.data, out);
    return codec.message;
  }

  encode(messageName: string, values: Readonly<Record<string, SignalInput>>): Uint8Array {
    return this.codec(messageName).encode(values);
  }

  /** An attribute of the network, a node, message or signal, default applied, ENUM as label. */
  attribute(
    target: DbcNode | DbcMessage | DbcSignal | undefined,
    name: string,
  ): AttributeValue | undefined {
    const values = target === undefined ? this.attributes : target.attributes;
    return resolveAttribute(this.attributeDefinitions, values, name);
  }

  private codecFor(id: number, extended: boolean): MessageCodec | undefined {
    if (!extended) return id < 0x800 ? this.standard[id] : undefined;
    return this.extended.get(id) ?? (this.byPgn.size > 0 ? this.byPgn.get(pgnOf(id)) : undefined);
  }

  private codec(name: string): MessageCodec {
    const codec = this.byName.get(name);
    if (codec === undefined) {
      throw new DbcError(this.file, `BO_ ${name}`, `expected a message of the DBC, found none`);
    }
    return codec;
  }

  /** The first definition of an id or name wins, as in the tools that write DBC files. */
  private index(message: DbcMessage, j1939: boolean): void {
    const codec = new MessageCodec(message, this.file);
    if (!this.byName.has(message.name)) this.byName.set(message.name, codec);
    if (!message.extended) {
      this.standard[message.id] ??= codec;
      return;
    }
    if (!this.extended.has(message.id)) this.extended.set(message.id, codec);
    const pgn = pgnOf(message.id);
    if (j1939 && message.j1939 && !this.byPgn.has(pgn)) this.byPgn.set(pgn, codec);
  }
}
