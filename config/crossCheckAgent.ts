import { compileExpression } from "../agent/telemetry/compileExpression.js";
import { ExpressionError } from "../agent/telemetry/ExpressionError.js";
import type { Dbc } from "../drivers/dbc/index.js";
import type { SchemaProblem, Segment } from "./schema/validate.js";
import { isRecord } from "./schema/validate.js";

type Raw = Record<string, unknown>;
const entries = (v: unknown): [string, unknown][] => (isRecord(v) ? Object.entries(v) : []);
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * What the schema cannot say alone: streams name sinks that exist, names are unique, telemetry
 * is not configured where it would be ignored.
 */
export function crossCheckAgent(config: Raw): SchemaProblem[] {
  const telemetry = isRecord(config.telemetry) ? config.telemetry : {};
  const problems: SchemaProblem[] = [];
  const sinks = items(telemetry.sinks).map((s) => (isRecord(s) ? s.name : undefined));
  if (config.embedded !== undefined && config.telemetry !== undefined) {
    // `roadrig agent` runs the sample drive's telemetry with the embedded broker; a telemetry
    // section beside it would be ignored without a word.
    problems.push({ at: ["telemetry"], atKey: true, expected: "no telemetry section beside "
      + "embedded (the embedded default runs its own sample telemetry)", found: "both" });
  }
  unique(items(telemetry.streams), ["telemetry", "streams"], problems);
  unique(items(telemetry.sinks), ["telemetry", "sinks"], problems);
  items(telemetry.streams).forEach((stream, i) => {
    if (!isRecord(stream) || typeof stream.sink !== "string") return;
    if (sinks.includes(stream.sink)) return;
    problems.push({ at: ["telemetry", "streams", i, "sink"], found: JSON.stringify(stream.sink),
      expected: `the name of a sink (${sinks.map((s) => JSON.stringify(s)).join(", ")})` });
  });
  return problems;
}

function unique(list: unknown[], at: Segment[], problems: SchemaProblem[]): void {
  const seen = new Set<unknown>();
  list.forEach((item, i) => {
    const name = isRecord(item) ? item.name : undefined;
    if (name === undefined) return;
    if (seen.has(name)) {
      problems.push({ at: [...at, i, "name"], expected: "a name not used before in the list",
        found: JSON.stringify(name) });
    }
    seen.add(name);
  });
}

/** The body map's messages and signals exist in the body bus's DBC. */
export function checkBodyAgainstDbc(config: Raw, dbc: Dbc): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  /** `signals`: where each is named (relative to `at`), and its name. */
  const ref = (at: Segment[], message: unknown, signals: [Segment[], unknown][]) => {
    if (typeof message !== "string") return;
    const found = dbc.messageByName(message);
    if (found === undefined) {
      problems.push({ at: [...at, "message"], expected: "a message of the DBC",
        found: JSON.stringify(message) });
      return;
    }
    const names = new Set(found.signals.map((s) => s.name));
    for (const [where, signal] of signals) {
      if (typeof signal === "string" && !names.has(signal)) {
        problems.push({ at: [...at, ...where], atKey: where.length > 1,
          expected: `a signal of ${message}`, found: JSON.stringify(signal) });
      }
    }
  };
  const body = config.body;
  if (!isRecord(body)) return problems;
  for (const [name, field] of entries(body.fields)) {
    if (!isRecord(field)) continue;
    const at = ["body", "fields", name];
    const command = isRecord(field.command) ? field.command : {};
    const status = isRecord(field.status) ? field.status : {};
    ref([...at, "status"], status.message, [[["signal"], status.signal]]);
    if (field.kind === "position") {
      ref([...at, "command"], command.message, [[["signal"], command.signal],
        ...entries(command.with).map(([k]): [Segment[], unknown] => [["with", k], k])]);
    } else {
      const sent = entries(command.values).flatMap(([v, s]) =>
        entries(s).map(([k]): [Segment[], unknown] => [["values", v, k], k]));
      ref([...at, "command"], command.message, sent);
    }
  }
  const interlock = isRecord(body.interlock) ? body.interlock : {};
  ref(["body", "interlock"], interlock.message, [[["signal"], interlock.signal]]);
  return problems;
}

/** Trigger expressions name signals of the telemetry DBC. */
export function checkTriggersAgainstDbc(config: Raw, dbc: Dbc): SchemaProblem[] {
  const known = new Set(dbc.messages.flatMap((m) => m.signals.map((s) => s.name)));
  const telemetry = isRecord(config.telemetry) ? config.telemetry : {};
  const problems: SchemaProblem[] = [];
  items(telemetry.streams).forEach((stream, i) => {
    items(isRecord(stream) ? stream.triggers : undefined).forEach((trigger, j) => {
      if (!isRecord(trigger) || typeof trigger.when !== "string") return;
      if (!parses(trigger.when)) return;
      try {
        compileExpression(trigger.when, (name) => (known.has(name) ? 0 : undefined));
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        problems.push({ at: ["telemetry", "streams", i, "triggers", j, "when"],
          expected: `${error.expected} at column ${error.position + 1} of the expression`,
          found: error.found, column: error.position });
      }
    });
  });
  return problems;
}

/** Syntax errors are the schema's to report; here only the names. */
function parses(text: string): boolean {
  try {
    compileExpression(text, () => 0);
    return true;
  } catch {
    return false;
  }
}
