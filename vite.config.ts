import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const appRoot = fileURLToPath(new URL("./notebook/app", import.meta.url));
const outDir = fileURLToPath(new URL("./dist/app", import.meta.url));

/**
 * The notebook app. Root is `notebook/app/`; the build lands in `dist/app/`,
 * which the gateway serves at `/`. DuckDB-WASM's eh bundle (wasm + worker) is
 * imported with `?url`, so it is emitted as a local asset and never fetched
 * from a CDN. `base: "/"` because the same index.html also answers `/s/<id>`.
 */
export default defineConfig({
  root: appRoot,
  base: "/",
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    // The DuckDB wasm (34 MB) is an asset, not a chunk; keep warnings for real chunks only.
    chunkSizeWarningLimit: 4096,
    assetsInlineLimit: 0,
  },
  worker: { format: "iife" },
  server: { fs: { allow: [fileURLToPath(new URL(".", import.meta.url))] } },
  optimizeDeps: { exclude: ["@duckdb/duckdb-wasm"] },
});
