import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";

export interface S3rverProcess {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly port: number;
}

/**
 * s3rver in a process of its own on 127.0.0.1, so that a bench's memory figures are its own.
 * Objects stay in `directory` between runs, so large uploads are made once.
 */
export async function startS3rverProcess(
  directory: string,
  buckets: readonly string[],
  cwd: string,
): Promise<S3rverProcess> {
  mkdirSync(directory, { recursive: true });
  const script = `
    const S3rver = require("s3rver");
    new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: ${JSON.stringify(directory)},
      configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} })
      .run().then((a) => console.log(a.port));`;
  const child = spawn(process.execPath, ["-e", script], { cwd, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((ok, fail) => {
    child.stdout?.once("data", (d: Buffer) => ok(Number(d.toString().trim())));
    child.once("exit", (code) => fail(new Error(`s3rver exited with ${code}`)));
  });
  return { child, endpoint: `http://127.0.0.1:${port}`, port };
}
