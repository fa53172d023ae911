import { BlockLayout } from "./BlockLayout.js";
import { dataSection } from "./encodeBlock.js";
import { encodeText } from "./encodeText.js";

const CC_TYPE_VALUE_TO_TEXT = 7;

/**
 * A value-to-text conversion (CC type 7) with its TX blocks, laid out from `start`: each value
 * maps to its text, any other value to no text (the default link is empty).
 */
export function encodeValueToText(
  start: number,
  entries: readonly (readonly [number, string])[],
): { bytes: Uint8Array; cc: number } {
  const layout = new BlockLayout(start);
  const cc = layout.ref();
  const texts = entries.map(() => layout.ref());
  // cc_tx_name, cc_md_unit, cc_md_comment, cc_cc_inverse, then one ref per value and the default
  layout.add("##CC", [null, null, null, null, ...texts, null], ccData(entries), cc);
  entries.forEach(([, text], i) => layout.addEncoded(encodeText(text), texts[i]));
  return { bytes: layout.bytes(), cc: cc.offset };
}

function ccData(entries: readonly (readonly [number, string])[]): Uint8Array {
  // type, precision, flags, ref count, value count, physical range min/max, values
  const { bytes, view } = dataSection(24 + entries.length * 8);
  bytes[0] = CC_TYPE_VALUE_TO_TEXT;
  view.setUint16(4, entries.length + 1, true);
  view.setUint16(6, entries.length, true);
  entries.forEach(([value], i) => view.setFloat64(24 + i * 8, value, true));
  return bytes;
}
