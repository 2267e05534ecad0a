import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Builds dist/ when it is older than src/: the CLI tests run what users run.
    globalSetup: ["test/support/global-setup.ts"],
    // CLI end-to-end tests start several `billsync` processes; a loaded 2-core CI box needs headroom.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Each PGlite instance costs ~700 MB; two workers keep a 2-core CI box responsive.
    maxWorkers: 2,
    minWorkers: 1
  }
})
