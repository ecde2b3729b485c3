import * as duckdb from "@duckdb/duckdb-wasm";
import ehWasm from "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url";
import ehWorker from "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url";
import { configureSession, existsFromListing, QUERY_CONFIG } from "./sql.ts";
import { workerBootstrap } from "./worker-bootstrap.ts";

export type Connection = duckdb.AsyncDuckDBConnection;

export interface Database {
  db: duckdb.AsyncDuckDB;
  conn: Connection;
  /**
   * Another connection to the same database (its tables and views), set up as `conn` is. A cell's
   * query runs on a connection of its own as a pending query, which DuckDB-WASM's worker executes in
   * slices of about 100 ms: other connections' statements run between the slices, and the query can
   * be cancelled (`cancelSent`). On one shared connection, a new statement would end the pending one.
   */
  connect(): Promise<Connection>;
}

/**
 * Starts DuckDB-WASM from the locally served eh bundle (one thread, no
 * cross-origin isolation needed). Extension autoloading is switched off and
 * the extension repository is the app's own server (`configureSession`):
 * json, parquet and icu would otherwise be downloaded from DuckDB's CDN, which
 * the app never contacts — DuckDB-WASM loads icu for a TIMESTAMPTZ function
 * even with autoloading off. An extension the server has (none unless
 * `/duckdb-extensions/<version>/wasm_eh/` is deployed with the app) is loaded,
 * icu with TimeZone UTC as the pipeline's DuckDB.
 */
export async function startDuckDB(): Promise<Database> {
  // A shared page has an opaque origin (the gateway serves it with CSP
  // `sandbox`), where `new Worker(<gateway URL>)` is refused as cross-origin.
  // A blob worker that imports the bundle works in both kinds of page.
  const workerUrl = new URL(ehWorker, document.baseURI).href;
  // It asks only for the DuckDB extensions the app serves (see workerBootstrap).
  const bootstrap = URL.createObjectURL(new Blob([workerBootstrap(workerUrl)], { type: "text/javascript" }));
  const worker = new Worker(bootstrap);
  URL.revokeObjectURL(bootstrap);
  const logger = new duckdb.VoidLogger();
  const db = new duckdb.AsyncDuckDB(logger, worker);
  try {
    await db.instantiate(new URL(ehWasm, document.baseURI).href);
    await db.open({ query: { ...QUERY_CONFIG } });
  } catch (cause) {
    worker.terminate();
    throw new Error("duckdb: could not start DuckDB-WASM from the local bundle", { cause });
  }
  const conn = await db.connect();
  // One listing of the extensions served, not a request per extension (each 404 was a console error).
  const loaded = await configureSession(conn, document.baseURI, existsFromListing((url) => fetch(url, { cache: "no-cache" })));
  const connect = async (): Promise<Connection> => {
    const more = await db.connect();
    // The extension settings are the database's; the time zone may be each connection's. A shared
    // page locks the configuration before its cells run, and a SET then fails: the database's stands.
    if (loaded.includes("icu")) await more.query("SET TimeZone = 'UTC'").catch(() => undefined);
    return more;
  };
  return { db, conn, connect };
}
