/** A ROS1 `time`: unsigned seconds and nanoseconds since the epoch. */
export interface RosTime {
  sec: number;
  nsec: number;
}

export function rosTimeToNs(time: RosTime): bigint {
  return BigInt(time.sec) * 1_000_000_000n + BigInt(time.nsec);
}
