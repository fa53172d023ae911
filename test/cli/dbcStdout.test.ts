import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sharedData.js";
import { buildCli } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-dbc-stdout-"));
const dbcPath = join(dir, "speed.dbc");
const logPath = join(dir, "big.log");
const DBC = `VERSION ""
BS_:
BU_: ECU
BO_ 291 Speed: 2 ECU
 SG_ Value : 0|16@1+ (0.1,0) [0|6553.5] "km/h" ECU
`;
// About 1 MiB of lines: many times a pipe's buffer.
const LOG = Array.from({ length: 25_000 }, (_, i) =>
  `(1700000000.${String(i).padStart(6, "0")}) can0 123#${(i & 0xffff).toString(16).toUpperCase().padStart(4, "0")}\n`,
).join("");

beforeAll(() => {
  buildCli();
  writeFileSync(dbcPath, DBC);
  writeFileSync(logPath, LOG);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface PipeResult {
  /** The CLI's own exit status, not the pipeline's. */
  cliStatus: string;
  stdout: string;
  stderr: string;
}

/** `roadrig ...args | head -n 1`: the reader goes away after the first line. */
function decodeIntoHead(args: string[]): Promise<PipeResult> {
  return new Promise((resolve, reject) => {
    const cli = [process.execPath, join(repoRoot, "bin", "roadrig.js"), ...args];
    const child = spawn(
      "bash",
      ["-c", '"$0" "$@" | head -n 1; echo "cli status ${PIPESTATUS[0]}" >&2', ...cli],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", () => {
      const status = /cli status (\d+)/.exec(stderr)?.[1] ?? "none";
      resolve({ cliStatus: status, stdout, stderr: stderr.replace(/cli status \d+\n?/, "") });
    });
  });
}

describe("roadrig dbc decode into a pipe", () => {
  it.each([[[]], [["--json"]]])("stops quietly when the reader goes away (%j)", async (flags) => {
    const result = await decodeIntoHead(["dbc", "decode", ...flags, dbcPath, logPath]);
    expect(result.stdout.split("\n")[0]).toContain("123#0000");
    expect(result.stderr).toBe("");
    expect(result.cliStatus).toBe("0");
  });
});
