/**
 * Child process for extensions.test.ts: DuckDB-WASM (Node's blocking build) set up as the app
 * sets it up (`configureSession`, extension repository at argv[2]), then each SQL of argv[3..]
 * run in turn; prints one JSON line per statement. A statement that never returns is the
 * parent's to time out: the blocking build cannot be interrupted from inside.
 */
import { configureSession } from "../../notebook/app/src/sql.ts";
import { openWasm } from "./wasm.ts";

const [base, ...queries] = process.argv.slice(2);
const conn = await openWasm();
const loaded = await configureSession({ query: async (sql) => conn.query(sql) }, base!, async (url) => (await fetch(url, { method: "HEAD" })).ok);
console.log(JSON.stringify({ loaded }));
for (const sql of queries) {
  try {
    const rows = conn.query(sql).toArray().map((r) => JSON.stringify((r as { toJSON(): unknown }).toJSON(), (_k, v) => (typeof v === "bigint" ? String(v) : v)));
    console.log(JSON.stringify({ sql, rows }));
  } catch (error) {
    console.log(JSON.stringify({ sql, error: error instanceof Error ? error.message : String(error) }));
  }
}
conn.close();
