/**
 * What a cell's code names, as the language's own parser sees it. Offsets are
 * into the cell's code (UTF-16 code units); the graph maps them to the file.
 */

export interface NameAt {
  name: string;
  offset: number;
}

export interface CodeError {
  message: string;
  offset: number;
}

export interface SqlRefs {
  /** Tables the query reads that it does not define itself: no CTE names, no table functions, no schema-qualified names. */
  tables: NameAt[];
  error: CodeError | null;
}

export interface JsRefs {
  /** Names the cell binds, e.g. `total` in `total = rows.length`. */
  defines: NameAt[];
  /** Free names the cell reads, without JavaScript's own globals. */
  references: NameAt[];
  error: CodeError | null;
}

/**
 * Where the graph gets each cell's names. SQL references come from DuckDB's
 * parser, which differs by runtime (`sql-refs.node.ts` in Node, DuckDB-WASM in
 * the browser), so they are passed in.
 */
export interface RefsProvider {
  sql(code: string): SqlRefs | Promise<SqlRefs>;
  js(code: string): JsRefs | Promise<JsRefs>;
}
