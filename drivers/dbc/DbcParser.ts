import type { AttributeDefinition, AttributeValue, DbcObjectType } from "./DbcAttribute.js";
import { DbcSyntaxError } from "./DbcSyntaxError.js";
import type { DbcToken } from "./DbcToken.js";
import type { ObjectTable, ParsedDbc, ParsedMessage, ParsedSignal } from "./ParsedDbc.js";
import { signalKey } from "./ParsedDbc.js";
import { tokenizeDbc } from "./tokenizeDbc.js";

/** Keywords whose statements roadrig does not use; they run to the next `;`. */
const SKIPPED = new Set([
  "SIG_GROUP_", "EV_", "ENVVAR_DATA_", "SGTYPE_", "SGTYPE_VAL_", "BA_DEF_SGTYPE_", "BA_SGTYPE_",
  "SIG_TYPE_REF_", "SIGTYPE_VALTYPE_", "BA_DEF_REL_", "BA_REL_", "BA_DEF_DEF_REL_",
  "BU_SG_REL_", "BU_EV_REL_", "BU_BO_REL_", "CAT_DEF_", "CAT_", "FILTER", "EV_DATA_",
  "NS_DESC_",
]);

const OBJECT_KEYWORDS: Record<string, DbcObjectType> = {
  BU_: "node",
  BO_: "message",
  SG_: "signal",
  EV_: "envvar",
};

const MUX_INDICATOR = /^(?:M|m([0-9]+)(M?))$/;

function emptyTable<T>(): ObjectTable<T> {
  return { nodes: new Map(), messages: new Map(), signals: new Map() };
}

/** Recursive-descent parser over the token list of one DBC file. */
export class DbcParser {
  private readonly tokens: DbcToken[];
  private pos = 0;
  private currentMessage: ParsedMessage | undefined;
  private readonly out: ParsedDbc = {
    version: "",
    nodes: [],
    messages: [],
    valueTables: new Map(),
    comments: emptyTable(),
    attributeDefinitions: new Map(),
    attributes: emptyTable(),
    choices: new Map(),
    valueTypes: new Map(),
    multiplexing: new Map(),
    transmitters: new Map(),
    warnings: [],
  };

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.tokens = tokenizeDbc(text, file);
  }

  parse(): ParsedDbc {
    while (this.peek().kind !== "eof") this.statement();
    return this.out;
  }

  private statement(): void {
    const keyword = this.ident("a DBC keyword");
    switch (keyword.text) {
      case "VERSION":
        this.out.version = this.string("the version string");
        return;
      case "NS_":
        return this.newSymbols(keyword);
      case "BS_":
        return this.bitTiming();
      case "BU_":
        return this.nodes(keyword);
      case "BO_":
        return this.message();
      case "SG_":
        return this.signal();
      case "BO_TX_BU_":
        return this.transmitters();
      case "CM_":
        return this.comment();
      case "BA_DEF_":
        return this.attributeDefinition();
      case "BA_DEF_DEF_":
        return this.attributeDefault();
      case "BA_":
        return this.attribute();
      case "VAL_TABLE_":
        return this.valueTable();
      case "VAL_":
        return this.valueDescriptions();
      case "SIG_VALTYPE_":
        return this.signalValueType();
      case "SG_MUL_VAL_":
        return this.multiplexValues();
      default:
        if (SKIPPED.has(keyword.text)) return this.skipStatement();
        throw this.error(keyword, "a DBC keyword");
    }
  }

  private newSymbols(keyword: DbcToken): void {
    this.punct(":");
    // The list holds keywords too; it ends where a statement starts at column 1.
    while (this.peek().kind === "ident" && this.continues(keyword)) this.pos++;
  }

  private bitTiming(): void {
    this.punct(":");
    if (this.peek().kind !== "number") return;
    this.number("the baud rate");
    this.punct(":");
    this.number("BTR1");
    this.punct(",");
    this.number("BTR2");
  }

  private nodes(keyword: DbcToken): void {
    this.punct(":");
    while (this.peek().kind === "ident" && this.continues(keyword)) {
      this.out.nodes.push(this.next().text);
    }
  }

  /** True for a token on the keyword's line, or indented under it, not starting a section. */
  private continues(keyword: DbcToken): boolean {
    const token = this.peek();
    if (token.line !== keyword.line && token.column === 1) return false;
    return !(this.peek(1).kind === "punct" && this.peek(1).text === ":");
  }

  private message(): void {
    const keyword = this.tokens[this.pos - 1] as DbcToken;
    const rawId = this.number("the message id");
    const name = this.ident("the message name").text;
    this.punct(":");
    const length = this.number("the message length");
    const next = this.peek();
    const sender = next.kind === "ident" && next.line === keyword.line ? this.next().text : "";
    const message: ParsedMessage = { rawId, name, length, sender, signals: [], line: keyword.line };
    this.out.messages.push(message);
    this.currentMessage = message;
  }

  private signal(): void {
    const keyword = this.tokens[this.pos - 1] as DbcToken;
    if (this.currentMessage === undefined) throw this.error(keyword, "BO_ before SG_");
    const name = this.ident("the signal name").text;
    const mux = this.multiplexIndicator();
    this.punct(":");
    const startBit = this.number("the start bit");
    this.punct("|");
    const length = this.number("the signal length");
    this.punct("@");
    const order = this.next();
    if (order.text !== "0" && order.text !== "1") throw this.error(order, "byte order 0 or 1");
    const sign = this.next();
    if (sign.text !== "+" && sign.text !== "-") throw this.error(sign, "'+' or '-'");
    this.punct("(");
    const factor = this.number("the factor");
    this.punct(",");
    const offset = this.number("the offset");
    this.punct(")");
    this.punct("[");
    const min = this.number("the minimum");
    this.punct("|");
    const max = this.number("the maximum");
    this.punct("]");
    const unitToken = this.peek();
    const unit = this.string("the unit string");
    const signal: ParsedSignal = {
      name, startBit, length, factor, offset, min, max, unit,
      byteOrder: order.text === "1" ? "little_endian" : "big_endian",
      signed: sign.text === "-",
      receivers: this.receivers(unitToken.line),
      ...mux,
      line: keyword.line,
    };
    this.currentMessage.signals.push(signal);
  }

  private multiplexIndicator(): Pick<ParsedSignal, "isMultiplexer" | "multiplexValue"> {
    const token = this.peek();
    if (token.kind !== "ident") return { isMultiplexer: false };
    const match = MUX_INDICATOR.exec(token.text);
    if (match === null) throw this.error(token, "':' or a multiplexer indicator (M, mN, mNM)");
    this.pos++;
    if (match[1] === undefined) return { isMultiplexer: true };
    return { isMultiplexer: match[2] === "M", multiplexValue: Number(match[1]) };
  }

  private receivers(line: number): string[] {
    const receivers: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token.line !== line) return receivers;
      if (token.kind === "ident") receivers.push(this.next().text);
      else if (token.kind === "punct" && token.text === ",") this.pos++;
      else return receivers;
    }
  }

  private transmitters(): void {
    const rawId = this.number("the message id");
    this.punct(":");
    const nodes: string[] = [];
    while (this.peek().kind === "ident") {
      nodes.push(this.next().text);
      if (this.peek().text === ",") this.pos++;
    }
    this.punct(";");
    this.out.transmitters.set(rawId, [...(this.out.transmitters.get(rawId) ?? []), ...nodes]);
  }

  private comment(): void {
    const comments = this.out.comments;
    const target = this.peek();
    if (target.kind === "string") {
      comments.network = this.next().text;
    } else if (target.kind === "number") {
      // Some generators drop the BO_ keyword; other tools read the comment as the message's.
      this.warn(target, "CM_ without an object type, read as a message comment");
      comments.messages.set(this.number("the message id"), this.string("the comment"));
    } else {
      this.commentOnObject(this.ident("BU_, BO_, SG_, EV_ or a string"));
    }
    this.punct(";");
  }

  private commentOnObject(kind: DbcToken): void {
    const comments = this.out.comments;
    switch (kind.text) {
      case "BU_":
        comments.nodes.set(this.ident("the node name").text, this.string("the comment"));
        return;
      case "BO_":
        comments.messages.set(this.number("the message id"), this.string("the comment"));
        return;
      case "SG_":
        return this.signalComment();
      case "EV_":
        this.ident("the environment variable name");
        this.string("the comment");
        return;
      default:
        throw this.error(kind, "BU_, BO_, SG_, EV_ or a string");
    }
  }

  private signalComment(): void {
    const rawId = this.number("the message id");
    if (this.peek().kind === "string") {
      this.warn(this.peek(), "CM_ SG_ without a signal name, read as a message comment");
      this.out.comments.messages.set(rawId, this.string("the comment"));
      return;
    }
    const name = this.ident("the signal name").text;
    this.out.comments.signals.set(signalKey(rawId, name), this.string("the comment"));
  }

  private attributeDefinition(): void {
    const next = this.peek();
    const objectType = next.kind === "ident" ? OBJECT_KEYWORDS[next.text] : "network";
    if (objectType === undefined) throw this.error(next, "BU_, BO_, SG_, EV_ or the name");
    if (next.kind === "ident") this.pos++;
    const name = this.string("the attribute name");
    const typeToken = this.ident("INT, HEX, FLOAT, STRING or ENUM");
    const definition: AttributeDefinition = { name, objectType, type: "STRING" };
    switch (typeToken.text) {
      case "INT":
      case "HEX":
      case "FLOAT":
        definition.type = typeToken.text;
        definition.min = this.number("the minimum");
        definition.max = this.number("the maximum");
        break;
      case "STRING":
        break;
      case "ENUM":
        definition.type = "ENUM";
        definition.values = this.enumValues();
        break;
      default:
        throw this.error(typeToken, "INT, HEX, FLOAT, STRING or ENUM");
    }
    this.punct(";");
    this.out.attributeDefinitions.set(name, definition);
  }

  private enumValues(): string[] {
    const values: string[] = [];
    while (this.peek().kind === "string") {
      values.push(this.next().text);
      if (this.peek().text === ",") this.pos++;
    }
    return values;
  }

  private attributeDefault(): void {
    const nameToken = this.peek();
    const name = this.string("the attribute name");
    const value = this.attributeValue();
    this.punct(";");
    const definition = this.out.attributeDefinitions.get(name);
    if (definition === undefined) {
      this.warn(nameToken, `default for undefined attribute "${name}"`);
      return;
    }
    definition.default = value;
  }

  private attribute(): void {
    const name = this.string("the attribute name");
    const table = this.out.attributes;
    const kind = this.peek();
    let values: Map<string, AttributeValue>;
    if (kind.kind !== "ident") {
      values = table.network ??= new Map<string, AttributeValue>();
    } else {
      this.pos++;
      values = this.attributeTarget(kind, table);
    }
    values.set(name, this.attributeValue());
    this.punct(";");
  }

  private attributeTarget(
    kind: DbcToken,
    table: ObjectTable<Map<string, AttributeValue>>,
  ): Map<string, AttributeValue> {
    switch (kind.text) {
      case "BU_":
        return getOrCreate(table.nodes, this.ident("the node name").text);
      case "BO_":
        return getOrCreate(table.messages, this.number("the message id"));
      case "SG_": {
        const rawId = this.number("the message id");
        return getOrCreate(table.signals, signalKey(rawId, this.ident("the signal name").text));
      }
      case "EV_":
        this.ident("the environment variable name");
        return new Map();
      default:
        throw this.error(kind, "BU_, BO_, SG_, EV_ or a value");
    }
  }

  private attributeValue(): AttributeValue {
    return this.peek().kind === "string" ? this.next().text : this.number("the attribute value");
  }

  private valueTable(): void {
    const name = this.ident("the value table name").text;
    this.out.valueTables.set(name, this.valuePairs());
    this.punct(";");
  }

  private valueDescriptions(): void {
    if (this.peek().kind === "ident") return this.skipStatement(); // environment variable
    const rawId = this.number("the message id");
    const name = this.ident("the signal name").text;
    this.out.choices.set(signalKey(rawId, name), this.valuePairs());
    this.punct(";");
  }

  private valuePairs(): Map<number, string> {
    const pairs = new Map<number, string>();
    while (this.peek().kind !== "punct" || this.peek().text === "-") {
      const value = this.number("a value or ';'");
      pairs.set(value, this.string("the value's description"));
    }
    return pairs;
  }

  private signalValueType(): void {
    const rawId = this.number("the message id");
    const name = this.ident("the signal name").text;
    if (this.peek().text === ":") this.pos++;
    const type = this.number("the value type 0, 1 or 2");
    this.punct(";");
    this.out.valueTypes.set(signalKey(rawId, name), type);
  }

  private multiplexValues(): void {
    const rawId = this.number("the message id");
    const name = this.ident("the signal name").text;
    const multiplexer = this.ident("the multiplexer name").text;
    const ranges: [number, number][] = [this.range()];
    while (this.peek().text === ",") {
      this.pos++;
      ranges.push(this.range());
    }
    this.punct(";");
    const key = signalKey(rawId, name);
    const previous = this.out.multiplexing.get(key);
    this.out.multiplexing.set(key, {
      multiplexer,
      ranges: previous?.multiplexer === multiplexer ? [...previous.ranges, ...ranges] : ranges,
    });
  }

  private range(): [number, number] {
    const low = this.number("the range start");
    this.punct("-");
    return [low, this.number("the range end")];
  }

  private skipStatement(): void {
    while (this.peek().kind !== "eof" && this.next().text !== ";");
  }

  private peek(ahead = 0): DbcToken {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as DbcToken;
  }

  private next(): DbcToken {
    const token = this.peek();
    if (token.kind !== "eof") this.pos++;
    return token;
  }

  private ident(expected: string): DbcToken {
    const token = this.next();
    if (token.kind !== "ident") throw this.error(token, expected);
    return token;
  }

  private string(expected: string): string {
    const token = this.next();
    if (token.kind !== "string") throw this.error(token, expected);
    return token.text;
  }

  private punct(ch: string): void {
    const token = this.next();
    if (token.kind !== "punct" || token.text !== ch) throw this.error(token, `'${ch}'`);
  }

  /** A number with an optional sign token in front. */
  private number(expected: string): number {
    let token = this.next();
    let sign = 1;
    if (token.kind === "punct" && (token.text === "-" || token.text === "+")) {
      sign = token.text === "-" ? -1 : 1;
      token = this.next();
    }
    if (token.kind !== "number") throw this.error(token, expected);
    return sign * Number(token.text);
  }

  private error(token: DbcToken, expected: string): DbcSyntaxError {
    return new DbcSyntaxError(this.file, token.line, token.column, expected, describe(token));
  }

  private warn(token: DbcToken, detail: string): void {
    this.out.warnings.push(`line ${token.line}, column ${token.column}: ${detail}`);
  }
}

function describe(token: DbcToken): string {
  switch (token.kind) {
    case "eof":
      return "the end of the file";
    case "string":
      return `the string "${token.text.length > 20 ? `${token.text.slice(0, 20)}...` : token.text}"`;
    case "ident":
    case "number":
    case "punct":
      return `'${token.text}'`;
  }
}

function getOrCreate<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let value = map.get(key);
  if (value === undefined) {
    value = new Map();
    map.set(key, value);
  }
  return value;
}
