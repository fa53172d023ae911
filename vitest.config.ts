import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ once when stale, before any test file spawns the CLI from it.
    globalSetup: ["test/support/buildOnce.ts"],
    // Forks, not threads: native addons (socketcan) abort inside worker threads.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
