import { GetObjectCommand } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultsBundle } from "../../../replay/results/ResultsBundle.js";
import { ResultsUploadError } from "../../../replay/results/ResultsUploadError.js";
import { uploadBundle, type UploadProgress } from "../../../replay/results/uploadBundle.js";
import { createS3Client } from "../../../replay/sources/createS3Client.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

let server: RunningS3rver;
const dir = mkdtempSync(join(tmpdir(), "roadrig-upload-"));
const MiB = 1024 * 1024;

beforeAll(async () => {
  server = await startS3rver(["results"]);
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A bundle with a capture of `captureBytes` patterned bytes, a report and a log. */
async function bundleWith(runId: string, captureBytes: number) {
  const bundle = await ResultsBundle.create(dir, runId);
  const capture = new Uint8Array(captureBytes);
  for (let i = 0; i < capture.length; i++) capture[i] = (i * 31 + (i >> 12)) & 0xff;
  writeFileSync(bundle.pathOf("capture.mf4"), capture);
  writeFileSync(bundle.logPath, '{"msg":"replay started"}\n');
  await bundle.writeReport({ runId } as never);
  return { bundle, capture };
}

async function objectBytes(key: string): Promise<Uint8Array> {
  const out = await server.client.send(new GetObjectCommand({ Bucket: "results", Key: key }));
  return (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
}

describe("uploadBundle", () => {
  it("uploads every file under the prefix, a large one in parallel parts, report last", async () => {
    const { bundle, capture } = await bundleWith("run-a", 11 * MiB + 123);
    const progress: UploadProgress[] = [];
    const files = await bundle.files();
    expect(files.map((f) => f.name)).toEqual(["capture.mf4", "run.log", "report.json"]);
    const client = createS3Client({ ...s3ClientOptionsFor(server.endpoint), maxAttempts: 3 });
    const commands: string[] = [];
    client.middlewareStack.add((next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    }, { step: "initialize" });
    const uploaded = await uploadBundle(files, { bucket: "results", key: "rig/run-a/" },
      bundle.dir, { client, partSize: 5 * MiB, queueSize: 3, onProgress: (p) => progress.push(p) });
    client.destroy();
    expect(uploaded.map((u) => u.url)).toEqual([
      "s3://results/rig/run-a/capture.mf4",
      "s3://results/rig/run-a/run.log",
      "s3://results/rig/run-a/report.json",
    ]);
    // 11 MiB in 5 MiB parts: three parts; the small files go as one PutObject each.
    expect(commands.sort()).toEqual([
      "CompleteMultipartUploadCommand", "CreateMultipartUploadCommand",
      "PutObjectCommand", "PutObjectCommand",
      "UploadPartCommand", "UploadPartCommand", "UploadPartCommand",
    ]);
    expect(Buffer.compare(await objectBytes("rig/run-a/capture.mf4"), capture)).toBe(0);
    const total = files.reduce((s, f) => s + f.bytes, 0);
    expect(progress.at(-1)).toMatchObject({ loaded: total, total });
    const loaded = progress.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  });

  it("names the object and the bundle folder when the bucket does not exist", async () => {
    const { bundle } = await bundleWith("run-b", 1000);
    const client = createS3Client({ ...s3ClientOptionsFor(server.endpoint), maxAttempts: 2 });
    const failure = await uploadBundle(await bundle.files(), { bucket: "nobucket", key: "x/" },
      bundle.dir, { client }).catch((err: unknown) => err);
    client.destroy();
    expect(failure).toBeInstanceOf(ResultsUploadError);
    const error = failure as ResultsUploadError;
    expect(error.localDir).toBe(bundle.dir);
    expect(error.message).toContain("s3://nobucket/x/capture.mf4");
    expect(error.message).toContain(bundle.dir);
  });

  it("stops at once when aborted, before sending anything", async () => {
    const { bundle } = await bundleWith("run-c", 1000);
    const client = createS3Client(s3ClientOptionsFor(server.endpoint));
    const failure = await uploadBundle(await bundle.files(), { bucket: "results", key: "c/" },
      bundle.dir, { client, signal: AbortSignal.abort(new Error("SIGTERM")) })
      .catch((err: unknown) => err);
    client.destroy();
    expect(failure).toBeInstanceOf(ResultsUploadError);
    expect((failure as Error).message).toMatch(/SIGTERM.*kept in/);
  });
});

describe("uploadBundle with the server gone", () => {
  it("retries, then fails naming the bundle folder", async () => {
    const { createServer } = await import("node:net");
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
    const port = (gone.address() as { port: number }).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const { bundle } = await bundleWith("run-d", 1000);
    const client = createS3Client({
      ...s3ClientOptionsFor(`http://127.0.0.1:${port}`), maxAttempts: 2,
    });
    const failure = await uploadBundle(await bundle.files(), { bucket: "results", key: "d/" },
      bundle.dir, { client }).catch((err: unknown) => err);
    client.destroy();
    expect(failure).toBeInstanceOf(ResultsUploadError);
    expect((failure as Error).message).toMatch(/ECONNREFUSED.*kept in .*run-d/s);
  });
});
