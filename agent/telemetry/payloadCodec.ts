import { gunzipSync, gzipSync } from "node:zlib";
import { BINARY_MAGIC, decodeBinaryBatch, encodeBinaryBatch } from "./binaryBatch.js";
import type { TelemetryBatch } from "./TelemetryBatch.js";
import type { Compression, PayloadFormat } from "./TelemetryConfig.js";

/** Encodes a batch as JSON (UTF-8) or the binary form, gzipped if asked. */
export function encodePayload(
  batch: TelemetryBatch,
  format: PayloadFormat,
  compression: Compression,
): Uint8Array {
  const plain = format === "json" ? Buffer.from(JSON.stringify(batch), "utf8") : encodeBinaryBatch(batch);
  // Level 1: batches of telemetry repeat names and near values, so the fast level already
  // shrinks them several times over; the higher levels cost the agent CPU for a few per cent.
  return compression === "gzip" ? gzipSync(plain, { level: 1 }) : plain;
}

/**
 * Decodes any payload the pipeline sends. The forms tell themselves apart by their first
 * bytes: gzip's 1F 8B, "RRTB" for binary, `{` for JSON.
 */
export function decodePayload(bytes: Uint8Array): TelemetryBatch {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return decodePayload(gunzipSync(bytes));
  if (BINARY_MAGIC.every((b, i) => bytes[i] === b)) return decodeBinaryBatch(bytes);
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")) as TelemetryBatch;
}
