const MAGIC = "#ROSBAG V";

/**
 * True when the first bytes of a file are a rosbag's version line (`#ROSBAG V2.0\n`, or an older
 * version that `openRosbag` then refuses by name).
 */
export function looksLikeRosbag(firstBytes: Uint8Array): boolean {
  if (firstBytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) {
    if (firstBytes[i] !== MAGIC.charCodeAt(i)) return false;
  }
  return true;
}
