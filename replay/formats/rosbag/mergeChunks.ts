/** A chunk of a log whose items can be loaded on demand, with the time range its index gives. */
export interface TimedChunk<T> {
  startNs: bigint;
  endNs: bigint;
  /** The chunk's items sorted by time; ties keep the order they have in the file. */
  load(): Promise<T[]>;
}

interface Cursor<T> {
  items: T[];
  next: number;
  /** Position of the chunk in file order, which breaks ties between chunks. */
  order: number;
}

/**
 * Yields the items of all chunks in time order, whatever order the chunks have in the file, in
 * arrays of up to `batchSize` (one await per item costs more than the work on it).
 *
 * A chunk is loaded only once the merge reaches its start time, and dropped when it is used up,
 * so memory holds the chunks whose time ranges overlap the current time, not the log. This relies
 * on each chunk's declared range holding all its items, as rosbag chunk infos and MCAP chunk
 * records promise.
 */
export async function* mergeChunks<T>(
  chunks: readonly TimedChunk<T>[],
  timeOf: (item: T) => bigint,
  batchSize: number,
): AsyncGenerator<T[]> {
  const byStart = chunks
    .map((chunk, order) => ({ chunk, order }))
    .sort((a, b) => compareBigint(a.chunk.startNs, b.chunk.startNs) || a.order - b.order);
  const open: Cursor<T>[] = [];
  let toLoad = 0;
  let batch: T[] = [];

  for (;;) {
    let head = earliest(open, timeOf);
    while (toLoad < byStart.length) {
      const pending = byStart[toLoad] as (typeof byStart)[number];
      if (head && pending.chunk.startNs > timeOf(head.items[head.next] as T)) break;
      const items = await pending.chunk.load();
      if (items.length > 0) open.push({ items, next: 0, order: pending.order });
      toLoad++;
      head = earliest(open, timeOf);
    }
    if (!head) break;

    batch.push(head.items[head.next] as T);
    head.next++;
    if (head.next === head.items.length) open.splice(open.indexOf(head), 1);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// A linear scan, not a heap: only chunks whose time ranges overlap are open at once, which in
// recorded logs is one to a few.
function earliest<T>(
  open: readonly Cursor<T>[],
  timeOf: (item: T) => bigint,
): Cursor<T> | undefined {
  let best: Cursor<T> | undefined;
  let bestTime = 0n;
  for (const cursor of open) {
    const time = timeOf(cursor.items[cursor.next] as T);
    if (!best || time < bestTime || (time === bestTime && cursor.order < best.order)) {
      best = cursor;
      bestTime = time;
    }
  }
  return best;
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
