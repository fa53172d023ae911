/**
 * `err` with `path` in its message where Node left the file out: a write through a file
 * handle, or `writeFile`'s write, fails with "ENOSPC: no space left on device, write", naming
 * nothing. Code, errno and syscall are kept: callers tell a full disk (ENOSPC) or a cache they
 * may not write (EACCES, EROFS) by the code. Other errors, and those that name a path, are
 * returned as they are.
 */
export function namedFsError(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== "string" || e.path !== undefined) return err;
  return Object.assign(new Error(`${path}: ${err.message}`, { cause: err }),
    { code: e.code, errno: e.errno, syscall: e.syscall, path });
}
