import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Dbc } from "../drivers/dbc/Dbc.js";
import type { DbcMessage } from "../drivers/dbc/DbcMessage.js";
import type { DbcSignal } from "../drivers/dbc/DbcSignal.js";
import type { DecodedMessage } from "../drivers/dbc/DecodedMessage.js";
import { parseDbc } from "../drivers/dbc/parseDbc.js";
import { formatCandumpLine } from "../replay/formats/candump/formatCandumpLine.js";
import type { LogRecord } from "../replay/formats/LogRecord.js";
import { openLog } from "../replay/formats/openLog.js";
import { stdoutText, unlessStdoutClosed } from "./stdoutText.js";

interface DbcFlags {
  json?: boolean;
  lenient?: boolean;
}

/** `roadrig dbc decode` and `roadrig dbc show`. */
export function registerDbcCommand(program: Command): void {
  const dbc = program.command("dbc").description("decode CAN logs with a DBC file, or describe one");
  dbc
    .command("decode")
    .description("print each frame of a log with its decoded signals (candump line :: message)")
    .argument("<dbc>", "DBC file")
    .argument("<log>", "log file or s3://bucket/key URL (candump, MDF4, ...)")
    .option("--json", "one JSON object per frame")
    .option("--lenient", "load a DBC whose signals run past their message, as other tools do")
    .action(async (dbcPath: string, logPath: string, flags: DbcFlags) => {
      const database = await loadDbc(dbcPath, flags);
      await decodeLog(database, logPath, flags.json === true, stdoutText())
        .catch(unlessStdoutClosed);
    });
  dbc
    .command("show")
    .description("summarize the messages and signals of a DBC file")
    .argument("<dbc>", "DBC file")
    .option("--json", "print as JSON")
    .option("--lenient", "load a DBC whose signals run past their message, as other tools do")
    .action(async (dbcPath: string, flags: DbcFlags) => {
      const database = await loadDbc(dbcPath, flags);
      const summary = dbcSummary(database);
      process.stdout.write(
        flags.json ? `${JSON.stringify(summary, jsonValue, 2)}\n` : renderSummary(summary),
      );
    });
}

async function loadDbc(path: string, flags: DbcFlags): Promise<Dbc> {
  return parseDbc(await readFile(path), { file: path, strict: flags.lenient !== true });
}

/**
 * Streams the log batch by batch; `write` receives the finished lines of a batch (one per
 * frame) and is awaited before the next batch is read, so a slow consumer paces the reading.
 */
export async function decodeLog(
  dbc: Dbc,
  logPath: string,
  json: boolean,
  write: (text: string) => void | Promise<void>,
): Promise<number> {
  const reader = await openLog(logPath);
  let frames = 0;
  try {
    for await (const batch of reader.batches()) {
      let text = "";
      for (const record of batch) {
        if (record.kind !== "frame") continue;
        frames++;
        text += decodedLine(dbc, record, reader.startNs, json);
      }
      if (text !== "") await write(text);
    }
  } finally {
    await reader.close();
  }
  return frames;
}

type FrameRecord = Extract<LogRecord, { kind: "frame" }>;

/** The frame as a candump line, then ` :: Message(Signal: value unit, ...)` when it decodes. */
export function decodedLine(dbc: Dbc, record: FrameRecord, startNs: bigint, json: boolean): string {
  const frame = record.frame;
  const decoded = frame.remote || frame.error ? undefined : dbc.decode(frame);
  const line = formatCandumpLine(frame, startNs + BigInt(record.timeNs));
  if (json) return `${JSON.stringify(jsonRecord(line, record, decoded), jsonValue)}\n`;
  return decoded === undefined ? `${line}\n` : `${line} :: ${signalText(decoded)}\n`;
}

function signalText(decoded: DecodedMessage): string {
  const parts = decoded.signals.map((s) => {
    const value = s.label ?? String(s.value);
    return `${s.name}: ${value}${s.label === undefined && s.unit !== "" ? ` ${s.unit}` : ""}`;
  });
  return `${decoded.message.name}(${parts.join(", ")})`;
}

function jsonRecord(line: string, record: FrameRecord, decoded: DecodedMessage | undefined) {
  const signals: Record<string, unknown> = {};
  for (const s of decoded?.signals ?? []) {
    signals[s.name] = {
      value: s.value,
      raw: s.raw,
      ...(s.unit === "" ? {} : { unit: s.unit }),
      ...(s.label === undefined ? {} : { label: s.label }),
    };
  }
  return {
    line,
    timeNs: record.timeNs,
    channel: record.channel,
    id: record.frame.id,
    extended: record.frame.extended,
    message: decoded?.message.name ?? null,
    signals,
  };
}

/** JSON has no bigint: raw values beyond 2^53 are written as decimal strings. */
function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export function dbcSummary(dbc: Dbc) {
  return {
    file: dbc.file,
    version: dbc.version,
    nodes: dbc.nodes.map((n) => n.name),
    messages: dbc.messages.map(messageSummary),
    warnings: dbc.warnings,
  };
}

type Summary = ReturnType<typeof dbcSummary>;

function messageSummary(m: DbcMessage) {
  return {
    name: m.name,
    id: idText(m.id, m.extended),
    extended: m.extended,
    fd: m.fd,
    j1939: m.j1939,
    length: m.length,
    senders: m.senders,
    ...(m.comment === undefined ? {} : { comment: m.comment }),
    signals: m.signals.map(signalSummary),
  };
}

function signalSummary(s: DbcSignal) {
  return {
    name: s.name,
    layout: `${s.startBit}|${s.length}@${s.byteOrder === "little_endian" ? 1 : 0}` +
      `${s.signed ? "-" : "+"}`,
    type: s.valueType,
    factor: s.factor,
    offset: s.offset,
    min: s.min,
    max: s.max,
    unit: s.unit,
    ...(s.isMultiplexer ? { multiplexer: true } : {}),
    ...(s.multiplexedBy === undefined ? {} : { multiplexedBy: s.multiplexedBy }),
    ...(s.choices === undefined ? {} : { choices: Object.fromEntries(s.choices) }),
    ...(s.fitsMessage ? {} : { fitsMessage: false }),
  };
}

function idText(id: number, extended: boolean): string {
  return `0x${id.toString(16).toUpperCase().padStart(extended ? 8 : 3, "0")}`;
}

function renderSummary(summary: Summary): string {
  const lines = [
    `${summary.file}: ${summary.messages.length} messages, ` +
      `${summary.messages.reduce((n, m) => n + m.signals.length, 0)} signals, ` +
      `nodes ${summary.nodes.join(" ") || "-"}`,
  ];
  for (const m of summary.messages) {
    const flags = [m.extended ? "ext" : "std", m.fd ? "fd" : "", m.j1939 ? "j1939" : ""];
    lines.push(`${m.id} ${m.name} [${m.length}] ${flags.filter(Boolean).join(",")}`);
    for (const s of m.signals) {
      const mux = s.multiplexer ? " M" : "";
      const sel = s.multiplexedBy ? ` if ${s.multiplexedBy.multiplexer}` : "";
      lines.push(`  ${s.name}${mux}${sel} ${s.layout} (${s.factor},${s.offset}) ` +
        `[${s.min}|${s.max}] "${s.unit}"${s.type === "integer" ? "" : ` ${s.type}`}`);
    }
  }
  for (const w of summary.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
}
