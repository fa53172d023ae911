import { randomUUID } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { namedFsError } from "./namedFsError.js";

/**
 * Replaces `path` so that readers on any host see the old or the new content, never a part:
 * write a temporary file beside it, fsync it, rename it over.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    // A full disk fails the write with a message that names no file.
    throw namedFsError(err, path);
  }
}

/** Makes a rename inside `dir` durable; some file systems refuse to fsync a directory. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EISDIR/EINVAL/EPERM on file systems without directory fsync: nothing more to do.
  }
}
