/**
 * The worker's script. Built, it sits beside this file; run from the sources (vitest loads
 * .ts), Node cannot load TypeScript in a worker, so the build's copy is used: build first.
 */
export function readWorkerEntry(): URL {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return new URL("../../dist/replay/worker/readWorkerMain.js", here);
  return new URL("./readWorkerMain.js", here);
}
