/**
 * Splits a rosbag record header into its fields. A record header is a run of
 * `<u32 length><name>=<value>` fields; values stay raw bytes, as their types depend on the name.
 */
export function readHeaderFields(header: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const fields = new Map<string, Uint8Array>();
  let at = 0;
  while (at < header.length) {
    if (at + 4 > header.length) throw new Error(`header field length cut at ${at}`);
    const length = view.getUint32(at, true);
    const field = header.subarray(at + 4, at + 4 + length);
    if (field.length !== length) {
      throw new Error(`header field of ${length} bytes runs past the header`);
    }
    const equals = field.indexOf(0x3d);
    if (equals < 0) throw new Error("header field without '='");
    fields.set(new TextDecoder().decode(field.subarray(0, equals)), field.subarray(equals + 1));
    at += 4 + length;
  }
  return fields;
}
