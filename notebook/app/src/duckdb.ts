import * as duckdb from "@duckdb/duckdb-wasm";
import ehWasm from "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url";
import ehWorker from "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url";

export type Connection = duckdb.AsyncDuckDBConnection;

export interface Database {
  db: duckdb.AsyncDuckDB;
  conn: Connection;
}

/**
 * Starts DuckDB-WASM from the locally served eh bundle (one thread, no
 * cross-origin isolation needed). Extension autoloading is switched off:
 * json, parquet and icu would be downloaded from DuckDB's CDN, which the app
 * never contacts.
 */
export async function startDuckDB(): Promise<Database> {
  // A shared page has an opaque origin (the gateway serves it with CSP
  // `sandbox`), where `new Worker(<gateway URL>)` is refused as cross-origin.
  // A blob worker that imports the bundle works in both kinds of page.
  const workerUrl = new URL(ehWorker, document.baseURI).href;
  const bootstrap = URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(workerUrl)});`], { type: "text/javascript" }));
  const worker = new Worker(bootstrap);
  URL.revokeObjectURL(bootstrap);
  const logger = new duckdb.VoidLogger();
  const db = new duckdb.AsyncDuckDB(logger, worker);
  try {
    await db.instantiate(new URL(ehWasm, document.baseURI).href);
    await db.open({ query: { castBigIntToDouble: true, castTimestampToDate: false } });
  } catch (cause) {
    worker.terminate();
    throw new Error("duckdb: could not start DuckDB-WASM from the local bundle", { cause });
  }
  const conn = await db.connect();
  await conn.query("SET autoload_known_extensions = false");
  await conn.query("SET autoinstall_known_extensions = false");
  return { db, conn };
}
