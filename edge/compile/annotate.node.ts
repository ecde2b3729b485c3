/**
 * Annotates DuckDB's parse tree of one SELECT with what DuckDB's binder
 * decides (see `tree.ts` for the `$` fields): the type of every
 * sub-expression, the common type of every comparison, constant-folded
 * values, which calls are aggregates, the columns of every table ref. It asks
 * DuckDB by running `DESCRIBE SELECT <e1> AS e0, <e2> AS e1, ... FROM <the
 * same FROM>` (and the same with the query's GROUP BY for expressions above
 * the aggregation), rebuilding the SQL from the tree with
 * `json_deserialize_sql`, so no expression is ever re-typed by hand.
 */
import type { DuckDB } from "../duckdb/open.node.ts";
import { describeQuery } from "../duckdb/describe.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import { parseSql } from "../duckdb/parse-sql.node.ts";
import { expandMacros } from "./macros13.node.ts";
import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import { encodeValue } from "../plan/value-json.ts";
import type { Schema } from "../plan/values.ts";
import { parseType, type TypeNode } from "../plan/type-text.ts";
import { notStatic } from "./subqueries.node.ts";
import { LIST_PAIR, LIST_SEARCH, childExpressions, containsAggregate, sameExpression, type TreeNode } from "./tree.ts";

/** Functions whose answer changes from call to call: never folded into a constant. */
export const VOLATILE: ReadonlySet<string> = new Set([
  "random", "gen_random_uuid", "uuid", "uuidv4", "uuidv7", "now", "current_timestamp", "get_current_timestamp",
  "current_date", "current_time", "today", "nextval", "currval", "setseed", "transaction_timestamp", "get_current_time",
]);

/** Table functions that read a small file, which a plan can hold as a static table. */
export const STATIC_FILE_READERS = new Set(["read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_ndjson", "read_parquet"]);

/** A construct the compiler refuses, found while annotating (the driver adds the cell and line). */
export class UnsupportedConstruct extends Error {
  override name = "UnsupportedConstruct";
  constructor(readonly what: string, readonly suggestion: string) {
    super(`${what}: ${suggestion}`);
  }
}

const SKIP = new Set(["STAR", "WINDOW", "SUBQUERY", "LAMBDA", "PARAMETER", "COLUMNS", "DEFAULT", "POSITIONAL_REFERENCE"]);

export class Annotator {
  private aggregates: Set<string> | null = null;
  constructor(
    private readonly db: DuckDB,
    /**
     * Whether a table name (lower case, not a CTE) reads a stream. With it, a query that reads
     * none (a cell, CTE or subquery over VALUES, small files and other such cells) gets its rows,
     * `$rows`, from DuckDB once, at publish: the plan holds it as a static table.
     */
    private readonly readsStream?: (table: string) => boolean,
  ) {}

  /**
   * `WITH RECURSIVE r AS (...)`: a pipeline cannot iterate over a stream, but over static tables
   * the CTE is a static table, and DuckDB answers it (`SELECT * FROM r` with the entry in scope).
   * Over a stream it is left without rows, and the compiler refuses it.
   */
  private async recursiveCte(entry: TreeNode, ctes: TreeNode[]): Promise<void> {
    const node = entry.value.query.node as TreeNode;
    const self = String(entry.key).toLowerCase();
    if (!this.readsStream || notStatic(node, ctes, { readsStream: (n) => n !== self && this.readsStream!(n) }) !== null) return;
    const ref = { type: "BASE_TABLE", alias: "", sample: null, schema_name: "", table_name: String(entry.key), column_name_alias: [], catalog_name: "", at_clause: null, query_location: 0 };
    const sql = await this.toSql(selectFrom(ref, [starItem()]), [...ctes, entry]);
    node.$output = await describeQuery(this.db, sql);
    const r = await queryRows(this.db, `SELECT * FROM (${sql})`);
    node.$rows = r.rows.map((row) => r.schema.map((c) => encodeValue(row[c.name] ?? null, c.type)));
  }

  /** Sets `node.$rows` when the query reads no stream and calls no volatile function. */
  private async staticRows(node: TreeNode, ctes: TreeNode[]): Promise<void> {
    if (!this.readsStream || !Array.isArray(node.$output) || notStatic(node, ctes, { readsStream: this.readsStream }) !== null) return;
    // Read through a subquery, which makes repeated names unique (`id`, `id_1`); rows are by position.
    const r = await queryRows(this.db, `SELECT * FROM (${await this.toSql(node, ctes)})`);
    node.$rows = r.rows.map((row) => r.schema.map((c) => encodeValue(row[c.name] ?? null, c.type)));
  }

  /** Annotates `node` (a SELECT_NODE) in place; `ctes` are the CTE entries in scope. */
  async annotate(node: TreeNode, ctes: TreeNode[] = []): Promise<void> {
    if (!this.aggregates) {
      const r = await this.db.read("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'");
      this.aggregates = new Set(r.getRows().map((x) => String(x[0])));
    }
    if (node.type === "SET_OPERATION_NODE") {
      // UNION ALL: each branch is annotated as a SELECT with the set operation's CTEs in scope;
      // the whole node's output (names from the first branch, types unified) is DuckDB's.
      const scope = [...ctes];
      for (const entry of node.cte_map?.map ?? []) {
        const inner = entry.value?.query?.node;
        if (inner?.type === "RECURSIVE_CTE_NODE") await this.recursiveCte(entry, scope);
        else if (inner) await this.annotate(inner, scope);
        scope.push(entry);
      }
      if (node.left) await this.annotate(node.left, scope);
      if (node.right) await this.annotate(node.right, scope);
      node.$output = await this.describeNode(node, scope);
      await this.staticRows(node, ctes);
      return;
    }
    if (node.type !== "SELECT_NODE") return;
    const scope = [...ctes];
    for (const entry of node.cte_map?.map ?? []) {
      const inner = entry.value?.query?.node;
      if (inner?.type === "RECURSIVE_CTE_NODE") await this.recursiveCte(entry, scope);
      else if (inner) await this.annotate(inner, scope);
      scope.push(entry);
    }
    const conditions: TreeNode[] = [];
    if (node.from_table) await this.annotateRef(node.from_table, scope, conditions);
    await expandMacros(this.db, node, async (sql) => describeQuery(this.db, await this.toSql(sql, scope)));
    if (node.from_table) await this.expandNestedColumns(node, scope);
    if (node.from_table) await this.spreadStructUnnests(node, scope);
    if (node.from_table) await this.distinctStars(node, scope);
    refuseNestedStars(node);
    // `COLUMNS('regex')`, `COLUMNS(*)`, `COLUMNS(c -> ...)` as a select item: DuckDB's names of the
    // columns it expands into (the compiler finds them among what `*` would give, in that order).
    for (const item of node.select_list ?? []) {
      if (item?.class === "STAR" && item.columns && node.from_table) {
        item.$columnNames = (await describeQuery(this.db, await this.toSql(selectFrom(node.from_table, [item]), scope))).map((c) => c.name);
      }
    }
    // HAVING binds a name to the SELECT item of that alias unless it is a grouped column (a FROM
    // column that is not grouped could not be read there anyway), WHERE unless any FROM column has it.
    if (node.having) node.having = havingAliases(node.having, node, { grouped: groupedColumns(node), aggregates: this.aggregates! });
    if (node.where_clause) node.where_clause = havingAliases(node.where_clause, node);
    this.markAggregates(node);
    node.$groups = distinctKeys(node) ?? this.normaliseGroups(node);
    const grouped = node.$groups.length > 0 || node.aggregate_handling === "FORCE_AGGREGATES" ||
      node.select_list.some((e: TreeNode) => containsAggregate(e)) || (node.having && containsAggregate(node.having));
    node.$grouped = Boolean(grouped);

    const pre: TreeNode[] = [];
    const post: TreeNode[] = [];
    const collectPre = (e: TreeNode | null | undefined): void => {
      if (e?.class === "STAR") for (const r of e.replace_list ?? []) collectPre(r.value);
      if (!e || SKIP.has(e.class)) return;
      pre.push(e);
      for (const c of childExpressions(e)) collectPre(c);
      for (const c of orderExpressions(e)) collectPre(c);
    };
    const collectPost = (e: TreeNode | null | undefined): void => {
      if (e?.class === "STAR") for (const r of e.replace_list ?? []) collectPost(r.value);
      if (!e || SKIP.has(e.class)) return;
      post.push(e);
      if (e.class === "FUNCTION" && e.$agg) {
        for (const c of childExpressions(e)) collectPre(c);
        for (const c of orderExpressions(e)) collectPre(c);
        return;
      }
      if (node.$groups.some((g: TreeNode) => sameExpression(g, e))) {
        for (const c of childExpressions(e)) collectPre(c);
        return;
      }
      for (const c of childExpressions(e)) collectPost(c);
    };
    collectPre(node.where_clause);
    for (const c of conditions) collectPre(c);
    for (const g of node.$groups) collectPre(g);
    if (node.$grouped) {
      for (const e of node.select_list) collectPost(e);
      collectPost(node.having);
    } else {
      for (const e of node.select_list) collectPre(e);
    }
    await this.describeAll(node, scope, pre, false);
    await this.describeAll(node, scope, post, true);
    const bodies = [...(await this.describeLambdas(node, scope, pre, false)), ...(await this.describeLambdas(node, scope, post, true))];
    await this.fold([...pre, ...post, ...bodies]);
    await this.propagateNulls([...pre, ...post]);
    node.$output = await this.describeNode(node, scope);
    await this.staticRows(node, ctes);
  }

  /**
   * `unnest(s)` of a STRUCT, and `unnest(l, recursive := true)` of a LIST of STRUCTs, as select
   * items: DuckDB spreads the fields into columns named by the fields, ignoring an alias (recursive:
   * a STRUCT field's own fields too, lists staying lists). Each becomes one item per field,
   * `s.f AS f` or `unnest(l).f AS f`: the same columns, and the same rows (every `unnest(l)` of one
   * list unnests it once, in step). `recursive :=` of any other list is a plain `unnest(l)`; any
   * other unnest with options is left for the compiler to refuse.
   */
  private async spreadStructUnnests(node: TreeNode, ctes: TreeNode[]): Promise<void> {
    const items: TreeNode[] = node.select_list ?? [];
    const candidates = items.filter((e) => e?.class === "FUNCTION" && (e.function_name === "unnest" || e.function_name === "unlist") && unnestRecursion(e) !== null);
    if (candidates.length === 0) return;
    const out: TreeNode[] = [];
    for (const item of items) {
      const recursive = candidates.includes(item) ? unnestRecursion(item) : null;
      if (recursive === null) {
        out.push(item);
        continue;
      }
      const arg: TreeNode = item.children[0];
      let type: TypeNode;
      try {
        const [c] = await describeQuery(this.db, await this.toSql(selectFrom(node.from_table, [{ ...arg, alias: "" }]), ctes));
        type = parseType(c!.type);
      } catch {
        out.push(item);
        continue;
      }
      const listOfStructs = type.kind === "list" && type.child.kind === "struct";
      if (!(type.kind === "struct" || (recursive && listOfStructs))) {
        // A list unnested without recursion, or of values that are no lists or structs, is plain unnest(l).
        const plain = type.kind === "list" && (!recursive || (type.child.kind !== "list" && type.child.kind !== "struct"));
        out.push(plain && item.children.length > 1 ? { ...item, children: [arg] } : item);
        continue;
      }
      const struct = (type.kind === "struct" ? type : (type as { child: TypeNode }).child) as Extract<TypeNode, { kind: "struct" }>;
      const base: TreeNode = type.kind === "struct" ? arg : { ...item, children: [arg] };
      const leaves: { name: string; path: string[] }[] = [];
      const walk = (t: Extract<TypeNode, { kind: "struct" }>, path: string[]): void => {
        for (const f of t.fields) {
          if (recursive && f.type.kind === "struct") walk(f.type, [...path, f.name]);
          else leaves.push({ name: f.name, path: [...path, f.name] });
        }
      };
      walk(struct, []);
      for (const leaf of leaves) {
        let e: TreeNode = structuredClone(base);
        for (const field of leaf.path) e = structField(e, field, item.query_location ?? 0);
        out.push({ ...e, alias: leaf.name });
      }
    }
    node.select_list = out;
  }

  /**
   * `SELECT DISTINCT *` (or `t.*`, `* EXCLUDE (...)`, `COLUMNS(...)`): the columns it stands for,
   * by name, so the DISTINCT can be the GROUP BY of them (`distinctKeys`). Left as it is where two
   * columns share a name (a join's two `id`s) or REPLACE / RENAME changes them.
   */
  private async distinctStars(node: TreeNode, ctes: TreeNode[]): Promise<void> {
    const distinct = (node.modifiers ?? []).some((m: TreeNode) => m.type === "DISTINCT_MODIFIER" && (m.distinct_on_targets ?? []).length === 0);
    const items: TreeNode[] = node.select_list ?? [];
    if (!distinct || !items.some((e) => e?.class === "STAR")) return;
    const out: TreeNode[] = [];
    for (const item of items) {
      if (item?.class !== "STAR" || (item.replace_list ?? []).length > 0 || (item.rename_list ?? []).length > 0) {
        out.push(item);
        continue;
      }
      let names: string[];
      try {
        names = (await describeQuery(this.db, await this.toSql(selectFrom(node.from_table, [{ ...item, alias: "" }]), ctes))).map((c) => c.name);
      } catch {
        out.push(item);
        continue;
      }
      if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) {
        out.push(item);
        continue;
      }
      const rel = item.relation_name ? String(item.relation_name) : "";
      for (const name of names) out.push({ class: "COLUMN_REF", type: "COLUMN_REF", alias: "", query_location: item.query_location ?? 0, column_names: rel ? [rel, name] : [name] });
    }
    node.select_list = out;
  }

  /**
   * A select item with one `COLUMNS(...)` inside an expression (`max(COLUMNS('^amount_'))`,
   * `round(COLUMNS(['a', 'b']), 2)`) becomes one item per column it matches, in DuckDB's order,
   * each named as DuckDB names it: the item's alias, else the column's name. Anything else with
   * COLUMNS inside (two in one item, `*COLUMNS(...)` unpacked into arguments, in WHERE) is left
   * for `refuseNestedStars`.
   */
  private async expandNestedColumns(node: TreeNode, ctes: TreeNode[]): Promise<void> {
    const items: TreeNode[] = node.select_list ?? [];
    if (!items.some((item) => item?.class !== "STAR" && nestedColumns(item).length > 0)) return;
    const out: TreeNode[] = [];
    for (const item of items) {
      const found = item?.class === "STAR" ? [] : nestedColumns(item);
      if (found.length !== 1 || found[0]!.unpacked) {
        out.push(item);
        continue;
      }
      const star = found[0]!.star;
      let names: string[];
      try {
        names = (await describeQuery(this.db, await this.toSql(selectFrom(node.from_table, [{ ...star, alias: "" }]), ctes))).map((c) => c.name);
      } catch {
        out.push(item);
        continue;
      }
      const rel = star.relation_name ? String(star.relation_name) : "";
      for (const name of names) {
        const ref: TreeNode = { class: "COLUMN_REF", type: "COLUMN_REF", alias: "", query_location: star.query_location ?? 0, column_names: rel ? [rel, name] : [name] };
        out.push({ ...replaced(item, star, ref), alias: item.alias || name });
      }
    }
    node.select_list = out;
  }

  /**
   * Types inside lambda bodies (`list_transform(l, x -> x.qty * 2)`): each
   * sub-expression of the body is asked for as `list_transform(l, x -> <sub>)`
   * and its type is that list's element type (comparisons' common types the
   * same way). Returns the bodies, for constant folding.
   */
  private async describeLambdas(node: TreeNode, ctes: TreeNode[], exprs: TreeNode[], grouped: boolean): Promise<TreeNode[]> {
    const isLambdaCall = (e: TreeNode): boolean => e.class === "FUNCTION" && e.children?.length === 2 && e.children[1]?.class === "LAMBDA";
    const calls = exprs.filter(isLambdaCall);
    // Each target with how many lists its probe wraps it in: a body inside a body
    // (`list_transform(m, r -> list_transform(r, v -> v * 10))`) is asked for inside both.
    const targets: { e: TreeNode; depth: number }[] = [];
    const probes: TreeNode[] = [];
    const cmpTargets: { e: TreeNode; depth: number }[] = [];
    const cmpProbes: TreeNode[] = [];
    const bodies: TreeNode[] = [];
    const visitCall = (call: TreeNode, outer: (inner: TreeNode) => TreeNode, depth: number): void => {
      const lambda = call.children[1] as TreeNode;
      const wrap = (inner: TreeNode): TreeNode => outer({ ...call, function_name: "list_transform", alias: "", children: [call.children[0], { ...lambda, expr: inner }] });
      bodies.push(lambda.expr);
      const visit = (e: TreeNode): void => {
        if (!e || SKIP.has(e.class)) return;
        targets.push({ e, depth });
        probes.push(wrap(e));
        const operands = comparisonOperands(e);
        if (operands) {
          cmpTargets.push({ e, depth: depth + 1 });
          cmpProbes.push(wrap(listValue(operands)));
        }
        for (const c of childExpressions(e)) visit(c);
        if (isLambdaCall(e)) visitCall(e, wrap, depth + 1);
      };
      visit(lambda.expr);
    };
    for (const call of calls) visitCall(call, (inner) => inner, 1);
    if (probes.length === 0) return bodies;
    const types = await this.describeExprs(node, ctes, [...probes, ...cmpProbes], grouped);
    const element = (t: string | null | undefined, depth: number): string | null => {
      let type = t ?? null;
      for (let i = 0; i < depth; i++) type = type && type.endsWith("[]") ? type.slice(0, -2) : null;
      return type;
    };
    targets.forEach(({ e, depth }, i) => {
      const t = element(types[i], depth);
      if (t) e.$type = t;
    });
    cmpTargets.forEach(({ e, depth }, i) => {
      const t = element(types[probes.length + i], depth);
      if (t) e.$cmp = t;
    });
    return bodies;
  }

  private markAggregates(node: TreeNode): void {
    const mark = (e: TreeNode | null | undefined): void => {
      if (!e || typeof e !== "object") return;
      if (e.class === "FUNCTION" && this.aggregates!.has(String(e.function_name)) && e.schema === "") {
        e.$agg = true;
      }
      for (const c of childExpressions(e)) mark(c);
    };
    for (const e of node.select_list) mark(e);
    mark(node.having);
    mark(node.where_clause);
  }

  /**
   * The GROUP BY keys as expressions: `GROUP BY ALL` becomes the select
   * items without aggregates, `GROUP BY 2` and `GROUP BY alias` the item.
   */
  private normaliseGroups(node: TreeNode): TreeNode[] {
    const items: TreeNode[] = node.select_list;
    const strip = (e: TreeNode): TreeNode => ({ ...e, alias: "" });
    if (node.aggregate_handling === "FORCE_AGGREGATES" && (node.group_expressions ?? []).length === 0) {
      // DuckDB leaves constants out of GROUP BY ALL: `SELECT 'all', count(*) ... GROUP BY ALL` is one
      // global group (a row even over no input), not a group per constant.
      return items.flatMap((e, i) => (e.class !== "STAR" && !containsAggregate(e) && !isConstant(e) ? [strip(inlineAliases(e, node, i))] : []));
    }
    const inputNames = new Set<string>((node.from_table?.$scope ?? []).map((c: { name: string }) => c.name.toLowerCase()));
    return (node.group_expressions ?? []).map((g: TreeNode) => {
      if (g.class === "CONSTANT" && typeof g.value?.value === "number" && Number.isInteger(g.value.value)) {
        const item = items[g.value.value - 1];
        if (item) return strip(item);
      }
      if (g.class === "COLUMN_REF" && g.column_names.length === 1 && !inputNames.has(String(g.column_names[0]).toLowerCase())) {
        const item = items.find((e) => String(e.alias).toLowerCase() === String(g.column_names[0]).toLowerCase());
        if (item) return strip(item);
      }
      return g;
    });
  }

  private async annotateRef(ref: TreeNode, ctes: TreeNode[], conditions: TreeNode[]): Promise<void> {
    switch (ref.type) {
      case "JOIN":
        await this.annotateRef(ref.left, ctes, conditions);
        try {
          await this.annotateRef(ref.right, ctes, conditions);
        } catch (error) {
          // A subquery that reads another FROM item's columns (LATERAL, written or implied) cannot be
          // described alone; when it does not bind alone but the join as a whole does, that is what
          // failed (a VALUES list that fails only as it runs, 'x' into INTEGER, binds alone).
          if (ref.right?.type === "SUBQUERY" && !(error instanceof UnsupportedConstruct) && !(await this.binds(selectFrom(ref.right, [starItem()]), ctes)) && (await this.binds(selectFrom(ref, [starItem()]), ctes))) {
            throw new UnsupportedConstruct(
              "a LATERAL subquery in FROM (it reads the columns of the FROM item before it)",
              "compute its expressions in the SELECT list instead: SELECT t.*, t.n * 2 AS x FROM t; to make rows of a list, unnest it in the SELECT list",
            );
          }
          throw error;
        }
        if (ref.condition) conditions.push(ref.condition);
        if (ref.ref_type === "NATURAL") {
          // NATURAL JOIN is USING (the names both sides have); with none DuckDB refuses, and so does the compiler.
          const right = new Set((ref.right.$scope ?? []).map((c: { name: string }) => c.name.toLowerCase()));
          const common = [...new Map((ref.left.$scope ?? []).map((c: { name: string }) => [c.name.toLowerCase(), c.name] as const)).entries()].filter(([k]) => right.has(k)).map(([, v]) => v);
          if (common.length) {
            ref.ref_type = "REGULAR";
            ref.using_columns = common;
          }
        }
        if ((ref.using_columns ?? []).length) {
          // `USING (k)` is `ON l.k = r.k` (DuckDB's rows are the same), with one column k: the
          // left side's (the compiler hides the right side's from `*` and unqualified names).
          ref.$usingCondition = usingCondition(ref);
          conditions.push(ref.$usingCondition);
        }
        ref.$scope = [...(ref.left.$scope ?? []), ...(ref.right.$scope ?? [])];
        return;
      case "SUBQUERY":
        if (ref.subquery?.node) await this.annotate(ref.subquery.node, ctes);
        break;
      case "EMPTY":
        ref.$scope = [];
        return;
      default:
        break;
    }
    const staticFile = ref.type === "TABLE_FUNCTION" && STATIC_FILE_READERS.has(String(ref.function?.function_name));
    if (ref.type === "TABLE_FUNCTION" && !staticFile) {
      // Refused before probing: a lateral one (`FROM s, unnest(s.items)`) cannot be described alone.
      const name = String(ref.function?.function_name ?? "");
      throw new UnsupportedConstruct(
        `the table function ${name}() in FROM`,
        name.toLowerCase() === "unnest"
          ? "write FROM s, unnest(s.items) AS u(item) (then JOIN or LEFT JOIN a static table), or unnest in the select list: SELECT ..., unnest(items) AS item FROM s (a later cell reads item.field)"
          : "sources come from the front matter; for a static table write a VALUES cell or read a small file with read_csv / read_json / read_parquet",
      );
    }
    const probe = selectFrom(ref, [starItem()]);
    ref.$schema = await describeQuery(this.db, await this.toSql(probe, ctes));
    ref.$scope = ref.$schema;
    if (staticFile || ref.type === "EXPRESSION_LIST" || (ref.type === "SUBQUERY" && ref.subquery?.node?.from_table?.type === "EXPRESSION_LIST")) {
      const r = await queryRows(this.db, await this.toSql(probe, ctes));
      ref.$rows = r.rows.map((row) => r.schema.map((c) => encodeValue(row[c.name] ?? null, c.type)));
    }
  }

  private async describeAll(node: TreeNode, ctes: TreeNode[], exprs: TreeNode[], grouped: boolean): Promise<void> {
    if (exprs.length === 0) return;
    const cmpProbes: { target: TreeNode; probe: TreeNode }[] = [];
    for (const e of exprs) {
      const operands = comparisonOperands(e);
      if (operands) {
        cmpProbes.push({ target: e, probe: listValue(operands) });
      }
    }
    const all = [...exprs, ...cmpProbes.map((p) => p.probe)];
    const types = await this.describeExprs(node, ctes, all, grouped);
    exprs.forEach((e, i) => {
      if (types[i]) e.$type = types[i];
    });
    cmpProbes.forEach((p, i) => {
      const t = types[exprs.length + i];
      if (t && t.endsWith("[]")) p.target.$cmp = t.slice(0, -2);
    });
    await this.jsonComparisons(node, ctes, cmpProbes.map((p) => p.target).filter((e) => e.$cmp === "JSON" && !e.$inSubquery), grouped);
  }

  /**
   * JSON compared with a number, a boolean or a time is compared as that type: DuckDB's binder
   * casts the JSON side (`j = 1` is `CAST(j AS INTEGER) = 1`, and `'"x"'::JSON = 1` a Conversion
   * Error), as it casts VARCHAR, where `list_value` of the operands is JSON[]. The type is the
   * common type of the operands that are not text; with text, lists, structs, UUIDs or blobs on
   * the other side the comparison stays JSON.
   */
  private async jsonComparisons(node: TreeNode, ctes: TreeNode[], targets: TreeNode[], grouped: boolean): Promise<void> {
    const TEXT = new Set(["JSON", "VARCHAR", "NULL", '"NULL"']);
    const probes: { target: TreeNode; probe: TreeNode }[] = [];
    for (const target of targets) {
      const others = (comparisonOperands(target) ?? []).filter((o) => !TEXT.has(String(o.$type)));
      if (others.length === 0 || others.some((o) => typeof o.$type !== "string")) continue;
      probes.push({ target, probe: listValue(others) });
    }
    if (probes.length === 0) return;
    const types = await this.describeExprs(node, ctes, probes.map((p) => p.probe), grouped);
    probes.forEach((p, i) => {
      const t = types[i]?.endsWith("[]") ? types[i]!.slice(0, -2) : null;
      if (t && JSON_CASTS_TO.test(t)) p.target.$cmp = t;
    });
  }

  /** Whether DuckDB binds `node` (with the CTEs in scope). */
  private async binds(node: TreeNode, ctes: TreeNode[]): Promise<boolean> {
    try {
      await describeQuery(this.db, await this.toSql(node, ctes));
      return true;
    } catch {
      return false;
    }
  }

  private async describeExprs(node: TreeNode, ctes: TreeNode[], exprs: TreeNode[], grouped: boolean): Promise<(string | null)[]> {
    const build = (list: TreeNode[]): TreeNode => {
      // Select items keep their aliases, so a later item may refer to an earlier one as DuckDB allows.
      const items = new Set<TreeNode>(node.select_list);
      const probe = selectFrom(withBothSides(node.from_table), list.map((e, i) => ({ ...e, alias: items.has(e) && e.alias ? e.alias : `e${i}` })));
      if (grouped) {
        probe.group_expressions = node.$groups;
        probe.group_sets = node.$groups.length ? [node.$groups.map((_: unknown, i: number) => i)] : [];
        probe.aggregate_handling = "STANDARD_HANDLING";
      }
      return probe;
    };
    let schema: Schema;
    try {
      schema = await describeQuery(this.db, await this.toSql(build(exprs), ctes));
    } catch (whole) {
      if (exprs.length === 1) return [null];
      const out: (string | null)[] = [];
      for (const e of exprs) {
        try {
          const schema = await describeQuery(this.db, await this.toSql(build([e]), ctes));
          out.push(schema[0]?.type ?? null);
        } catch (one) {
          // The compiler reports a missing type with the cell and place; keep the cause for it.
          e.$typeError = one instanceof Error ? one.message : String(one);
          out.push(null);
        }
      }
      void whole;
      return out;
    }
    // One column per probed expression, unless an unnest() of a STRUCT spread its fields into several.
    if (schema.length !== exprs.length) {
      throw new UnsupportedConstruct("unnest() of a STRUCT", "DuckDB spreads its fields into columns, which a pipeline's unnest (rows of a list) does not; select the fields instead: SELECT s.a AS a, s.b AS b");
    }
    return schema.map((c) => c.type);
  }

  /** Evaluates every maximal constant subtree once, in DuckDB, and stores its value. */
  private async fold(exprs: TreeNode[]): Promise<void> {
    const targets: TreeNode[] = [];
    const seen = new Set<TreeNode>();
    const visit = (e: TreeNode): void => {
      if (seen.has(e)) return;
      seen.add(e);
      if (e.$type && isConstant(e)) {
        targets.push(e);
        return;
      }
      for (const c of childExpressions(e)) visit(c);
    };
    for (const e of exprs) visit(e);
    if (targets.length === 0) return;
    const run = async (list: TreeNode[]): Promise<void> => {
      const probe = selectFrom({ type: "EMPTY", sample: null, query_location: 0 }, list.map((e, i) => ({ ...e, alias: `e${i}` })));
      const r = await queryRows(this.db, await this.toSql(probe, []));
      const row = r.rows[0]!;
      list.forEach((e, i) => {
        const col = r.schema[i]!;
        e.$value = encodeValue(row[col.name] ?? null, col.type);
        e.$type = col.type;
      });
    };
    try {
      await run(targets);
    } catch (batch) {
      void batch;
      for (const t of targets) {
        try {
          await run([t]);
        } catch (error) {
          // Left unfolded: the executor evaluates it, and raises what DuckDB raises.
          t.$foldError = error instanceof Error ? error.message : String(error);
        }
      }
    }
  }

  /**
   * DuckDB's binder turns a call of a function with default NULL handling into the constant NULL
   * when one argument folds to NULL, without evaluating the others (`left(s, n) || NULL` never
   * raises left's errors). Which functions do is asked of DuckDB: the call with its non-constant
   * arguments replaced by `CAST(error(...) AS <type>)` answers NULL only when the binder folded it.
   */
  private async propagateNulls(exprs: TreeNode[]): Promise<void> {
    const seen = new Set<TreeNode>();
    const visit = async (e: TreeNode): Promise<void> => {
      if (!e || seen.has(e) || e.$value !== undefined) return;
      seen.add(e);
      const kids = childExpressions(e);
      for (const c of kids) await visit(c);
      if (e.class !== "FUNCTION" || e.$agg || VOLATILE.has(String(e.function_name)) || typeof e.$type !== "string") return;
      if (!kids.some((c) => c.$value === null) || kids.some((c) => SKIP.has(c.class))) return;
      const probe: TreeNode = { ...e, alias: "p", children: [] };
      for (const c of e.children as TreeNode[]) {
        if (c.$value !== undefined || isConstant(c)) probe.children.push(c);
        else if (typeof c.$type === "string") probe.children.push(await this.errorOfType(c.$type));
        else return;
      }
      try {
        const r = await queryRows(this.db, await this.toSql(selectFrom({ type: "EMPTY", sample: null, query_location: 0 }, [probe]), []));
        if (r.rows[0]?.[r.schema[0]!.name] === null) e.$value = null;
      } catch {
        // The function evaluated its other arguments (special NULL handling): left as it is.
      }
    };
    for (const e of exprs) await visit(e);
  }

  /** `CAST(error('runnel probe') AS <type>)` as a parse-tree node. */
  private async errorOfType(type: string): Promise<TreeNode> {
    let node = this.errorNodes.get(type);
    if (!node) {
      const tree = await parseSql(this.db, `SELECT CAST(error('runnel probe') AS ${type})`);
      node = (tree.statements[0]!.node as TreeNode).select_list[0] as TreeNode;
      this.errorNodes.set(type, node);
    }
    return node;
  }

  private readonly errorNodes = new Map<string, TreeNode>();

  private async describeNode(node: TreeNode, ctes: TreeNode[]): Promise<Schema | null> {
    try {
      return await describeQuery(this.db, await this.toSql({ ...node, cte_map: { map: [] } }, ctes));
    } catch (error) {
      node.$outputError = error instanceof Error ? error.message : String(error);
      return null;
    }
  }

  /** SQL text for a SELECT node with the CTEs in scope, via json_deserialize_sql. */
  async toSql(node: TreeNode, ctes: TreeNode[]): Promise<string> {
    const withCtes = ctes.length ? { ...node, cte_map: { map: [...ctes, ...(node.cte_map?.map ?? [])] } } : node;
    // DOUBLE constants go back as casts of their text (`doubleConstant`).
    const json = stringifyJsonLossless(withoutAnnotations({ error: false, statements: [{ node: withCtes, named_param_map: [] }] }));
    const hit = this.sqlCache.get(json);
    if (hit !== undefined) return hit;
    const r = await this.db.read("SELECT json_deserialize_sql($1::VARCHAR) AS sql", [json]);
    const sql = String(r.getRowObjectsJS()[0]?.sql);
    this.sqlCache.set(json, sql);
    return sql;
  }

  private readonly sqlCache = new Map<string, string>();
}

/**
 * A DOUBLE (or FLOAT) constant as `CAST('<shortest text>' AS DOUBLE)`: json_deserialize_sql prints a
 * double's value as a plain number (`0.0025`, `1000.0`), which DuckDB reads back as a DECIMAL, so a
 * folded `2.5e-3` would come back DECIMAL(5,4); text cast to DOUBLE is exact (the shortest text
 * round-trips) and keeps the type.
 */
function doubleConstant(node: TreeNode, id: "DOUBLE" | "FLOAT"): unknown {
  const raw = node.value.value;
  const text = typeof raw === "number" ? (Object.is(raw, -0) ? "-0.0" : Number.isNaN(raw) ? "nan" : raw === Infinity ? "inf" : raw === -Infinity ? "-inf" : String(raw)) : String(raw);
  const varchar = { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: node.query_location, value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value: text } };
  return { class: "CAST", type: "OPERATOR_CAST", alias: node.alias ?? "", query_location: node.query_location, child: varchar, cast_type: { id, type_info: null }, try_cast: false };
}

/**
 * A DECIMAL constant of scale 0 (`5.`, DECIMAL(1,0)) as `CAST('5' AS DECIMAL(1,0))`: json_deserialize_sql
 * prints it as `5`, which DuckDB reads back as an INTEGER, so `5. + d` would be typed BIGINT instead of
 * DECIMAL(20,0).
 */
function wholeDecimalConstant(node: TreeNode): unknown {
  const info = node.value.type.type_info as { width: number; scale: number };
  const varchar = { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: node.query_location, value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value: String(node.value.value) } };
  return { class: "CAST", type: "OPERATOR_CAST", alias: node.alias ?? "", query_location: node.query_location, child: varchar, cast_type: { id: "DECIMAL", type_info: { ...info } }, try_cast: false };
}

function withoutAnnotations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutAnnotations);
  if (v && typeof v === "object") {
    const node = v as { class?: unknown; value?: { type?: { id?: unknown; type_info?: { scale?: unknown } | null }; value?: unknown; is_null?: unknown } };
    const id = node.class === "CONSTANT" ? node.value?.type?.id : undefined;
    if ((id === "DOUBLE" || id === "FLOAT") && node.value!.is_null !== true) return doubleConstant(node as TreeNode, id);
    if (id === "DECIMAL" && node.value!.is_null !== true && node.value!.type!.type_info?.scale === 0) return wholeDecimalConstant(node as TreeNode);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) out[k] = withoutAnnotations(x);
    return out;
  }
  return v;
}

/** The types JSON is cast to when compared with them (numbers, BOOLEAN, times). */
const JSON_CASTS_TO = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|BOOLEAN|DATE|TIME|TIME WITH TIME ZONE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|INTERVAL)$/;

function comparisonOperands(e: TreeNode): TreeNode[] | null {
  if (e.class === "COMPARISON") return [e.left, e.right];
  if (e.class === "BETWEEN") return [e.input, e.lower, e.upper];
  if (e.class === "OPERATOR" && (e.type === "COMPARE_IN" || e.type === "COMPARE_NOT_IN")) return e.children;
  // Functions that compare their arguments: nullif(a, b) compares a with b, list_contains(l, x) an element of l with x.
  if (e.class === "FUNCTION" && e.children?.length === 2) {
    const name = String(e.function_name).toLowerCase();
    if (name === "nullif") return e.children;
    if (LIST_SEARCH.has(name)) return [elementOf(e.children[0]), e.children[1]];
    if (LIST_PAIR.has(name)) return [elementOf(e.children[0]), elementOf(e.children[1])];
  }
  return null;
}

/**
 * HAVING may name a select item by its alias (`count(*) AS n ... HAVING n > 1`), as DuckDB allows:
 * a bare name that is no column of the FROM becomes that item's expression.
 */
/** The FROM columns (lower case) a SELECT groups by: `GROUP BY k`, `GROUP BY 1` or `GROUP BY ALL` of a bare column. */
function groupedColumns(node: TreeNode): Set<string> {
  const out = new Set<string>();
  const items = (node.select_list ?? []) as TreeNode[];
  const bare = (e: TreeNode | undefined): void => {
    if (e?.class === "COLUMN_REF") out.add(String((e.column_names as string[]).at(-1)).toLowerCase());
  };
  for (const g of (node.group_expressions ?? []) as TreeNode[]) {
    if (g.class === "CONSTANT" && typeof g.value?.value === "number") bare(items[g.value.value - 1]);
    else bare(g);
  }
  if (node.aggregate_handling === "FORCE_AGGREGATES") items.forEach(bare);
  return out;
}

/**
 * A condition's names that are SELECT aliases, replaced by the aliased expression. A name is left
 * alone when a FROM column has it, or, given `grouped` (HAVING), when it is a grouped column.
 */
function havingAliases(having: TreeNode, node: TreeNode, having_?: { grouped: ReadonlySet<string>; aggregates: ReadonlySet<string> }): TreeNode {
  const fromNames = new Set<string>((node.from_table?.$scope ?? []).map((c: { name: string }) => c.name.toLowerCase()));
  // Inside an aggregate's arguments every FROM column is the column (`HAVING max(k) = 'a'`).
  let inputNames: ReadonlySet<string> = having_ ? new Set([...fromNames].filter((n) => having_.grouped.has(n))) : fromNames;
  const items = new Map<string, TreeNode>();
  for (const e of node.select_list as TreeNode[]) if (e.alias && !items.has(String(e.alias).toLowerCase())) items.set(String(e.alias).toLowerCase(), e);
  // `using`: the aliases being expanded, so an item that names an earlier alias (`n * 2 AS m, m + 1
  // AS m2 ... WHERE m2 > 3`) is expanded too, and one that names itself is left to DuckDB's error.
  const walk = (e: unknown, using: ReadonlySet<string>): unknown => {
    if (Array.isArray(e)) return e.map((x) => walk(x, using));
    if (!e || typeof e !== "object") return e;
    const n = e as TreeNode;
    if (n.class === "SUBQUERY") return n;
    if (n.class === "COLUMN_REF" && n.column_names?.length === 1) {
      const name = String(n.column_names[0]).toLowerCase();
      const item = items.get(name);
      // Before annotation: the item carries no `$` fields yet, so a deep copy is the expression itself.
      if (item && !inputNames.has(name) && !using.has(name)) {
        return { ...(walk(structuredClone(item), new Set([...using, name])) as TreeNode), alias: "", query_location: n.query_location };
      }
      return n;
    }
    const aggregate = having_ && n.class === "FUNCTION" && having_.aggregates.has(String(n.function_name).toLowerCase());
    const outer = inputNames;
    if (aggregate) inputNames = fromNames;
    const out: TreeNode = {};
    for (const [k, v] of Object.entries(n)) out[k] = k.startsWith("$") ? v : walk(v, using);
    inputNames = outer;
    return out;
  };
  return walk(having, new Set()) as TreeNode;
}


/**
 * Whether `unnest(x)` / `unnest(x, recursive := true|false)` recurses; null for any other options
 * (`max_depth := 2`) or arguments.
 */
function unnestRecursion(call: TreeNode): boolean | null {
  const kids: TreeNode[] = call.children ?? [];
  if (kids.length === 1) return false;
  if (kids.length !== 2 || String(kids[1]!.alias).toLowerCase() !== "recursive") return null;
  const flag = kids[1]!.class === "CAST" ? kids[1]!.child : kids[1]!;
  if (flag?.class !== "CONSTANT" || flag.value?.is_null) return null;
  const v = flag.value?.value;
  if (v === true || (typeof v === "string" && /^(t|true)$/i.test(v))) return true;
  if (v === false || (typeof v === "string" && /^(f|false)$/i.test(v))) return false;
  return null;
}

/** `e.field` as DuckDB's parser writes it. */
function structField(e: TreeNode, field: string, at: number): TreeNode {
  const name = { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: at, value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value: field } };
  return { class: "OPERATOR", type: "STRUCT_EXTRACT", alias: "", query_location: at, children: [e, name] };
}

/** The `COLUMNS(...)` nodes inside an expression (not inside a subquery), each with whether it is unpacked (`*COLUMNS(...)`). */
function nestedColumns(e: TreeNode): { star: TreeNode; unpacked: boolean }[] {
  const out: { star: TreeNode; unpacked: boolean }[] = [];
  const walk = (x: unknown, unpacked: boolean): void => {
    if (Array.isArray(x)) return x.forEach((y) => walk(y, false));
    if (!x || typeof x !== "object") return;
    const n = x as TreeNode;
    if (n.class === "SUBQUERY") return;
    if (n.class === "STAR") {
      if (n.columns) out.push({ star: n, unpacked });
      else out.push({ star: n, unpacked: true });
      return;
    }
    for (const [k, v] of Object.entries(n)) if (!k.startsWith("$") && v && typeof v === "object") walk(v, n.type === "OPERATOR_UNPACK");
  };
  walk(e, false);
  return out;
}

/** A deep copy of `tree` with the node `target` replaced by `by`. */
function replaced(tree: TreeNode, target: TreeNode, by: TreeNode): TreeNode {
  const copy = (x: unknown): unknown => {
    if (x === target) return structuredClone(by);
    if (Array.isArray(x)) return x.map(copy);
    if (!x || typeof x !== "object") return x;
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copy(v)]));
  };
  return copy(tree) as TreeNode;
}

/**
 * `COLUMNS(...)` or `*` inside an expression (`max(COLUMNS(['a', 'b']))`, `coalesce(*COLUMNS(...))`):
 * DuckDB expands it into several columns or arguments, which the compiler does not follow, so it
 * is refused here by name (a probe of it comes back with more columns than asked for).
 */
function refuseNestedStars(node: TreeNode): void {
  const walk = (e: unknown, top: boolean): void => {
    if (Array.isArray(e)) return e.forEach((x) => walk(x, false));
    if (!e || typeof e !== "object") return;
    const n = e as TreeNode;
    if (n.class === "SUBQUERY") return;
    if (n.class === "STAR" && !top) {
      throw new UnsupportedConstruct(
        n.columns ? "COLUMNS(...) inside an expression" : "* inside an expression",
        "DuckDB expands it into one column per match, which a pipeline's fixed columns do not follow; write each column's expression: max(a) AS a, max(b) AS b",
      );
    }
    // COLUMNS(<lambda>)'s own expression is the list of names it filters (`list_filter(*, c -> ...)`).
    for (const [k, v] of Object.entries(n)) if (!k.startsWith("$") && v && typeof v === "object" && !(n.class === "STAR" && k === "expr")) walk(v, false);
  };
  // A select item that is itself `*` or `COLUMNS(...)` is the compiler's to expand or refuse.
  for (const item of node.select_list ?? []) walk(item, true);
  walk(node.where_clause, false);
  walk(node.having, false);
}

/**
 * The condition `JOIN ... USING (k, k2)` stands for: `l.k = r.k AND l.k2 = r.k2`, each side's
 * column named by the FROM item that holds it (for a chain of joins on the left, the first one,
 * which is the column DuckDB's unqualified `k` reads for an inner or left join).
 */
function usingCondition(ref: TreeNode): TreeNode {
  const has = (r: TreeNode, name: string): boolean => (r.$scope ?? []).some((c: { name: string }) => c.name.toLowerCase() === name.toLowerCase());
  const holder = (r: TreeNode, name: string): string | null | undefined => {
    if (r.type === "JOIN") return holder(r.left, name) ?? (r.join_type === "SEMI" || r.join_type === "ANTI" ? undefined : holder(r.right, name));
    if (!has(r, name)) return undefined;
    return r.alias ? String(r.alias) : r.type === "BASE_TABLE" ? String(r.table_name) : r.type === "TABLE_FUNCTION" ? String(r.function?.function_name) : null;
  };
  const column = (side: TreeNode, name: string): TreeNode => {
    const q = holder(side, name);
    const which = side === ref.left ? "left" : "right";
    if (q === undefined) throw new UnsupportedConstruct(`JOIN ... USING (${name}): the ${which} side has no column ${name} (DuckDB: Column "${name}" does not exist on ${which} side of join!)`, `write JOIN ... ON with the columns of each side`);
    if (q === null) throw new UnsupportedConstruct(`JOIN ... USING (${name}) with a FROM item that has no name`, "give it an alias, e.g. (VALUES ('FR', 'France')) AS v(k, name), or write JOIN ... ON");
    return { class: "COLUMN_REF", type: "COLUMN_REF", alias: "", query_location: ref.query_location ?? 0, column_names: [q, name] };
  };
  const parts = (ref.using_columns as unknown[]).map(String).map((name) => ({
    class: "COMPARISON", type: "COMPARE_EQUAL", alias: "", query_location: ref.query_location ?? 0, left: column(ref.left, name), right: column(ref.right, name),
  }));
  return parts.length === 1 ? parts[0]! : { class: "CONJUNCTION", type: "CONJUNCTION_AND", alias: "", query_location: ref.query_location ?? 0, children: parts };
}

/** `*`, as a select item. */
function starItem(): TreeNode {
  return { class: "STAR", type: "STAR", alias: "", query_location: 0, relation_name: "", exclude_list: [], replace_list: [], columns: false, expr: null, qualified_exclude_list: [], rename_list: [] };
}

/** `list_value(<items>)`: a probe for the common type of the items. */
function listValue(children: TreeNode[]): TreeNode {
  return { class: "FUNCTION", type: "FUNCTION", alias: "", query_location: 0, function_name: "list_value", schema: "", children, filter: null, order_bys: { type: "ORDER_MODIFIER", orders: [] }, distinct: false, is_operator: false, export_state: false, catalog: "" };
}

/** `list[1]`: a probe for a list's element type. */
function elementOf(list: TreeNode): TreeNode {
  const one = { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "INTEGER", type_info: null }, is_null: false, value: 1 } };
  return { class: "OPERATOR", type: "ARRAY_EXTRACT", alias: "", query_location: 0, children: [list, one] };
}

/**
 * `SELECT DISTINCT a, b` as `GROUP BY a, b`: the same groups (NULLs equal, one row each), which a
 * pipeline keeps per time window when a key is a time bucket and per flushed file otherwise, as
 * any GROUP BY. Sets `node.$distinct` for the compiler, which refuses every other DISTINCT. Constant
 * items are left out of the keys, as GROUP BY ALL leaves them; null when the SELECT is not such a
 * DISTINCT (DISTINCT ON, `*`, aggregates, window functions, unnest, or constants only).
 */
function distinctKeys(node: TreeNode): TreeNode[] | null {
  const modifiers: TreeNode[] = node.modifiers ?? [];
  const distinct = modifiers.filter((m) => m.type === "DISTINCT_MODIFIER");
  if (distinct.length !== 1 || (distinct[0]!.distinct_on_targets ?? []).length > 0) return null;
  if ((node.group_expressions ?? []).length > 0 || node.aggregate_handling !== "STANDARD_HANDLING" || node.having) return null;
  const items: TreeNode[] = node.select_list ?? [];
  const plain = (e: TreeNode): boolean =>
    e.class !== "STAR" && e.class !== "WINDOW" && e.class !== "SUBQUERY" && !(e.class === "FUNCTION" && (e.$agg || e.function_name === "unnest" || e.function_name === "unlist")) && childExpressions(e).every(plain);
  if (!items.every(plain)) return null;
  const keys = items.flatMap((e, i) => (isConstant(e) ? [] : [{ ...inlineAliases(e, node, i), alias: "" }]));
  if (keys.length === 0) return null;
  node.$distinct = true;
  return keys;
}

/**
 * Select item `at` with each reference to an earlier item's alias (`lower(email) AS e,
 * split_part(e, '@', 2) AS domain`, where no input column is named `e`) replaced by that item's
 * expression, as DuckDB binds it: the GROUP BY key the item stands for, in the input's columns.
 */
function inlineAliases(e: TreeNode, node: TreeNode, at: number): TreeNode {
  const items: TreeNode[] = node.select_list ?? [];
  const inputs = new Set<string>((node.from_table?.$scope ?? []).map((c: { name: string }) => c.name.toLowerCase()));
  const earlier = new Map<string, TreeNode>();
  for (const item of items.slice(0, at)) if (item.alias && !earlier.has(String(item.alias).toLowerCase())) earlier.set(String(item.alias).toLowerCase(), item);
  if (earlier.size === 0) return e;
  const walk = (x: unknown, depth: number): unknown => {
    if (Array.isArray(x)) return x.map((y) => walk(y, depth));
    if (!x || typeof x !== "object") return x;
    const n = x as TreeNode;
    if (n.class === "SUBQUERY" || n.class === "LAMBDA") return n;
    if (n.class === "COLUMN_REF" && n.column_names?.length === 1 && depth < 8) {
      const name = String(n.column_names[0]).toLowerCase();
      const item = inputs.has(name) ? undefined : earlier.get(name);
      if (item && !containsAggregate(item)) return walk({ ...item, alias: "" }, depth + 1);
    }
    let changed = false;
    const out: TreeNode = {};
    for (const [k, v] of Object.entries(n)) {
      out[k] = k.startsWith("$") ? v : walk(v, depth);
      if (out[k] !== v) changed = true;
    }
    return changed ? out : n;
  };
  return walk(e, 0) as TreeNode;
}

function isConstant(e: TreeNode): boolean {
  if (SKIP.has(e.class) || e.class === "COLUMN_REF") return false;
  if (e.class === "FUNCTION" && (e.$agg || VOLATILE.has(String(e.function_name)) || e.function_name === "unnest")) return false;
  return childExpressions(e).every(isConstant);
}

/**
 * `from` with each SEMI or ANTI JOIN made an INNER one: a probe types the ON condition's
 * expressions, whose table side a SEMI or ANTI JOIN does not let the select list see.
 */
function withBothSides(from: TreeNode): TreeNode {
  if (!from || from.type !== "JOIN") return from;
  const filtering = from.join_type === "SEMI" || from.join_type === "ANTI";
  return { ...from, join_type: filtering ? "INNER" : from.join_type, left: withBothSides(from.left), right: withBothSides(from.right) };
}

function selectFrom(from: TreeNode, selectList: TreeNode[]): TreeNode {
  return {
    type: "SELECT_NODE",
    modifiers: [],
    cte_map: { map: [] },
    select_list: selectList,
    from_table: from,
    where_clause: null,
    group_expressions: [],
    group_sets: [],
    aggregate_handling: "STANDARD_HANDLING",
    having: null,
    sample: null,
    qualify: null,
  };
}

/**
 * The keys of an aggregate's ORDER BY (`percentile_cont(0.9) WITHIN GROUP (ORDER BY try_cast(x AS DOUBLE))`
 * is quantile_cont ordered by its value): typed like its arguments, since the compiler lowers the key as the
 * value. (Until 2026-12-07 only a bare column there had a type, and any other key was refused as "no type".)
 */
function orderExpressions(e: TreeNode): TreeNode[] {
  if (e.class !== "FUNCTION") return [];
  return ((e.order_bys?.orders ?? []) as TreeNode[]).map((o) => o.expression as TreeNode).filter((x) => x && typeof x === "object");
}
