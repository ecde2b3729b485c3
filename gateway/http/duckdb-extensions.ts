import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";

const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;
const EXTENSION = /^[a-z0-9_]+\.duckdb_extension\.wasm$/;

/**
 * `GET /duckdb-extensions/<version>/<platform>/index.json`: the DuckDB-WASM extension files the
 * app is deployed with for that DuckDB version and platform (`<appDir>/duckdb-extensions/…`), as a
 * JSON list of file names, `[]` when there are none. The app reads it once when it starts DuckDB
 * instead of asking for each extension: a request per missing extension answered 404, an error in
 * the browser's console on every page open, though the app runs such cells on the gateway.
 */
export function duckdbExtensionRoutes(appDir: string): Hono {
  const app = new Hono();
  app.get("/:version/:platform/index.json", async (c) => {
    const version = c.req.param("version");
    const platform = c.req.param("platform");
    if (!SEGMENT.test(version) || !SEGMENT.test(platform)) return c.json([], 200, { "cache-control": "no-cache" });
    let files: string[];
    try {
      files = await readdir(join(appDir, "duckdb-extensions", version, platform));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      files = [];
    }
    // A deploy may add extensions while the gateway runs: the listing is never cached as final.
    return c.json(files.filter((f) => EXTENSION.test(f)).sort(), 200, { "cache-control": "no-cache" });
  });
  return app;
}
