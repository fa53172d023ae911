import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileShadowStore } from "../../../../agent/shadow/service/FileShadowStore.js";
import type { ShadowRecord } from "../../../../agent/shadow/service/ShadowDocument.js";
import { ShadowStoreError } from "../../../../agent/shadow/service/ShadowStoreError.js";

const record = (thing: string, version: number, shadowName?: string): ShadowRecord => ({
  address: shadowName === undefined ? { thing } : { thing, shadowName },
  version,
  document: {
    state: { reported: { v: version } },
    metadata: { reported: { v: { timestamp: 1 } } },
    version,
    timestamp: 1,
  },
});

describe("FileShadowStore", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "roadrig-shadow-store-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one file per shadow and reads back the last record of each", async () => {
    const store = new FileShadowStore(dir);
    await store.save(record("car", 1));
    await store.save(record("car", 2));
    await store.save(record("car", 1, "cfg"));
    await store.save({ address: { thing: "gone" }, version: 4, deletedAt: 5 });

    expect((await readdir(dir)).sort()).toEqual([
      "classic.car.json", "classic.gone.json", "named.car.cfg.json",
    ]);
    const loaded = await new FileShadowStore(dir).load();
    expect(loaded).toEqual(expect.arrayContaining([
      record("car", 2), record("car", 1, "cfg"),
      { address: { thing: "gone" }, version: 4, deletedAt: 5 },
    ]));
    expect(loaded).toHaveLength(3);
  });

  it("removes temporary files a crash left behind and never reads them as shadows", async () => {
    await writeFile(join(dir, "classic.car.json.77.0.tmp"), "{\"address\":");
    expect(await new FileShadowStore(dir).load()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("stops loading at a corrupt file and names it", async () => {
    await writeFile(join(dir, "classic.car.json"), "{\"address\":");
    await writeFile(join(dir, "classic.bus.json"), "{\"version\":1}");
    const error = await new FileShadowStore(dir).load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShadowStoreError);
    expect((error as ShadowStoreError).file).toBe(join(dir, "classic.bus.json"));
    expect((error as ShadowStoreError).message).toContain("expected {address: {thing}, version}");

    await rm(join(dir, "classic.bus.json"));
    const unparsable = await new FileShadowStore(dir).load().catch((e: unknown) => e);
    expect((unparsable as ShadowStoreError).message)
      .toBe(`${join(dir, "classic.car.json")}: expected a JSON shadow record, found unparsable text`);
  });

  it("creates its directory on first load", async () => {
    const nested = join(dir, "a", "b");
    expect(await new FileShadowStore(nested).load()).toEqual([]);
    expect(await readdir(join(dir, "a"))).toEqual(["b"]);
  });
});
