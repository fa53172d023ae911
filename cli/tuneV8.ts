import { setFlagsFromString } from "node:v8";

/**
 * V8 settings for a replay, set once its logs and outputs are open, before it runs hot (its read
 * worker shares them). Not at process start: once a flag has changed, V8 refuses the code cache
 * of Node's own modules, and each one loaded after that is compiled afresh (`roadrig --help` took
 * 17–28 ms longer).
 *
 * Allocation-site pretenuring is off. V8 allocates an object directly in the old generation once
 * most objects of its allocation site were still alive at a young-generation collection. A
 * replay reading from S3 hits exactly that: network callbacks allocate, and so trigger
 * collections, while a whole batch of decoded frames is alive. The frame and record sites were
 * then tenured for good, and every later frame went to the old generation. Replaying 2 GiB at
 * `--rate 0` from s3rver spent 8.3 of its 20.5 s in the collector and peaked at 224–242 MB of
 * RSS. Without pretenuring: 11.3 s and 178 MB; from a local file nothing changes (9.3 s, 113 MB).
 * A replay's frames live for a batch, not for the process, so nothing here gains from it.
 */
export function tuneV8(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString("--no-allocation-site-pretenuring");
}

let tuned = false;
