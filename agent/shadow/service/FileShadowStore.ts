import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { makeDirectory } from "../../../drivers/fs/makeDirectory.js";
import type { ShadowRecord } from "./ShadowDocument.js";
import { isJsonObject } from "../JsonValue.js";
import type { ShadowStore } from "./ShadowStore.js";
import { ShadowStoreError } from "./ShadowStoreError.js";
import { shadowKey } from "./shadowKey.js";

const SUFFIX = ".json";
const TEMP_SUFFIX = ".tmp";

/**
 * One JSON file per shadow in a directory. A save writes a temporary file, syncs it, renames it
 * over the old one and syncs the directory, so that after a crash each file holds either the old
 * or the new record, never a torn one.
 */
export class FileShadowStore implements ShadowStore {
  #tempCounter = 0;

  constructor(readonly directory: string) {}

  async load(): Promise<ShadowRecord[]> {
    await makeDirectory(this.directory);
    const records: ShadowRecord[] = [];
    for (const name of (await readdir(this.directory)).sort()) {
      const path = join(this.directory, name);
      // A temporary file is a save that a crash interrupted before its rename: never committed.
      if (name.endsWith(TEMP_SUFFIX)) await unlink(path);
      else if (name.endsWith(SUFFIX)) records.push(await readRecord(path));
    }
    return records;
  }

  async save(record: ShadowRecord): Promise<void> {
    const path = join(this.directory, shadowKey(record.address) + SUFFIX);
    const temp = `${path}.${process.pid}.${this.#tempCounter++}${TEMP_SUFFIX}`;
    const file = await open(temp, "w");
    try {
      await file.writeFile(JSON.stringify(record));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    await syncDirectory(this.directory);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readRecord(path: string): Promise<ShadowRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new ShadowStoreError(path, "expected a JSON shadow record, found unparsable text", {
      cause,
    });
  }
  if (!isRecord(parsed)) {
    throw new ShadowStoreError(path, "expected {address: {thing}, version}, found another shape");
  }
  return parsed;
}

function isRecord(value: unknown): value is ShadowRecord {
  if (!isJsonObject(value) || !isJsonObject(value.address)) return false;
  const { address, version, document } = value;
  return typeof address.thing === "string"
    && (address.shadowName === undefined || typeof address.shadowName === "string")
    && typeof version === "number"
    && (document === undefined || isJsonObject(document));
}
