// Run in a child process by the cache tests: reads one S3 object through a shared NasCache in
// a given chunk order and prints what it saw as one JSON line.
import { createHash } from "node:crypto";
import { CachedS3Source, type CacheWarning } from "../../../../replay/sources/CachedS3Source.js";
import { NasCache } from "../../../../replay/sources/NasCache.js";

interface Job {
  url: string;
  endpoint: string;
  cacheDir: string;
  chunkBytes: number;
  flushBytes: number;
  order: "forward" | "backward" | "interleaved";
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const warnings: CacheWarning[] = [];
const source = await CachedS3Source.open(job.url, {
  cache: new NasCache({ dir: job.cacheDir, flushBytes: job.flushBytes, staleMs: 10_000 }),
  clientOptions: {
    endpoint: job.endpoint, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  },
  chunkBytes: job.chunkBytes,
  readAheadBytes: job.chunkBytes * 2,
  onWarning: (w) => warnings.push(w),
});
const size = await source.size();
const chunks = Math.ceil(size / job.chunkBytes);
const indices = Array.from({ length: chunks }, (_, i) => i);
if (job.order === "backward") indices.reverse();
if (job.order === "interleaved") indices.sort((a, b) => (a % 2) - (b % 2) || a - b);
const all = new Uint8Array(size);
for (const i of indices) {
  const bytes = await source.read(i * job.chunkBytes, job.chunkBytes);
  all.set(bytes, i * job.chunkBytes);
}
await source.close();
const sha256 = createHash("sha256").update(all).digest("hex");
process.stdout.write(JSON.stringify({
  sha256,
  stats: source.stats,
  warnings: warnings.map((w) => ({ reason: w.reason, message: w.message })),
}) + "\n");
