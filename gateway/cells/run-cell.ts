import { cellLabel } from "../../notebook/format/parse.ts";
import type { Notebook, SourceSpec } from "../../notebook/format/model.ts";
import { buildGraph, type GraphCell } from "../../notebook/graph/index.ts";
import { readSqlRefs } from "../../notebook/graph/sql-refs.node.ts";
import { duckdbError, DuckDBError, loadEvents, openDuckDB, queryRows, quoteIdent, type DuckDB } from "../../edge/duckdb/index.node.ts";
import type { Row, Schema } from "../../edge/plan/values.ts";
import { GatewayError } from "../http/error.ts";
import { loadSample, rereadRepeatedKeys } from "../sample/load-sample.ts";
import { pinnedSourceSchema } from "../sources/metadata-schema.ts";
import type { SourceEvent } from "../sources/source.ts";

/** What running a cell needs besides the notebook: each source's sample as the gateway holds it now. */
export interface CellRunInputs {
  /** The notebook whose cells run (the text the browser shows). */
  notebook: Notebook;
  /** The source specs the gateway samples (the saved notebook's). */
  sources: Record<string, SourceSpec>;
  /** The newest events of a source, as `GET .../sample` reads them. */
  sample(spec: SourceSpec): Promise<SourceEvent[]>;
  /** The cell to run: its label (`id`, or `#n` for the n-th cell). */
  cell: string;
  /** At most this many rows come back. */
  maxRows: number;
  /** A run still going after this long is interrupted. */
  timeoutMs: number;
  now: () => number;
}

/** A cell's result on the gateway's DuckDB. */
export interface CellRun {
  cell: string;
  schema: Schema;
  /** The first `maxRows` rows, in the order DuckDB gave them. */
  rows: Row[];
  /** Every row the cell gives (`rows` may hold fewer). */
  total: number;
  /** When the samples were read (epoch ms). */
  ranAt: number;
  /** The events each source read had. */
  samples: Record<string, number>;
}

/** The view the run's cell becomes (upstream cells become views under their own names). */
const TARGET = "__runnel_cell";

/**
 * Runs one SQL cell of a notebook on a fresh native DuckDB (json and icu built in, TimeZone UTC),
 * over the samples the gateway holds now: each source the cell reads, directly or through other
 * cells, is loaded as the sample route types it (`loadEvents`), and every SQL cell it reads
 * becomes a view first, as in the notebook. External access is switched off and locked before any
 * cell's SQL runs. Refusals are GatewayErrors: 404 for an unknown cell, 400 for a JavaScript cell
 * or one that reads a JavaScript cell, 409 for a source with no events, 422 `sql_error` with the
 * failing cell, line and column for what DuckDB refuses (and for a run past `timeoutMs`).
 */
export async function runCell(inputs: CellRunInputs): Promise<CellRun> {
  const { notebook } = inputs;
  const target = notebook.cells.find((c) => cellLabel(c) === inputs.cell);
  if (target === undefined) {
    const known = notebook.cells.filter((c) => c.language === "sql").map(cellLabel);
    throw new GatewayError(404, "not_found", `cells: ${notebook.file} has no cell ${JSON.stringify(inputs.cell)}; its SQL cells are ${known.length > 0 ? known.join(", ") : "none"}`);
  }
  if (target.language !== "sql") {
    throw new GatewayError(400, "bad_request", `cells: cell ${inputs.cell} is JavaScript; the gateway's DuckDB runs SQL cells only`);
  }
  const db = await openDuckDB({ threads: 2 });
  try {
    const graph = await buildGraph(notebook, { sql: async (code) => readSqlRefs(code, String((await db.read("SELECT json_serialize_sql($1::VARCHAR)", [code])).getRows()[0]![0])) });
    const order = upstreamOrder(graph.cells, target.index);
    const sourceNames = new Set<string>();
    // Declared names too: a source whose entry has a problem is refused by name below, not left to DuckDB's "Table ... does not exist".
    const lowerSources = new Map([...Object.keys(notebook.sources), ...(notebook.declared?.sources ?? [])].map((name) => [name.toLowerCase(), name]));
    for (const index of order) {
      for (const ref of graph.cells[index]!.references) {
        const name = ref.kind === "source" ? lowerSources.get(ref.name.toLowerCase()) : undefined;
        if (name !== undefined) sourceNames.add(name);
      }
    }
    const samples: Record<string, number> = {};
    for (const name of sourceNames) {
      if (notebook.sources[name] === undefined) {
        throw new GatewayError(409, "conflict", `cells: source ${name} is declared under sources:, but its entry in the front matter has a problem, so the gateway has no sample of it; fix the entry, then run the cell again`);
      }
      // Own names only: a source named `constructor` in the page's text but not yet saved would find Object's.
      const spec = Object.hasOwn(inputs.sources, name) ? inputs.sources[name] : undefined;
      if (spec === undefined) throw new GatewayError(409, "conflict", `cells: source ${name} is not in the saved notebook yet; save it, then run the cell again`);
      // Events with a repeated key as the sample route reads them: kept where read_json keeps them.
      const decoded = rereadRepeatedKeys(await inputs.sample(spec), spec).flatMap((e) => (e.ok ? [e.value] : []));
      if (decoded.length === 0) throw new GatewayError(409, "conflict", `cells: source ${name} has no events yet; the cell runs once some arrive`);
      const { loaded, refused } = await loadSample(db, name, decoded, spec.format);
      const values = refused.size === 0 ? decoded : decoded.filter((_, i) => !refused.has(i));
      // As the sample route types it: the columns the source's options add keep their own types.
      const pinned = pinnedSourceSchema(spec, loaded);
      if (pinned) await loadEvents(db, name, values, { format: spec.format, schema: pinned });
      samples[name] = values.length;
    }
    const ranAt = inputs.now();
    // The cells' SQL is the notebook's, but this route makes it run on the gateway: no files, no URLs.
    await db.run("SET enable_external_access = false");
    // A cell that builds a huge result (a cross join of the samples) fails with DuckDB's out-of-memory
    // error instead of taking the gateway's memory; DuckDB spills what it can to its temp directory.
    await db.run("SET memory_limit = '1GB'");
    await db.run("SET lock_configuration = true");
    return await withTimeout(db, inputs.timeoutMs, inputs.cell, async () => {
      for (const index of order) {
        const cell = notebook.cells[index]!;
        if (cell.index === target.index || cell.id === null) continue;
        await createView(db, cell.id, cellLabel(cell), cell.code, inputs.cell);
      }
      await createView(db, TARGET, inputs.cell, target.code, inputs.cell);
      const total = Number((await db.read(`SELECT count(*) FROM ${quoteIdent(TARGET)}`)).getRows()[0]![0]);
      const { schema, rows } = await queryRows(db, `SELECT * FROM ${quoteIdent(TARGET)} LIMIT ${inputs.maxRows}`);
      return { cell: inputs.cell, schema, rows, total, ranAt, samples };
    });
  } catch (error) {
    if (error instanceof DuckDBError) throw sqlError(inputs.cell, inputs.cell, error);
    throw error;
  } finally {
    db.close();
  }
}

/**
 * The cells `target` reads, directly or through others, then `target`: each after the cells it
 * reads. A JavaScript cell among them is refused: its value exists only in the browser.
 */
function upstreamOrder(cells: GraphCell[], target: number): number[] {
  // Walked with a stack of its own, not by recursion: a notebook of thousands of chained cells
  // (a 1 MiB body holds 40,000) overflowed the call stack, a 500 instead of an answer.
  const order: number[] = [];
  const done = new Set<number>();
  const onPath = new Set<number>();
  const stack: { index: number; next: number }[] = [];
  const enter = (index: number): void => {
    const path = () => stack.map((frame) => frame.index);
    const cell = cells[index]!;
    if (onPath.has(index)) {
      throw new GatewayError(400, "bad_request", `cells: cells read each other in a cycle (${[...path(), index].map((i) => cells[i]!.label).join(" → ")})`);
    }
    if (cell.language === "js") {
      const first = cells[stack[0]!.index]!;
      const reader = cells[stack[stack.length - 1]!.index]!;
      throw new GatewayError(400, "bad_request", `cells: cell ${first.label} reads ${cell.label}${reader.index === first.index ? "" : ` (through ${reader.label})`}, a JavaScript cell, whose value exists only in the browser; the gateway's DuckDB runs SQL cells only, so it cannot run ${first.label}`);
    }
    stack.push({ index, next: 0 });
    onPath.add(index);
  };
  enter(target);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const deps = cells[frame.index]!.dependsOn;
    if (frame.next < deps.length) {
      const dep = deps[frame.next++]!;
      if (!done.has(dep)) enter(dep);
    } else {
      stack.pop();
      onPath.delete(frame.index);
      done.add(frame.index);
      order.push(frame.index);
    }
  }
  return order;
}

/** `CREATE VIEW name AS <code>` for cell `label`, read by the run of `target`; DuckDB's errors are placed in `code`. One statement only. */
async function createView(db: DuckDB, name: string, label: string, code: string, target: string): Promise<void> {
  const sql = code.replace(/[\s;]+$/u, "");
  const refuse = (error: unknown, prefix = ""): Error => {
    const read = duckdbError(error, sql, prefix);
    return read instanceof DuckDBError ? sqlError(target, label, read) : read;
  };
  let count: number;
  try {
    count = (await db.connection.extractStatements(sql)).count;
  } catch (error) {
    throw refuse(error);
  }
  if (count !== 1) throw new GatewayError(422, "sql_error", `cells: cell ${label} holds ${count} statements; a SQL cell is one query`, { extra: { cell: label, line: null, column: null } });
  const prefix = `CREATE OR REPLACE VIEW ${quoteIdent(name)} AS `;
  try {
    await db.connection.run(prefix + sql);
  } catch (error) {
    // Cell ids are ASCII identifiers (notebook/format's NAME), so the prefix is one ASCII line, as duckdbError needs.
    throw refuse(error, prefix);
  }
}

/** The 422 for a DuckDB error in cell `cell` during the run of `target`: DuckDB's text, and the cell, line and column it places it at. */
function sqlError(target: string, cell: string, error: DuckDBError): GatewayError {
  const position = error.position;
  const where = cell === target ? "" : `in cell ${cell}, which ${target} reads: `;
  return new GatewayError(422, "sql_error", `${where}${error.duckdbText}`, {
    cause: error,
    extra: { cell, line: position?.line ?? null, column: position?.column ?? null },
  });
}

/** Runs `work`, interrupting DuckDB when it takes longer than `ms`. */
async function withTimeout<T>(db: DuckDB, ms: number, label: string, work: () => Promise<T>): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    db.connection.interrupt();
  }, ms);
  try {
    return await work();
  } catch (error) {
    if (timedOut) {
      throw new GatewayError(422, "sql_error", `cells: cell ${label} ran longer than ${ms / 1000} s on the gateway's DuckDB and was stopped`, { cause: error, extra: { cell: label, line: null, column: null } });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
