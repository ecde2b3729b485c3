/**
 * DuckDB's parse tree (`json_serialize_sql`), as the compiler reads it, and
 * the annotations the Node driver (`inputs.node.ts`) adds from DuckDB's
 * binder, so the pure compiler knows exactly what DuckDB bound:
 *
 *   expression nodes  `$type`   DuckDB's type for the expression (DESCRIBE)
 *                     `$cmp`    for COMPARISON / IN / BETWEEN: the common type both sides compare in
 *                     `$value`  a constant-folded value (encoded with `value-json.ts`), when the
 *                               subtree has no column, no aggregate and nothing volatile
 *                     `$agg`    true on a FUNCTION node that is an aggregate
 *                     `$inSubquery` on an IN list folded from a static subquery (subqueries.node.ts):
 *                               its `$cmp` is the sides' common type, as DuckDB binds a subquery
 *                     `$unfolded` on a SUBQUERY left in place: why it was not folded
 *                     `$unfoldedAdvice` on such a SUBQUERY: what to write instead, when the reason has its own
 *   table refs        `$schema` the columns the ref contributes (DESCRIBE SELECT * FROM ref)
 *                     `$rows`   for a VALUES list: its rows, encoded
 *   SELECT_NODE       `$output` the node's result schema
 *
 * The tree is a foreign, versioned JSON format; it is read through the
 * small helpers here, which fail with the node's class when a field is not
 * what this version of DuckDB writes.
 */
import type { JsonValue as LosslessJson } from "../duckdb/lossless-json.ts";

/** A node of DuckDB's serialized tree (plus `$` annotations). */
// deno-lint-ignore no-explicit-any
export type TreeNode = { [key: string]: any };

export type TreeJson = LosslessJson;

const NO_LOCATION = 18446744073709551615n;

/** The node's `query_location` as a number, or null when DuckDB gives none. */
export function locationOf(node: TreeNode | null | undefined): number | null {
  const q = node?.query_location;
  if (q === undefined || q === null) return null;
  if (typeof q === "bigint") return q >= NO_LOCATION || q > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(q);
  if (typeof q === "number") return q >= 1.8e19 ? null : q;
  return null;
}

/** Every expression directly below `node` (children, child, left/right, case arms ...). */
export function childExpressions(node: TreeNode): TreeNode[] {
  const out: TreeNode[] = [];
  const push = (n: unknown): void => {
    if (n && typeof n === "object" && "class" in (n as object)) out.push(n as TreeNode);
  };
  switch (node.class) {
    case "FUNCTION":
      for (const c of node.children ?? []) push(c);
      push(node.filter);
      break;
    case "OPERATOR":
    case "CONJUNCTION":
      for (const c of node.children ?? []) push(c);
      break;
    case "CAST":
      push(node.child);
      break;
    case "COMPARISON":
      push(node.left);
      push(node.right);
      break;
    case "BETWEEN":
      push(node.input);
      push(node.lower);
      push(node.upper);
      break;
    case "CASE":
      for (const c of node.case_checks ?? []) {
        push(c.when_expr);
        push(c.then_expr);
      }
      push(node.else_expr);
      break;
    case "COLLATE":
      push(node.child);
      break;
    default:
      break;
  }
  return out;
}

/** Structural equality of two expressions, ignoring places and aliases (GROUP BY matching). */
export function sameExpression(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (typeof a === "bigint" || typeof a !== "object") return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameExpression(x, b[i]));
  }
  const ao = a as TreeNode;
  const bo = b as TreeNode;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    if (k === "query_location" || k === "alias" || k.startsWith("$")) continue;
    if (!sameExpression(ao[k], bo[k])) return false;
  }
  return true;
}

/** Does the subtree contain a node for which `test` holds? */
export function containsNode(node: TreeNode, test: (n: TreeNode) => boolean): boolean {
  if (test(node)) return true;
  return childExpressions(node).some((c) => containsNode(c, test));
}

/** Does the expression contain an aggregate call? */
export function containsAggregate(node: TreeNode): boolean {
  if (node.class === "FUNCTION" && node.$agg) return true;
  return childExpressions(node).some(containsAggregate);
}

/** DuckDB's functions that take a lambda argument (`duckdb_functions()` with a LAMBDA parameter). */
const LAMBDA_FUNCTIONS = new Set([
  "apply", "array_apply", "array_filter", "array_reduce", "array_transform", "filter",
  "list_apply", "list_filter", "list_reduce", "list_transform", "reduce",
]);

/**
 * DuckDB parses a single arrow `a -> b` as a lambda everywhere, and its
 * binder reads a lambda that is not the argument of a lambda function as the
 * JSON operator `json_extract(a, b)`. This does the same to the tree, in
 * place, so `payload -> '$.user'` compiles like `json_extract(payload,
 * '$.user')` (and `a -> 'x' -> 'y'`, left to right, as nested calls). Lambdas
 * given to lambda functions stay as they are.
 */
export function rewriteJsonArrows(node: unknown): unknown {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = rewriteJsonArrows(node[i]);
    return node;
  }
  if (node === null || typeof node !== "object") return node;
  const n = node as TreeNode;
  if (n.class === "LAMBDA") {
    return {
      class: "FUNCTION",
      type: "FUNCTION",
      alias: n.alias ?? "",
      query_location: n.query_location,
      function_name: "json_extract",
      schema: "",
      children: [rewriteJsonArrows(n.lhs), rewriteJsonArrows(n.expr)],
      filter: null,
      order_bys: { type: "ORDER_MODIFIER", orders: [] },
      distinct: false,
      is_operator: false,
      export_state: false,
      catalog: "",
    };
  }
  const lambdaCall = n.class === "FUNCTION" && typeof n.function_name === "string" && LAMBDA_FUNCTIONS.has(n.function_name.toLowerCase());
  for (const key of Object.keys(n)) {
    if (lambdaCall && key === "children") {
      n.children = n.children.map((c: TreeNode) => (c?.class === "LAMBDA" ? c : rewriteJsonArrows(c)));
      continue;
    }
    n[key] = rewriteJsonArrows(n[key]);
  }
  return n;
}

/**
 * `generate_subscripts(list, 1)` in the select list, beside `unnest(list)` to number its elements
 * (`SELECT unnest(items) AS item, generate_subscripts(items, 1) AS pos`), is
 * `unnest(range(1, len(list) + 1))`: the same BIGINTs 1..n in the same rows, none for a NULL or
 * empty list. Rewritten in place (the template's nodes take the call's place in the text) inside
 * items with an alias only, since DuckDB names an unaliased column by its text; anything else
 * (another dimension, no alias) stays and is refused as a function the library does not have.
 */
export function rewriteGenerateSubscripts(node: unknown, template: TreeNode): void {
  if (Array.isArray(node)) {
    for (const n of node) rewriteGenerateSubscripts(n, template);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as TreeNode;
  for (const key of Object.keys(n)) rewriteGenerateSubscripts(n[key], template);
  if (n.type !== "SELECT_NODE" || !Array.isArray(n.select_list)) return;
  const rewrite = (e: unknown, top: boolean): void => {
    if (Array.isArray(e)) {
      for (const x of e) rewrite(x, false);
      return;
    }
    if (e === null || typeof e !== "object") return;
    const f = e as TreeNode;
    for (const key of Object.keys(f)) if (key !== "alias") rewrite(f[key], false);
    if (f.class !== "FUNCTION" || String(f.function_name).toLowerCase() !== "generate_subscripts" || f.children?.length !== 2) return;
    const dim = f.children[1] as TreeNode;
    if (dim?.class !== "CONSTANT" || dim.value?.is_null || Number(dim.value?.value) !== 1) return;
    const copy = structuredClone(template) as TreeNode;
    const place = (x: unknown): void => {
      if (Array.isArray(x)) return x.forEach(place);
      if (x === null || typeof x !== "object") return;
      const y = x as TreeNode;
      if (typeof y.query_location === "number") y.query_location = f.query_location;
      for (const key of Object.keys(y)) place(y[key]);
    };
    place(copy);
    // unnest(range(1, len(NULL) + 1)): the NULL is the list.
    const len = copy.children[0].children[1].children[0] as TreeNode;
    len.children = [f.children[0]];
    const alias = top ? f.alias : "";
    for (const key of Object.keys(f)) delete f[key];
    Object.assign(f, copy, { alias });
  };
  for (const item of n.select_list as TreeNode[]) if (item?.alias) rewrite(item, true);
}

/**
 * `FROM t, unnest(t.items) AS u(x)` (a lateral unnest in FROM, comma or
 * CROSS JOIN) as the select-list unnest the compiler supports:
 * `FROM (SELECT *, unnest(t.items) AS x FROM t) AS t`, in place, in every
 * SELECT of the tree. The two are the same rows: one per element, none for a
 * NULL or empty list, the table's columns then `x` for `*`. References that
 * name the unnest's alias (`u.x`, `u.x.field`) lose it. `template` is the
 * parse tree of `SELECT *, unnest(NULL) AS c FROM t` (the driver parses it
 * once), so the new SELECT has every field this DuckDB version writes.
 */
export function rewriteLateralUnnests(node: unknown, template: TreeNode): void {
  if (Array.isArray(node)) {
    for (const n of node) rewriteLateralUnnests(n, template);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as TreeNode;
  for (const key of Object.keys(n)) rewriteLateralUnnests(n[key], template);
  if (n.type !== "SELECT_NODE") return;
  // The unnest may be followed by joins with static tables (`FROM t, unnest(t.items) AS u(item)
  // JOIN p ON p.id = u.item.pid`): the cross join with the unnest is then the left side of a
  // chain of joins, rewritten where it stands. Repeated until none is left, so `FROM t,
  // unnest(a) AS x(a1), unnest(b) AS y(b1)` becomes two nested select-list unnests (the same rows).
  n.from_table = leftDeep(n.from_table);
  for (;;) {
    let done: { sub: TreeNode; unnestAlias: string; leftName: string } | null = null;
    const top = lateralUnnest(n.from_table, template);
    if (top) {
      n.from_table = top.sub;
      done = top;
    } else {
      for (let j = n.from_table; j?.type === "JOIN"; j = j.left) {
        const r = lateralUnnest(j.left, template);
        if (r) {
          j.left = r.sub;
          done = r;
          break;
        }
      }
    }
    if (!done) return;
    if (!done.unnestAlias) continue;
    // `u.x`, `u.x.field` name the unnest's column, now a column of the subquery (aliased as the table).
    const sub = done.sub;
    const requalify = (x: unknown): void => {
      if (Array.isArray(x)) {
        for (const y of x) requalify(y);
        return;
      }
      if (x === null || typeof x !== "object") return;
      const e = x as TreeNode;
      if (e === sub) return;
      if (e.class === "COLUMN_REF" && e.column_names.length >= 2 && String(e.column_names[0]).toLowerCase() === done!.unnestAlias) e.column_names = [done!.leftName, ...e.column_names.slice(1)];
      for (const key of Object.keys(e)) requalify(e[key]);
    };
    requalify(n);
  }
}

/**
 * `FROM t, unnest(t.items) AS u(x) JOIN p ON ... LEFT JOIN q ON ...` parses as `t, ((u JOIN p) LEFT
 * JOIN q)` (a comma binds looser than JOIN): t crossed laterally with the joins of its unnest. With
 * only inner, left and cross joins along the way that is the same rows, in the same
 * column order, as `((t, u) JOIN p) LEFT JOIN q`, which is returned; any other FROM is returned as is.
 */
function leftDeep(from: TreeNode | null | undefined): TreeNode | null | undefined {
  if (from?.type !== "JOIN" || from.ref_type !== "CROSS" || from.condition || from.right?.type !== "JOIN") return from;
  let j: TreeNode = from.right;
  for (;;) {
    if (j.ref_type !== "REGULAR" && j.ref_type !== "CROSS") return from;
    // (DuckDB cannot run a SEMI or ANTI join there, Not implemented Error, so those stay refused.)
    if (!["INNER", "LEFT"].includes(String(j.join_type))) return from;
    if (j.left?.type !== "JOIN") break;
    j = j.left;
  }
  const u = j.left;
  if (u?.type !== "TABLE_FUNCTION" || String(u.function?.function_name).toLowerCase() !== "unnest") return from;
  const top = from.right;
  j.left = { ...from, right: u };
  return top;
}

/** `t, unnest(t.items) AS u(x)` as `(SELECT *, unnest(t.items) AS x FROM t) AS t`, or null for any other FROM item. */
function lateralUnnest(from: TreeNode | null | undefined, template: TreeNode): { sub: TreeNode; unnestAlias: string; leftName: string } | null {
  if (from?.type !== "JOIN" || from.ref_type !== "CROSS" || from.condition) return null;
  const { left, right } = from;
  if (right?.type !== "TABLE_FUNCTION" || String(right.function?.function_name).toLowerCase() !== "unnest") return null;
  if ((right.function.children ?? []).length !== 1 || right.with_ordinality === "WITH_ORDINALITY") return null;
  if (left?.type !== "BASE_TABLE" && left?.type !== "SUBQUERY") return null;
  const leftName = String(left.alias || left.table_name || "");
  if (!leftName) return null;
  const column = String(right.column_name_alias?.[0] ?? "unnest");
  const unnestAlias = String(right.alias ?? "").toLowerCase();
  const inner = structuredClone(template.node ?? template) as TreeNode;
  const unnest = inner.select_list[1];
  unnest.children = right.function.children;
  unnest.alias = column;
  unnest.query_location = right.query_location;
  inner.from_table = left;
  const sub = { type: "SUBQUERY", alias: leftName, sample: null, query_location: left.query_location, subquery: { node: inner }, column_name_alias: [] };
  return { sub, unnestAlias, leftName };
}

/** The functions that look for a value in a list: the annotator asks for the common type, the compiler casts both to it. */
export const LIST_SEARCH = new Set(["list_contains", "array_contains", "list_has", "contains", "list_position", "list_indexof", "array_position", "array_indexof"]);

/** The functions that compare two lists' elements: both lists are cast to their common element type. */
export const LIST_PAIR = new Set(["list_has_any", "array_has_any", "list_has_all", "array_has_all"]);

/**
 * `count(DISTINCT (a, b))`: the tuple is DuckDB's `row(a, b)`, a STRUCT without field names,
 * which no column can hold; counting its distinct values is counting those of a named struct
 * with the same fields (a NULL field is a value, and the tuple itself is never NULL), so the
 * tuple becomes `struct_pack(v1 := a, v2 := b)` there. Elsewhere `row()` stays, and is refused.
 */
export function rewriteDistinctTuples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const x of node) rewriteDistinctTuples(x);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as TreeNode;
  if (n.class === "FUNCTION" && String(n.function_name).toLowerCase() === "count" && n.distinct === true && n.children?.length === 1) {
    const tuple = n.children[0] as TreeNode;
    if (tuple.class === "FUNCTION" && String(tuple.function_name).toLowerCase() === "row" && (tuple.children?.length ?? 0) > 0) {
      n.children[0] = { ...tuple, function_name: "struct_pack", schema: "", children: (tuple.children as TreeNode[]).map((c, i) => ({ ...c, alias: `v${i + 1}` })) };
    }
  }
  for (const [key, value] of Object.entries(n)) if (!key.startsWith("$")) rewriteDistinctTuples(value);
}

/**
 * `WITH s AS MATERIALIZED (...)` parses as a CTE_NODE around the query, whose own CTE list holds the
 * same entry; materialising changes how DuckDB computes the query, not its rows, so the query is
 * read as written without the wrapper (in place, at any depth; returns the new root).
 */
export function unwrapCteNodes(node: TreeNode): TreeNode {
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (!n || typeof n !== "object") return n;
    let o = n as TreeNode;
    while (o.type === "CTE_NODE" && o.child && typeof o.child === "object") o = o.child as TreeNode;
    for (const [k, v] of Object.entries(o)) if (v && typeof v === "object") o[k] = walk(v);
    return o;
  };
  return walk(node) as TreeNode;
}

/** The lambda functions that map each element (DuckDB's names for list_transform). */
const TRANSFORMS = new Set(["list_transform", "array_transform", "apply", "list_apply", "array_apply"]);

/**
 * `map_from_entries([(a.key, a.value) FOR a IN attrs])`, or the same written with list_transform: the
 * tuples are never written, only taken apart, so the MAP is `map(list_transform(attrs, a -> a.key),
 * list_transform(attrs, a -> a.value))`, which DuckDB gives the same keys, values, types and errors
 * (a NULL list NULL, a repeated or NULL key its own error). In place, before the cell is bound, so the
 * types the compiler reads are those of the rewritten call.
 */
export function rewriteMapEntryTuples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const x of node) rewriteMapEntryTuples(x);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as TreeNode;
  for (const [key, value] of Object.entries(n)) if (!key.startsWith("$")) rewriteMapEntryTuples(value);
  if (n.class !== "FUNCTION" || String(n.function_name).toLowerCase() !== "map_from_entries" || n.children?.length !== 1) return;
  const call = n.children[0] as TreeNode;
  const lambda = call?.children?.[1] as TreeNode | undefined;
  if (call?.class !== "FUNCTION" || !TRANSFORMS.has(String(call.function_name).toLowerCase()) || call.children.length !== 2 || lambda?.class !== "LAMBDA") return;
  const tuple = lambda.expr as TreeNode;
  if (tuple?.class !== "FUNCTION" || String(tuple.function_name).toLowerCase() !== "row" || tuple.children?.length !== 2) return;
  const half = (i: 0 | 1): TreeNode => structuredClone({ ...call, children: [call.children[0], { ...lambda, expr: tuple.children[i] }] });
  n.function_name = "map";
  n.children = [half(0), half(1)];
}

/**
 * `array_agg(x ORDER BY x)`: DuckDB's parser turns `list(x ORDER BY x)` into `list_sort(list(x), order,
 * nulls)` but leaves its alias array_agg as an ordered aggregate; both sort the values themselves, so the
 * alias gets the same rewrite here (in place, FILTER and DISTINCT staying on the aggregate) and compiles
 * as list() does, instead of being refused as an order the pipeline could not repeat.
 */
export function rewriteOrderedArrayAgg(node: unknown): void {
  if (Array.isArray(node)) {
    for (const x of node) rewriteOrderedArrayAgg(x);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as TreeNode;
  for (const [key, value] of Object.entries(n)) if (!key.startsWith("$")) rewriteOrderedArrayAgg(value);
  const orders = (n.order_bys?.orders ?? []) as TreeNode[];
  if (n.class !== "FUNCTION" || String(n.function_name).toLowerCase() !== "array_agg" || n.children?.length !== 1 || orders.length !== 1) return;
  if (!sameExpression(orders[0]!.expression, n.children[0])) return;
  const text = (value: string): TreeNode => ({ class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: n.query_location, value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value } });
  const alias = n.alias ?? "";
  const inner: TreeNode = { ...n, alias: "", order_bys: { type: "ORDER_MODIFIER", orders: [] } };
  for (const key of Object.keys(n)) delete n[key];
  Object.assign(n, {
    class: "FUNCTION", type: "FUNCTION", alias, query_location: inner.query_location, function_name: "list_sort", schema: "",
    children: [inner, text(String(orders[0]!.type)), text(String(orders[0]!.null_order))],
    filter: null, order_bys: { type: "ORDER_MODIFIER", orders: [] }, distinct: false, is_operator: false, export_state: false, catalog: "",
  });
}
