import { setFlagsFromString } from "node:v8";

/**
 * V8 settings for roadrig's processes, set before anything runs hot (worker threads share them).
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
  setFlagsFromString("--no-allocation-site-pretenuring");
}
