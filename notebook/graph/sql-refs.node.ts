/**
 * SQL table references from DuckDB's own parser in Node: `json_serialize_sql`
 * gives the parse tree with `query_location` byte offsets. The browser gets
 * the same answer from DuckDB-WASM's `getTableNames`.
 */
import { DuckDBInstance } from "../../edge/duckdb/node-api.node.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { NameAt, SqlRefs } from "./refs.ts";

export interface SqlRefsProvider {
  sql(code: string): Promise<SqlRefs>;
  /**
   * Closes the in-memory DuckDB once the queries under way have finished
   * (closing under a running query crashes the process); the provider opens
   * it again if asked once more.
   */
  close(): Promise<void>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Maps UTF-8 byte offsets (DuckDB's) to UTF-16 offsets (JavaScript's). */
function byteToChar(code: string): (byte: number) => number {
  if (!/[^\x00-\x7f]/.test(code)) return (byte) => byte;
  const starts: number[] = [];
  let bytes = 0;
  for (let i = 0; i < code.length; i++) {
    const point = code.codePointAt(i)!;
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    for (let b = 0; b < size; b++) starts.push(i);
    bytes += size;
    if (point >= 0x10000) i++;
  }
  return (byte) => (byte >= bytes ? code.length : starts[byte]!);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The CTE names a query node defines, lower-cased as DuckDB compares them. */
function cteNames(node: JsonObject): string[] {
  const map = node.cte_map;
  if (!isObject(map) || !Array.isArray(map.map)) return [];
  return map.map.flatMap((entry) => (isObject(entry) && typeof entry.key === "string" ? [entry.key.toLowerCase()] : []));
}

/** Collects base-table references that no enclosing CTE defines, walking the whole tree (joins, subqueries, set operations). */
function collect(node: Json, scope: ReadonlySet<string>, out: { name: string; location: number | null }[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, scope, out);
    return;
  }
  if (!isObject(node)) return;
  const names = cteNames(node);
  const inner = names.length > 0 ? new Set([...scope, ...names]) : scope;
  if (node.type === "BASE_TABLE" && typeof node.table_name === "string" && !node.schema_name && !node.catalog_name && !inner.has(node.table_name.toLowerCase())) {
    out.push({ name: node.table_name, location: typeof node.query_location === "number" ? node.query_location : null });
  }
  for (const value of Object.values(node)) collect(value, inner, out);
}

/** Where a name is written when DuckDB gives no location: its first whole-word occurrence. */
function findName(code: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(?<![\\w"])"?${escaped}"?(?![\\w])`, "i").exec(code);
  return match ? match.index : 0;
}

/** Reads the table references of one SQL text from DuckDB's serialized parse tree. */
export function readSqlRefs(code: string, serialized: string): SqlRefs {
  const tree = JSON.parse(serialized) as JsonObject;
  const toChar = byteToChar(code);
  if (tree.error === true) {
    const position = Number(tree.position ?? 0);
    const raw = String(tree.error_message ?? "unknown error");
    const message = raw.startsWith("Only SELECT statements") ? "a SQL cell is one SELECT query (or FROM … SELECT); other statements are not cells" : raw;
    return { tables: [], error: { message, offset: Number.isFinite(position) ? toChar(position) : 0 } };
  }
  const statements = Array.isArray(tree.statements) ? tree.statements : [];
  if (statements.length > 1) {
    return { tables: [], error: { message: `a SQL cell holds one query, this one has ${statements.length} statements`, offset: 0 } };
  }
  const found: { name: string; location: number | null }[] = [];
  collect(statements, new Set(), found);
  const bytes = new TextEncoder().encode(code).length;
  const seen = new Set<string>();
  const tables: NameAt[] = [];
  for (const { name, location } of found) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    // DuckDB writes an absent location as the largest unsigned 64-bit integer.
    tables.push({ name, offset: location !== null && location < bytes ? toChar(location) : findName(code, name) });
  }
  tables.sort((a, b) => a.offset - b.offset);
  return { tables, error: null };
}

const MEMO_SIZE = 512;

/**
 * A provider backed by an in-memory DuckDB, opened on first use. Answers are
 * memoised by code, so re-building the graph after an edit reparses only the
 * cells that changed.
 */
export function createSqlRefs(): SqlRefsProvider {
  let connection: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | null = null;
  const memo = new Map<string, Promise<SqlRefs>>();
  const running = new Set<Promise<unknown>>();
  const open = () => {
    connection ??= DuckDBInstance.create(":memory:").then(async (instance) => ({ instance, connection: await instance.connect() }));
    return connection;
  };
  return {
    sql(code) {
      const known = memo.get(code);
      if (known) {
        memo.delete(code);
        memo.set(code, known);
        return known;
      }
      const answer = open().then(async ({ connection }) => {
        const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [code]);
        return readSqlRefs(code, String(reader.getRows()[0]![0]));
      });
      const settled: Promise<unknown> = answer.then(
        () => running.delete(settled),
        () => running.delete(settled),
      );
      running.add(settled);
      // A failure of DuckDB itself (not of the SQL) is not remembered, so the next call retries.
      answer.catch(() => memo.delete(code));
      memo.set(code, answer);
      if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
      return answer;
    },
    async close() {
      const opened = connection;
      connection = null;
      memo.clear();
      await Promise.all(running);
      if (opened) {
        const { instance, connection: open } = await opened;
        open.closeSync();
        instance.closeSync();
      }
    },
  };
}
