import { FormatError, UnsupportedError } from "../formats/FormatError.js";

type Primitive = string | number | boolean;

/**
 * An error as it crosses from the read worker: structured clone keeps an Error's message but
 * not its class or its own fields, and a FormatError's coordinates are what the user needs.
 */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** A FormatError's coordinates, which rebuild it with the same message. */
  format?: { file: string; where: string; offset: number; detail: string };
  /** The error's own primitive fields (`code`, `errno`, `path`, `statusCode`...). */
  fields: Record<string, Primitive>;
}

export function errorToWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err), fields: {} };
  const fields: Record<string, Primitive> = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      fields[key] = value;
    }
  }
  const wire: WireError = { name: err.name, message: err.message, fields };
  if (err.stack !== undefined) wire.stack = err.stack;
  if (err instanceof FormatError) {
    wire.format = { file: err.file, where: err.where, offset: err.offset, detail: err.detail };
  }
  return wire;
}

/** The error again, on this side: a FormatError as a FormatError (or UnsupportedError). */
export function errorFromWire(wire: WireError): Error {
  const err = wire.format ? formatError(wire) : new Error(wire.message);
  if (!wire.format) {
    err.name = wire.name;
    Object.assign(err, wire.fields);
  } else if (err.name !== wire.name) {
    // A subclass this side does not rebuild (a DBC error): its name and code still tell it.
    Object.assign(err, { code: wire.fields.code ?? "E_FORMAT" });
    err.name = wire.name;
  }
  // The worker's stack says where the log went wrong; this side's would only name the port.
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}

function formatError(wire: WireError): FormatError {
  const { file, where, offset, detail } = wire.format as NonNullable<WireError["format"]>;
  const prefix = "unsupported: ";
  if (wire.name === "UnsupportedError" && detail.startsWith(prefix)) {
    return new UnsupportedError(file, where, offset, detail.slice(prefix.length));
  }
  return new FormatError(file, where, offset, detail);
}
