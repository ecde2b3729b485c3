/**
 * Subqueries over static tables, folded into constants before a cell is
 * annotated. A subquery in an expression that reads no stream and does not
 * refer to the outer row has one answer for the whole stream, which DuckDB
 * computes once per query; the compiler asks DuckDB for it at publish time and
 * writes it into the cell as literals:
 *
 *   x IN (SELECT k FROM allow)        → x IN (CAST('a' AS VARCHAR), ...)   (NOT IN the same)
 *   x = ANY (SELECT k FROM allow)     → the same IN list
 *   (SELECT max(k) FROM limits)       → CAST('42' AS INTEGER)
 *   EXISTS (SELECT ... FROM d)        → true / false
 *
 * An IN list means what the subquery meant in DuckDB: a match is true, no
 * match is NULL when the subquery holds a NULL and false otherwise, NULL on the
 * left is NULL, and an empty subquery is false even for NULL. Values go through
 * their text and back (`CAST('…' AS T)`), exact for the scalar types allowed
 * below; a nested type, more than `MAX_VALUES` values or a subquery DuckDB
 * cannot run on its own (it refers to the outer query) stays as it is, and the
 * compiler refuses it by name, unless it looks the outer row up in the static
 * table by equalities (lookup-subqueries.node.ts: a CASE over the table's rows).
 * A subquery over the row's own list was rewritten before (list-subqueries.ts).
 */
import type { DuckDB } from "../duckdb/open.node.ts";
import { describeQuery } from "../duckdb/describe.node.ts";
import { parseSql } from "../duckdb/parse-sql.node.ts";
import { quoteString } from "../duckdb/quote.ts";
import { tableRefs } from "./inputs.node.ts";
import { VOLATILE } from "./annotate.node.ts";
import { foldLookup } from "./lookup-subqueries.node.ts";
import type { TreeNode } from "./tree.ts";

/** The most distinct values an IN subquery may fold into (a bigger table: join it). */
export const MAX_VALUES = 10_000;

/** Types whose text DuckDB casts back to the same value. */
const EXACT_TEXT = /^(VARCHAR|BOOLEAN|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIME|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|INTERVAL|UUID)$/;


export interface StaticSubqueries {
  db: DuckDB;
  /** Whether a table name (lower case, not a CTE) reads a stream, or is unknown. */
  readsStream: (table: string) => boolean;
  /** SQL text of a SELECT node with the CTE entries in scope. */
  toSql: (node: TreeNode, ctes: TreeNode[]) => Promise<string>;
}

/** Folds the static subqueries of `tree` (a statement's node) in place; returns how many. */
export async function foldStaticSubqueries(tree: TreeNode, how: StaticSubqueries): Promise<number> {
  if (!JSON.stringify(tree, (k, v) => (typeof v === "bigint" ? String(v) : v)).includes('"class":"SUBQUERY"')) return 0;
  // A cell DuckDB cannot bind is left for the annotator to report with DuckDB's error (an IN list
  // binds where the subquery it replaces does not: VARCHAR against INTEGER).
  try {
    await describeQuery(how.db, await how.toSql(tree, []));
  } catch {
    return 0;
  }
  let folded = 0;
  const visit = async (n: unknown, ctes: TreeNode[]): Promise<void> => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) await visit(x, ctes);
      return;
    }
    const o = n as TreeNode;
    let scope = ctes;
    if ((o.type === "SELECT_NODE" || o.type === "SET_OPERATION_NODE") && o.cte_map?.map?.length) {
      scope = [...ctes];
      for (const entry of o.cte_map.map) {
        await visit(entry.value?.query?.node, scope);
        scope.push(entry);
      }
    }
    if (o.class === "SUBQUERY") {
      const why = await foldOne(o, scope, how);
      if (why === true) {
        folded++;
        return;
      }
      o.$unfolded = why;
    }
    for (const [k, v] of Object.entries(o)) if (!k.startsWith("$") && k !== "cte_map") await visit(v, scope);
  };
  await visit(tree, []);
  return folded;
}

/** The names (lower case) of every function a tree calls. */
function calledFunctions(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) calledFunctions(x, out);
  else if (node && typeof node === "object") {
    const n = node as TreeNode;
    if (n.class === "FUNCTION" && typeof n.function_name === "string") out.push(n.function_name.toLowerCase());
    for (const [k, v] of Object.entries(n)) if (!k.startsWith("$")) calledFunctions(v, out);
  }
  return out;
}

/**
 * Why a query is not static (it reads a stream, or calls a volatile function), or null. `ctes` are
 * the CTE entries in scope; `how.readsStream` answers for the other names.
 */
export function notStatic(node: TreeNode, ctes: TreeNode[], how: Pick<StaticSubqueries, "readsStream">, depth = 0): string | null {
  if (depth > 50) return "nests too deep";
  const volatile = calledFunctions(node).find((f) => VOLATILE.has(f));
  if (volatile) return `calls ${volatile}(), which answers differently each time`;
  for (const name of tableRefs(node)) {
    const at = ctes.findLastIndex((e) => String(e.key).toLowerCase() === name);
    const why = at >= 0 ? notStatic(ctes[at]!.value?.query?.node, ctes.slice(0, at), how, depth + 1) : how.readsStream(name) ? `reads ${name}, a stream` : null;
    if (why) return why;
  }
  return null;
}

/** Folds one subquery expression in place: true, or why it stays. */
async function foldOne(e: TreeNode, ctes: TreeNode[], how: StaticSubqueries): Promise<true | string> {
  const kind = String(e.subquery_type);
  const inner = e.subquery?.node as TreeNode | undefined;
  if (!inner || !["SCALAR", "ANY", "EXISTS", "NOT_EXISTS"].includes(kind)) return `is a ${kind.toLowerCase()} subquery`;
  if (kind === "ANY" && e.comparison_type !== "COMPARE_EQUAL") return "compares with ANY / ALL other than = (write IN)";
  const why = notStatic(inner, ctes, how);
  if (why) return why;
  let sql: string;
  let columns;
  try {
    sql = await how.toSql(inner, ctes);
    // A subquery that refers to the outer row does not bind on its own.
    columns = await describeQuery(how.db, sql);
  } catch {
    // It may look the outer row up in a static table by equalities: a CASE over the table's rows.
    const lookup = await foldLookup(e, ctes, how);
    if (!("node" in lookup)) {
      if (lookup.advice) e.$unfoldedAdvice = lookup.advice;
      return lookup.why;
    }
    const { alias, query_location } = e;
    for (const k of Object.keys(e)) delete e[k];
    Object.assign(e, lookup.node, { alias, query_location });
    return true;
  }
  let replacement: TreeNode;
  try {
    if (kind === "EXISTS" || kind === "NOT_EXISTS") {
      const r = await how.db.read(`SELECT EXISTS (${sql}) AS x`);
      const exists = Boolean(r.getRowObjectsJS()[0]?.x);
      replacement = (await literals(how.db, [String(exists === (kind === "EXISTS"))], "BOOLEAN"))[0]!;
    } else {
      if (columns.length !== 1) return `returns ${columns.length} columns`;
      if (!EXACT_TEXT.test(columns[0]!.type)) return `returns ${columns[0]!.type}, which the compiler does not write as a literal`;
      const type = columns[0]!.type;
      if (kind === "SCALAR") {
        // DuckDB's own evaluation, so more than one row fails as DuckDB fails (left unfolded).
        const r = await how.db.read(`SELECT CAST((${sql}) AS VARCHAR) AS v`);
        const v = r.getRowObjectsJS()[0]?.v;
        replacement = (await literals(how.db, [v === null || v === undefined ? null : String(v)], type))[0]!;
      } else {
        const r = await how.db.read(`SELECT DISTINCT CAST(s.c AS VARCHAR) AS v FROM (${sql}) s(c) LIMIT ${MAX_VALUES + 1}`);
        const values = r.getRowObjectsJS().map((row) => (row.v === null || row.v === undefined ? null : String(row.v)));
        if (values.length > MAX_VALUES) return `has more than ${MAX_VALUES.toLocaleString("en-US")} values (join the static table instead)`;
        if (values.length === 0) {
          replacement = (await literals(how.db, ["false"], "BOOLEAN"))[0]!;
        } else {
          // NULLs last: DuckDB's IN list tries every item, and a match wins over a NULL anywhere.
          values.sort((a, b) => (a === null ? 1 : 0) - (b === null ? 1 : 0));
          const items = await literals(how.db, values, type);
          // `$inSubquery`: compared in the common type of both sides, as DuckDB binds a subquery (JSON
          // against INTEGER compares JSON text there), not with an IN list's preference for numbers.
          replacement = { class: "OPERATOR", type: "COMPARE_IN", alias: "", query_location: e.query_location, children: [e.child, ...items], $inSubquery: true };
        }
      }
    }
  } catch (error) {
    return `fails in DuckDB: ${error instanceof Error ? error.message.replace(/^duckdb: /, "").split("\n")[0] : String(error)}`;
  }
  const { alias, query_location } = e;
  for (const k of Object.keys(e)) delete e[k];
  Object.assign(e, replacement, { alias, query_location });
  return true;
}

/** Parse-tree nodes for `CAST('<text>' AS <type>)` (or a typed NULL), each. */
async function literals(db: DuckDB, texts: (string | null)[], type: string): Promise<TreeNode[]> {
  const items = texts.map((t) => `CAST(${t === null ? "NULL" : quoteString(t)} AS ${type})`);
  const tree = await parseSql(db, `SELECT ${items.join(", ")}`);
  return (tree.statements[0]!.node as TreeNode).select_list as TreeNode[];
}
