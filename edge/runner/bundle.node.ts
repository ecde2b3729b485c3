/**
 * The bundle's own Node runner: `runner.js` beside `plan.json` and
 * `bundle.json`, built by esbuild from `main.ts` so it runs with plain `node`
 * (kafkajs inside; `@duckdb/node-api`, a native module, stays
 * outside and is loaded only to read CSV or Parquet input files).
 */
import { readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `runner.js` and `runner-worker.js` themselves: each turns on Node's compile cache (Node 22.1
 * and later) before the megabyte of bundled code is loaded, so a runner started again — a
 * restart, the next backfill — skips compiling it on both threads (~50 ms of each start here),
 * then loads the bundled `runner-main.js` or `runner-worker-main.js`. The cache sits where
 * Node puts it (NODE_COMPILE_CACHE, else the temp folder).
 */
const entry = (main: string): string => `import module from "node:module";
module.enableCompileCache?.();
await import("./${main}");
`;
/**
 * Writes `runner.js`, `runner-worker.js` (the worker thread that transforms, encodes and uploads,
 * see engine-client.ts) and their shared chunks (and the lazily loaded one DuckDB's reader lives in) into `dir`.
 */
export async function writeRunnerScript(dir: string): Promise<string[]> {
  // Chunks of an earlier publish have other hashes; leave only this build's.
  for (const name of await readdir(dir)) if (/^runner(-main|-worker|-worker-main|-chunk-[\w-]+)?\.js$/.test(name)) await rm(join(dir, name));
  const result = await build({
    entryPoints: { "runner-main": resolve(here, "main.ts"), "runner-worker-main": resolve(here, "partition-worker.ts") },
    outdir: dir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["@duckdb/node-api"],
    chunkNames: "runner-chunk-[hash]",
    // kafkajs is CommonJS and requires Node's built-ins; an ES module needs a require for that.
    banner: { js: `import { createRequire as __runnelRequire } from "node:module"; const require = __runnelRequire(import.meta.url);` },
    legalComments: "none",
    logLevel: "silent",
    write: true,
    metafile: true,
  }).catch((cause: unknown) => {
    throw new Error(`publish: esbuild could not bundle the Node runner into ${dir}`, { cause });
  });
  await writeFile(join(dir, "runner.js"), entry("runner-main.js"));
  await writeFile(join(dir, "runner-worker.js"), entry("runner-worker-main.js"));
  return ["runner.js", "runner-worker.js", ...Object.keys(result.metafile.outputs).map((p) => p.split(/[\\/]/).at(-1)!)].sort();
}
