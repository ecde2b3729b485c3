import type { Connection } from "./duckdb.ts";
import { quoteIdent } from "./sql.ts";

/** The attached, otherwise empty database whose tables stand in for the notebook's relations while names are read. */
const NAMES_DB = "__runnel_names";

/** The relations of the notebook's database a cell may name: sources, views of named cells, user tables. */
const RELATIONS = `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
  UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary`;

/** Every column of those relations, in order: when it is unchanged, so are the stand-ins. */
const COLUMNS = `SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal ORDER BY table_name, column_index`;

/** Reads the tables a SQL text names, as written: what a cell's inputs are. */
export type ReadTableNames = (sql: string) => Promise<string[]>;

/**
 * The table names a query reads, as the query writes them. DuckDB-WASM's `getTableNames` binds
 * the query against the catalog, which has two faults once the cells' views exist: it answers a
 * view's base tables instead of the view (`SELECT * FROM clean` gives `turnstile`, so a cell
 * edited after its inputs ran stopped following them), and it fails on a view defined as
 * `SELECT * FROM <table>` ("table "unnamed_subquery" has 1 columns available but 10 columns
 * specified", for a new notebook's second cell over its first). So names are read on a
 * connection of their own whose default database holds an empty table per relation of the
 * notebook's database, with the same columns: USING and NATURAL joins still bind, and a name
 * is never expanded. The stand-ins are rebuilt before a read when the catalog's columns changed.
 */
export async function tableNameReader(conn: Connection): Promise<ReadTableNames> {
  const names = await conn.bindings.connect();
  await names.query(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdent(NAMES_DB)}`);
  const home = String((await conn.query("SELECT current_database() AS d")).getChildAt(0)?.get(0));
  await names.query(`USE ${quoteIdent(NAMES_DB)}`);
  // One read at a time: reads share the stand-ins, and DuckDB-WASM runs one query per connection anyway.
  let queue: Promise<unknown> = Promise.resolve();
  // The graph check reads every cell after each run; the stand-ins are rebuilt only when some relation or column changed.
  let mirrored: string | null = null;
  const read = async (sql: string): Promise<string[]> => {
    const columns = JSON.stringify((await conn.query(COLUMNS)).toArray().map((row) => row.toJSON()));
    if (columns !== mirrored) {
      await mirror(conn, names, home);
      mirrored = columns;
    }
    return names.getTableNames(sql);
  };
  return (sql) => {
    const next = queue.then(() => read(sql));
    queue = next.catch(() => undefined);
    return next;
  };
}

/** Makes the stand-in database hold one empty table per relation of the notebook's database, with its columns. */
async function mirror(conn: Connection, names: Connection, home: string): Promise<void> {
  const wanted = new Set((await conn.query(RELATIONS)).toArray().map((row) => String((row.toJSON() as { name: string }).name)));
  const held = (await names.query(`SELECT table_name AS name FROM duckdb_tables() WHERE database_name = '${NAMES_DB}'`)).toArray().map((row) => String((row.toJSON() as { name: string }).name));
  for (const name of held) if (!wanted.has(name)) await names.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
  for (const name of wanted) {
    try {
      await names.query(`CREATE OR REPLACE TABLE ${quoteIdent(name)} AS SELECT * FROM ${quoteIdent(home)}.main.${quoteIdent(name)} LIMIT 0`);
    } catch {
      // A view that does not bind now (its input changed under it) has no columns to lend; its
      // name is then read as written, like any name the catalog does not know, and the cell that
      // reads it shows DuckDB's own error when it runs.
      await names.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
    }
  }
}
