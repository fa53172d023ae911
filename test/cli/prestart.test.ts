import { describe, expect, it } from "vitest";
import { prestartHint } from "../../cli/prestart.js";

const argv = (...args: string[]) => ["node", "roadrig", ...args];

describe("prestartHint", () => {
  it("asks for a worker with the SDK for a paced replay of an s3:// log", () => {
    expect(prestartHint(argv("replay", "s3://b/k.mf4", "--to", "candump:-"))).toEqual({ s3: true });
    expect(prestartHint(argv("--log-level", "debug", "replay", "s3://b/k", "--to", "x")))
      .toEqual({ s3: true });
  });

  it("asks for a worker without the SDK for a local log", () => {
    expect(prestartHint(argv("replay", "drive.mf4", "--to", "candump:-", "--rate", "2")))
      .toEqual({ s3: false });
  });

  it("asks for none where the replay reads in its own thread or runs no replay", () => {
    expect(prestartHint(argv("replay", "s3://b/k", "--rate", "0"))).toBeUndefined();
    expect(prestartHint(argv("replay", "s3://b/k", "--rate=0"))).toBeUndefined();
    expect(prestartHint(argv("replay", "s3://b/k", "--no-read-worker"))).toBeUndefined();
    expect(prestartHint(argv("replay", "--help"))).toBeUndefined();
    expect(prestartHint(argv("cache", "prefetch", "s3://b/k"))).toBeUndefined();
    expect(prestartHint(argv("--log-level", "replay", "agent"))).toBeUndefined();
  });

  it("asks for one at rate 0 when --read-worker asks for it", () => {
    expect(prestartHint(argv("replay", "s3://b/k", "--rate", "0", "--read-worker")))
      .toEqual({ s3: true });
  });
});
