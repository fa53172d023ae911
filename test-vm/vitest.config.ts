import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The CAN suite that runs inside the test VM (`npm run test:can`, through vm/run.sh), where
 * vcan0 and vcan1 exist. One file at a time: the files share the VM's two interfaces, and the
 * pacing figures must not compete with another file's traffic.
 */
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test-vm/**/*.test.ts"],
    // Forks, not threads: the socketcan addon aborts inside worker threads.
    pool: "forks",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
