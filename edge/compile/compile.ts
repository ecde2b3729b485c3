/**
 * The compiler: notebook model + DuckDB's annotated parse trees → plan.
 * Pure: no I/O; the Node driver (`inputs.node.ts`) gathers what DuckDB knows.
 */
import { exprChildren } from "../plan/expr-children.ts";
import type { Cell, Notebook } from "../../notebook/format/model.ts";
import { cellLabel } from "../../notebook/format/parse.ts";
import type { AggregateCall, Expr, JsonValue, NamedExpr, Operator, Origin, Pipeline, Plan } from "../plan/types.ts";
import { PLAN_VERSION } from "../plan/types.ts";
import type { Schema } from "../plan/values.ts";
import { positionFromQueryLocation } from "../duckdb/position.ts";
import { CompileError } from "./errors.ts";
import { parquetLayout } from "../parquet/schema.ts";
import { castExpr, describeNode, findColumn, windowAdvice, lowerCondition, lowerExpr, type ExprContext, type ScopeColumn } from "./expr.ts";
import { specifier as datePartSpecifier } from "../exec/functions/datetime.ts";
import { interpolation } from "../exec/functions/aggregates.ts";
import { childExpressions, containsAggregate, locationOf, sameExpression, type TreeNode } from "./tree.ts";
import { decodeValue } from "../plan/value-json.ts";
import { formatType, parseType } from "../plan/type-text.ts";
import { asciiLower, uniqueColumnNames } from "../plan/column-names.ts";

/** One SQL cell as the driver hands it over: DuckDB's parse tree, annotated. */
export interface CellInput {
  cell: Cell;
  /** The statement's `node` (a SELECT_NODE), annotated (see `tree.ts`). */
  tree: TreeNode;
}

export interface CompileInputs {
  notebook: Notebook;
  /** Each source's pinned schema: what DuckDB's read_json inferred from the sample. */
  sources: Record<string, Schema>;
  /** The SQL cells of the sinks' closure, by cell name (`id`, or `#<index>` for anonymous cells). */
  cells: Record<string, CellInput>;
  /**
   * The scalar and aggregate functions the executor's library has, by
   * DuckDB's name (the driver reads them from `defaultLibrary`); a call to another
   * is refused at its line instead of failing the plan at start-up.
   */
  functions: {
    scalars: ReadonlySet<string>;
    aggregates: ReadonlySet<string>;
    /** Per function and arity, the positions DuckDB binds as DOUBLE in every overload (a DECIMAL there is cast). */
    doubleParams?: ReadonlyMap<string, ReadonlyMap<number, readonly number[]>>;
  };
}

/** The name a cell goes by in plans and messages: the same label the notebook's own errors use. */
export function cellName(cell: Cell): string {
  return cellLabel(cell);
}

type Relation =
  | { kind: "stream"; ops: Operator[]; scope: ScopeColumn[] }
  | { kind: "static"; schema: Schema; rows: JsonValue[][]; scope: ScopeColumn[] };

interface CellEnv {
  cell: Cell;
  ctes: Map<string, TreeNode>;
}

/** Compiles every sink-feeding cell of the notebook into one plan. Throws CompileError. */

/** DuckDB's other names for aggregates the library keys by one name. */
const AGGREGATE_ALIASES: Record<string, string> = {
  mean: "avg", arbitrary: "first", argmax: "arg_max", max_by: "arg_max", argmin: "arg_min", min_by: "arg_min",
  countif: "count_if", listagg: "string_agg", group_concat: "string_agg", array_agg: "list",
  quantile: "quantile_disc", stddev: "stddev_samp", variance: "var_samp",
};


/** Aggregates the library lacks with a better answer than the list of those it has. */
const AGGREGATE_HINTS: Record<string, string> = {
  histogram: "count each value as rows instead: SELECT x, count(*) AS n FROM s GROUP BY x (with a time bucket for a window); the MAP can be built from those rows downstream",
};

/** Aggregates that pick one row's value, where an ORDER BY inside says which row. */
const ORDER_PICKS = new Set(["first", "last", "any_value"]);

/** Approximate aggregates: a pipeline cannot reproduce DuckDB's sketch row for row; the exact one to write instead. */
const APPROXIMATE: Record<string, string> = {
  approx_quantile: "write quantile_cont(x, q) (exact) in the notebook too",
  reservoir_quantile: "write quantile_cont(x, q) (exact) in the notebook too",
  approx_count_distinct: "write count(DISTINCT x) (exact) in the notebook too",
};

export function compilePlan(inputs: CompileInputs): Plan {
  const { notebook } = inputs;
  const pipelines: Pipeline[] = [];
  const usedSources: Plan["sources"] = {};
  for (const cell of notebook.cells) {
    if (!cell.sink) continue;
    const origin: Origin = { cell: cellName(cell), file: notebook.file, line: cell.start.line };
    if (cell.language !== "sql") {
      throw new CompileError("a JavaScript cell feeds a sink", origin, "only SQL cells publish; write the transform in SQL");
    }
    const spec = notebook.sinks[cell.sink];
    if (!spec) throw new CompileError(`unknown sink ${cell.sink}`, origin, `declare it under sinks: in the front matter`);
    const earlier = pipelines.find((p) => p.sink === spec.name);
    if (earlier) {
      // One sink is one table: two cells would interleave rows of two shapes in its files.
      throw new CompileError(`sink ${spec.name} is written by cell ${earlier.cell.cell} too`, origin, "give each cell its own sink: one sink is one table");
    }
    // A sink cell that is a UNION ALL becomes one pipeline per branch, all writing the sink; so does
    // a cell that reads a UNION ALL cell: one pipeline per combination of the branches it reads.
    const branches = lowerWithBranches(inputs, cellName(cell), origin);
    for (const rel of branches) {
      const schema = rel.scope.map((c) => ({ name: c.name, type: c.type }));
      // Names that differ only in case are one name to DuckDB (and to Spark, Athena, hive partitions):
      // reading the files back, DuckDB renames the second `A` to `A_1`.
      const seen = new Map<string, string>();
      for (const c of schema) {
        const first = seen.get(asciiLower(c.name));
        if (first !== undefined) {
          const named = first === c.name ? `two columns named ${c.name}` : `columns named ${first} and ${c.name} (one name to DuckDB, which ignores case)`;
          throw new CompileError(`${named} in the result written to sink ${spec.name}`, origin, `give one of them another name with AS`);
        }
        seen.set(asciiLower(c.name), c.name);
      }
      for (const p of spec.partitionBy) {
        if (!schema.some((c) => c.name === p)) {
          throw new CompileError(`partition column ${p} of sink ${spec.name} is not in the cell's result`, origin, `add ${p} to the SELECT list`);
        }
      }
      // What no Parquet file can hold (a column nested past 255 levels, a UNION) is refused here,
      // not at the pipeline's first flush.
      try {
        parquetLayout(schema);
      } catch (error) {
        const why = error instanceof Error ? error.message.replace(/^parquet: /, "") : String(error);
        // Only what no writer can do; a type text the layout's reader does not parse is not refused here.
        if (/nests too deep|does not support/.test(why)) {
          throw new CompileError(`the result written to sink ${spec.name} cannot be a Parquet file: ${why}`, origin, "cast such a column to JSON (CAST(x AS JSON)) or select the fields you need");
        }
      }
      const ops = [...rel.ops, { op: "sink" as const, sink: spec.name, partitionBy: spec.partitionBy, origin, schema }];
      for (const op of ops) {
        if (op.op === "scan") usedSources[op.source] = { format: op.format, schema: op.schema };
        if (op.op === "aggregate" && op.window) op.window.latenessMicros = String(BigInt(Math.round(spec.lateness * 1e6)));
        // Only a notebook that sets max_ahead says it in the plan: absent is the default, a day (window.ts).
        if (op.op === "aggregate" && op.window && spec.maxAhead !== undefined) op.window.maxAheadMicros = spec.maxAhead === null ? null : String(BigInt(Math.round(spec.maxAhead * 1e6)));
      }
      pipelines.push({ sink: spec.name, cell: origin, ops });
    }
  }
  return { version: PLAN_VERSION, notebook: notebook.file, sources: usedSources, pipelines };
}

function asStream(rel: Relation, from: Origin): Relation & { kind: "stream" } {
  if (rel.kind !== "stream") throw new CompileError("the sink cell reads no source", from, "select from a source or from a cell that does");
  return rel;
}

/**
 * The sink cell's pipelines: each UNION ALL cell it reads (directly or through other cells) is
 * lowered once per branch, so every combination of branches is one stream relation. An aggregate
 * downstream of such a union ends each of them alike; the executor (and the Worker's Durable
 * Object, one per sink) feeds them all into one aggregate state.
 */
function lowerWithBranches(inputs: CompileInputs, name: string, origin: Origin): (Relation & { kind: "stream" })[] {
  const out: (Relation & { kind: "stream" })[] = [];
  const explore = (choice: Map<string, number>): void => {
    const compiler = new Compiler(inputs, choice);
    const rel = compiler.lowerSinkCell(name, origin);
    const pending = [...compiler.unions].find(([cell]) => !choice.has(cell));
    if (pending) {
      for (let i = 0; i < pending[1].count; i++) explore(new Map([...choice, [pending[0], i]]));
      return;
    }
    // A branch may not aggregate (unionBranch), so an aggregate here is downstream of the unions:
    // every pipeline ends in the same aggregate and the executor gives them one state.
    out.push(rel);
  };
  explore(new Map());
  return out;
}

class Compiler {
  private readonly lowering = new Set<string>();
  /** The UNION ALL cells this lowering read, with their branch counts (see `lowerWithBranches`). */
  readonly unions = new Map<string, { count: number; origin: Origin }>();
  constructor(
    private readonly inputs: CompileInputs,
    /** Which branch of each UNION ALL cell to read; the first when not chosen. */
    private readonly choice: ReadonlyMap<string, number> = new Map(),
  ) {}

  lowerCell(name: string, from: Origin): Relation {
    const input = this.inputs.cells[name];
    if (!input) throw new CompileError(`cell ${name} is not a compiled SQL cell`, from, "reference SQL cells or sources only");
    const computed = this.staticQuery(input.tree, { cell: input.cell, ctes: new Map() });
    if (computed) return computed;
    if (input.tree.type === "SET_OPERATION_NODE") {
      // Registered before its branch is lowered: an outer union is chosen before the unions only one
      // of its branches reads, so no combination is produced twice.
      const union = this.unionLeaves(name);
      if (!this.unions.has(name)) this.unions.set(name, { count: union.leaves.length, origin: from });
      return this.unionBranch(name, union, this.choice.get(name) ?? 0, from);
    }
    if (this.lowering.has(name)) throw new CompileError(`cell ${name} refers to itself`, from, "break the cycle");
    this.lowering.add(name);
    const env: CellEnv = { cell: input.cell, ctes: new Map() };
    const rel = this.lowerSelect(input.tree, env);
    this.lowering.delete(name);
    return rel;
  }

  /**
   * The sink cell as stream relations: one, or one per branch of a top-level UNION ALL. Each
   * branch ends in a projection to the union's own columns (names of the first branch, types
   * DuckDB unified), so every branch writes rows of one shape; a branch may not aggregate.
   */
  lowerSinkCell(name: string, from: Origin): Relation & { kind: "stream" } {
    return asStream(this.lowerCell(name, from), from);
  }

  /**
   * Branch `index` of a UNION ALL cell as a stream relation ending in a projection to the union's
   * columns (names of the first branch, types DuckDB unified), and how many branches there are.
   * Only the chosen branch is lowered, so only the unions it reads are enumerated further.
   */
  private unionBranch(name: string, { leaves, env }: ReturnType<Compiler["unionLeaves"]>, index: number, from: Origin): Relation & { kind: "stream" } {
    const input = this.inputs.cells[name]!;
    const out: Schema | null = input.tree.$output ?? null;
    if (!out) throw new CompileError("a UNION whose result DuckDB cannot describe", from, "fix the SQL so it runs in the notebook");
    const { node, ctes, levels } = leaves[index]!;
    const origin = this.originOf(env, node);
    const lowered = this.lowerSelect(node, { cell: input.cell, ctes });
    if (lowered.kind === "static") {
      throw new CompileError("a UNION ALL branch that reads no stream", origin, "a pipeline writes rows as events arrive, and static rows come with no event; keep them in a file or table of their own, or JOIN them to the stream");
    }
    const rel = asStream(lowered, from);
    if (rel.ops.some((o) => o.op === "aggregate")) {
      throw new CompileError(node.$distinct ? "SELECT DISTINCT (a GROUP BY) in a branch of UNION ALL" : "an aggregate in a branch of UNION ALL", origin, "aggregate each part in a cell of its own, with its own sink");
    }
    // The branch's columns go up through every set operation that holds it, innermost first, each
    // with its own result (DuckDB unifies `a UNION ALL b` first, so in `(a ∪ b) ∪ c` a BIGINT of a
    // beside a DOUBLE of b and a VARCHAR of c becomes DOUBLE and then text: `1.0`, not `1`). BY NAME
    // matches columns by name regardless of case; a column the branch lacks is NULL.
    let cols: NamedExpr[] = rel.scope.map((c, i) => ({ name: c.name, expr: { kind: "column", index: i, type: c.type } }));
    for (const level of levels) {
      const schema: Schema | null = level === input.tree ? out : level.$output ?? null;
      if (!schema) throw new CompileError("a UNION whose result DuckDB cannot describe", origin, "fix the SQL so it runs in the notebook");
      if (level.setop_type === "UNION_BY_NAME") {
        const below = cols;
        cols = schema.map((c) => {
          const hits = below.filter((x) => asciiLower(x.name) === asciiLower(c.name));
          if (hits.length > 1) throw new CompileError(`UNION ALL BY NAME with two columns named ${c.name} in a branch`, origin, "give each column of a branch its own name");
          return { name: c.name, expr: hits[0] ? castExpr(hits[0].expr, c.type) : { kind: "constant", value: null, type: c.type } };
        });
      } else {
        if (cols.length !== schema.length) throw new CompileError("UNION ALL branches with different column counts", origin, "give every branch the same columns");
        const below = cols;
        cols = schema.map((c, i) => ({ name: c.name, expr: castExpr(below[i]!.expr, c.type) }));
      }
    }
    const ops: Operator[] = [...rel.ops, { op: "project", exprs: cols, origin, schema: out.map((c) => ({ name: c.name, type: c.type })) }];
    return { kind: "stream" as const, ops, scope: out.map((c) => ({ name: c.name, type: c.type, table: null })) };
  }

  /** The SELECTs a UNION ALL cell is made of, each with the CTEs it sees; UNION without ALL and the other set operations are refused. */
  private unionLeaves(name: string): { leaves: { node: TreeNode; ctes: Map<string, TreeNode>; levels: TreeNode[] }[]; env: CellEnv } {
    const input = this.inputs.cells[name]!;
    const env: CellEnv = { cell: input.cell, ctes: new Map() };
    const leaves: { node: TreeNode; ctes: Map<string, TreeNode>; levels: TreeNode[] }[] = [];
    // `levels`: the set operations holding a leaf, innermost first.
    const flatten = (node: TreeNode, ctes: Map<string, TreeNode>, levels: TreeNode[]): void => {
      const scoped = new Map(ctes);
      for (const entry of node.cte_map?.map ?? []) scoped.set(String(entry.key).toLowerCase(), cteBody(entry));
      if (node.type !== "SET_OPERATION_NODE") {
        leaves.push({ node, ctes: scoped, levels });
        return;
      }
      if ((node.setop_type !== "UNION" && node.setop_type !== "UNION_BY_NAME") || !node.setop_all) {
        const what = node.setop_type === "UNION" ? "UNION (without ALL)" : node.setop_type === "UNION_BY_NAME" ? "UNION BY NAME (without ALL)" : String(node.setop_type).replace(/_/g, " ");
        throw new CompileError(`${what} of streams`, this.originOf(env, node), node.setop_type === "UNION" || node.setop_type === "UNION_BY_NAME" ? `write UNION ALL${node.setop_type === "UNION_BY_NAME" ? " BY NAME" : ""}: a stream never ends, so duplicates cannot be removed at the end; GROUP BY over a time bucket removes them per window` : "use WHERE with IN / NOT IN against a static table, or UNION ALL");
      }
      if ((node.modifiers ?? []).length) throw new CompileError("ORDER BY / LIMIT on a UNION of streams", this.originOf(env, node), "a stream has no final order or end; drop it");
      flatten(node.left, scoped, [node, ...levels]);
      flatten(node.right, scoped, [node, ...levels]);
    };
    flatten(input.tree, env.ctes, []);
    return { leaves, env };
  }

  originOf(env: CellEnv, node: TreeNode | null): Origin {
    const loc = locationOf(node);
    const pos = loc === null ? null : positionFromQueryLocation(env.cell.code, loc);
    return { cell: cellName(env.cell), file: this.inputs.notebook.file, line: env.cell.start.line + (pos ? pos.line - 1 : 0) };
  }

  lowerSelect(node: TreeNode, outer: CellEnv): Relation {
    const computed = this.staticQuery(node, outer);
    if (computed) return computed;
    if (node.type === "RECURSIVE_CTE_NODE") {
      throw new CompileError("WITH RECURSIVE over a stream", this.originOf(outer, node), "a pipeline sees one event at a time and cannot iterate over the stream; a recursive CTE over static tables only (VALUES, small files) is supported");
    }
    if (node.type !== "SELECT_NODE") {
      throw new CompileError(`unsupported ${String(node.type).toLowerCase().replace(/_/g, " ")}`, this.originOf(outer, node),
        node.type === "SET_OPERATION_NODE" ? "UNION ALL is supported as a whole cell (the sink cell or a cell others read); move it into a cell of its own" : "write a single SELECT");
    }
    const env: CellEnv = { cell: outer.cell, ctes: new Map(outer.ctes) };
    for (const entry of node.cte_map?.map ?? []) env.ctes.set(String(entry.key).toLowerCase(), cteBody(entry));
    const origin = this.originOf(env, node);
    for (const m of node.modifiers ?? []) {
      // A DISTINCT the annotator made a GROUP BY of the items (`distinctKeys`).
      if (m.type === "DISTINCT_MODIFIER" && node.$distinct) continue;
      const what = m.type === "ORDER_MODIFIER" ? "ORDER BY" : m.type === "LIMIT_MODIFIER" || m.type === "LIMIT_PERCENT_MODIFIER" ? "LIMIT" : m.type === "DISTINCT_MODIFIER" ? "SELECT DISTINCT" : String(m.type);
      throw new CompileError(`unsupported ${what}`, origin,
        what === "SELECT DISTINCT" ? distinctAdvice(node, m) :
          "a stream has no final order or end; drop it (sort when reading the files), or aggregate per time window with GROUP BY");
    }
    if (node.qualify) {
      const win = firstWindow(node.qualify);
      throw new CompileError(`unsupported QUALIFY${win ? ` on ${String(win.function_name)}() OVER (...)` : ""}`, this.originOf(env, win ?? node.qualify), `QUALIFY filters on window functions: ${windowAdvice(String(win?.function_name ?? ""))}`);
    }
    if (node.sample) throw new CompileError("unsupported USING SAMPLE", origin, "drop the sample clause");
    if ((node.group_sets ?? []).length > 1) throw new CompileError("unsupported GROUPING SETS / ROLLUP / CUBE", origin, "publish one GROUP BY per cell");

    const rel = this.lowerFrom(node.from_table, env);
    const ctx = (scope: ScopeColumn[], substitute?: ExprContext["substitute"]): ExprContext => ({
      scope,
      originOf: (n) => this.originOf(env, n),
      substitute,
      functions: this.inputs.functions.scalars,
      doubleParams: this.inputs.functions.doubleParams,
    });

    if (rel.kind === "static") {
      if (node.where_clause || node.$grouped) {
        throw volatileStatic(origin);
      }
      return this.staticResult(node, rel, env);
    }
    const ops = [...rel.ops];
    let scope = rel.scope;
    const schemaOf = (s: ScopeColumn[]): Schema => s.map((c) => ({ name: c.name, type: c.type }));

    if (node.where_clause) {
      if (containsAggregate(node.where_clause)) throw new CompileError("aggregate in WHERE", this.originOf(env, node.where_clause), "use HAVING");
      const predicate = lowerCondition(node.where_clause, ctx(scope));
      ops.push({ op: "filter", predicate, origin: this.originOf(env, node.where_clause), schema: schemaOf(scope) });
    }

    const items = this.expandStars(node, scope, env);
    let finalExprs: NamedExpr[];

    if (node.$grouped) {
      // The executor runs one aggregate per pipeline (a window's rows leave it as they close, not as a stream to group again).
      if (ops.some((o) => o.op === "aggregate")) {
        throw new CompileError("GROUP BY over the result of another GROUP BY", origin, "a pipeline aggregates once: group the events directly by the coarser key (a day's sum of hourly counts is count(*) per day), or publish the inner query as a sink of its own");
      }
      const keysTree: TreeNode[] = node.$groups;
      const keys: NamedExpr[] = keysTree.map((g, i) => ({ name: `k${i}`, expr: lowerExpr(g, ctx(scope)) }));
      const aggNodes: TreeNode[] = [];
      const collect = (e: TreeNode | null | undefined): void => {
        if (!e) return;
        if (e.class === "FUNCTION" && e.$agg) {
          if (!aggNodes.some((a) => sameExpression(a, e))) aggNodes.push(e);
          return;
        }
        childExpressions(e).forEach(collect);
      };
      items.forEach((it) => collect(it.node));
      collect(node.having);
      const aggregates = aggNodes.map((a, i) => ({ name: `a${i}`, call: this.lowerAggregate(a, ctx(scope), env) }));
      const window = this.findWindow(keysTree, keys, env, ops);
      const inputs = aggregateInputs(aggregates, schemaOf(scope), origin);
      if (inputs) ops.push(inputs);
      const aggSchema: Schema = [
        ...keys.map((k) => ({ name: k.name, type: k.expr.type })),
        ...aggregates.map((a) => ({ name: a.name, type: a.call.type })),
      ];
      ops.push({ op: "aggregate", keys, aggregates, emit: window ? "window" : "per-flush", window, origin, schema: aggSchema });
      const postScope: ScopeColumn[] = aggSchema.map((c) => ({ name: c.name, type: c.type, table: "\u0000agg" }));
      // The items lowered so far: DuckDB lets an item name an earlier one's alias (`count(*) AS c, c * 2 AS c2`).
      const earlier: NamedExpr[] = [];
      const substitute = (e: TreeNode): Expr | undefined => {
        const k = keysTree.findIndex((g) => sameExpression(g, e));
        if (k >= 0) return { kind: "column", index: k, type: keys[k]!.expr.type };
        if (e.class === "FUNCTION" && e.$agg) {
          const a = aggNodes.findIndex((x) => sameExpression(x, e));
          return { kind: "column", index: keys.length + a, type: aggregates[a]!.call.type };
        }
        if (e.class === "COLUMN_REF") {
          const viaKey = this.throughGroupedKey(e, keys, ctx(scope));
          if (viaKey) return viaKey;
          const name = (e.column_names as string[]).at(-1)!;
          const kk = keysTree.findIndex((g) => g.class === "COLUMN_REF" && String((g.column_names as string[]).at(-1)).toLowerCase() === name.toLowerCase());
          if (kk >= 0) return { kind: "column", index: kk, type: keys[kk]!.expr.type };
          const alias = e.column_names.length === 1 && findColumn(scope, name, null).length === 0 ? earlier.find((x) => asciiLower(x.name) === asciiLower(name)) : undefined;
          if (alias) return alias.expr;
          throw new CompileError(`column ${name} must appear in the GROUP BY clause or be used in an aggregate function`, this.originOf(env, e), `add it to GROUP BY or use any_value(${name})`);
        }
        return undefined;
      };
      if (node.having) {
        const predicate = lowerCondition(node.having, ctx(postScope, substitute));
        ops.push({ op: "filter", predicate, origin: this.originOf(env, node.having), schema: aggSchema });
      }
      for (const it of items) earlier.push({ name: it.name, expr: it.expr ?? lowerExpr(it.node!, ctx(postScope, substitute)) });
      finalExprs = earlier;
      if (items.some((it) => it.expr)) {
        const columns = (node.select_list as TreeNode[]).some((e) => e.class === "STAR" && e.columns);
        throw new CompileError(`${columns ? "COLUMNS(...)" : "*"} in a SELECT with GROUP BY`, origin, "name the grouped columns");
      }
    } else {
      if (node.having) throw new CompileError("HAVING without GROUP BY", origin, "use WHERE");
      const unnests: TreeNode[] = [];
      for (const it of items) {
        if (it.node) this.findUnnests(it.node, unnests, env);
      }
      if (unnests.length > 0) {
        const pre: NamedExpr[] = [
          ...scope.map((c, i) => ({ name: c.name, expr: { kind: "column" as const, index: i, type: c.type } })),
          ...unnests.map((u, i) => ({ name: `u${i}`, expr: lowerExpr(u.children[0], ctx(scope)) })),
        ];
        const preSchema = pre.map((p) => ({ name: p.name, type: p.expr.type }));
        ops.push({ op: "project", exprs: pre, origin, schema: preSchema });
        const cols = unnests.map((_, i) => scope.length + i);
        const unnestSchema = preSchema.map((c, i) => (cols.includes(i) ? { name: c.name, type: unnests[i - scope.length]!.$type as string } : c));
        ops.push({ op: "unnest", columns: cols, origin, schema: unnestSchema });
        const base = scope.length;
        const substitute = (e: TreeNode): Expr | undefined => {
          const u = unnests.indexOf(e);
          return u >= 0 ? { kind: "column", index: base + u, type: unnestSchema[base + u]!.type } : undefined;
        };
        const newScope = [...scope, ...unnests.map((u, i) => ({ name: `\u0000u${i}`, type: u.$type as string, table: "\u0000unnest" }))];
        finalExprs = items.map((it) => ({ name: it.name, expr: it.expr ?? lowerExpr(it.node!, ctx(newScope, substitute)) }));
        scope = newScope;
      } else {
        // DuckDB lets a SELECT item use an earlier item's alias (`a + 1 AS b, b * 2 AS c`) when no column has that name.
        finalExprs = [];
        for (const it of items) {
          const earlier = finalExprs;
          const aliasRef = (e: TreeNode): Expr | undefined => {
            if (e.class !== "COLUMN_REF" || e.column_names.length !== 1) return undefined;
            const name = String(e.column_names[0]);
            if (findColumn(scope, name, null).length > 0) return undefined;
            return earlier.find((x) => x.name.toLowerCase() === name.toLowerCase())?.expr;
          };
          finalExprs.push({ name: it.name, expr: it.expr ?? lowerExpr(it.node!, ctx(scope, aliasRef)) });
        }
      }
    }
    const out = this.outputNames(node, finalExprs, env);
    ops.push({ op: "project", exprs: out, origin, schema: out.map((e) => ({ name: e.name, type: e.expr.type })) });
    return { kind: "stream", ops, scope: out.map((e) => ({ name: e.name, type: e.expr.type, table: null })) };
  }

  private findUnnests(e: TreeNode, out: TreeNode[], env: CellEnv): void {
    if (e.class === "FUNCTION" && (e.function_name === "unnest" || e.function_name === "unlist")) {
      // Inside an expression (`unnest(items).sku`, `upper(unnest(tags))`) DuckDB unnests first and
      // computes the expression per element: the same unnest step, the call replaced by its column.
      if (e.children.length !== 1) throw new CompileError("unnest() with options", this.originOf(env, e), "call unnest(list) with one argument");
      if (typeof e.$type !== "string") throw new CompileError("unnest() without a bound type", this.originOf(env, e), "unnest a LIST column");
      out.push(e);
      return;
    }
    for (const c of childExpressions(e)) this.findUnnests(c, out, env);
  }

  /** Names as DuckDB gives them: the alias, else what DESCRIBE printed. */
  private outputNames(node: TreeNode, exprs: NamedExpr[], env: CellEnv): NamedExpr[] {
    const described: Schema | null = node.$output ?? null;
    if (described && described.length === exprs.length) {
      return exprs.map((e, i) => {
        const d = described[i]!;
        if (d.type !== e.expr.type) {
          throw new CompileError(`column ${d.name} would have type ${e.expr.type} but DuckDB gives ${d.type}`, this.originOf(env, node), "add an explicit CAST");
        }
        return { name: d.name, expr: e.expr };
      });
    }
    return exprs;
  }

  private expandStars(node: TreeNode, scope: ScopeColumn[], env: CellEnv): { name: string; node?: TreeNode; expr?: Expr }[] {
    const out: { name: string; node?: TreeNode; expr?: Expr }[] = [];
    for (const item of node.select_list as TreeNode[]) {
      if (item.class !== "STAR") {
        out.push({ name: item.alias || describeNode(item), node: item });
        continue;
      }
      if (item.columns || item.expr) {
        out.push(...this.expandColumns(item, scope, env));
        continue;
      }
      // `* RENAME (n AS nn, t.k AS kk)`: the column keeps its value under the new name.
      const renames = ((item.rename_list ?? []) as TreeNode[]).map((r) => ({ table: String(r.key?.table ?? ""), column: String(r.key?.column ?? ""), name: String(r.value) }));
      const renamed = (c: ScopeColumn): string => {
        const r = renames.find((x) => asciiLower(x.column) === asciiLower(c.name) && (!x.table || asciiLower(x.table) === asciiLower(c.table ?? "")));
        return r ? r.name : c.name;
      };
      const rel = item.relation_name ? String(item.relation_name) : null;
      const excluded = new Set<string>((item.exclude_list ?? []).map((x: unknown) => String(typeof x === "string" ? x : (x as TreeNode).column_names?.at(-1) ?? x).toLowerCase()));
      for (const q of item.qualified_exclude_list ?? []) excluded.add(String((q as TreeNode).column_names?.at(-1) ?? q).toLowerCase());
      const replaced = new Map<string, TreeNode>();
      for (const r of item.replace_list ?? []) replaced.set(String(r.key).toLowerCase(), r.value);
      // `s.*` where s is no table in scope but a STRUCT column: DuckDB expands the struct's fields.
      const structAt = rel && !scope.some((c) => c.table?.toLowerCase() === rel.toLowerCase()) ? scope.findIndex((c) => c.name.toLowerCase() === rel.toLowerCase()) : -1;
      if (structAt >= 0) {
        const column = scope[structAt]!;
        const t = parseType(column.type);
        if (t.kind !== "struct") throw new CompileError(`${rel}.*: ${column.type} is not a STRUCT`, this.originOf(env, item), `select ${rel} itself`);
        if (replaced.size) throw new CompileError(`${rel}.* REPLACE`, this.originOf(env, item), `select ${rel}.field AS name for each field`);
        const arg: Expr = { kind: "column", index: structAt, type: column.type };
        for (const f of t.fields) {
          if (!excluded.has(f.name.toLowerCase())) out.push({ name: f.name, expr: { kind: "field", arg, field: f.name, type: formatType(f.type) } });
        }
        continue;
      }
      scope.forEach((c, i) => {
        if (c.table?.startsWith("\u0000")) return;
        if (rel && c.table?.toLowerCase() !== rel.toLowerCase()) return;
        if (!rel && c.merged) return;
        if (excluded.has(c.name.toLowerCase())) return;
        const rep = replaced.get(c.name.toLowerCase());
        if (rep) out.push({ name: renamed(c), node: rep });
        else out.push({ name: renamed(c), expr: { kind: "column", index: i, type: c.type } });
      });
    }
    return out;
  }

  /**
   * `COLUMNS('regex')`, `COLUMNS(*)`, `COLUMNS(c -> ...)`, `COLUMNS(['a', 'b'])` as a select item:
   * the columns DuckDB names (`$columnNames`, from the annotator), found in the order `*` gives them.
   * A name that several of those columns share (a join's two `id`s) must be taken by all of them or
   * none, or which one DuckDB meant is not known.
   */
  private expandColumns(item: TreeNode, scope: ScopeColumn[], env: CellEnv): { name: string; expr: Expr }[] {
    const origin = this.originOf(env, item);
    const names: unknown = item.$columnNames;
    if (!Array.isArray(names) || (item.replace_list ?? []).length || (item.rename_list ?? []).length) {
      throw new CompileError("unsupported COLUMNS(...) with REPLACE or RENAME", origin, "list the columns");
    }
    const rel = item.relation_name ? String(item.relation_name).toLowerCase() : null;
    const candidates = scope.flatMap((c, i) => (c.table?.startsWith("\u0000") || (rel ? c.table?.toLowerCase() !== rel : c.merged) ? [] : [i]));
    const out: { name: string; expr: Expr }[] = [];
    let at = 0;
    for (const name of names.map(String)) {
      while (at < candidates.length && asciiLower(scope[candidates[at]!]!.name) !== asciiLower(name)) at++;
      const i = candidates[at++];
      if (i === undefined) throw new CompileError(`COLUMNS(...) gives a column ${name} the compiler cannot place`, origin, "list the columns");
      out.push({ name, expr: { kind: "column", index: i, type: scope[i]!.type } });
    }
    for (const name of new Set(names.map((n) => asciiLower(String(n))))) {
      const taken = names.filter((n) => asciiLower(String(n)) === name).length;
      const there = candidates.filter((i) => asciiLower(scope[i]!.name) === name).length;
      if (taken !== there) throw new CompileError(`COLUMNS(...) takes some of the columns named ${name}`, origin, "qualify and list the columns, e.g. t.id, v.id AS vid");
    }
    return out;
  }

  private lowerAggregate(a: TreeNode, ctx: ExprContext, env: CellEnv): AggregateCall {
    const written = String(a.function_name);
    let fn = AGGREGATE_ALIASES[written.toLowerCase()] ?? written.toLowerCase();
    const supported = this.inputs.functions.aggregates;
    if (APPROXIMATE[fn]) throw new CompileError(`approximate aggregate ${written}()`, this.originOf(env, a), `a pipeline cannot reproduce DuckDB's sketch row for row; ${APPROXIMATE[fn]}`);
    const hint = AGGREGATE_HINTS[fn];
    if (!supported.has(fn) && hint) throw new CompileError(`unsupported aggregate ${written}()`, this.originOf(env, a), hint);
    if (!supported.has(fn)) {
      throw new CompileError(`unsupported aggregate ${written}()`, this.originOf(env, a), `use one of ${[...supported].filter((f) => f !== "count_star").join(", ")}, count(DISTINCT ...)`);
    }
    const arity = (a.children ?? []).length;
    if ((fn.startsWith("arg_") && arity !== 2) || (fn === "string_agg" && arity > 2)) {
      throw new CompileError(`${written}() with ${arity} arguments`, this.originOf(env, a), fn === "string_agg" ? `write ${written}(text, separator)` : `write ${written}(arg, val); for the top n, aggregate in a later step`);
    }
    if (fn === "string_agg") {
      const [text, sep] = a.children as TreeNode[];
      // Anything else is cast to text, as DuckDB's binder casts it; ordered by itself, it would sort as text here but by value there.
      if (text?.$type !== "VARCHAR" && (a.order_bys?.orders ?? []).length > 0) throw new CompileError(`${written}() of ${String(text?.$type)} ordered by itself`, this.originOf(env, a), `cast the value to text: ${written}(x::VARCHAR, ',' ORDER BY x::VARCHAR)`);
      if (sep && sep.class !== "CONSTANT" && sep.$value === undefined) throw new CompileError(`${written}() with a separator that is not a constant`, this.originOf(env, a), "use a constant separator, as DuckDB requires");
    }
    const orders = (a.order_bys?.orders ?? []) as TreeNode[];
    let descending = false;
    let children = (a.children ?? []) as TreeNode[];
    // percentile_cont(q) WITHIN GROUP (ORDER BY x [DESC]) reaches here as quantile_cont(q) ORDER BY x; DESC is a negative q.
    if (orders.length === 1 && (((fn === "quantile_cont" || fn === "quantile_disc") && children.length === 1) || (fn === "mode" && children.length === 0))) {
      const order = orders[0]!;
      const q = children[0];
      descending = order.type === "DESCENDING" || order.type === "ORDER_DESCENDING";
      children = q ? [order.expression as TreeNode, q] : [order.expression as TreeNode];
    } else if (fn === "string_agg" && orders.length === 1 && sameExpression(orders[0]!.expression as TreeNode, children[0]!)) {
      // string_agg(x, sep ORDER BY x): sorted by the text itself, so rows with equal keys are equal texts and the
      // answer is fixed. The order goes to the aggregate as a third, constant argument.
      const order = orders[0]!;
      descending = order.type === "DESCENDING" || order.type === "ORDER_DESCENDING";
    } else if (orders.length) {
      throw new CompileError(`ORDER BY inside ${fn}()`, this.originOf(env, a), fn === "string_agg" || fn === "list"
        ? `order by the aggregated value itself (${written}(x ... ORDER BY x)): DuckDB's order among rows with equal keys is not fixed, so a pipeline could not repeat it`
        : ORDER_PICKS.has(fn)
          // Dropping the ORDER BY would keep an arbitrary row: the value at the least or greatest key is what was meant.
          // first and last keep a NULL x at the chosen row, as the _null forms do; any_value skips NULL x, as arg_min and arg_max do.
          ? (() => {
              const tail = fn === "any_value" ? "" : "_null";
              const [asc, desc] = fn === "last" ? ["arg_max", "arg_min"] : ["arg_min", "arg_max"];
              return `write ${asc}${tail}(x, y) for ${written}(x ORDER BY y), ${desc}${tail}(x, y) for ${written}(x ORDER BY y DESC); they skip rows whose y is NULL`;
            })()
          : "drop the ORDER BY");
    }
    for (const c of children) {
      if (containsAggregate(c)) throw new CompileError(`aggregate inside ${fn}()`, this.originOf(env, c), "aggregate in two cells");
    }
    const args: Expr[] = children.map((c: TreeNode) => lowerExpr(c, ctx));
    if (fn === "string_agg") args[0] = castExpr(args[0]!, "VARCHAR");
    if (fn === "quantile_cont" || fn === "median") {
      const t = args[0]?.type ?? "";
      const how = interpolation(t);
      if (how === "refused" || (fn === "quantile_cont" && how !== "interpolated")) {
        throw new CompileError(`${written}() of ${t}`, this.originOf(env, a), `cast the value to DOUBLE (or TIMESTAMP) first, or use quantile_disc, which picks a value without interpolating`);
      }
    }
    // mode() WITHIN GROUP (ORDER BY x): DuckDB feeds the rows sorted, so a tie goes to the least (greatest) value, not the first seen.
    if (fn === "mode" && orders.length === 1) args.push({ kind: "constant", value: descending ? "desc" : "asc", type: "VARCHAR" });
    if (fn === "string_agg" && orders.length === 1) {
      if (args.length === 1) args.push({ kind: "constant", value: ",", type: "VARCHAR" });
      args.push({ kind: "constant", value: descending ? "desc" : "asc", type: "VARCHAR" });
      descending = false;
    }
    if (descending && fn !== "mode") {
      const q = args[1]!;
      const negate = (v: unknown): unknown => (Array.isArray(v) ? v.map(negate) : typeof v === "bigint" ? -v : typeof v === "number" ? -v : typeof v === "string" ? (v.startsWith("-") ? v.slice(1) : `-${v}`) : v);
      if (q.kind !== "constant") throw new CompileError(`${written}() WITHIN GROUP (ORDER BY ... DESC) with a computed quantile`, this.originOf(env, a), "write the quantile as a constant");
      args[1] = { ...q, value: negate(q.value) as never };
    }
    if (fn === "count" && args.length === 0) fn = "count_star";
    return { fn, args, distinct: Boolean(a.distinct), filter: a.filter ? lowerCondition(a.filter, ctx) : null, type: a.$type };
  }

  /**
   * A column reference read through a grouped key, as DuckDB binds it: the key itself (`t.k` for a
   * key `k`), or a field below it (`s.a`, `payload.user.id` when `s`, `payload.user` or `payload` is
   * grouped, a JSON key's `j.key` too). Undefined when the reference is none of these. (Until
   * 2026-12-06 a key was found by the reference's last name only: `s.a` under a grouped `s` was
   * refused as "column a must appear in the GROUP BY clause", and read the column `a` where one was grouped.)
   */
  private throughGroupedKey(e: TreeNode, keys: NamedExpr[], inScope: ExprContext): Expr | undefined {
    let ref: Expr;
    try {
      ref = lowerExpr(e, inScope);
    } catch (error) {
      // Not a column of the input (an earlier item's alias): the caller's other readings decide.
      if (error instanceof CompileError) return undefined;
      throw error;
    }
    const text = (x: Expr): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    const keyTexts = keys.map((k) => text(k.expr));
    const rebase = (x: Expr): Expr | undefined => {
      const k = keyTexts.indexOf(text(x));
      if (k >= 0) return { kind: "column", index: k, type: keys[k]!.expr.type };
      if (x.kind === "field") {
        const arg = rebase(x.arg);
        return arg && { ...x, arg };
      }
      if (x.kind === "function" && x.name === "json_extract" && x.args.length === 2 && x.args[0]!.type === "JSON" && x.args[1]!.kind === "constant") {
        const arg = rebase(x.args[0]!);
        return arg && { ...x, args: [arg, x.args[1]!] };
      }
      return undefined;
    };
    return rebase(ref);
  }

  /** The tumbling window: a key that is time_bucket(<interval>, ts) or date_trunc('<part>', ts). */
  private findWindow(keysTree: TreeNode[], keys: NamedExpr[], env: CellEnv, before: Operator[]): NonNullable<Extract<Operator, { op: "aggregate" }>["window"]> | null {
    for (let i = 0; i < keysTree.length; i++) {
      const g = keysTree[i]!;
      const k = keys[i]!.expr;
      // A key that is a column computed as a time bucket upstream (`minute` from a cleaning cell)
      // is the window too; its own value (the window start) then serves as the event time.
      const traced = k.kind === "column" ? traceColumn(before, k.index) : null;
      if (traced && traced.kind === "function") {
        const w = this.findWindow([g], [{ name: "k", expr: traced }], env, []);
        // A wall-time bucket's own value is a wall time too: the executor takes it at the first instant the clock reads it.
        if (w) return { ...w, key: i, eventTime: k, ...(w.wall ? { wall: { zone: w.wall.zone, eventTime: k } } : {}) };
      }
      // date_trunc to a day or longer of a TIMESTAMP is a DATE in DuckDB (`date_trunc('day', ts)`): a window too.
      // A DATE made otherwise (`CAST(ts AS DATE)`, a bucket of a DATE) is not: it is as often a business date
      // (an invoice's day, in any order) as the event's day, and a window would call out-of-order ones late;
      // such a GROUP BY aggregates per flushed file, which check and publish say (edge/plan/per-flush.ts).
      if (k.kind !== "function" || !(/^TIMESTAMP/.test(k.type) || (k.type === "DATE" && k.name === "date_trunc"))) continue;
      // A constant offset (INTERVAL) or origin (TIMESTAMP) moves where buckets start, not their width:
      // still a tumbling window keyed by the bucket's start. A constant time zone buckets the wall time
      // there: a window too, whose end is the next bucket's start in that zone (a day of 23 or 25 hours).
      const third = k.args.length === 3 && k.args[2]!.kind === "constant" ? k.args[2]! : null;
      const shifted = third !== null && /^(INTERVAL|TIMESTAMP)/.test(third.type);
      const zone = third !== null && third.type === "VARCHAR" && typeof third.value === "string" ? third.value : null;
      if (k.name === "time_bucket" && (k.args.length === 2 || shifted || zone !== null) && k.args[0]!.kind === "constant" && /^TIMESTAMP/.test(k.args[1]!.type)) {
        const w = k.args[0]!.value as { months: number; days: number; micros: string };
        if (w.months !== 0 && (w.days !== 0 || w.micros !== "0")) {
          throw new CompileError("time_bucket() width mixing months and days", this.originOf(env, g), "use a width in months, or in days and smaller units");
        }
        return { key: i, eventTime: k.args[1]!, width: w, latenessMicros: "0", ...(zone !== null ? { zone } : {}), ...wallTimeOf(k.args[1]!) };
      }
      if (k.name === "date_trunc" && k.args.length === 2 && k.args[0]!.kind === "constant" && /^TIMESTAMP/.test(k.args[1]!.type)) {
        const part = String(k.args[0]!.value);
        // DuckDB's part names and aliases (`hr`, `min`, `ms`, `mons` …), as date_trunc itself reads them.
        let canonical: string | null;
        try {
          canonical = datePartSpecifier(part);
        } catch {
          canonical = null;
        }
        const widths: Record<string, { months: number; days: number; micros: string }> = {
          microsecond: { months: 0, days: 0, micros: "1" }, millisecond: { months: 0, days: 0, micros: "1000" },
          second: { months: 0, days: 0, micros: "1000000" }, minute: { months: 0, days: 0, micros: "60000000" },
          hour: { months: 0, days: 0, micros: "3600000000" }, day: { months: 0, days: 1, micros: "0" },
          week: { months: 0, days: 7, micros: "0" }, month: { months: 1, days: 0, micros: "0" },
          quarter: { months: 3, days: 0, micros: "0" }, year: { months: 12, days: 0, micros: "0" },
          decade: { months: 120, days: 0, micros: "0" }, century: { months: 1200, days: 0, micros: "0" }, millennium: { months: 12000, days: 0, micros: "0" },
        };
        const w = canonical === null ? undefined : widths[canonical];
        if (!w) throw new CompileError(`date_trunc('${part}', ...) as a window`, this.originOf(env, g), `truncate to ${Object.keys(widths).join(", ").replace(/, (\w+)$/, " or $1")} (a window is a fixed step of the calendar; an ISO year is not)`);
        return { key: i, eventTime: k.args[1]!, width: w, latenessMicros: "0", ...wallTimeOf(k.args[1]!) };
      }
    }
    return null;
  }

  private lowerFrom(ref: TreeNode | null, env: CellEnv): Relation {
    const origin = this.originOf(env, ref);
    if (!ref || ref.type === "EMPTY") {
      throw new CompileError("a SELECT without FROM", origin, "select from a source or a cell");
    }
    const alias = ref.alias ? String(ref.alias) : null;
    switch (ref.type) {
      case "BASE_TABLE": {
        const name = String(ref.table_name);
        const key = name.toLowerCase();
        const qual = alias ?? name;
        let rel: Relation;
        const cte = env.ctes.get(key);
        if (cte) {
          const inner: CellEnv = { cell: env.cell, ctes: new Map([...env.ctes].filter(([k]) => k !== key)) };
          // `WITH s(a, b) AS (...)`: the CTE's own column names first, then the reference's.
          rel = requalify(this.lowerSelect(cte, inner), null, cte.$cteAliases);
        } else if (this.inputs.cells[name] ?? this.findCellKey(name)) {
          rel = this.lowerCell(this.findCellKey(name) ?? name, origin);
        } else if (this.inputs.sources[name] ?? this.findSourceKey(name)) {
          const source = this.findSourceKey(name) ?? name;
          const schema = this.inputs.sources[source]!;
          const format = this.inputs.notebook.sources[source]?.format ?? "json";
          rel = { kind: "stream", ops: [{ op: "scan", source, format, origin, schema }], scope: schema.map((c) => ({ ...c, table: null })) };
        } else {
          throw new CompileError(`unknown table ${name}`, origin, `select from a source (${Object.keys(this.inputs.sources).join(", ")}) or a named SQL cell`);
        }
        if (rel.kind === "static" && Array.isArray(ref.$rows)) rel = { ...rel, rows: ref.$rows };
        return requalify(rel, qual, ref.column_name_alias);
      }
      case "SUBQUERY": {
        const rel = this.lowerSelect(ref.subquery.node, env);
        const withRows = rel.kind === "static" && Array.isArray(ref.$rows) ? { ...rel, rows: ref.$rows as JsonValue[][] } : rel;
        return requalify(withRows, alias, ref.column_name_alias);
      }
      case "EXPRESSION_LIST": {
        const schema: Schema = ref.$schema;
        if (!Array.isArray(ref.$rows)) throw new CompileError("VALUES list without rows", origin, "");
        return requalify({ kind: "static", schema, rows: ref.$rows, scope: schema.map((c) => ({ ...c, table: null })) }, alias, ref.column_name_alias);
      }
      case "JOIN":
        return this.lowerJoin(ref, env);
      case "TABLE_FUNCTION": {
        if (Array.isArray(ref.$rows) && Array.isArray(ref.$schema)) {
          if (ref.$rows.length > 100_000) throw new CompileError(`a static table of ${ref.$rows.length} rows`, origin, "keep lookup tables under 100,000 rows");
          const schema: Schema = ref.$schema;
          return requalify({ kind: "static", schema, rows: ref.$rows, scope: schema.map((c) => ({ ...c, table: null })) }, alias ?? String(ref.function?.function_name), ref.column_name_alias);
        }
        throw new CompileError(`the table function ${String(ref.function?.function_name ?? "")}() in FROM`, origin, "sources come from the front matter; for a static table write a VALUES cell or read a small file with read_csv / read_json / read_parquet");
      }
      default:
        throw new CompileError(`unsupported FROM ${String(ref.type).toLowerCase()}`, origin, "select from a source, a cell, or join a static VALUES table");
    }
  }

  private findCellKey(name: string): string | undefined {
    return Object.keys(this.inputs.cells).find((k) => k.toLowerCase() === name.toLowerCase());
  }

  private findSourceKey(name: string): string | undefined {
    return Object.keys(this.inputs.sources).find((k) => k.toLowerCase() === name.toLowerCase());
  }

  /**
   * A query that reads no stream (over VALUES, small files, other such cells; the driver decided and
   * had DuckDB run it, `$rows`): a static table of DuckDB's own rows, whatever it computes.
   */
  private staticQuery(node: TreeNode, env: CellEnv): Relation | null {
    const out: Schema | null = node.$output ?? null;
    if (!Array.isArray(node.$rows) || !out) return null;
    if (node.$rows.length > 100_000) throw new CompileError(`a static table of ${node.$rows.length} rows`, this.originOf(env, node), "keep lookup tables under 100,000 rows");
    return { kind: "static", schema: out, rows: node.$rows, scope: out.map((c) => ({ ...c, table: null })) };
  }

  private staticResult(node: TreeNode, rel: Extract<Relation, { kind: "static" }>, env: CellEnv): Relation {
    const items = node.select_list as TreeNode[];
    if (items.length === 1 && items[0]!.class === "STAR" && !(items[0]!.exclude_list ?? []).length && !(items[0]!.replace_list ?? []).length) {
      return rel;
    }
    const rows = node.$rows;
    const out: Schema | null = node.$output;
    if (!out || !Array.isArray(rows)) {
      throw volatileStatic(this.originOf(env, node));
    }
    return { kind: "static", schema: out, rows, scope: out.map((c) => ({ ...c, table: null })) };
  }

  private lowerJoin(ref: TreeNode, env: CellEnv): Relation {
    const origin = this.originOf(env, ref);
    // A CROSS JOIN (or a comma) with a static table is an inner join on nothing: every table row for every stream row.
    const cross = ref.ref_type === "CROSS";
    if (ref.ref_type !== "REGULAR" && !cross) {
      const kind = String(ref.ref_type).toLowerCase();
      throw new CompileError(`unsupported ${kind} join`, origin, kind === "natural" ? "write JOIN ... ON with the columns both sides share" : "write JOIN ... ON");
    }
    // `USING (k)`: the annotator's `ON l.k = r.k`; the right side's k is merged into the left's.
    const using = ((ref.using_columns ?? []) as unknown[]).map((c) => String(c).toLowerCase());
    const condition: TreeNode | null = using.length ? (ref.$usingCondition ?? null) : ref.condition;
    if (using.length && !condition) throw new CompileError("JOIN ... USING", origin, "write JOIN ... ON a.k = b.k");
    const left = this.lowerFrom(ref.left, env);
    const lowered = this.lowerFrom(ref.right, env);
    const right: Relation = using.length
      ? { ...lowered, scope: lowered.scope.map((c) => (using.includes(c.name.toLowerCase()) ? { ...c, merged: true } : c)) }
      : lowered;
    const joinType = cross ? "INNER" : String(ref.join_type);
    if (left.kind === "static" && right.kind === "static") throw new CompileError("a join of two static tables", origin, "write the joined rows as one VALUES table");
    if (left.kind === "stream" && right.kind === "stream") {
      throw new CompileError("a join between two streams", origin, "join a stream only with a static table (a VALUES cell); join streams downstream from the written files");
    }
    const filtering = joinType === "SEMI" || joinType === "ANTI";
    if (joinType !== "INNER" && joinType !== "LEFT" && !filtering) throw new CompileError(`${joinType} JOIN`, origin, "use JOIN, LEFT JOIN, SEMI JOIN or ANTI JOIN with the stream on the left");
    const stream = left.kind === "stream" ? left : (right as Extract<Relation, { kind: "stream" }>);
    const table = left.kind === "static" ? left : (right as Extract<Relation, { kind: "static" }>);
    if (left.kind === "static" && joinType !== "INNER") throw new CompileError(`${joinType} JOIN with the static table on the left`, origin, "put the stream on the left");
    const streamFirst = left.kind === "stream";
    const scope = [...stream.scope, ...table.scope];
    const ctx: ExprContext = { scope, originOf: (n) => this.originOf(env, n), functions: this.inputs.functions.scalars, doubleParams: this.inputs.functions.doubleParams };
    const streamKeys: Expr[] = [];
    const tableKeys: number[] = [];
    const keyTypes: string[] = [];
    const residual: Expr[] = [];
    const n = stream.scope.length;
    const conjuncts = (e: TreeNode): TreeNode[] => (e.class === "CONJUNCTION" && e.type === "CONJUNCTION_AND" ? e.children.flatMap(conjuncts) : [e]);
    const usesOnly = (e: Expr, lo: number, hi: number): boolean => {
      if (e.kind === "column") return e.index >= lo && e.index < hi;
      return exprChildren(e).every((c) => usesOnly(c, lo, hi));
    };
    if (!condition && !cross) throw new CompileError("a join without ON", origin, "write JOIN ... ON stream.k = table.k");
    for (const c of condition ? conjuncts(condition) : []) {
      const e = lowerCondition(c, ctx);
      if (e.kind === "compare" && e.op === "=") {
        const l = e.left;
        const r = e.right;
        const pick = (s: Expr, t: Expr): boolean => {
          if (t.kind === "column" && t.index >= n && usesOnly(s, 0, n) && t.type === e.compareType && s.type === e.compareType) {
            streamKeys.push(s);
            tableKeys.push(t.index - n);
            keyTypes.push(e.compareType);
            return true;
          }
          return false;
        };
        if (pick(l, r) || pick(r, l)) continue;
      }
      residual.push(e);
    }
    // An INNER JOIN's conditions on the stream's row alone are DuckDB's filter below the join (its
    // filter pushdown): every row is tested, matched or not, so a row that fails there (a CAST of
    // 'x') fails as it does in DuckDB instead of being dropped for want of a match.
    const pushed = joinType === "INNER" ? residual.filter((e) => usesOnly(e, 0, n)) : [];
    if (pushed.length) residual.splice(0, residual.length, ...residual.filter((e) => !pushed.includes(e)));
    const before: Operator[] = pushed.length
      ? [{ op: "filter", predicate: pushed.length === 1 ? pushed[0]! : { kind: "and", args: pushed, type: "BOOLEAN" }, origin, schema: stream.scope.map((c) => ({ name: c.name, type: c.type })) }]
      : [];
    // SEMI and ANTI JOIN keep the stream's columns only.
    const kept = filtering ? stream.scope : scope;
    const schema = kept.map((c) => ({ name: c.name, type: c.type }));
    const ops: Operator[] = [
      ...stream.ops,
      ...before,
      {
        op: "lookup_join",
        join: joinType === "LEFT" ? "left" : joinType === "SEMI" ? "semi" : joinType === "ANTI" ? "anti" : "inner",
        table: { schema: table.schema, rows: table.rows },
        streamKeys,
        tableKeys,
        keyTypes,
        residual: residual.length === 0 ? null : residual.length === 1 ? residual[0]! : { kind: "and", args: residual, type: "BOOLEAN" },
        origin,
        schema,
      },
    ];
    if (streamFirst) return { kind: "stream", ops, scope: kept };
    // The static table was on the left: put its columns first again.
    const reordered = [...table.scope.map((_, i) => n + i), ...stream.scope.map((_, i) => i)];
    const exprs = reordered.map((i) => ({ name: scope[i]!.name, expr: { kind: "column" as const, index: i, type: scope[i]!.type } }));
    ops.push({ op: "project", exprs, origin, schema: exprs.map((e) => ({ name: e.name, type: e.expr.type })) });
    return { kind: "stream", ops, scope: [...table.scope, ...stream.scope] };
  }
}

/** The first window function in an expression (a QUALIFY condition), for its name and place. */
function firstWindow(e: TreeNode | null | undefined): TreeNode | null {
  if (!e || typeof e !== "object") return null;
  if (e.class === "WINDOW") return e;
  for (const c of childExpressions(e)) {
    const w = firstWindow(c);
    if (w) return w;
  }
  return null;
}

/** What to write instead of a SELECT DISTINCT the compiler does not make a GROUP BY (`distinctKeys`). */
function distinctAdvice(node: TreeNode, modifier: TreeNode): string {
  const items: TreeNode[] = node.select_list ?? [];
  if ((modifier.distinct_on_targets ?? []).length > 0) {
    return "DISTINCT ON keeps an arbitrary row of each key in DuckDB; keep the latest one by event time instead: SELECT k, arg_max(x, ts) AS x, max(ts) AS ts FROM s GROUP BY k (over a time bucket for a window)";
  }
  if (items.some((e) => e.class === "STAR")) return "name the columns: SELECT DISTINCT a, b FROM s (a pipeline keeps them per time window or per flushed file, as a GROUP BY)";
  const unnests = (e: TreeNode): boolean => (e.class === "FUNCTION" && (e.function_name === "unnest" || e.function_name === "unlist")) || childExpressions(e).some(unnests);
  if (items.some(unnests)) return "unnest in a CTE first, then take the distinct rows of it: WITH x AS (SELECT k, unnest(l) AS v FROM s) SELECT DISTINCT k, v FROM x";
  if (node.$grouped) return "drop DISTINCT: GROUP BY already gives one row per group";
  return "write the distinct rows as a GROUP BY of the columns (over a time bucket for a window)";
}

/**
 * A query over static tables is held as DuckDB's rows (`staticQuery`) unless it calls a function
 * that answers differently each time, which is what is left to refuse here.
 */
function volatileStatic(origin: Origin): CompileError {
  return new CompileError("a static table computed with a function that answers differently on each run (random(), now(), ...)", origin,
    "the pipeline would hold other values than the notebook shows; write the values themselves (a VALUES cell or a small file)");
}

/**
 * DuckDB computes every aggregate's arguments and FILTER condition for every row, in a projection
 * below the aggregate, so an argument's error surfaces on a row the FILTER drops
 * (`sum(CAST(s AS BIGINT)) FILTER (WHERE s LIKE '1%')` fails on 'yesterday'), and the condition's
 * AND computes each operand. The same projection here (the input's columns unchanged, then each
 * computed argument and condition) gives the executor's aggregate columns to read, rewritten in
 * `aggregates`; null when no aggregate has a FILTER or every argument and condition is a column,
 * a constant or holds a CASE.
 */
function aggregateInputs(aggregates: { name: string; call: AggregateCall }[], input: Schema, origin: Origin): Operator | null {
  const computed: NamedExpr[] = [];
  const lift = (e: Expr): Expr => {
    // Left to the aggregate: a CASE computed ahead beside another one would share the sub-expressions
    // of its branches, which DuckDB computes only for the rows that take them.
    if (e.kind === "column" || e.kind === "constant" || containsCase(e)) return e;
    computed.push({ name: `\u0000in${computed.length}`, expr: e });
    return { kind: "column", index: input.length + computed.length - 1, type: e.type };
  };
  for (const a of aggregates) {
    // Without a FILTER the aggregate computes its arguments for every row itself.
    if (a.call.filter) a.call = { ...a.call, args: a.call.args.map(lift), filter: lift(a.call.filter) };
  }
  if (computed.length === 0) return null;
  const exprs: NamedExpr[] = [...input.map((c, i): NamedExpr => ({ name: c.name, expr: { kind: "column", index: i, type: c.type } })), ...computed];
  return { op: "project", exprs, origin, schema: exprs.map((e) => ({ name: e.name, type: e.expr.type })) };
}

function containsCase(e: Expr): boolean {
  return e.kind === "case" || exprChildren(e).some(containsCase);
}

/**
 * A bucket's timestamp read as a zone's wall time (`ts AT TIME ZONE 'Europe/Berlin'`, DuckDB's
 * `timezone(zone, ts)` of a TIMESTAMPTZ, the zone constant): the window's `wall`, whose event time
 * is the instant itself, so lateness is real time across the clock's jumps. Else nothing.
 */
function wallTimeOf(time: Expr): { wall: { zone: string; eventTime: Expr } } | Record<string, never> {
  if (time.kind !== "function" || time.name !== "timezone" || time.args.length !== 2 || !/^TIMESTAMP$/.test(time.type)) return {};
  const [zone, instant] = time.args as [Expr, Expr];
  if (zone.kind !== "constant" || typeof zone.value !== "string" || !/WITH TIME ZONE|TIMESTAMPTZ/.test(instant.type)) return {};
  return { wall: { zone: zone.value, eventTime: instant } };
}

/** The expression a column of the last operator's output was computed by, through projects and filters. */
function traceColumn(ops: Operator[], index: number): Expr | null {
  let col = index;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i]!;
    if (op.op === "filter") continue;
    if (op.op !== "project") return null;
    const e = op.exprs[col]?.expr;
    if (!e) return null;
    if (e.kind !== "column") return e;
    col = e.index;
  }
  return null;
}

/** A CTE entry's query, carrying the entry's column names (`WITH s(a, b) AS ...`) as `$cteAliases`. */
function cteBody(entry: TreeNode): TreeNode {
  const node = entry.value.query.node as TreeNode;
  if (Array.isArray(entry.value.aliases) && entry.value.aliases.length) node.$cteAliases = entry.value.aliases;
  return node;
}

/**
 * A FROM item under its alias. Its column names are made unique as DuckDB's binder makes a
 * subquery's, a CTE's or a view's (`SELECT id, n AS id` read from is `id, id_1`), so a later
 * reference to `id_1` finds it and `id` is the first, not an ambiguous name.
 */
function requalify(rel: Relation, table: string | null, columnAliases: unknown): Relation {
  const aliases = Array.isArray(columnAliases) ? columnAliases.map(String) : [];
  const names = uniqueColumnNames(rel.scope.map((c, i) => aliases[i] ?? c.name));
  const scope = rel.scope.map((c, i) => ({ name: names[i]!, type: c.type, table: table ?? c.table }));
  if (rel.kind === "static") return { ...rel, scope, schema: scope.map((c) => ({ name: c.name, type: c.type })) };
  return { ...rel, scope };
}


export { decodeValue, findColumn };
