import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Rig tests count requests in the shared nginx log: one test file at a time keeps counts exact.
    fileParallelism: false,
  },
});
