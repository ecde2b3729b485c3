/**
 * Lowers one expression of DuckDB's (annotated) parse tree into a plan
 * expression over a scope of columns.
 */
import { regexRefusal } from "../exec/functions/pattern.ts";
import type { CompareOp, Expr, Origin } from "../plan/types.ts";
import { castRefusal } from "./casts.ts";
import { CompileError } from "./errors.ts";
import { simplifyComparison } from "./simplify.ts";
import { LIST_PAIR, LIST_SEARCH, childExpressions, containsNode, locationOf, type TreeNode } from "./tree.ts";
import { parseType } from "../plan/type-text.ts";
import { listSubqueryAdvice } from "./list-subqueries.ts";

/** A column visible to an expression: its position in the operator's input. */
export interface ScopeColumn {
  name: string;
  type: string;
  /** The table name or alias that qualifies it (`t.a`), or null. */
  table: string | null;
  /**
   * The right side's column of a `JOIN ... USING (k)`: merged into the left side's k, so it is read
   * only qualified (`v.k`, `v.*`); an unqualified `k` or `*` sees the left side's alone, as in DuckDB.
   */
  merged?: boolean;
}

export interface ExprContext {
  scope: ScopeColumn[];
  /** The place of a node in the notebook. */
  originOf(node: TreeNode | null): Origin;
  /**
   * Replaces a whole subtree before it is lowered (aggregate results, group
   * keys, unnest outputs); undefined means "lower as usual".
   */
  substitute?: (node: TreeNode) => Expr | undefined;
  /** The scalar functions the executor has (see `CompileInputs.functions`). */
  functions?: ReadonlySet<string>;
  /** Per function and arity, the argument positions DuckDB binds as DOUBLE (see `CompileInputs.functions`). */
  doubleParams?: ReadonlyMap<string, ReadonlyMap<number, readonly number[]>>;
}

const QUERY_TIME = "the notebook's query time is not a time the pipeline has; keep the event's own time (its ts field), which both see alike";

/** DuckDB's names for the query's own time, written without parentheses: its parse tree has them as columns. */
const QUERY_TIME_NAMES = new Set(["current_timestamp", "current_date", "current_time", "localtimestamp", "localtime"]);

/** Why a DuckDB function is not in the executor's library, and what to write instead, where there is a good answer. */
const MISSING_FUNCTION_HINTS: Record<string, string> = {
  row: "a STRUCT without field names has no column names to write; name them: struct_pack(a := x, b := y) or {'a': x, 'b': y}",
  hash: "DuckDB's hash() differs between versions, so a pipeline could not reproduce it; use md5(...) or sha256(...) for a stable key",
  now: QUERY_TIME,
  current_timestamp: QUERY_TIME,
  get_current_timestamp: QUERY_TIME,
  transaction_timestamp: QUERY_TIME,
  today: QUERY_TIME,
  current_date: QUERY_TIME,
  current_time: QUERY_TIME,
  get_current_time: QUERY_TIME,
  current_localtimestamp: QUERY_TIME,
  current_localtime: QUERY_TIME,
  random: "a random value cannot be the same in the notebook and the pipeline; derive it from the event, e.g. md5(id)",
  uuid: "a random value cannot be the same in the notebook and the pipeline; derive it from the event, e.g. md5(id)",
  gen_random_uuid: "a random value cannot be the same in the notebook and the pipeline; derive it from the event, e.g. md5(id)",
  json_group_array: "write to_json(list(x)), which is the same JSON text (DuckDB's json_group_array is list() written as JSON)",
  json_group_object: "keep list({'k': key, 'v': value}) (to_json(...) of it for JSON text), or write to_json(map_from_entries(list({'k': key, 'v': value}))) where each key comes once (a MAP refuses a repeated key)",
  make_timestamp_ns: "it makes a TIMESTAMP_NS, which a pipeline does not hold (it keeps microseconds); write make_timestamp(nanos // 1000) for a TIMESTAMP",
  generate_subscripts: "generate_subscripts(list, 1) is supported as a select item with a name (generate_subscripts(items, 1) AS pos), or write unnest(range(1, len(items) + 1)) AS pos",
};

const COMPARE: Record<string, CompareOp> = {
  COMPARE_EQUAL: "=",
  COMPARE_NOTEQUAL: "<>",
  COMPARE_LESSTHAN: "<",
  COMPARE_LESSTHANOREQUALTO: "<=",
  COMPARE_GREATERTHAN: ">",
  COMPARE_GREATERTHANOREQUALTO: ">=",
  COMPARE_DISTINCT_FROM: "IS DISTINCT FROM",
  COMPARE_NOT_DISTINCT_FROM: "IS NOT DISTINCT FROM",
};

/** Finds a column by name (case-insensitive, as DuckDB), optionally qualified. */
export function findColumn(scope: ScopeColumn[], name: string, table: string | null): number[] {
  const n = name.toLowerCase();
  const t = table?.toLowerCase() ?? null;
  const hits: number[] = [];
  scope.forEach((c, i) => {
    if (c.name.toLowerCase() === n && (t === null ? !c.merged : c.table?.toLowerCase() === t)) hits.push(i);
  });
  return hits;
}

function typeOf(node: TreeNode, ctx: ExprContext): string {
  const t = node.$type;
  if (typeof t === "string") return t;
  const cause = node.$typeError ? `: DuckDB says ${String(node.$typeError).split("\n")[0]}` : "";
  throw new CompileError(`no type for expression ${describeNode(node)}${cause}`, ctx.originOf(node), "check the cell runs in the notebook");
}

/** Why a window function cannot run on a stream, and what a pipeline can do for the usual reasons to write one. */
export function windowAdvice(fn: string): string {
  const why = "a stream has no whole-table order";
  switch (fn.toLowerCase()) {
    case "row_number":
    case "rank":
    case "dense_rank":
      return `${why}; to keep one row per key (the latest), write SELECT k, arg_max(x, ts) AS x, max(ts) AS ts FROM s GROUP BY k, over time_bucket(...) for a window, or compute it downstream from the written files`;
    case "lag":
    case "lead":
    case "first_value":
    case "last_value":
    case "nth_value":
      return `${why}, and a pipeline keeps no earlier event of a key; for the first or last value per window write first(x) / arg_min(x, ts) / arg_max(x, ts) with GROUP BY time_bucket(...), or compute it downstream from the written files`;
    default:
      return `${why}; aggregate per time window with GROUP BY time_bucket(...) instead, or compute it downstream from the written files`;
  }
}

export function describeNode(node: TreeNode): string {
  switch (node.class) {
    case "FUNCTION":
      return `${node.function_name}()`;
    case "WINDOW":
      return `window function ${node.function_name}() OVER (...)`;
    case "COLUMN_REF":
      return (node.column_names as string[]).join(".");
    default:
      return String(node.type ?? node.class).toLowerCase();
  }
}

/** Lowers `node` to a plan expression over `ctx.scope`. */
export function lowerExpr(node: TreeNode, ctx: ExprContext): Expr {
  const sub = ctx.substitute?.(node);
  if (sub) return sub;
  // A collation changes how the comparison around it compares, which a folded constant would lose.
  if (node.class === "COLLATE") {
    // DuckDB gives a COLLATE node no place of its own; the collated expression has one.
    throw new CompileError(`COLLATE ${String(node.collation ?? "").toUpperCase()}`, ctx.originOf(locationOf(node) === null && node.child ? node.child : node), "compare lower(x) with lower(y) for NOCASE, strip_accents(x) with strip_accents(y) for NOACCENT (DuckDB applies those same functions); the pipeline compares text by its bytes, as DuckDB's default collation does");
  }
  if (node.$value !== undefined && typeof node.$type === "string") {
    return { kind: "constant", value: node.$value, type: node.$type };
  }
  if (node.type === "GROUPING_FUNCTION") {
    throw new CompileError("grouping()", ctx.originOf(node), "a pipeline groups by one set of keys (GROUPING SETS, ROLLUP and CUBE are not supported), where grouping() is always 0; drop it");
  }
  const lower = (n: TreeNode): Expr => lowerExpr(n, ctx);
  switch (node.class) {
    case "COLUMN_REF":
      return lowerColumnRef(node, ctx);
    case "CONSTANT":
      return { kind: "constant", value: constantValue(node), type: typeOf(node, ctx) };
    case "CAST": {
      const arg = lower(node.child);
      const type = typeOf(node, ctx);
      const isTry = Boolean(node.try_cast);
      // A type the executor holds no values of (BIGNUM, TIMETZ, TIMESTAMP_MS ...) or a pair DuckDB has
      // no cast for would fail, or be NULL, on every event of the running pipeline.
      const refusal = type === arg.type ? null : castRefusal(arg.type, type, isTry);
      if (refusal) throw new CompileError(refusal.what, ctx.originOf(node), refusal.suggestion);
      return { kind: "cast", arg, type, try: isTry };
    }
    case "COMPARISON": {
      const op = COMPARE[node.type];
      if (!op) throw unsupported(node, ctx, "use =, <>, <, <=, >, >= or IS [NOT] DISTINCT FROM");
      const compareType = cmpType(node, ctx);
      if (typeof node.$lookupKey === "string") lookupKeyCheck(node.$lookupKey, compareType, node, ctx);
      return simplifyComparison({ kind: "compare", op, left: lower(node.left), right: lower(node.right), compareType, type: "BOOLEAN" });
    }
    case "CONJUNCTION":
      return { kind: node.type === "CONJUNCTION_AND" ? "and" : "or", args: node.children.map((c: TreeNode) => lowerCondition(c, ctx)), type: "BOOLEAN" };
    case "BETWEEN":
      return simplifyComparison({ kind: "between", arg: lower(node.input), lower: lower(node.lower), upper: lower(node.upper), negated: false, compareType: cmpType(node, ctx), type: "BOOLEAN" });
    case "CASE":
      return {
        kind: "case",
        whens: node.case_checks.map((c: TreeNode) => ({ when: lowerCondition(c.when_expr, ctx), then: lower(c.then_expr) })),
        else: lower(node.else_expr),
        type: typeOf(node, ctx),
      };
    case "OPERATOR":
      return lowerOperator(node, ctx);
    case "FUNCTION":
      return lowerFunction(node, ctx);
    case "WINDOW":
      throw new CompileError(`unsupported ${describeNode(node)}`, ctx.originOf(node), windowAdvice(String(node.function_name)));
    case "SUBQUERY":
      // Subqueries over static tables were folded into constants (subqueries.node.ts); what is left
      // reads a stream, refers to the outer row, or is too big or nested to hold as literals.
      throw new CompileError(`a subquery in an expression${typeof node.$unfolded === "string" ? ` that ${node.$unfolded}` : ""}`, ctx.originOf(node),
        (typeof node.$unfoldedAdvice === "string" ? node.$unfoldedAdvice : null) ?? listSubqueryAdvice(node) ?? "a pipeline sees one event at a time; compare with a static table instead (x IN (SELECT k FROM a VALUES cell), a JOIN, or a scalar over static rows), or aggregate over a time window in its own cell");
    case "STAR":
      throw new CompileError("unsupported * inside an expression", ctx.originOf(node), "name the columns");
    default:
      throw unsupported(node, ctx, "a pipeline computes columns, constants, casts, CASE, comparisons, AND / OR / NOT and its library's functions; write the value with those");
  }
}

function unsupported(node: TreeNode, ctx: ExprContext, suggestion: string): CompileError {
  return new CompileError(`unsupported expression ${describeNode(node)}`, ctx.originOf(node), suggestion);
}

/**
 * A key of a static lookup (lookup-subqueries.node.ts) written as a literal of the key's type. Where the
 * comparison casts it to another type that can fail (text to a number, JSON), DuckDB casts the table's keys
 * only for the events it joins (not for a NULL one), the literal on every event: the answers differ.
 */
function lookupKeyCheck(keyType: string, compareType: string, node: TreeNode, ctx: ExprContext): void {
  const numeric = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
  if (keyType === compareType || compareType === "VARCHAR" || (numeric.test(keyType) && numeric.test(compareType))) return;
  if (keyType === "DATE" && /^TIMESTAMP/.test(compareType)) return;
  throw new CompileError(`a subquery looking up a ${keyType} key compared as ${compareType}`, ctx.originOf(node),
    `cast the event's side to the table's key type (${keyType}), so the keys are compared as they are`);
}

function cmpType(node: TreeNode, ctx: ExprContext): string {
  if (typeof node.$cmp === "string") return node.$cmp;
  // Text compared with another type is cast to that type, as DuckDB binds comparisons ('200' = 200
  // compares numbers; 'x' = 200 is a Conversion Error), where a list of both has no common type.
  const operands = node.class === "COMPARISON" ? [node.left, node.right] : node.class === "BETWEEN" ? [node.input, node.lower, node.upper] : (node.children ?? []);
  const types = new Set<unknown>((operands as TreeNode[]).map((o) => o?.$type));
  types.delete("VARCHAR");
  types.delete("NULL");
  const [other] = types;
  if (types.size === 1 && typeof other === "string" && (operands as TreeNode[]).some((o) => o?.$type === "VARCHAR")) return other;
  throw new CompileError(`no common type for comparison ${describeNode(node)}`, ctx.originOf(node), "cast both sides to one type");
}

function constantValue(node: TreeNode): never {
  // Every constant is folded by DuckDB in the driver; an unfolded one means the annotation is missing.
  throw new Error(`plan: constant without a folded value at query_location ${String(node.query_location)}`);
}

function lowerColumnRef(node: TreeNode, ctx: ExprContext): Expr {
  const names = node.column_names as string[];
  const attempts: { col: number; fields: string[] }[] = [];
  // DuckDB's order: a qualified column (t.a) before a struct field (s.f).
  if (names.length >= 2) {
    const q = findColumn(ctx.scope, names[1]!, names[0]!);
    if (q.length === 1) attempts.push({ col: q[0]!, fields: names.slice(2) });
  }
  if (attempts.length === 0) {
    const hits = findColumn(ctx.scope, names[0]!, null);
    if (hits.length > 1) {
      throw new CompileError(`ambiguous column ${names[0]}`, ctx.originOf(node), `qualify it with its table, e.g. t.${names[0]}`);
    }
    if (hits.length === 1) attempts.push({ col: hits[0]!, fields: names.slice(1) });
  }
  const found = attempts[0];
  if (!found && names.length === 1) {
    // A table's name where a value goes (`to_json(e)`, `SELECT e AS raw FROM events e`) is its row as
    // a STRUCT of its columns, in DuckDB.
    const table = names[0]!.toLowerCase();
    const cols = ctx.scope.flatMap((c, i) => (c.table?.toLowerCase() === table ? [i] : []));
    const t = typeof node.$type === "string" ? parseType(node.$type) : null;
    if (cols.length > 0 && t?.kind === "struct" && t.fields.length === cols.length) {
      return { kind: "function", name: "struct_pack", args: cols.map((i) => ({ kind: "column" as const, index: i, type: ctx.scope[i]!.type })), type: node.$type };
    }
  }
  if (!found && names.length === 1 && QUERY_TIME_NAMES.has(names[0]!.toLowerCase())) {
    throw new CompileError(`the query time ${names[0]}`, ctx.originOf(node), QUERY_TIME);
  }
  if (!found) {
    throw new CompileError(`unknown column ${names.join(".")}`, ctx.originOf(node), `the columns here are ${ctx.scope.map((c) => c.name).join(", ")}`);
  }
  let expr: Expr = { kind: "column", index: found.col, type: ctx.scope[found.col]!.type };
  for (const f of found.fields) expr = fieldOf(expr, f, node, ctx);
  if (typeof node.$type === "string" && node.$type !== expr.type) {
    throw new CompileError(`column ${names.join(".")} has type ${expr.type} here but DuckDB bound ${node.$type}`, ctx.originOf(node), "");
  }
  return expr;
}

function fieldOf(arg: Expr, field: string, node: TreeNode, ctx: ExprContext): Expr {
  // On a JSON value (a field whose shapes differ across the sample is typed JSON), DuckDB reads
  // `j.key` as json_extract(j, 'key'): the value at that key as JSON text, NULL where there is none.
  if (arg.type === "JSON") return { kind: "function", name: "json_extract", args: [arg, { kind: "constant", value: field, type: "VARCHAR" }], type: "JSON" };
  const t = parseType(arg.type);
  if (t.kind !== "struct") {
    throw new CompileError(`${describeNode(node)}: ${arg.type} has no field ${field}`, ctx.originOf(node), "");
  }
  const f = t.fields.find((x) => x.name === field) ?? t.fields.find((x) => x.name.toLowerCase() === field.toLowerCase());
  if (!f) throw new CompileError(`${describeNode(node)}: no field ${field} in ${arg.type}`, ctx.originOf(node), "");
  return { kind: "field", arg, field: f.name, type: typeTextOf(f.type) };
}

import { formatType } from "../plan/type-text.ts";
function typeTextOf(t: ReturnType<typeof parseType>): string {
  return formatType(t);
}

function lowerOperator(node: TreeNode, ctx: ExprContext): Expr {
  const lower = (n: TreeNode): Expr => lowerExpr(n, ctx);
  const kids: TreeNode[] = node.children ?? [];
  switch (node.type) {
    case "OPERATOR_TRY":
      // Measured on DuckDB 1.4: where try()'s argument fails on a row, other expressions of the same
      // SELECT that read the same column can see NULL on that row too; no pipeline can promise that.
      throw new CompileError("try()", ctx.originOf(node),
        "write TRY_CAST(x AS type), try_strptime(...) or a CASE that avoids the error, which publish reproduces exactly; DuckDB's try() can also make other expressions of the SELECT see NULL on the rows where it fails");
    case "OPERATOR_NOT": {
      const inner = kids[0]!;
      // NOT (x BETWEEN a AND b) keeps DuckDB's NULL handling when negated as a whole.
      return { kind: "not", arg: lowerCondition(inner, ctx), type: "BOOLEAN" };
    }
    case "OPERATOR_IS_NULL":
    case "OPERATOR_IS_NOT_NULL":
      return { kind: "is_null", arg: lower(kids[0]!), negated: node.type === "OPERATOR_IS_NOT_NULL", type: "BOOLEAN" };
    case "COMPARE_IN":
    case "COMPARE_NOT_IN":
      return simplifyComparison({ kind: "in", arg: lower(kids[0]!), list: kids.slice(1).map(lower), negated: node.type === "COMPARE_NOT_IN", compareType: cmpType(node, ctx), type: "BOOLEAN" });
    case "OPERATOR_COALESCE":
      return { kind: "coalesce", args: kids.map(lower), type: typeOf(node, ctx) };
    case "ARRAY_EXTRACT":
    case "STRUCT_EXTRACT": {
      const base = lower(kids[0]!);
      const key = kids[1];
      if (parseType(base.type).kind === "struct" && key?.class === "CONSTANT" && typeof key.value?.value === "string") {
        return fieldOf(base, key.value.value, node, ctx);
      }
      // `(payload::JSON).user.id`: DuckDB reads a field of JSON as json_extract, as it does `j.user` of a JSON column.
      if (node.type === "STRUCT_EXTRACT" && base.type === "JSON" && key?.class === "CONSTANT" && typeof key.value?.value === "string") {
        return fieldOf(base, key.value.value, node, ctx);
      }
      const name = node.type === "ARRAY_EXTRACT" ? "array_extract" : "struct_extract";
      return { kind: "function", name, args: [base, ...kids.slice(1).map(lower)], type: typeOf(node, ctx) };
    }
    case "ARRAY_SLICE":
      return { kind: "function", name: "array_slice", args: kids.map(lower), type: typeOf(node, ctx) };
    default:
      throw unsupported(node, ctx, "a pipeline computes columns, constants, casts, CASE, comparisons, AND / OR / NOT and its library's functions; write the value with those");
  }
}

/** Functions whose first parameter is JSON. */
const JSON_INPUT = new Set(["json_transform", "from_json", "json_extract", "json_extract_string", "json_extract_path", "json_extract_path_text", "->", "->>", "json_keys", "json_type", "json_array_length", "json_value", "json_exists", "json_valid"]);

/**
 * An expression where DuckDB wants a BOOLEAN (WHERE, HAVING, ON, FILTER, AND / OR / NOT, CASE
 * WHEN): its binder casts anything else to BOOLEAN, so `WHERE flag` over a JSON or VARCHAR flag
 * holding `"true"` keeps the row and `WHERE n` over an INTEGER keeps every non-zero n.
 */
export function lowerCondition(node: TreeNode, ctx: ExprContext): Expr {
  return castExpr(lowerExpr(node, ctx), "BOOLEAN");
}

/** `e` cast to type `t`, or `e` itself when it has that type already (or is an untyped NULL). */
export function castExpr(e: Expr, t: string): Expr {
  return e.type === t || e.type === "NULL" ? e : { kind: "cast", arg: e, type: t, try: false };
}

/** Calls whose answer does not depend on the order of their list argument's elements. */
const ORDER_FREE = new Set(["list_sort", "array_sort", "list_reverse_sort", "array_reverse_sort", "len", "length", "array_length", "list_unique", "array_unique"]);
/** list_distinct calls that sit directly inside an ORDER_FREE call. */
const orderFree = new WeakSet<object>();

function isDistinctCall(n: TreeNode | undefined): n is TreeNode {
  return n?.class === "FUNCTION" && /^(list|array)_distinct$/i.test(String(n.function_name));
}

/** `[(k1, v1), (k2, v2)]`: a list_value of two-element row() tuples. */
function isListOfPairs(n: TreeNode | undefined): boolean {
  return n?.class === "FUNCTION" && n.function_name === "list_value" && (n.children ?? []).length > 0 &&
    (n.children as TreeNode[]).every((c) => c.class === "FUNCTION" && String(c.function_name).toLowerCase() === "row" && (c.children ?? []).length === 2 && !c.$value);
}

/** map_from_entries of tuples as `map([k1, k2], [v1, v2])`, each key and value cast to the MAP's own types as DuckDB's list of tuples casts them. */
function mapOfPairs(node: TreeNode, ctx: ExprContext): Expr {
  const type = typeOf(node, ctx);
  const t = parseType(type);
  if (t.kind !== "map") throw new CompileError(`map_from_entries() typed ${type}`, ctx.originOf(node), "check the cell runs in the notebook");
  const keyType = typeTextOf(t.key);
  const valueType = typeTextOf(t.value);
  const pairs = node.children[0].children as TreeNode[];
  const list = (i: 0 | 1, of: string): Expr => ({ kind: "function", name: "list_value", args: pairs.map((p) => castExpr(lowerExpr(p.children[i], ctx), of)), type: `${of}[]` });
  return { kind: "function", name: "map", args: [list(0, keyType), list(1, valueType)], type };
}

/** The parse_* path functions: their arguments after the path must be constants (see lowerFunction). */
const PATH_FUNCTIONS = new Set(["parse_path", "parse_dirname", "parse_dirpath", "parse_filename"]);

/** A literal, or a cast of one (NULL::VARCHAR). */
function isConstantArgument(n: TreeNode): boolean {
  return n.class === "CONSTANT" || (n.class === "CAST" && n.child?.class === "CONSTANT");
}

function lowerFunction(node: TreeNode, ctx: ExprContext): Expr {
  const name = String(node.function_name);
  if (node.$agg) {
    throw new CompileError(`aggregate ${name}() outside GROUP BY`, ctx.originOf(node), "aggregate in a SELECT with GROUP BY over a time bucket");
  }
  if (name === "unnest" || name === "unlist") {
    throw new CompileError(`unnest() inside an expression`, ctx.originOf(node), "unnest at the top of a SELECT item, e.g. SELECT unnest(list) AS item, and use item in a later cell");
  }
  if (node.distinct || (node.order_bys?.orders ?? []).length) {
    throw unsupported(node, ctx, "drop DISTINCT / ORDER BY inside the call");
  }
  if (node.children?.[1]?.class === "LAMBDA") return lowerLambdaCall(node, ctx);
  const lowered = name.toLowerCase();
  // list_distinct's order is DuckDB's hash table's: only where order cannot show may it run.
  if (ORDER_FREE.has(lowered) && isDistinctCall(node.children?.[0])) orderFree.add(node.children[0]);
  if (lowered === "age" && (node.children?.length ?? 0) === 1) {
    throw new CompileError("age(x) with one argument", ctx.originOf(node), "it measures from the query's own time, which a pipeline does not have; write age(the event's time, x)");
  }
  // map_from_entries([(k, v), ...]): the tuples are never written, only taken apart; the MAP is map(keys, values).
  if (lowered === "map_from_entries" && isListOfPairs(node.children?.[0])) return mapOfPairs(node, ctx);
  if (lowered === "row" && typeof node.$type === "string" && !/^STRUCT\("/.test(node.$type)) {
    throw new CompileError(`${name}() (a STRUCT without field names)`, ctx.originOf(node), MISSING_FUNCTION_HINTS.row!);
  }
  if (PATH_FUNCTIONS.has(lowered)) {
    const varying = (node.children as TreeNode[]).slice(1).find((c) => !isConstantArgument(c));
    if (varying) {
      throw new CompileError(`${name}() with a separator or trim flag that is not a constant`, ctx.originOf(varying),
        "DuckDB reads that argument from the first row of each batch it processes, which a pipeline cannot repeat; write the separator ('forward_slash', 'backslash', 'both_slash') and the flag as literals, or a CASE over calls with literals");
    }
  }
  if ((lowered === "list_distinct" || lowered === "array_distinct") && !orderFree.has(node)) {
    throw new CompileError(`${name}() outside list_sort()`, ctx.originOf(node), `DuckDB gives the distinct elements in its hash table's order, which a pipeline cannot repeat; write list_sort(${name}(...)), or list_unique(...) for their count`);
  }
  if (name === "struct_extract" && node.children.length === 2) {
    const base = lowerExpr(node.children[0], ctx);
    const key = node.children[1];
    if (parseType(base.type).kind === "struct" && key?.class === "CONSTANT" && typeof key.value?.value === "string") {
      return fieldOf(base, key.value.value, node, ctx);
    }
  }
  if (ctx.functions && !ctx.functions.has(name)) {
    throw new CompileError(`the function ${name}()`, ctx.originOf(node), MISSING_FUNCTION_HINTS[name] ?? "the pipeline's function library does not have it; write the value with other functions (the notebook shows whether they agree)");
  }
  const args = childExpressions({ ...node, filter: null }).map((c) => lowerExpr(c, ctx));
  // Where every overload takes a DOUBLE, DuckDB casts a DECIMAL argument to it (to_timestamp(x * 1.5)).
  for (const i of ctx.doubleParams?.get(name.toLowerCase())?.get(args.length) ?? []) {
    if (args[i]!.type.startsWith("DECIMAL")) args[i] = castExpr(args[i]!, "DOUBLE");
  }
  // The JSON functions take JSON: DuckDB casts a STRUCT, LIST or number there to its JSON text.
  if (JSON_INPUT.has(name.toLowerCase()) && args[0] && args[0].type !== "VARCHAR" && args[0].type !== "JSON" && args[0].type !== "NULL") args[0] = castExpr(args[0], "JSON");
  // json_merge_patch takes JSON in every place: a STRUCT, LIST or number there is its JSON text.
  if (name.toLowerCase() === "json_merge_patch") {
    for (let i = 0; i < args.length; i++) if (args[i]!.type !== "VARCHAR" && args[i]!.type !== "JSON" && args[i]!.type !== "NULL") args[i] = castExpr(args[i]!, "JSON");
  }
  const type = typeOf(node, ctx);
  const lower = name.toLowerCase();
  // `v IN (SELECT unnest(l))` rewritten (list-subqueries.ts): DuckDB's subquery compares JSON with text as text, where
  // list_contains casts the text to JSON (and fails on text that is not JSON). Numbers against JSON agree.
  if (node.$fromInSubquery && args.length === 2) {
    const [list, v] = [String(args[0]!.type).replace(/\[\]$/, ""), String(args[1]!.type)];
    const numeric = (t: string): boolean => /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|NULL)$/.test(t);
    if ((list === "JSON") !== (v === "JSON") && !numeric(list === "JSON" ? v : list)) {
      throw new CompileError(`v IN (SELECT unnest(list)) of ${v} among ${list} over the event's own list`, ctx.originOf(node), "cast the JSON side to VARCHAR, as DuckDB's subquery compares them: j::VARCHAR IN (SELECT unnest(l)), or v IN (SELECT unnest(l::VARCHAR[])) for a list of JSON");
    }
  }
  const pattern = args[0]?.kind === "constant" ? args[0].value : null;
  // A constant regular expression the executor cannot run as DuckDB's RE2 does is refused where it is written.
  const regexWhy = regexRefusal(lower, args.map((a) => (a.kind === "constant" ? { value: a.value } : undefined)));
  if (regexWhy) throw new CompileError(`${name}() with this regular expression`, ctx.originOf(node), regexWhy);
  // DuckDB binds bin(DOUBLE / FLOAT) to bin(BIGNUM) and prints BIGNUM's byte layout (header bytes and all), which bin13b.ts does not have.
  if ((lower === "bin" || lower === "to_binary") && args[0] && /^(DOUBLE|FLOAT|REAL)$/.test(args[0].type)) {
    throw new CompileError(`${name}() of a ${args[0].type}`, ctx.originOf(node),
      `DuckDB converts it to a BIGNUM and prints that type's byte layout, not the number's binary digits; cast it to an integer first: ${lower}(CAST(x AS BIGINT))`);
  }
  // printf's float conversions (%f %e %g %a, any flags) print as DuckDB's fmt does (extra.ts), so none is refused here.
  if ((lower === "range" || lower === "generate_series") && args.some((a) => /^(TIMESTAMP|DATE)/.test(a.type))) {
    throw new CompileError(`${lower}() over timestamps`, ctx.originOf(node), "the pipeline's range() and generate_series() take integers; build the instants from them: list_transform(range(0, n), i -> start + i * INTERVAL 1 DAY)");
  }
  // A format spec ({:.2f}, {:,}, {:>10}) is applied as DuckDB's fmt does (extra.ts), except to a 128-bit integer.
  if (lower === "format" && typeof pattern === "string") {
    const unsupported = formatSpecRefused(pattern, args.slice(1).map((a) => a.type));
    if (unsupported) {
      throw new CompileError(`format() with a format spec (${unsupported}) of a HUGEINT or UHUGEINT, or with a width or precision taken from an argument`, ctx.originOf(node),
        "the pipeline's format() does not apply specs there; print the value with {} and pad it: format('{}', lpad(x::VARCHAR, 5)), or printf('%5d', n)");
    }
  }
  // %n in a constant format: strptime's nanoseconds make a TIMESTAMP_NS, which a pipeline does not hold
  // (every event would be a dead letter), and DuckDB 1.4.3's strftime writes %n as six digits and three stray bytes.
  const formatArgs = lower === "strftime" ? args : lower === "strptime" || lower === "try_strptime" ? args.slice(1, 2) : [];
  const nanoFormat = formatArgs.flatMap((a) => (a.kind === "constant" ? (Array.isArray(a.value) ? a.value : [a.value]) : []))
    .find((f): f is string => typeof f === "string" && /(^|[^%])(%%)*%n/.test(f));
  if (nanoFormat !== undefined) {
    throw new CompileError(`${name}() with %n (nanoseconds) in '${nanoFormat}'`, ctx.originOf(node), lower === "strftime"
      ? "DuckDB writes six digits for %n and leaves stray bytes at the end of the text; write %f for the microseconds (strftime(x, '%f') || '000' for nine digits)"
      : "it reads a TIMESTAMP_NS, which a pipeline does not hold (it keeps microseconds); cast ISO text directly (CAST(x AS TIMESTAMP) reads '2024-01-05T10:00:00.123456789Z'), or cut the text to six fraction digits and read them with %f");
  }
  if ((lower === "strptime" || lower === "try_strptime") && args[1]?.kind === "constant" && Array.isArray(args[1].value)) {
    const formats = args[1].value.filter((f): f is string => typeof f === "string");
    const zoned = formats.filter((f) => /(^|[^%])(%%)*%[zZ]/.test(f));
    if (zoned.length > 0 && zoned.length < formats.length) {
      throw new CompileError(`${name}() with a list of formats mixing some with %z or %Z and some without`, ctx.originOf(node),
        `DuckDB gives a time read by a format without an offset the offset of an earlier row (and rolls 2024-02-30 over to March), so its answer depends on the rows before; parse each kind on its own: coalesce(${lower}(x, '${zoned[0]}'), ${lower}(x, '${formats.find((f) => !zoned.includes(f))}'))`);
    }
  }
  const common = typeof node.$cmp === "string" ? node.$cmp : null;
  // nullif(a, b) is DuckDB's CASE WHEN a = b THEN NULL ELSE a END, compared in the common type of a and b.
  if (lower === "nullif" && common && args.length === 2 && (args[0]!.type !== common || args[1]!.type !== common)) {
    const equal: Expr = { kind: "compare", op: "=", left: args[0]!, right: args[1]!, compareType: common, type: "BOOLEAN" };
    return { kind: "case", whens: [{ when: equal, then: { kind: "constant", value: null, type } }], else: args[0]!, type };
  }
  // list_contains(l, x) looks for x among l's elements in their common type (a DOUBLE among DECIMAL literals).
  if (LIST_SEARCH.has(lower) && common && args.length === 2 && args[0]!.type.endsWith("[]") && (args[0]!.type !== `${common}[]` || args[1]!.type !== common)) {
    return { kind: "function", name, args: [castExpr(args[0]!, `${common}[]`), castExpr(args[1]!, common)], type };
  }
  if (LIST_PAIR.has(lower) && common && args.length === 2 && (args[0]!.type !== `${common}[]` || args[1]!.type !== `${common}[]`)) {
    return { kind: "function", name, args: [castExpr(args[0]!, `${common}[]`), castExpr(args[1]!, `${common}[]`)], type };
  }
  return { kind: "function", name, args, type };
}

const LAMBDA_KINDS: Record<string, "transform" | "filter"> = {
  list_transform: "transform", array_transform: "transform", apply: "transform", list_apply: "transform", array_apply: "transform",
  list_filter: "filter", array_filter: "filter", filter: "filter",
};

/** `list_transform(list, x -> body)` and `list_filter(...)`: the body sees the element as one more column of the row. */
function lowerLambdaCall(node: TreeNode, ctx: ExprContext): Expr {
  const name = String(node.function_name);
  const fn = LAMBDA_KINDS[name.toLowerCase()];
  const lambda = node.children[1] as TreeNode;
  if (!fn || node.children.length !== 2) {
    throw new CompileError(`the lambda function ${name}()`, ctx.originOf(node), name.toLowerCase().endsWith("reduce")
      ? "for a reduction write the list aggregate: list_sum(l), list_product(l), list_max(l), list_aggregate(l, 'string_agg', ','), over list_transform(l, x -> ...) for an expression; or unnest and aggregate"
      : "list_transform and list_filter, with x -> ... or (x, i) -> ..., are supported; for a reduction, unnest and aggregate");
  }
  // `x -> ...` has a column as its left side, `(x, i) -> ...` a row() of columns.
  const lhs = lambda.lhs as TreeNode | undefined;
  const params: string[] =
    lhs?.class === "COLUMN_REF" && lhs.column_names.length === 1 ? [String(lhs.column_names[0])]
    : lhs?.class === "FUNCTION" && String(lhs.function_name).toLowerCase() === "row" && lhs.children.every((c: TreeNode) => c.class === "COLUMN_REF" && c.column_names.length === 1)
      ? lhs.children.map((c: TreeNode) => String(c.column_names[0]))
      : [];
  // `(x, i) -> ...`: the element and its 1-based place (DuckDB's index parameter).
  if (params.length !== 1 && params.length !== 2) {
    throw new CompileError(`${name}() with a lambda of ${params.length} parameters`, ctx.originOf(node), "use x -> ... or (x, i) -> ... (the element and its place)");
  }
  const param = params[0]!;
  const indexParam = params[1];
  for (const p of params) {
    if (ctx.scope.some((c) => c.name.toLowerCase() === p.toLowerCase())) {
      throw new CompileError(`${name}() with a lambda parameter named like the column ${p}`, ctx.originOf(node), "give the parameter a name no column has");
    }
  }
  const list = lowerExpr(node.children[0], ctx);
  if (!list.type.endsWith("[]")) throw new CompileError(`${name}() over ${list.type}`, ctx.originOf(node), "pass a list");
  const slot = ctx.scope.length;
  // The parameter is the body's own column: above a GROUP BY it is neither a key nor an aggregate.
  const outer = ctx.substitute;
  const isParam = (n: TreeNode): boolean => n.class === "COLUMN_REF" && params.some((p) => String(n.column_names[0]).toLowerCase() === p.toLowerCase());
  const substitute = outer && ((n: TreeNode) => (isParam(n) ? undefined : outer(n)));
  const scope = [...ctx.scope, { name: param, type: list.type.slice(0, -2), table: null }];
  if (indexParam !== undefined) scope.push({ name: indexParam, type: "BIGINT", table: null });
  const body = lowerExpr(lambda.expr, { ...ctx, substitute, scope });
  if (fn === "filter" && body.type !== "BOOLEAN") throw new CompileError(`${name}() with a ${body.type} condition`, ctx.originOf(node), "make the lambda return a BOOLEAN");
  return { kind: "lambda", fn, list, slot, body, type: typeOf(node, ctx), ...(indexParam !== undefined ? { indexed: true as const } : {}) };
}

/**
 * The first `{...:spec}` of a constant format() text whose argument is a HUGEINT or UHUGEINT, or whose
 * spec takes a dynamic width or precision; null when the library applies every spec.
 */
function formatSpecRefused(pattern: string, types: string[]): string | null {
  let next = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "}" && pattern[i + 1] === "}") { i++; continue; }
    if (pattern[i] !== "{") continue;
    if (pattern[i + 1] === "{") { i++; continue; }
    const close = pattern.indexOf("}", i + 1);
    if (close < 0) return null;
    const field = pattern.slice(i + 1, close);
    const colon = field.indexOf(":");
    const id = colon >= 0 ? field.slice(0, colon) : field;
    const index = id === "" ? next++ : /^\d+$/.test(id) ? Number(id) : -1;
    if (colon >= 0) {
      const type = index >= 0 ? types[index] : undefined;
      if (type === "HUGEINT" || type === "UHUGEINT" || field.includes("{")) return `{${field}}`;
    }
    i = close;
  }
  return null;
}
