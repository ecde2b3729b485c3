/**
 * DuckDB's own macros (`duckdb_functions()` of type macro) are SQL bodies DuckDB's binder expands
 * in place of the call: `regexp_split_to_table(s, p)` is `unnest(string_split_regex(s, p))`,
 * `weighted_avg(v, w)` is `sum(v * w) / sum(CASE WHEN v IS NOT NULL THEN w ELSE 0 END)`. The
 * compiler expands the same bodies (DuckDB's text, parsed by DuckDB) before it annotates a SELECT,
 * so a pipeline computes what the notebook showed with functions it has. A select item keeps the
 * name DuckDB gives the call (`weighted_avg(price, qty)`).
 */
import type { DuckDB } from "../duckdb/open.node.ts";
import { parseSql } from "../duckdb/parse-sql.node.ts";
import type { Schema } from "../plan/values.ts";
import type { TreeNode } from "./tree.ts";

/** The macros expanded: deterministic ones over the row or a group, which the library lacks. */
const MACROS = new Set([
  "regexp_split_to_table", "array_pop_back", "array_pop_front", "map_contains_value", "map_contains_entry",
  "weighted_avg", "wavg", "geomean", "geometric_mean", "json_group_array", "json_group_object",
  "list_product", "list_bit_and", "list_bit_or", "list_bit_xor", "list_entropy", "list_skewness",
  "list_kurtosis", "list_kurtosis_pop", "list_intersect", "array_intersect", "pg_typeof",
]);

/** Macros calling macros (`wavg` is `weighted_avg`) unfold at most this deep. */
const DEPTH = 4;

interface Macro {
  params: string[];
  body: TreeNode;
}

/** Parsed bodies per DuckDB connection, by `name/arity`. */
const bodies = new WeakMap<DuckDB, Map<string, Macro | null>>();

async function macroOf(db: DuckDB, name: string, arity: number): Promise<Macro | null> {
  let known = bodies.get(db);
  if (!known) bodies.set(db, (known = new Map()));
  const id = `${name}/${arity}`;
  if (known.has(id)) return known.get(id)!;
  const r = await db.read(
    "SELECT macro_definition, parameters FROM duckdb_functions() WHERE function_type = 'macro' AND function_name = $1 AND len(parameters) = $2 AND schema_name IN ('main', 'pg_catalog')",
    [name, arity],
  );
  const rows = r.getRowObjectsJS();
  let macro: Macro | null = null;
  if (rows.length === 1 && typeof rows[0]!.macro_definition === "string") {
    const tree = await parseSql(db, `SELECT ${rows[0]!.macro_definition}`);
    const body = (tree.statements[0]?.node as TreeNode | undefined)?.select_list?.[0] as TreeNode | undefined;
    const params = (rows[0]!.parameters as unknown[]).map((p) => String(p).toLowerCase());
    if (body) macro = { params, body: { ...body, alias: "" } };
  }
  known.set(id, macro);
  return macro;
}

function isMacroCall(e: TreeNode): boolean {
  return e?.class === "FUNCTION" && MACROS.has(String(e.function_name).toLowerCase()) && (e.schema === "" || e.schema === "main" || e.schema === "pg_catalog") &&
    !e.distinct && !e.filter && (e.order_bys?.orders ?? []).length === 0 && !(e.children ?? []).some((c: TreeNode) => c?.alias);
}

function containsMacro(x: unknown): boolean {
  if (Array.isArray(x)) return x.some(containsMacro);
  if (!x || typeof x !== "object") return false;
  const n = x as TreeNode;
  if (n.class === "SUBQUERY") return false;
  if (isMacroCall(n)) return true;
  return Object.entries(n).some(([k, v]) => !k.startsWith("$") && v && typeof v === "object" && containsMacro(v));
}

/** `body` with each parameter replaced by its argument, every place in it the call's. */
function substitute(macro: Macro, args: TreeNode[], at: unknown): TreeNode {
  const copy = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(copy);
    if (!x || typeof x !== "object") return x;
    const n = x as TreeNode;
    if (n.class === "COLUMN_REF" && n.column_names?.length === 1) {
      const i = macro.params.indexOf(String(n.column_names[0]).toLowerCase());
      // A parameter that is also a named argument's value (`struct_pack("key" := "key")`) keeps its name.
      if (i >= 0) return n.alias ? { ...structuredClone(args[i]), alias: n.alias } : structuredClone(args[i]);
    }
    const out = Object.fromEntries(Object.entries(n).map(([k, v]) => [k, copy(v)])) as TreeNode;
    if ("query_location" in out) out.query_location = at;
    return out;
  };
  return copy(macro.body) as TreeNode;
}

async function expand(db: DuckDB, x: unknown, depth: number): Promise<unknown> {
  // One DuckDB connection answers one query at a time: the lookups go in turn.
  if (Array.isArray(x)) {
    const out: unknown[] = [];
    for (const y of x) out.push(await expand(db, y, depth));
    return out;
  }
  if (!x || typeof x !== "object") return x;
  const n = x as TreeNode;
  if (n.class === "SUBQUERY" || !containsMacro(n)) return n;
  const out: TreeNode = {};
  for (const [k, v] of Object.entries(n)) out[k] = k.startsWith("$") ? v : await expand(db, v, depth);
  if (depth > 0 && isMacroCall(out)) {
    const macro = await macroOf(db, String(out.function_name).toLowerCase(), (out.children ?? []).length);
    if (macro) return expand(db, { ...substitute(macro, out.children ?? [], out.query_location), alias: out.alias ?? "" }, depth - 1);
  }
  return out;
}

/** DuckDB's name for one select item asked for alone (beside a `*`, whose columns the whole SELECT's names mix in); null when it does not bind alone. */
async function nameAlone(item: TreeNode, node: TreeNode, describe: (select: TreeNode) => Promise<Schema>): Promise<string | null> {
  const probe: TreeNode = {
    type: "SELECT_NODE", modifiers: [], cte_map: { map: [] }, select_list: [item], from_table: node.from_table, where_clause: null,
    group_expressions: [], group_sets: [], aggregate_handling: "STANDARD_HANDLING", having: null, sample: null, qualify: null,
  };
  try {
    const [c] = await describe(probe);
    return c?.name ?? null;
  } catch {
    return null;
  }
}

/**
 * Expands DuckDB's macros in a SELECT's items, WHERE, GROUP BY and HAVING, in place. `describe`
 * gives DuckDB's output columns of a SELECT node (for the names the items keep).
 */
export async function expandMacros(db: DuckDB, node: TreeNode, describe: (select: TreeNode) => Promise<Schema>): Promise<void> {
  const items: TreeNode[] = node.select_list ?? [];
  const parts = [items, node.where_clause, node.having, node.group_expressions];
  if (!parts.some(containsMacro)) return;
  // The names DuckDB gives the items as written (the whole SELECT, so aliases of earlier items bind).
  let names: string[] | null = null;
  if (items.some((e) => !e.alias && containsMacro(e)) && !items.some((e) => e?.class === "STAR")) {
    try {
      const schema = await describe(node);
      if (schema.length === items.length) names = schema.map((c) => c.name);
    } catch {
      names = null;
    }
  }
  const expandedItems: TreeNode[] = [];
  for (const [i, e] of items.entries()) {
    if (!containsMacro(e)) {
      expandedItems.push(e);
      continue;
    }
    const expanded = (await expand(db, e, DEPTH)) as TreeNode;
    const name = e.alias ? null : names ? names[i]! : await nameAlone(e, node, describe);
    expandedItems.push(name ? { ...expanded, alias: name } : expanded);
  }
  node.select_list = expandedItems;
  if (node.where_clause) node.where_clause = await expand(db, node.where_clause, DEPTH);
  if (node.having) node.having = await expand(db, node.having, DEPTH);
  if (node.group_expressions) node.group_expressions = await expand(db, node.group_expressions, DEPTH);
}
