import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3rver, type RunningS3rver } from "../support/startS3rver.js";
import { buildCli, roadrig } from "./cliHarness.js";

const LOG = "(1700000000.000000) can0 123#0102\n(1700000000.010000) can1 456#03\n";
let server: RunningS3rver;
const cacheDir = mkdtempSync(join(tmpdir(), "roadrig-cli-cache-"));

beforeAll(async () => {
  buildCli();
  server = await startS3rver(["logs"]);
  await server.put("logs", "drives/a.log", new TextEncoder().encode(LOG));
}, 180_000);

afterAll(async () => {
  await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** The standard AWS variables, pointed at the loopback s3rver, as a user's shell would set. */
function awsEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: server.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  };
}

describe("roadrig replay s3://", () => {
  it("replays a log straight from S3 with the standard AWS settings", async () => {
    const result = await roadrig(
      ["replay", "s3://logs/drives/a.log", "--to", "candump:-", "--rate", "0"],
      awsEnv(),
    );
    expect(result.stderr).not.toMatch(/"level":50/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(LOG);
  });

  it("replays through the NAS cache with --cache-dir, twice with the same result", async () => {
    const args = ["replay", "s3://logs/drives/a.log", "--to", "candump:-", "--rate", "0"];
    const first = await roadrig([...args, "--cache-dir", cacheDir], awsEnv());
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(LOG);
    expect(readdirSync(cacheDir, { recursive: true }).length).toBeGreaterThan(0);
    const second = await roadrig([...args, "--cache-dir", cacheDir], awsEnv());
    expect(second.stdout).toBe(LOG);
  });

  it("exits 1 naming the URL for a missing object", async () => {
    const result = await roadrig(["replay", "s3://logs/nope.log", "--to", "candump:-"], awsEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("s3://logs/nope.log");
  });
});
