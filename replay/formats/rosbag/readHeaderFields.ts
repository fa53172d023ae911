import { readUint32 } from "./readUint32.js";

/**
 * Splits a rosbag record header into its fields. A record header is a run of
 * `<u32 length><name>=<value>` fields; values stay raw bytes, as their types depend on the name.
 * Names are ASCII (`op`, `conn`, `time`...) and read without a TextDecoder, which would cost
 * more than the rest of the header, once per message.
 */
export function readHeaderFields(header: Uint8Array): Map<string, Uint8Array> {
  const fields = new Map<string, Uint8Array>();
  let at = 0;
  while (at < header.length) {
    if (at + 4 > header.length) throw new Error(`header field length cut at ${at}`);
    const length = readUint32(header, at, true);
    const field = header.subarray(at + 4, at + 4 + length);
    if (field.length !== length) {
      throw new Error(`header field of ${length} bytes runs past the header`);
    }
    const equals = field.indexOf(0x3d);
    if (equals < 0) throw new Error("header field without '='");
    fields.set(String.fromCharCode(...field.subarray(0, equals)), field.subarray(equals + 1));
    at += 4 + length;
  }
  return fields;
}
