/**
 * The compiler's Node driver: asks DuckDB everything the pure compiler needs.
 * The caller has loaded each source's sample as a table named for the
 * source; every SQL cell of the sinks' closure is parsed
 * (`json_serialize_sql`), annotated with DuckDB's bound types
 * (`annotate.node.ts`) and registered as a view so later cells can select
 * from it, as the notebook does.
 */
import type { Notebook } from "../../notebook/format/model.ts";
import type { DuckDB } from "../duckdb/open.node.ts";
import { parseSql, SqlError as ParseError } from "../duckdb/parse-sql.node.ts";
import { describeQuery } from "../duckdb/describe.node.ts";
import { DuckDBError } from "../duckdb/error.ts";
import { describeSource } from "../duckdb/load-events.node.ts";
import { quoteIdent } from "../duckdb/quote.ts";
import type { Schema } from "../plan/values.ts";
import type { Origin } from "../plan/types.ts";
import { Annotator, UnsupportedConstruct } from "./annotate.node.ts";
import { foldStaticSubqueries } from "./subqueries.node.ts";
import { rewriteListSubqueries } from "./list-subqueries.ts";
import { defaultLibrary } from "../exec/library.ts";
import { cellName, type CellInput, type CompileInputs } from "./compile.ts";
import { CompileError } from "./errors.ts";
import { rewriteDistinctTuples, rewriteMapEntryTuples, rewriteGenerateSubscripts, rewriteOrderedArrayAgg, rewriteJsonArrows, rewriteLateralUnnests, unwrapCteNodes, type TreeNode } from "./tree.ts";

/** Table names a parse tree reads (not its own CTEs), lower case. */
export function tableRefs(node: TreeNode): Set<string> {
  const out = new Set<string>();
  const walk = (n: unknown, ctes: Set<string>): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      n.forEach((x) => walk(x, ctes));
      return;
    }
    const o = n as TreeNode;
    let scope = ctes;
    if (o.type === "SELECT_NODE" && o.cte_map?.map?.length) {
      scope = new Set(ctes);
      for (const e of o.cte_map.map) scope.add(String(e.key).toLowerCase());
    }
    if (o.type === "BASE_TABLE" && !scope.has(String(o.table_name).toLowerCase())) out.add(String(o.table_name).toLowerCase());
    for (const [k, v] of Object.entries(o)) if (!k.startsWith("$")) walk(v, scope);
  };
  walk(node, new Set());
  return out;
}

/**
 * Parses and annotates the SQL cells that feed sinks (and the cells they
 * read), in dependency order. `db` must hold one table per source, named
 * for it, with the sample the notebook shows.
 */
export async function gatherCompileInputs(db: DuckDB, notebook: Notebook): Promise<CompileInputs> {
  const sources: Record<string, Schema> = {};
  for (const name of Object.keys(notebook.sources)) {
    sources[name] = await describeSource(db, name);
  }
  const byName = new Map<string, { cellKey: string; index: number }>();
  const parsed = new Map<string, { tree: TreeNode; refs: Set<string> }>();
  for (const cell of notebook.cells) {
    if (cell.language !== "sql") continue;
    const key = cellName(cell);
    byName.set(key.toLowerCase(), { cellKey: key, index: cell.index });
  }
  const origin = (cell: Notebook["cells"][number], line = 0) => ({ cell: cellName(cell), file: notebook.file, line: cell.start.line + line });
  // The closure of sink cells over references to other SQL cells.
  const needed: string[] = [];
  let unnestTemplate: TreeNode | undefined;
  let subscriptsTemplate: TreeNode | undefined;
  const visit = async (key: string, stack: string[]): Promise<void> => {
    if (needed.includes(key)) return;
    const cell = notebook.cells[byName.get(key.toLowerCase())!.index]!;
    if (stack.includes(key)) {
      // A cell named like a source hides the stream: its `FROM orders` reads the cell itself.
      const source = Object.keys(notebook.sources).find((s) => s.toLowerCase() === key.toLowerCase());
      if (source !== undefined && stack.at(-1) === key) {
        throw new CompileError(`cell ${key} has the name of source ${source}, so its FROM ${source} reads the cell itself`, origin(cell), `give the cell another name (${source}_rows)`);
      }
      throw new CompileError(`cells refer to each other in a cycle (${[...stack, key].join(" → ")})`, origin(cell), "break the cycle");
    }
    let tree: TreeNode;
    refuseByText(cell.code, origin(cell));
    try {
      const t = await parseSql(db, cell.code);
      if (t.statements.length !== 1) throw new CompileError(`a cell with ${t.statements.length} statements`, origin(cell), "write one SELECT per cell");
      // `a -> b` outside a lambda function is DuckDB's JSON operator (see rewriteJsonArrows).
      tree = rewriteJsonArrows(unwrapCteNodes(t.statements[0]!.node as TreeNode)) as TreeNode;
      // `FROM t, unnest(t.items) AS u(x)` is the select-list unnest (see rewriteLateralUnnests).
      unnestTemplate ??= (await parseSql(db, "SELECT *, unnest(NULL) AS c FROM t")).statements[0]!.node as TreeNode;
      rewriteLateralUnnests(tree, unnestTemplate);
      subscriptsTemplate ??= ((await parseSql(db, "SELECT unnest(range(1, len(NULL) + 1))")).statements[0]!.node as TreeNode).select_list[0] as TreeNode;
      rewriteGenerateSubscripts(tree, subscriptsTemplate);
      rewriteDistinctTuples(tree);
      rewriteMapEntryTuples(tree);
      rewriteOrderedArrayAgg(tree);
    } catch (error) {
      if (error instanceof ParseError) {
        throw new CompileError(`SQL error: ${error.message}`, origin(cell, (error.position?.line ?? 1) - 1), "fix the SQL", { cause: error });
      }
      throw error;
    }
    const refs = tableRefs(tree);
    parsed.set(key, { tree, refs });
    for (const r of refs) {
      const dep = byName.get(r);
      if (dep) await visit(dep.cellKey, [...stack, key]);
    }
    needed.push(key);
  };
  for (const cell of notebook.cells) {
    if (cell.sink && cell.language === "sql") await visit(cellName(cell), []);
  }
  const sourceNames = new Set(Object.keys(notebook.sources).map((s) => s.toLowerCase()));
  // Whether a table a subquery names reads a stream (directly or through cells), or is unknown.
  const readsStream = (name: string, seen = new Set<string>()): boolean => {
    const dep = byName.get(name);
    const refs = dep ? parsed.get(dep.cellKey)?.refs : undefined;
    if (sourceNames.has(name) || !refs) return true;
    if (seen.has(name)) return false;
    seen.add(name);
    return [...refs].some((r) => readsStream(r, seen));
  };
  const annotator = new Annotator(db, (name) => readsStream(name));
  /**
   * A cell DuckDB cannot bind, at the line of the file where DuckDB places the error: the compiler's
   * rewritten one-line SQL places it elsewhere, so the cell's own text is bound again for the place.
   */
  const bindFailure = async (cell: Notebook["cells"][number], fallback: string, cause?: unknown): Promise<CompileError> => {
    const own = await describeQuery(db, cell.code.replace(/;\s*$/, "")).then(() => null, (e: unknown) => e);
    const suggestion = "fix the SQL so it runs in the notebook";
    if (own instanceof DuckDBError && own.position !== null) {
      const { line, column } = own.position;
      return new CompileError(`DuckDB cannot bind the cell: ${own.kind} Error: ${own.detail.split("\n")[0]} (line ${line} of the cell, column ${column})`, origin(cell, line - 1), suggestion, { cause: own });
    }
    return new CompileError(`DuckDB cannot bind the cell: ${fallback.replace(/ \(line \d+, column \d+\)/, "")}`, origin(cell), suggestion, { cause });
  };
  const cells: Record<string, CellInput> = {};
  for (const key of needed) {
    const cell = notebook.cells[byName.get(key.toLowerCase())!.index]!;
    const { tree } = parsed.get(key)!;
    try {
      // Only a cell DuckDB binds as written: a rewrite must not turn a cell DuckDB refuses into one that runs.
      if (JSON.stringify(tree, (_, v) => (typeof v === "bigint" ? String(v) : v)).includes('"class":"SUBQUERY"')) {
        const binds = await describeQuery(db, await annotator.toSql(tree, [])).then(() => true, () => false);
        if (binds) rewriteListSubqueries(tree);
      }
      await foldStaticSubqueries(tree, { db, readsStream, toSql: (node, ctes) => annotator.toSql(node, ctes) });
      await annotator.annotate(tree);
    } catch (error) {
      if (error instanceof UnsupportedConstruct) throw new CompileError(error.what, origin(cell), error.suggestion, { cause: error });
      throw await bindFailure(cell, error instanceof Error ? error.message.replace(/^duckdb: /, "").split("\n")[0]! : String(error), error);
    }
    if (typeof tree.$outputError === "string") {
      throw await bindFailure(cell, tree.$outputError.replace(/^duckdb: /, "").split("\n")[0]!);
    }
    // The rewrites above change how DuckDB names an unaliased item (`j -> '$.a'` reads back as
    // json_extract(j, '$.a'), a folded `1e3` as a cast): the cell's columns take the names the
    // notebook shows, from its own text. A type that differs there means a rewrite changed what the
    // cell computes, which must stop the compile rather than write other values.
    const described: Schema | null = tree.$output ?? null;
    if (described) {
      const shown = await describeQuery(db, cell.code.replace(/;\s*$/, "")).catch(() => null);
      if (shown && shown.length === described.length) {
        const changed = shown.findIndex((c, i) => c.type !== described[i]!.type);
        if (changed >= 0) {
          throw new CompileError(
            `column ${shown[changed]!.name} is ${shown[changed]!.type} in the notebook but ${described[changed]!.type} as the compiler read the cell`,
            origin(cell),
            "this is a compiler defect; cast the column to the notebook's type to publish meanwhile, and report the cell",
          );
        }
        tree.$output = described.map((c, i) => ({ ...c, name: shown[i]!.name }));
      }
    }
    cells[key] = { cell, tree };
    if (cell.id) await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(cell.id)} AS ${cell.code.replace(/;\s*$/, "")}`);
  }
  return {
    notebook,
    sources,
    cells,
    functions: { scalars: new Set(Object.keys(defaultLibrary.scalars)), aggregates: new Set(Object.keys(defaultLibrary.aggregates)), doubleParams: await doubleParameters(db) },
  };
}

/**
 * For each scalar function and arity, the argument positions that are DOUBLE in every DuckDB
 * overload: there DuckDB's binder casts a DECIMAL argument to DOUBLE, and the plan says so too.
 */
async function doubleParameters(db: DuckDB): Promise<Map<string, Map<number, number[]>>> {
  const r = await db.read("SELECT function_name AS f, list(parameter_types::VARCHAR[]) AS overloads FROM duckdb_functions() WHERE function_type = 'scalar' GROUP BY 1");
  const out = new Map<string, Map<number, number[]>>();
  for (const { f, overloads } of r.getRowObjectsJS() as unknown as { f: string; overloads: string[][] }[]) {
    const byArity = new Map<number, string[][]>();
    for (const o of overloads) byArity.set(o.length, [...(byArity.get(o.length) ?? []), o]);
    for (const [arity, list] of byArity) {
      const positions = [...Array(arity).keys()].filter((i) => list.every((o) => o[i] === "DOUBLE"));
      if (positions.length === 0) continue;
      if (!out.has(f)) out.set(f, new Map());
      out.get(f)!.set(arity, positions);
    }
  }
  return out;
}

/**
 * Constructs DuckDB cannot hand the compiler as a parse tree (PIVOT is not a SELECT to
 * `json_serialize_sql`; a sample's clause fails its round trip), refused by name with what to
 * write instead. Comments and quoted text are skipped before looking.
 */
function refuseByText(code: string, where: Origin): void {
  const bare = code.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  if (/\b(UN)?PIVOT\b/i.test(bare)) {
    throw new CompileError("PIVOT / UNPIVOT", where, "a pivot's columns come from the data, which a pipeline's fixed schema cannot follow; write one column per value: count(*) FILTER (WHERE k = 'a') AS a, ... with GROUP BY");
  }
  if (/\bTABLESAMPLE\b|\bUSING\s+SAMPLE\b/i.test(bare)) {
    throw new CompileError("a sample (TABLESAMPLE / USING SAMPLE)", where, "a sample is random, so a pipeline cannot take the notebook's; for a stable share of the stream keep rows by a hash of a key: WHERE md5_number(id) % 10 = 0");
  }
}
