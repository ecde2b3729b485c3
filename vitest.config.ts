import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-plugin";

// Three projects: unit tests sit beside the code they test and need no server;
// workerd tests run inside workerd; integration tests under tests/ talk to the
// real servers that tests/servers/global-setup.ts starts (Kafka, S3, Chromium).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["notebook/**/*.test.ts", "edge/**/*.test.ts", "gateway/**/*.test.ts"],
          exclude: ["**/*.workerd.test.ts", "node_modules/**"],
          setupFiles: ["tests/setup/fast-check-seed.ts"],
          testTimeout: 30_000,
        },
      },
      {
        // Tests inside workerd: the Worker and Durable Object of edge/worker, through @cloudflare/vitest-plugin.
        plugins: [
          cloudflareTest({
            main: "./edge/worker/fixtures/turnstile-worker.ts",
            miniflare: {
              compatibilityDate: "2026-11-01",
              durableObjects: { PIPELINE: { className: "PipelineObject", useSQLite: true } },
              r2Buckets: ["LAKE"],
              bindings: { TURNSTILE_TOKEN: "workerd-token", RUNNEL_ADMIN_TOKEN: "workerd-operator" },
            },
          }),
        ],
        test: {
          name: "workerd",
          include: ["edge/**/*.workerd.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          globalSetup: ["tests/servers/global-setup.ts"],
          setupFiles: ["tests/setup/fast-check-seed.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // Browser and server tests poll what a person would see; a loaded 2-core machine needs more than the 1 s default.
          expect: { poll: { timeout: 20_000, interval: 100 } },
        },
      },
    ],
  },
});
