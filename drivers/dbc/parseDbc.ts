import type { AttributeValue } from "./DbcAttribute.js";
import { resolveAttribute } from "./DbcAttribute.js";
import { Dbc } from "./Dbc.js";
import type { DbcNode } from "./DbcMessage.js";
import type { DbcOptions } from "./DbcOptions.js";
import { DbcParser } from "./DbcParser.js";
import { buildMessage, type BuildContext } from "./buildMessage.js";
import { decodeDbcText } from "./decodeDbcText.js";

/** Vector's pseudo-message holding signals not placed in any message; no frame carries it. */
const INDEPENDENT_SIGNALS = "VECTOR__INDEPENDENT_SIG_MSG";
const NO_ATTRIBUTES: ReadonlyMap<string, AttributeValue> = new Map();

/**
 * Loads a DBC file from its text or bytes (UTF-8, else cp1252). Throws `DbcSyntaxError` with the
 * line and column for text that does not parse, and `DbcError` for definitions that cannot be
 * right (see `DbcOptions.strict`).
 */
export function parseDbc(input: string | Uint8Array, options: DbcOptions = {}): Dbc {
  const file = options.file ?? "<dbc>";
  const text = typeof input === "string" ? input : decodeDbcText(input);
  const parsed = new DbcParser(text, file).parse();
  const network = parsed.attributes.network ?? NO_ATTRIBUTES;
  const protocol = resolveAttribute(parsed.attributeDefinitions, network, "ProtocolType");
  const ctx: BuildContext = {
    file,
    strict: options.strict ?? true,
    parsed,
    j1939Network: protocol === "J1939",
    warnings: [...parsed.warnings],
  };
  const messages = parsed.messages
    .filter((m) => m.name !== INDEPENDENT_SIGNALS)
    .map((m) => buildMessage(m, ctx));
  const nodes = parsed.nodes.map((name): DbcNode => {
    const comment = parsed.comments.nodes.get(name);
    return {
      name,
      ...(comment === undefined ? {} : { comment }),
      attributes: parsed.attributes.nodes.get(name) ?? NO_ATTRIBUTES,
    };
  });
  return new Dbc({
    file,
    version: parsed.version,
    nodes,
    messages,
    valueTables: parsed.valueTables,
    attributeDefinitions: parsed.attributeDefinitions,
    attributes: network,
    ...(parsed.comments.network === undefined ? {} : { comment: parsed.comments.network }),
    warnings: ctx.warnings,
    j1939: options.j1939 ?? true,
  });
}
