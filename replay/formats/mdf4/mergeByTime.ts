import type { LogRecord } from "../LogRecord.js";

interface Head {
  source: AsyncIterator<LogRecord[]>;
  batch: LogRecord[];
  at: number;
  done: boolean;
}

const OUT_BATCH = 8192;

/**
 * Merges time-ordered record streams into one, stably: at equal times the earlier stream (lower
 * data group) goes first. Runs of one stream go out as slices, so a single stream passes through.
 */
export async function* mergeByTime(sources: AsyncIterable<LogRecord[]>[]):
  AsyncGenerator<LogRecord[]> {
  if (sources.length === 1) {
    yield* sources[0] as AsyncIterable<LogRecord[]>;
    return;
  }
  const heads: Head[] = sources.map((s) => ({
    source: s[Symbol.asyncIterator](), batch: [], at: 0, done: false,
  }));
  try {
    let out: LogRecord[] = [];
    for (;;) {
      for (const h of heads) await refill(h);
      const [firstIndex, bound, boundIndex] = pick(heads);
      if (firstIndex < 0) break;
      const first = heads[firstIndex] as Head;
      const { batch } = first;
      let i = first.at;
      while (i < batch.length) {
        const t = (batch[i] as LogRecord).timeNs;
        if (t > bound || (t === bound && firstIndex > boundIndex)) break;
        out.push(batch[i] as LogRecord);
        i++;
      }
      first.at = i;
      if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    for (const h of heads) if (!h.done) await h.source.return?.();
  }
}

async function refill(h: Head): Promise<void> {
  while (!h.done && h.at >= h.batch.length) {
    const r = await h.source.next();
    if (r.done === true) h.done = true;
    else {
      h.batch = r.value;
      h.at = 0;
    }
  }
}

/** Index of the stream with the earliest head, and the (time, index) of the runner-up. */
function pick(heads: Head[]): [number, number, number] {
  let best = -1;
  let bestTime = Number.POSITIVE_INFINITY;
  let bound = Number.POSITIVE_INFINITY;
  let boundIndex = Number.POSITIVE_INFINITY;
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i] as Head;
    if (h.done) continue;
    const t = (h.batch[h.at] as LogRecord).timeNs;
    if (best < 0 || t < bestTime) {
      if (best >= 0) {
        bound = bestTime;
        boundIndex = best;
      }
      best = i;
      bestTime = t;
    } else if (t < bound) {
      bound = t;
      boundIndex = i;
    }
  }
  return [best, bound, boundIndex];
}
