/**
 * Subqueries over the event's own list, rewritten as list functions before a cell is annotated. A
 * subquery `FROM unnest(<list of the row>) AS u(x)` refers to the outer row, so it cannot be folded
 * into a constant (subqueries.node.ts), but it reads nothing beyond the one event: DuckDB answers it
 * per row, and so can a pipeline with the list lambdas it already has.
 *
 *   EXISTS (SELECT ... FROM unnest(l) AS u(x) [WHERE c])  → coalesce(len(list_filter(l, x -> c)) > 0, false)
 *   (SELECT count(*) FROM unnest(l) AS u(x) [WHERE c])     → coalesce(len(list_filter(l, x -> c)), 0)
 *   (SELECT agg(e) FROM unnest(l) AS u(x) [WHERE c])       → list_aggregate(list_transform(list_filter(l, x -> c), x -> e), 'agg')
 *   v IN (SELECT unnest(l)), v IN (SELECT e FROM unnest(l) AS u(x) [WHERE c])
 *                                                          → CASE over list_contains(values, v) (`inForm`)
 *
 * These are DuckDB's answers row for row: a NULL list unnests to no rows (EXISTS false, count 0, any
 * other aggregate NULL, as list_aggregate of NULL is), an empty list too, a NULL element is a row,
 * and a WHERE keeps the rows where it is true, as list_filter keeps the elements. The aggregate is
 * the same function over the same values in the same order. A `FILTER (WHERE ...)` on the aggregate
 * filters again; `count(DISTINCT e)` counts the distinct non-NULL values. The select item may wrap
 * its aggregates (`round(sum(...), 2)`), but every reference to the unnested value must be inside one.
 *
 * Anything else (IN with another comparison than =; GROUP BY, ORDER BY, LIMIT, a join, a second
 * table, a nested subquery, an aggregate outside the list below) is left as it is, and the compiler
 * refuses it with the list functions to write instead (`listSubqueryAdvice`).
 */
import type { TreeNode } from "./tree.ts";

/** Aggregates whose list_aggregate form is the aggregate itself over the elements in order. */
const AGGREGATES = new Set([
  "sum", "avg", "mean", "min", "max", "count", "count_star", "bool_or", "bool_and", "product", "any_value", "first", "last",
  "list", "array_agg", "median", "stddev_samp", "stddev_pop", "stddev", "var_samp", "var_pop", "variance", "fsum", "string_agg",
]);

/** Rewrites, in place, every subquery of `tree` over its row's own list that has a list form; returns how many. */
export function rewriteListSubqueries(tree: TreeNode): number {
  let rewritten = 0;
  const visit = (n: unknown): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    const o = n as TreeNode;
    for (const [k, v] of Object.entries(o)) if (!k.startsWith("$")) visit(v);
    if (o.class === "SUBQUERY") {
      // A parameter name per rewrite: a nested one's lambda must not capture the outer element's references.
      const replacement = listForm(o, `__own_element${rewritten + 1}`);
      if (replacement) {
        const { alias, query_location } = o;
        for (const k of Object.keys(o)) delete o[k];
        Object.assign(o, replacement, { alias, query_location });
        rewritten++;
      }
    }
  };
  visit(tree);
  return rewritten;
}

/** The unnest a subquery reads: its list, and how its value is referred to. */
interface OwnList {
  list: TreeNode;
  /** The column's name (the column alias, else DuckDB's `unnest`), lower case. */
  column: string;
  /** The table alias, lower case, or "". */
  table: string;
}

function ownList(inner: TreeNode): OwnList | null {
  if (inner.type !== "SELECT_NODE") return null;
  if ((inner.modifiers ?? []).length || (inner.cte_map?.map ?? []).length || (inner.group_expressions ?? []).length) return null;
  if (inner.having || inner.qualify || inner.sample || inner.aggregate_handling !== "STANDARD_HANDLING") return null;
  const from = inner.from_table as TreeNode | undefined;
  if (!from || from.sample) return null;
  const aliases: unknown[] = from.column_name_alias ?? [];
  if (aliases.length > 1) return null;
  let fn: TreeNode | undefined;
  let column: string;
  if (from.type === "TABLE_FUNCTION" && from.with_ordinality === "WITHOUT_ORDINALITY") {
    // FROM unnest(l) AS u(x); without a column alias DuckDB names the column unnest.
    fn = from.function;
    column = String(aliases[0] ?? "unnest");
  } else if (from.type === "SUBQUERY" && aliases.length === 0) {
    // FROM (SELECT unnest(l) AS x): one named item over no table.
    const sub = from.subquery?.node as TreeNode | undefined;
    const item = sub?.select_list?.[0] as TreeNode | undefined;
    if (sub?.type !== "SELECT_NODE" || sub.select_list.length !== 1 || sub.from_table?.type !== "EMPTY" || sub.where_clause || !item?.alias) return null;
    if ((sub.modifiers ?? []).length || (sub.cte_map?.map ?? []).length || (sub.group_expressions ?? []).length || sub.having || sub.qualify) return null;
    fn = item;
    column = String(item.alias);
  } else return null;
  if (fn?.class !== "FUNCTION" || String(fn.function_name).toLowerCase() !== "unnest" || (fn.children ?? []).length !== 1) return null;
  const list = fn.children[0] as TreeNode;
  // A list of constants is static: foldStaticSubqueries answers it once.
  if (!mentionsColumn(list) || hasSubquery(list)) return null;
  return { list, column: column.toLowerCase(), table: String(from.alias ?? "").toLowerCase() };
}

/** The replacement for one subquery expression, or null when it has no list form. */
function listForm(e: TreeNode, param: string): TreeNode | null {
  const kind = String(e.subquery_type);
  const inner = e.subquery?.node as TreeNode | undefined;
  const isIn = kind === "ANY" && e.comparison_type === "COMPARE_EQUAL" && e.child;
  if (!inner || (kind !== "EXISTS" && kind !== "NOT_EXISTS" && kind !== "SCALAR" && !isIn)) return null;
  if (isIn) {
    const plain = unnestedItem(inner);
    if (plain) return inForm(e.child, plain, param);
  }
  const own = ownList(inner);
  if (!own) return null;
  // `FROM unnest(l) AS g` then `g` alone: DuckDB reads the table's row, a STRUCT (never NULL), not an element.
  if (namesRow([inner.select_list, inner.where_clause], own)) return null;
  const items: TreeNode[] = inner.select_list ?? [];
  if (items.some((i) => hasSubquery(i) || hasWindow(i))) return null;
  if (inner.where_clause && (hasSubquery(inner.where_clause) || hasAggregate(inner.where_clause) || hasWindow(inner.where_clause))) return null;
  const where = inner.where_clause ? renameElement(inner.where_clause, own, param) : null;
  const filtered = where ? call("list_filter", [own.list, lambda(param, where)]) : own.list;
  if (kind === "EXISTS" || kind === "NOT_EXISTS") {
    // An aggregate makes one row whatever the list holds: EXISTS is true, which this form would not say.
    if (items.some(hasAggregate)) return null;
    const exists = call("coalesce", [compare("COMPARE_GREATERTHAN", call("len", [filtered]), integer(0)), boolean(false)]);
    return kind === "EXISTS" ? exists : { class: "OPERATOR", type: "OPERATOR_NOT", alias: "", query_location: e.query_location, children: [exists] };
  }
  if (items.length !== 1 || items[0]!.class === "STAR") return null;
  if (isIn) {
    if (hasAggregate(items[0]!)) return null;
    return inForm(e.child, call("list_transform", [filtered, lambda(param, renameElement(items[0]!, own, param))]), param);
  }
  let ok = true;
  const lowered = replaceAggregates(items[0]!, (agg) => {
    const r = aggregateForm(agg, own, param, filtered);
    if (!r) ok = false;
    return r;
  });
  // The unnested value read outside an aggregate is one value per element: no single value per row.
  if (!ok || !lowered || refersTo(lowered, own)) return null;
  return lowered;
}

/** `SELECT unnest(l)` with nothing else (no FROM, WHERE or alias needed): the list l. */
function unnestedItem(inner: TreeNode): TreeNode | null {
  if (inner.type !== "SELECT_NODE" || inner.from_table?.type !== "EMPTY" || inner.where_clause) return null;
  if ((inner.modifiers ?? []).length || (inner.cte_map?.map ?? []).length || (inner.group_expressions ?? []).length || inner.having || inner.qualify) return null;
  const items: TreeNode[] = inner.select_list ?? [];
  const fn = items[0];
  if (items.length !== 1 || fn?.class !== "FUNCTION" || String(fn.function_name).toLowerCase() !== "unnest" || (fn.children ?? []).length !== 1) return null;
  const list = fn.children[0] as TreeNode;
  return mentionsColumn(list) && !hasSubquery(list) ? list : null;
}

/**
 * `v IN (<the values of list l>)` with the subquery's three values: true on a match, NULL when there
 * is none but v or a value is NULL, false for no values at all (a NULL list too). list_contains
 * compares as the subquery does, in the common type of both sides (a JSON v against numbers as JSON).
 */
function inForm(v: TreeNode, values: TreeNode, param: string): TreeNode {
  const nulls = call("list_filter", [values, lambda(param, { class: "OPERATOR", type: "OPERATOR_IS_NULL", alias: "", query_location: 0, children: [column(param)] })]);
  return {
    class: "CASE", type: "CASE_EXPR", alias: "", query_location: 0,
    case_checks: [
      { when_expr: compare("COMPARE_EQUAL", call("coalesce", [call("len", [values]), integer(0)]), integer(0)), then_expr: boolean(false) },
      // Marked for the compiler, which refuses the one pair of types where list_contains compares otherwise (JSON with text).
      { when_expr: { ...call("list_contains", [values, v]), $fromInSubquery: true }, then_expr: boolean(true) },
      {
        when_expr: { class: "CONJUNCTION", type: "CONJUNCTION_OR", alias: "", query_location: 0, children: [{ class: "OPERATOR", type: "OPERATOR_IS_NULL", alias: "", query_location: 0, children: [v] }, compare("COMPARE_GREATERTHAN", call("len", [nulls]), integer(0))] },
        then_expr: { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "NULL", type_info: null }, is_null: true } },
      },
    ],
    else_expr: boolean(false),
  };
}

/** The list form of one aggregate call over the subquery's rows, or null. */
function aggregateForm(agg: TreeNode, own: OwnList, param: string, rows: TreeNode): TreeNode | null {
  const name = String(agg.function_name).toLowerCase();
  if ((agg.order_bys?.orders ?? []).length) return null;
  const args: TreeNode[] = agg.children ?? [];
  if (args.some((a) => hasAggregate(a) || hasSubquery(a) || hasWindow(a))) return null;
  if (agg.filter && (hasAggregate(agg.filter) || hasSubquery(agg.filter))) return null;
  const kept = agg.filter ? call("list_filter", [rows, lambda(param, renameElement(agg.filter, own, param))]) : rows;
  if (name === "count_star" || (name === "count" && args.length === 0)) {
    if (agg.distinct) return null;
    return call("coalesce", [call("len", [kept]), integer(0)]);
  }
  if (args.length === 0) return null;
  const extra = args.slice(1);
  // string_agg's separator is the only extra argument list_aggregate takes, and it must be a constant.
  if (extra.length && !(name === "string_agg" && extra.length === 1 && extra[0]!.class === "CONSTANT")) return null;
  if (extra.length === 0 && name === "string_agg") return null;
  const values = call("list_transform", [kept, lambda(param, renameElement(args[0]!, own, param))]);
  if (agg.distinct) {
    // Only a count is the same over the distinct values in any order.
    if (name !== "count") return null;
    return call("coalesce", [call("list_aggregate", [call("list_sort", [call("list_distinct", [values])]), text("count")]), integer(0)]);
  }
  const over = call("list_aggregate", [values, text(name), ...extra]);
  return name === "count" ? call("coalesce", [over, integer(0)]) : over;
}

/** `node` with every aggregate call replaced by `replace(call)`; null when a replacement is null. */
function replaceAggregates(node: TreeNode, replace: (agg: TreeNode) => TreeNode | null): TreeNode | null {
  if (isAggregate(node)) return replace(node);
  const copy: TreeNode = { ...node };
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("$") || !v || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const x of v) {
        if (x && typeof x === "object" && "class" in x) {
          const r = replaceAggregates(x as TreeNode, replace);
          if (!r) return null;
          out.push(r);
        } else if (x && typeof x === "object" && ("when_expr" in x || "then_expr" in x)) {
          const w = replaceAggregates((x as TreeNode).when_expr, replace);
          const t = replaceAggregates((x as TreeNode).then_expr, replace);
          if (!w || !t) return null;
          out.push({ ...(x as TreeNode), when_expr: w, then_expr: t });
        } else out.push(x);
      }
      copy[k] = out;
    } else if ("class" in v) {
      const r = replaceAggregates(v as TreeNode, replace);
      if (!r) return null;
      copy[k] = r;
    }
  }
  return copy;
}

/** A copy of `node` where the unnested value (`x`, `u.x`, `x.field`) is the lambda's parameter. */
function renameElement(node: TreeNode, own: OwnList, param: string): TreeNode {
  return mapTree(node, (n) => {
    if (n.class !== "COLUMN_REF") return null;
    const rest = elementPath((n.column_names as unknown[]).map(String), own);
    return rest ? { ...n, column_names: [param, ...rest] } : null;
  });
}

/** The field path below the unnested value a reference names, or null when it names something else. */
function elementPath(names: string[], own: OwnList): string[] | null {
  const lower = names.map((s) => s.toLowerCase());
  if (own.table && lower.length >= 2 && lower[0] === own.table && lower[1] === own.column) return names.slice(2);
  if (lower[0] === own.column) return names.slice(1);
  return null;
}

/** Whether `node` names the unnest's table alias other than as `alias.column`: the row as a STRUCT in DuckDB, which no list form reads. */
function namesRow(node: unknown, own: OwnList): boolean {
  return own.table !== "" && some(node, (n) => {
    if (n.class !== "COLUMN_REF") return false;
    const lower = (n.column_names as unknown[]).map((s) => String(s).toLowerCase());
    return lower[0] === own.table && lower[0] !== own.column && lower[1] !== own.column;
  });
}

function refersTo(node: TreeNode, own: OwnList): boolean {
  let found = false;
  mapTree(node, (n) => {
    if (n.class === "COLUMN_REF" && elementPath((n.column_names as unknown[]).map(String), own)) found = true;
    // A lambda of the rewrite holds its own references.
    return n.class === "LAMBDA" ? n : null;
  });
  return found;
}

/** A copy of the tree, each node replaced by `f(node)` when that is not null (and then not descended). */
function mapTree(node: TreeNode, f: (n: TreeNode) => TreeNode | null): TreeNode {
  const r = f(node);
  if (r) return r;
  const copy: TreeNode = Array.isArray(node) ? [] : {};
  for (const [k, v] of Object.entries(node)) {
    copy[k] = v && typeof v === "object" && !k.startsWith("$") ? mapTree(v as TreeNode, f) : v;
  }
  return copy;
}

function isAggregate(n: TreeNode): boolean {
  return n.class === "FUNCTION" && AGGREGATES.has(String(n.function_name).toLowerCase());
}

function some(node: unknown, test: (n: TreeNode) => boolean): boolean {
  if (!node || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some((x) => some(x, test));
  const n = node as TreeNode;
  if (typeof n.class === "string" && test(n)) return true;
  return Object.entries(n).some(([k, v]) => !k.startsWith("$") && some(v, test));
}

function hasAggregate(n: TreeNode): boolean {
  return some(n, isAggregate);
}

function hasSubquery(n: TreeNode): boolean {
  return some(n, (x) => x.class === "SUBQUERY");
}

function hasWindow(n: TreeNode): boolean {
  return some(n, (x) => x.class === "WINDOW");
}

function mentionsColumn(n: TreeNode): boolean {
  return some(n, (x) => x.class === "COLUMN_REF");
}

/**
 * What to write instead of a subquery over the row's own list that has no list form, or null when
 * the subquery reads something else.
 */
export function listSubqueryAdvice(e: TreeNode): string | null {
  const inner = e.subquery?.node as TreeNode | undefined;
  const from = inner?.from_table as TreeNode | undefined;
  const fn = from?.type === "TABLE_FUNCTION" ? from.function : from?.type === "SUBQUERY" ? from.subquery?.node?.select_list?.[0] : from?.type === "EMPTY" ? inner?.select_list?.[0] : undefined;
  if (String(fn?.function_name).toLowerCase() !== "unnest") return null;
  return "a subquery over the event's own list has list functions to say it: list_contains(l, v) for v IN (SELECT unnest(l)) (false, not NULL, where l holds a NULL and no v), " +
    "len(list_filter(l, x -> cond)) > 0 for EXISTS, list_sum(list_transform(l, x -> x.qty * x.price)) for a sum, " +
    "or unnest the list in a CTE and aggregate per event there";
}

const NO_ORDER = { type: "ORDER_MODIFIER", orders: [] };

function call(name: string, children: TreeNode[]): TreeNode {
  if (name === "coalesce") return { class: "OPERATOR", type: "OPERATOR_COALESCE", alias: "", query_location: 0, children };
  return { class: "FUNCTION", type: "FUNCTION", alias: "", query_location: 0, function_name: name, schema: "", children, filter: null, order_bys: { ...NO_ORDER, orders: [] }, distinct: false, is_operator: false, export_state: false, catalog: "" };
}

function column(name: string): TreeNode {
  return { class: "COLUMN_REF", type: "COLUMN_REF", alias: "", query_location: 0, column_names: [name] };
}

function lambda(param: string, body: TreeNode): TreeNode {
  return { class: "LAMBDA", type: "LAMBDA", alias: "", query_location: 0, lhs: column(param), expr: body };
}

function compare(type: string, left: TreeNode, right: TreeNode): TreeNode {
  return { class: "COMPARISON", type, alias: "", query_location: 0, left, right };
}

function integer(v: number): TreeNode {
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "INTEGER", type_info: null }, is_null: false, value: v } };
}

function text(v: string): TreeNode {
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value: v } };
}

function boolean(v: boolean): TreeNode {
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "BOOLEAN", type_info: null }, is_null: false, value: v } };
}
