/**
 * A subquery that looks the outer row up in a static table, folded into a CASE over the table's rows:
 *
 *   (SELECT rate FROM fx WHERE fx.cur = t.currency)             → CASE WHEN t.currency = 'EUR' THEN 1.1 WHEN ... END
 *   (SELECT max(price) FROM prices p WHERE p.sku = t.sku)       → CASE WHEN t.sku = 'A-1' THEN 1.5 ... ELSE <max of no rows> END
 *   EXISTS (SELECT 1 FROM allow a WHERE a.k = t.k AND a.on)     → coalesce(t.k = 'a' OR t.k = 'b', false)
 *
 * The WHERE is a conjunction of terms that read the table alone (they filter its rows once, at
 * publish time, in DuckDB) and equalities of an expression of the table with one of the outer row
 * (the keys). DuckDB answers the table side and the selected value per key; the outer side is
 * compared with each key as a literal of the key's type, so it binds in the same common type as
 * the subquery's equality. A key holding NULL never equals anything, as in the subquery. Without an
 * aggregate, a key the table holds twice is refused (DuckDB fails on the rows that look it up:
 * "More than one row returned by a subquery"); with one, each key's value is the aggregate over its
 * rows, and a row matching no key gets the aggregate over no rows (NULL, or 0 for a count).
 * Anything else (another correlation than =, a key or value of a nested type, more than
 * `MAX_LOOKUP_ROWS` keys) is left as it is, and the compiler refuses it by name.
 */
import type { DuckDB } from "../duckdb/open.node.ts";
import { describeQuery } from "../duckdb/describe.node.ts";
import { parseSql } from "../duckdb/parse-sql.node.ts";
import { quoteString } from "../duckdb/quote.ts";
import type { TreeNode } from "./tree.ts";

/** The most keys a lookup folds into one CASE (each event tries them in turn). */
export const MAX_LOOKUP_ROWS = 1000;

/** Types whose text DuckDB casts back to the same value. */
const EXACT_TEXT = /^(VARCHAR|BOOLEAN|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIME|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|INTERVAL|UUID)$/;

export interface Lookup {
  db: DuckDB;
  toSql: (node: TreeNode, ctes: TreeNode[]) => Promise<string>;
}

/**
 * The replacement for a subquery `e` over a static table that refers to the outer row through
 * equalities, or why there is none: `{ why }` to leave it, `{ refuse }` to refuse it with that text.
 */
export async function foldLookup(e: TreeNode, ctes: TreeNode[], how: Lookup): Promise<{ node: TreeNode } | { why: string; advice?: string }> {
  const outerRow = { why: "refers to the outer query's row" };
  const kind = String(e.subquery_type);
  const inner = e.subquery?.node as TreeNode | undefined;
  if (!inner || inner.type !== "SELECT_NODE" || (kind !== "SCALAR" && kind !== "EXISTS")) return outerRow;
  if ((inner.modifiers ?? []).length || (inner.cte_map?.map ?? []).length || (inner.group_expressions ?? []).length || inner.having || inner.qualify || inner.sample) return outerRow;
  const from = inner.from_table as TreeNode | undefined;
  if (!from || (from.type !== "BASE_TABLE" && from.type !== "SUBQUERY" && from.type !== "EXPRESSION_LIST")) return outerRow;
  const items: TreeNode[] = inner.select_list ?? [];
  if (items.length !== 1 || items[0]!.class === "STAR" || !inner.where_clause) return outerRow;
  if (has(inner, (n) => n.class === "SUBQUERY" || n.class === "WINDOW" || n.class === "LAMBDA")) return outerRow;

  const scope = await tableScope(from, ctes, how);
  if (!scope) return outerRow;
  const aggregates = await aggregateNames(how.db);
  const containsAggregate = (n: TreeNode): boolean => has(n, (x) => x.class === "FUNCTION" && aggregates.has(String(x.function_name).toLowerCase()));
  const isInner = (n: TreeNode): boolean => {
    const names = (n.column_names as unknown[]).map((s) => String(s).toLowerCase());
    if (names.length >= 2 && scope.tables.has(names[0]!) && scope.columns.has(names[1]!)) return true;
    return scope.columns.has(names[0]!);
  };
  const reads = (n: TreeNode): { inner: boolean; outer: boolean } => {
    const r = { inner: false, outer: false };
    has(n, (x) => {
      if (x.class === "COLUMN_REF") r[isInner(x) ? "inner" : "outer"] = true;
      return false;
    });
    return r;
  };
  const filters: TreeNode[] = [];
  const keys: { table: TreeNode; outer: TreeNode }[] = [];
  for (const term of conjuncts(inner.where_clause)) {
    const r = reads(term);
    if (!r.outer) {
      filters.push(term);
      continue;
    }
    if (term.class !== "COMPARISON" || term.type !== "COMPARE_EQUAL") return outerRow;
    const [l, rr] = [reads(term.left), reads(term.right)];
    if (!l.outer && !rr.inner && !containsAggregate(term.right)) keys.push({ table: term.left, outer: term.right });
    else if (!rr.outer && !l.inner && !containsAggregate(term.left)) keys.push({ table: term.right, outer: term.left });
    else return outerRow;
  }
  const item = items[0]!;
  if (keys.length === 0 || reads(item).outer || filters.some((f) => containsAggregate(f))) return outerRow;
  const grouped = containsAggregate(item);
  if (kind === "EXISTS" && grouped) return outerRow;

  // The table's keys and values, as DuckDB computes them; keys holding NULL match no row.
  const selected = [...keys.map((k, i) => ({ ...k.table, alias: `k${i}` })), { ...item, alias: "v" }];
  // With an aggregate, its value per key: a GROUP BY of the keys.
  const probe: TreeNode = {
    ...inner, select_list: selected, where_clause: and(filters), aggregate_handling: "STANDARD_HANDLING",
    group_expressions: grouped ? keys.map((k) => k.table) : [], group_sets: grouped ? [keys.map((_, i) => i)] : [],
  };
  let sql: string;
  let types: string[];
  try {
    sql = await how.toSql(probe, ctes);
    types = (await describeQuery(how.db, sql)).map((c) => c.type);
  } catch {
    return outerRow;
  }
  if (!types.every((t) => EXACT_TEXT.test(t))) {
    return { why: `looks up a value of type ${types.find((t) => !EXACT_TEXT.test(t))}, which the compiler does not write as a literal`, advice: "LEFT JOIN the static table ON the same equalities instead" };
  }
  const keyCols = keys.map((_, i) => `k${i}`);
  const notNull = keyCols.map((k) => `${k} IS NOT NULL`).join(" AND ");
  const text = (c: string): string => `CAST(${c} AS VARCHAR)`;
  let rows: (string | null)[][];
  let otherwise: string | null = null;
  try {
    if (grouped) {
      // The value for no matching rows: the aggregate over none.
      rows = await strings(how.db, `SELECT ${keyCols.map(text).join(", ")}, ${text("v")} FROM (${sql}) s WHERE ${notNull} LIMIT ${MAX_LOOKUP_ROWS + 1}`);
      const none = await how.toSql({ ...inner, select_list: [{ ...item, alias: "v" }], where_clause: falseNode() }, ctes);
      otherwise = (await strings(how.db, `SELECT ${text("v")} FROM (${none}) s`))[0]?.[0] ?? null;
    } else {
      const twice = await strings(how.db, `SELECT ${keyCols.map(text).join(", ")} FROM (${sql}) s WHERE ${notNull} GROUP BY ALL HAVING count(*) > 1 LIMIT 1`);
      if (twice.length && kind === "SCALAR") {
        return {
          why: `looks up the key ${twice[0]!.map((k) => (k === null ? "NULL" : quoteString(k))).join(", ")}, which the table holds more than once`,
          advice: "DuckDB fails on an event with that key (More than one row returned by a subquery); keep one row per key in the table, or pick one with an aggregate: (SELECT max(v) FROM ... WHERE ...)",
        };
      }
      rows = await strings(how.db, `SELECT DISTINCT ${[...keyCols, "v"].map(text).join(", ")} FROM (${sql}) s WHERE ${notNull} LIMIT ${MAX_LOOKUP_ROWS + 1}`);
    }
  } catch (error) {
    return { why: `fails in DuckDB: ${error instanceof Error ? error.message.replace(/^duckdb: /, "").split("\n")[0] : String(error)}` };
  }
  if (rows.length > MAX_LOOKUP_ROWS) return { why: `looks up more than ${MAX_LOOKUP_ROWS.toLocaleString("en-US")} keys`, advice: "LEFT JOIN the static table ON the same equalities instead" };

  const keyTypes = types.slice(0, keys.length);
  const valueType = types[keys.length]!;
  const literalTexts = rows.flatMap((r) => r.map((v, i) => `CAST(${v === null ? "NULL" : quoteString(v)} AS ${i < keys.length ? keyTypes[i] : valueType})`));
  const extra = kind === "SCALAR" ? [`CAST(${otherwise === null ? "NULL" : quoteString(otherwise)} AS ${valueType})`] : [];
  const literals = await parseItems(how.db, [...literalTexts, ...extra]);
  const width = keys.length + 1;
  // `$lookupKey`: the compiler refuses a key the comparison would cast to another type (lookupKeyCheck in expr.ts).
  const matches = rows.map((_, r) => and(keys.map((k, i) => ({ class: "COMPARISON", type: "COMPARE_EQUAL", alias: "", query_location: k.outer.query_location ?? 0, left: structuredClone(k.outer), right: literals[r * width + i]!, $lookupKey: keyTypes[i] })))!);
  if (kind === "EXISTS") {
    const any: TreeNode = matches.length === 0 ? falseNode() : matches.length === 1 ? matches[0]! : { class: "CONJUNCTION", type: "CONJUNCTION_OR", alias: "", query_location: 0, children: matches };
    return { node: { class: "OPERATOR", type: "OPERATOR_COALESCE", alias: "", query_location: 0, children: [any, falseNode()] } };
  }
  const fallback = literals[literals.length - 1]!;
  if (matches.length === 0) return { node: fallback };
  return {
    node: { class: "CASE", type: "CASE_EXPR", alias: "", query_location: 0, case_checks: matches.map((m, r) => ({ when_expr: m, then_expr: literals[r * width + keys.length]! })), else_expr: fallback },
  };
}

/** The columns and names of the table a lookup reads, or null when DuckDB cannot describe it alone. */
async function tableScope(from: TreeNode, ctes: TreeNode[], how: Lookup): Promise<{ tables: Set<string>; columns: Set<string> } | null> {
  const star = { class: "STAR", type: "STAR", alias: "", query_location: 0, relation_name: "", exclude_list: [], replace_list: [], columns: false, expr: null, qualified_exclude_list: [], rename_list: [] };
  const node: TreeNode = { type: "SELECT_NODE", modifiers: [], cte_map: { map: [] }, select_list: [star], from_table: from, where_clause: null, group_expressions: [], group_sets: [], aggregate_handling: "STANDARD_HANDLING", having: null, sample: null, qualify: null };
  try {
    const schema = await describeQuery(how.db, await how.toSql(node, ctes));
    const tables = new Set<string>();
    if (from.alias) tables.add(String(from.alias).toLowerCase());
    else if (from.type === "BASE_TABLE") tables.add(String(from.table_name).toLowerCase());
    return { tables, columns: new Set(schema.map((c) => c.name.toLowerCase())) };
  } catch {
    return null;
  }
}

const AGGREGATE_NAMES = new WeakMap<DuckDB, Promise<Set<string>>>();

/** DuckDB's aggregate function names, lower case (asked once per database). */
function aggregateNames(db: DuckDB): Promise<Set<string>> {
  let names = AGGREGATE_NAMES.get(db);
  if (!names) {
    names = strings(db, "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'").then((rows) => new Set(rows.map((r) => String(r[0]).toLowerCase())));
    AGGREGATE_NAMES.set(db, names);
  }
  return names;
}

async function strings(db: DuckDB, sql: string): Promise<(string | null)[][]> {
  const r = await db.read(sql);
  const names = r.columnNames();
  return r.getRowObjectsJS().map((row) => names.map((n) => (row[n] === null || row[n] === undefined ? null : String(row[n]))));
}

/** Parse-tree nodes of SQL expressions, each. */
async function parseItems(db: DuckDB, texts: string[]): Promise<TreeNode[]> {
  if (texts.length === 0) return [];
  const tree = await parseSql(db, `SELECT ${texts.join(", ")}`);
  return (tree.statements[0]!.node as TreeNode).select_list as TreeNode[];
}

function conjuncts(e: TreeNode): TreeNode[] {
  return e.class === "CONJUNCTION" && e.type === "CONJUNCTION_AND" ? (e.children as TreeNode[]).flatMap(conjuncts) : [e];
}

function and(terms: TreeNode[]): TreeNode | null {
  if (terms.length === 0) return null;
  return terms.length === 1 ? terms[0]! : { class: "CONJUNCTION", type: "CONJUNCTION_AND", alias: "", query_location: 0, children: terms };
}

function falseNode(): TreeNode {
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "BOOLEAN", type_info: null }, is_null: false, value: false } };
}

function has(node: unknown, test: (n: TreeNode) => boolean): boolean {
  if (!node || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some((x) => has(x, test));
  const n = node as TreeNode;
  if (typeof n.class === "string" && test(n)) return true;
  return Object.entries(n).some(([k, v]) => !k.startsWith("$") && has(v, test));
}
