import { createRequire } from "node:module";
import { join } from "node:path";
import { QUERY_CONFIG } from "../../notebook/app/src/sql.ts";

const root = new URL("../../", import.meta.url).pathname;

/**
 * The DuckDB-WASM the browser runs (same bundle, Node's blocking build), opened with the app's
 * result config (`QUERY_CONFIG`, or `query` to try another) and extensions off as the app has them.
 */
export interface WasmConnection {
  query(sql: string): { numRows: number; schema: { fields: Array<{ name: string }> }; toArray(): unknown[] };
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create: boolean }): void;
  close(): void;
}

export async function openWasm(options: { query?: Record<string, boolean> } = {}): Promise<WasmConnection> {
  const require = createRequire(import.meta.url);
  const wasm = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") as {
    createDuckDB(bundles: unknown, logger: unknown, runtime: unknown): Promise<{ instantiate(): Promise<void>; open(config: unknown): void; connect(): WasmConnection }>;
    VoidLogger: new () => unknown;
    NODE_RUNTIME: unknown;
  };
  const dist = join(root, "node_modules/@duckdb/duckdb-wasm/dist/");
  const bundles = {
    mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: `${dist}duckdb-node-mvp.worker.cjs` },
    eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: `${dist}duckdb-node-eh.worker.cjs` },
  };
  const instance = await wasm.createDuckDB(bundles, new wasm.VoidLogger(), wasm.NODE_RUNTIME);
  await instance.instantiate();
  instance.open({ query: { ...QUERY_CONFIG, ...options.query } });
  const conn = instance.connect();
  conn.query("SET autoload_known_extensions = false");
  conn.query("SET autoinstall_known_extensions = false");
  return conn;
}
