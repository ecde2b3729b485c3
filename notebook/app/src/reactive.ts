import * as Plot from "@observablehq/plot";
import { type Module, type Observer, Runtime, type Variable } from "@observablehq/runtime";
import { tableFromIPC } from "apache-arrow";
import { type CellAnswer, GatewayCellError, type GatewayCellResult } from "./api.ts";
import { CellCancelled, CellError, SourceWaiting } from "./cell-error.ts";
import type { Connection } from "./duckdb.ts";
import { compileJs, type CompiledJs, instantiateJs } from "./js-cell.ts";
import { type Column, type Rows, toRows } from "./rows.ts";
import { type Batches, firstRows, sendAll, type SendingConnection } from "./pending.ts";
import { isSandboxed } from "./sandbox/protocol.ts";
import { jsonFailureHint } from "./json-hint.ts";
import type { JsonTypes } from "./json-types.ts";
import { retypeSampleTable } from "./retype.ts";
import { NotInSnapshot } from "./shared-cells.ts";
import { missingExtension, quoteIdent, readSqlError, stripTrailingSemicolons, withoutMissingFunction } from "./sql.ts";
import type { ReadTableNames } from "./table-names.ts";

/** A cell as the runtime needs it; `key` is stable across edits and moves. */
export interface CellSpec {
  key: string;
  /** How messages name the cell: its name or "#3". */
  label: string;
  language: "sql" | "js";
  /** The name the cell binds (`id=`), or null. */
  name: string | null;
  code: string;
}

/**
 * A SQL cell's value. JavaScript cells that reference the cell receive
 * `rows()`: every row, fetched only when some JavaScript cell reads the cell;
 * otherwise the page gets the row count and the first rows, and the result
 * stays in DuckDB's worker.
 */
export interface QueryResult {
  kind: "query";
  columns: Column[];
  numRows: number;
  /** The first rows, for the result table. */
  preview: Rows;
  rows(): Rows;
  /** The relation to SUMMARIZE for the cell's profile: its view, or its SQL. */
  relation: string;
  /** Set when the cell ran on the gateway's native DuckDB instead of the browser's. */
  gateway?: GatewayRun;
}

/** How a cell's result came from the gateway's DuckDB. */
export interface GatewayRun {
  /** When the gateway read the samples (the browser's tables have had the live tail since). */
  ranAt: Date;
  /** The events of each source's sample the gateway ran over. */
  samples: Record<string, number>;
  /** Rows the page holds (the gateway sends at most its bound); `numRows` counts them all. */
  held: number;
  /** Why: the extension the browser's DuckDB lacks, or the gateway-run cells this one reads. */
  because: { extension: string } | { reads: string[] };
  /** The result a shared snapshot keeps: the sharer's page had it from the gateway when it was shared. */
  fromSnapshot: boolean;
}

/**
 * Runs a SQL cell on the gateway's native DuckDB (`POST /api/cells`), for what the browser's
 * DuckDB-WASM cannot run. In a shared snapshot, which has no gateway to ask, it answers with the
 * results the sharer's page had (`snapshotRunner`).
 */
export type GatewayRunner = (spec: CellSpec) => Promise<GatewayCellResult>;

export function isQueryResult(value: unknown): value is QueryResult {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "query";
}

/** Runs a JavaScript cell given its inputs (already rows, never QueryResults). */
export type JsRunner = (spec: CellSpec, compiled: CompiledJs, inputs: unknown[]) => unknown;

/** Runs JavaScript in this page: the notebook's own code, opened by its owner. */
export const runInPage: JsRunner = (_spec, compiled, inputs) => instantiateJs(compiled)(...inputs);

const PREVIEW_ROWS = 200;

/** Types whose values the result table shows as Arrow hands them to JavaScript, exactly. */
const SHOWN_AS_IS = /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UUID|JSON)$/;

/**
 * The select list of a result table's rows: every column whose JavaScript value would not print as
 * DuckDB prints it is cast to VARCHAR, so the table shows DuckDB's own text — an INTERVAL (`1 year
 * 2 months`; Arrow's JavaScript reader decodes it wrongly), a TIME, a TIMESTAMP to the microsecond,
 * a DOUBLE's shortest digits, a DECIMAL(38) or HUGEINT without rounding, a nested value. JavaScript
 * cells still get typed values (`toRows`). Null when nothing needs a cast, or when two columns share
 * a name (a select list could not tell them apart).
 */
export function previewSelect(columns: readonly Column[]): string | null {
  if (new Set(columns.map((c) => c.name)).size !== columns.length) return null;
  if (columns.every((c) => SHOWN_AS_IS.test(c.type))) return null;
  return columns.map((c) => (SHOWN_AS_IS.test(c.type) ? quoteIdent(c.name) : `CAST(${quoteIdent(c.name)} AS VARCHAR) AS ${quoteIdent(c.name)}`)).join(", ");
}

/** The name of the variable that ticks when a source table changes; not a JS identifier, so no cell can shadow it. */
export function sourceVariable(source: string): string {
  return `source ${source}`;
}

interface Entry {
  spec: CellSpec;
  variable: Variable;
  /** The name the variable is defined under (and the view, for SQL). */
  bound: string | null;
  /** DuckDB's table references for the code they were computed from. */
  tables: { code: string; names: string[] } | null;
  /** JavaScript cells: the names they read. */
  reads: string[];
  /** SQL cells: whether the definition fetches every row (some JavaScript cell reads it). */
  fetchesAll: boolean;
  /** SQL cells: runs of the cell, one after another (see `enqueue`). */
  chain: Promise<unknown>;
  ticket: number;
  /** SQL cells: the run going now, which Stop cancels. */
  run: RunControl | null;
  /** SQL cells: the connection the cell's queries run on (see `Database.connect`). */
  conn: Promise<Connection> | null;
  /** SQL cells: the code whose run the person stopped; it is not run again until the cell is run. */
  stopped: string | null;
}

/** One run of a SQL cell, which Stop (or a newer explicit run) cancels. */
interface RunControl {
  cancelled: boolean;
  /** The connection its pending query runs on while one does (`cancelSent` ends it there). */
  sending: Connection | null;
  /** Rejects when the run is cancelled: what a wait outside DuckDB (the gateway's answer) races. */
  stopped: Promise<never>;
  stop(): void;
}

function newRun(): RunControl {
  let reject!: () => void;
  const stopped = new Promise<never>((_, no) => {
    reject = () => no(new Error("cancelled"));
  });
  stopped.catch(() => undefined);
  return { cancelled: false, sending: null, stopped, stop: reject };
}

/** Thrown inside a run the person stopped; `query` turns it into the cell's `CellCancelled`. */
class RunCancelled extends Error {
  override name = "RunCancelled";
}

/** Thrown by a run the runtime has already superseded; the runtime ignores its outcome. */
class SupersededRun extends Error {
  override name = "SupersededRun";
}

/**
 * The notebook as an `@observablehq/runtime` module: one variable per cell,
 * one per source. A SQL cell's inputs are the names DuckDB's parser finds in
 * it (`getTableNames`) that are sources or named SQL cells; a named SQL cell
 * is also a DuckDB view. Editing a cell redefines its variable, so the
 * runtime recomputes exactly its dependents; a failure rejects the variable,
 * and dependents receive the runtime's error naming the failed input.
 */
export class ReactiveNotebook {
  private readonly runtime: Runtime;
  private readonly module: Module;
  private readonly entries = new Map<string, Entry>();
  private readonly sources = new Map<string, { variable: Variable; version: number }>();
  /** Each cell's last result from the gateway, reused while the gateway's answer is the same one. */
  private readonly gatewayResults = new Map<string, { answer: GatewayCellResult; all: boolean; name: string | null; code: string; result: QueryResult }>();
  /**
   * Cells whose code the browser's DuckDB failed for want of an extension: while no cell changes,
   * a recompute goes straight to the gateway. Trying the browser first on every tick of a live
   * source would make DuckDB-WASM fetch icu again each time (it does so for a TIMESTAMPTZ
   * function whatever autoloading says; a 404 in the console every second).
   */
  private readonly needsExtension = new Map<string, { code: string; extension: string; failure: string }>();

  constructor(
    private readonly conn: Connection,
    private readonly observe: (key: string) => Observer,
    private readonly runJs: JsRunner = runInPage,
    builtins: Record<string, unknown> = {},
    private readonly gateway: GatewayRunner | null = null,
    /** What a SQL text reads; `tableNameReader` in the app (DuckDB-WASM's own `getTableNames` expands views). */
    private readonly getTableNames: ReadTableNames = (sql) => conn.getTableNames(sql),
    /**
     * A new connection to the same database for each SQL cell's queries (`Database.connect`), so a
     * slow cell leaves the others running; without it every cell's queries share `conn`, one at a time.
     */
    private readonly connect: (() => Promise<Connection>) | null = null,
  ) {
    this.runtime = new Runtime({ Plot, ...builtins });
    this.module = this.runtime.module();
  }

  /** Says JSON in a result's column types where DuckDB with json would (this DuckDB has no JSON type). */
  private jsonTypes: JsonTypes | null = null;

  /** Describes results with `types` (`json-types.ts`): a JSON source column read through a cell is JSON in its header. */
  useJsonTypes(types: JsonTypes): void {
    this.jsonTypes = types;
  }

  addSource(name: string): void {
    const existing = this.sources.get(name);
    if (existing !== undefined) {
      // Opened again (its entry was edited on the page): its readers wait for the new table instead
      // of reading the old one, or failing on the table dropped meanwhile.
      const failure = new SourceWaiting(name);
      existing.variable.define(sourceVariable(name), [], () => Promise.reject(failure));
      return;
    }
    const variable = this.module.variable().define(sourceVariable(name), [], () => 0);
    this.sources.set(name, { variable, version: 0 });
    this.redefineAll();
  }

  /** A source taken out of the notebook: its variable goes, and a cell naming it reads an unknown name. */
  removeSource(name: string): void {
    const source = this.sources.get(name);
    if (source === undefined) return;
    this.sources.delete(name);
    source.variable.delete();
    this.redefineAll();
  }

  /**
   * A source the front matter declares but whose entry has a problem: it has no table, so its
   * readers fail with `message` (what is wrong with the entry) rather than with DuckDB's "Table
   * with name … does not exist", and none of them is sent to the gateway's DuckDB, which has no
   * sample of it either.
   */
  addBrokenSource(name: string, message: string): void {
    const failure = new CellError(name, message, null);
    const existing = this.sources.get(name);
    if (existing !== undefined) {
      existing.variable.define(sourceVariable(name), [], () => Promise.reject(failure));
      return;
    }
    const variable = this.module.variable().define(sourceVariable(name), [], () => Promise.reject(failure));
    this.sources.set(name, { variable, version: 0 });
    this.redefineAll();
  }

  /**
   * A source whose sample could not be read (a broker that does not answer, a topic that is not
   * there) has no table either: its readers fail with `message`, the gateway's reason, rather than
   * with DuckDB's "Table with name … does not exist! Did you mean …", and none goes to the gateway.
   */
  failSource(name: string, message: string): void {
    const source = this.sources.get(name);
    if (source === undefined) return;
    const failure = new CellError(name, message, null);
    source.variable.define(sourceVariable(name), [], () => Promise.reject(failure));
  }

  /**
   * A source with no events has no table: its readers wait (and say why) instead of failing on a
   * missing table. `false` again once the table is there recomputes them.
   */
  setSourceWaiting(name: string, waiting: boolean): void {
    const source = this.sources.get(name);
    if (source === undefined) return;
    if (!waiting) return this.touchSource(name);
    const failure = new SourceWaiting(name);
    source.variable.define(sourceVariable(name), [], () => Promise.reject(failure));
  }

  /** The source table changed: recompute the cells that read it. */
  touchSource(name: string): void {
    const source = this.sources.get(name);
    if (source === undefined) return;
    const version = ++source.version;
    source.variable.define(sourceVariable(name), [], () => version);
  }

  /** Defines every cell; names are known up front so cells may reference later ones. */
  async setCells(specs: CellSpec[]): Promise<void> {
    for (const spec of specs) {
      if (!this.entries.has(spec.key)) this.entries.set(spec.key, { spec, variable: this.module.variable(this.observe(spec.key)), bound: null, tables: null, reads: [], fetchesAll: false, chain: Promise.resolve(), ticket: 0, run: null, conn: null, stopped: null });
      else this.entries.get(spec.key)!.spec = spec;
    }
    // DuckDB reads every SQL cell's tables first (kept per code), so the cells are then defined
    // together, before the runtime computes: a reader defined before the cell it reads would fail
    // on an unknown name for a moment.
    await Promise.all(specs.filter((spec) => spec.language === "sql").map((spec) => this.tableNames(this.entries.get(spec.key)!).catch(() => null)));
    await Promise.all(specs.map((spec) => this.setCell(spec)));
  }

  /** Defines or redefines one cell. */
  async setCell(spec: CellSpec): Promise<void> {
    // An edit may change what the cells reading this one need, so each is tried in the browser again.
    this.needsExtension.clear();
    let entry = this.entries.get(spec.key);
    if (entry === undefined) {
      entry = { spec, variable: this.module.variable(this.observe(spec.key)), bound: null, tables: null, reads: [], fetchesAll: false, chain: Promise.resolve(), ticket: 0, run: null, conn: null, stopped: null };
      this.entries.set(spec.key, entry);
    }
    const renamed = entry.spec.name !== spec.name || entry.spec.language !== spec.language;
    // Running the cell supersedes its run going now (it would finish first: a slow query, fixed and
    // run again, would wait for the slow one), and runs a stopped cell again. The run is cancelled once
    // the variable is defined anew, so the runtime ignores its end: cancelled before, it ended while the
    // variable was still its own, and the cell said "cancelled · the run was stopped" under a run going on.
    const superseded = entry.run;
    entry.stopped = null;
    entry.spec = spec;
    try {
      await this.define(entry);
    } finally {
      if (superseded !== null) this.cancelRun(superseded);
    }
    if (renamed) this.redefineAll(spec.key);
  }

  removeCell(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.needsExtension.clear();
    if (entry.run !== null) this.cancelRun(entry.run);
    entry.ticket++;
    void entry.conn?.then((conn) => conn.close()).catch(() => undefined);
    entry.variable.delete();
    if (entry.spec.language === "sql" && entry.bound !== null) void this.dropView(entry.bound);
    if (entry.spec.language === "sql") {
      this.gatewayResults.delete(key);
      void this.conn.query(`DROP TABLE IF EXISTS ${quoteIdent(gatewayTable(key))}`);
    }
    this.redefineAll();
  }

  /**
   * The gateway's answers the page shows now for the cells of `specs` (the text being shared), by
   * label: what a share keeps, since a shared snapshot cannot ask the gateway. A cell edited since
   * its answer (run or not), or whose last run failed, has none.
   */
  gatewayAnswers(specs: readonly CellSpec[]): CellAnswer[] {
    const answers: CellAnswer[] = [];
    for (const spec of specs) {
      const kept = this.gatewayResults.get(spec.key);
      if (kept !== undefined && kept.code === spec.code && kept.name === spec.name) answers.push({ cell: spec.label, answer: kept.answer });
    }
    return answers;
  }

  /**
   * Stops the SQL cell's run going now (Stop, Escape): DuckDB cancels its query, the cell shows that
   * it was cancelled, and it stays so (the live stream does not run it again) until it is run. False
   * when nothing of the cell was running.
   */
  stop(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.spec.language !== "sql" || entry.run === null) return false;
    this.cancelRun(entry.run);
    // A run queued behind this one (the stream's tick) is skipped, not started.
    entry.ticket++;
    entry.stopped = entry.spec.code;
    void this.define(entry);
    return true;
  }

  /** Whether some run of the SQL cell is going now. */
  isRunning(key: string): boolean {
    return this.entries.get(key)?.run != null;
  }

  private cancelRun(run: RunControl): void {
    if (run.cancelled) return;
    run.cancelled = true;
    run.stop();
    // DuckDB-WASM checks between the query's slices (about 100 ms) and the next poll fails "query was canceled".
    if (run.sending !== null) void run.sending.cancelSent().catch(() => undefined);
  }

  /** Whether `name` is bound by a cell (for telling a failed input from an unknown name). */
  isCell(name: string): boolean {
    for (const entry of this.entries.values()) if (entry.bound === name) return true;
    return false;
  }

  dispose(): void {
    this.runtime.dispose();
  }

  private redefineAll(except?: string): void {
    for (const entry of this.entries.values()) if (entry.spec.key !== except && entry.spec.language === "sql") void this.define(entry);
  }

  /** Whether some JavaScript cell reads the SQL cell bound to `name`. */
  private rowsWanted(name: string | null): boolean {
    if (name === null) return false;
    for (const entry of this.entries.values()) if (entry.spec.language === "js" && entry.reads.includes(name)) return true;
    return false;
  }

  /** Redefines SQL cells whose need for every row changed after JavaScript cells changed what they read. */
  private refetchWhereNeeded(): void {
    for (const entry of this.entries.values()) {
      if (entry.spec.language === "sql" && entry.bound !== null && entry.fetchesAll !== this.rowsWanted(entry.spec.name)) void this.define(entry);
    }
  }

  private async define(entry: Entry): Promise<void> {
    const spec = entry.spec;
    if (spec.language === "js") return this.defineJs(entry);
    const previous = entry.bound;
    let names: string[];
    try {
      names = await this.tableNames(entry);
    } catch (cause) {
      const problem = readSqlError(cause instanceof Error ? cause.message : String(cause), spec.code);
      const failure = new CellError(spec.label, problem.message, problem.line, { cause, column: problem.column, key: spec.key });
      // A newer edit may have landed while DuckDB parsed this one; only the newest defines. A cell
      // removed meanwhile (deleted, or the page rebuilt its cells) must not come back: defining its
      // deleted variable would put its name in the module twice ("x is defined more than once").
      if (entry.spec !== spec || this.entries.get(spec.key) !== entry) return;
      entry.bound = spec.name;
      entry.variable.define(spec.name, [], () => Promise.reject(failure));
      return;
    }
    if (entry.spec !== spec || this.entries.get(spec.key) !== entry) return;
    if (entry.stopped !== null && entry.stopped === spec.code) {
      // Stopped: no input's change runs it again (a slow query over a live source would start each second).
      const stopped = new CellCancelled(spec.label, spec.key);
      entry.bound = spec.name;
      entry.variable.define(spec.name, [], () => Promise.reject(stopped));
      return;
    }
    const inputs = this.resolveTables(names, spec.key);
    if (previous !== null && previous !== spec.name) void this.dropView(previous);
    entry.bound = spec.name;
    const all = this.rowsWanted(spec.name);
    entry.fetchesAll = all;
    entry.variable.define(spec.name, inputs, (...values: unknown[]) =>
      this.enqueue(entry, spec, all, inputs.filter((_, i) => isQueryResult(values[i]) && values[i].gateway !== undefined)),
    );
  }

  private defineJs(entry: Entry): void {
    const spec = entry.spec;
    let compiled: CompiledJs;
    try {
      compiled = compileJs(spec.label, spec.code);
    } catch (failure) {
      if (failure instanceof CellError) failure.key = spec.key;
      entry.bound = spec.name;
      entry.reads = [];
      entry.variable.define(spec.name, [], () => Promise.reject(failure));
      this.refetchWhereNeeded();
      return;
    }
    const name = spec.name ?? compiled.name;
    entry.bound = name;
    entry.reads = compiled.references;
    this.refetchWhereNeeded();
    entry.variable.define(name, compiled.references, (...values: unknown[]) =>
      this.runJs(spec, compiled, values.map((value) => (isQueryResult(value) ? value.rows() : isSandboxed(value) ? value.value : value))),
    );
  }

  private async tableNames(entry: Entry): Promise<string[]> {
    const code = entry.spec.code;
    if (entry.tables?.code === code) return entry.tables.names;
    const names = code.trim() === "" ? [] : await this.readTableNames(stripTrailingSemicolons(code));
    entry.tables = { code, names };
    return names;
  }

  /**
   * DuckDB's table references. DuckDB-WASM's `getTableNames` looks functions up in its catalog, so
   * a json function fails it here; when the gateway can run such a cell, the function is swapped
   * for a core one (`withoutMissingFunction`) to read the same table names. Without a gateway the
   * error stands, with its note.
   */
  private async readTableNames(sql: string): Promise<string[]> {
    let text = sql;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getTableNames(text);
      } catch (error) {
        const message = readSqlError(error instanceof Error ? error.message : String(error), text).message;
        const swapped = this.gateway === null || attempt >= 8 ? null : withoutMissingFunction(text, message);
        if (swapped === null || swapped === text) throw error;
        text = swapped;
      }
    }
  }

  /** Maps DuckDB's table references to variables: sources and named SQL cells (case-insensitively, as DuckDB does). */
  private resolveTables(names: string[], self: string): string[] {
    const inputs = new Set<string>();
    for (const raw of names) {
      const name = (raw.split(".").pop() ?? raw).toLowerCase();
      for (const source of this.sources.keys()) if (source.toLowerCase() === name) inputs.add(sourceVariable(source));
      for (const entry of this.entries.values()) {
        if (entry.spec.key !== self && entry.spec.language === "sql" && entry.spec.name?.toLowerCase() === name) inputs.add(entry.spec.name);
      }
    }
    return [...inputs];
  }

  /**
   * Runs a SQL cell after its previous run finished. The runtime does not
   * cancel a superseded computation, and two runs of one named cell must not
   * interleave: an old `CREATE OR REPLACE VIEW` landing after the new one
   * would show the old query's rows. A queued run that is no longer the
   * newest is skipped, so a fast stream cannot pile up runs.
   */
  private enqueue(entry: Entry, spec: CellSpec, all: boolean, viaGateway: string[]): Promise<QueryResult> {
    const ticket = ++entry.ticket;
    const run = entry.chain.then(async () => {
      if (ticket !== entry.ticket) throw new SupersededRun(`cell ${spec.label}: run ${ticket} was superseded by run ${entry.ticket}`);
      const control = newRun();
      entry.run = control;
      try {
        // A cell reading a cell the gateway ran runs there too: its input exists whole only there, over the same samples.
        if (viaGateway.length > 0 && this.gateway !== null) return await this.queryOnGateway(spec, all, { reads: viaGateway }, null, control);
        return await this.query(entry, spec, all, control);
      } catch (failure) {
        if (control.cancelled) throw new CellCancelled(spec.label, spec.key);
        throw failure;
      } finally {
        if (entry.run === control) entry.run = null;
      }
    });
    // A failed run leaves no gateway result behind: the page shows the failure, and a share must not keep older rows.
    run.catch((failure: unknown) => {
      if (!(failure instanceof SupersededRun) && ticket === entry.ticket) this.gatewayResults.delete(spec.key);
    });
    entry.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The cell's own connection (created on its first run), or the page's when there is no `connect`. */
  private cellConnection(entry: Entry): Promise<Connection> {
    if (this.connect === null) return Promise.resolve(this.conn);
    if (entry.conn === null) {
      entry.conn = this.connect();
      // A failed connect is tried again on the next run.
      entry.conn.catch(() => {
        entry.conn = null;
      });
    }
    return entry.conn;
  }

  /**
   * "json" when DuckDB-WASM refused a field of a JSON column (`meta.ref.x`): DuckDB with json reads it
   * (as JSON), the pipeline too, but this DuckDB holds the column as VARCHAR and said "Cannot extract
   * field 'ref' from expression "meta" because it is not a struct, union, map, or json". An object field
   * that one sender wrote as a string makes the column JSON, and the cell failed only in the notebook.
   */
  private jsonFieldAccess(message: string): string | null {
    const column = /Cannot extract field '[^']*' from expression "([^".]+)[^"]*" because it is not a struct, union, map, or json/.exec(message)?.[1];
    return column !== undefined && this.jsonTypes?.holdsJson(column) === true ? "json" : null;
  }

  /**
   * Runs `sql` on `conn` as a pending query (`send`): DuckDB-WASM's worker runs it in slices, other
   * connections' statements between them, and `cancelRun` can end it. Reads every batch of the result.
   */
  private async select(conn: Connection, sql: string, control: RunControl): Promise<Batches> {
    if (control.cancelled) throw new RunCancelled();
    control.sending = conn;
    try {
      const table = await sendAll(conn as unknown as SendingConnection, sql);
      if (control.cancelled) throw new RunCancelled();
      return table;
    } finally {
      control.sending = null;
    }
  }

  private async query(entry: Entry, spec: CellSpec, all: boolean, control: RunControl): Promise<QueryResult> {
    const known = this.needsExtension.get(spec.key);
    if (known !== undefined && known.code === spec.code && this.gateway !== null) return this.queryOnGateway(spec, all, { extension: known.extension }, known.failure, control);
    const sql = stripTrailingSemicolons(spec.code);
    let prefix = 0;
    try {
      const conn = await this.cellConnection(entry);
      let relation = `(${sql})`;
      if (spec.name !== null) {
        relation = quoteIdent(spec.name);
        const create = `CREATE OR REPLACE VIEW ${relation} AS `;
        prefix = create.length;
        await this.conn.query(create + sql);
        // Later statements are not the cell's text, so their positions say nothing about its lines.
        prefix = Number.POSITIVE_INFINITY;
      }
      let columns = await this.describe(spec.name !== null ? relation : sql);
      if (columns !== null && this.jsonTypes !== null) columns = await this.jsonTypes.shown(sql, columns);
      if (spec.name !== null) this.jsonTypes?.setCell(spec.name, columns);
      // The browser's DuckDB takes the cell now; a result the gateway gave before is not the view's any more.
      this.gatewayResults.delete(spec.key);
      if (all) {
        const table = await this.select(conn, `SELECT * FROM ${relation}`, control);
        let converted: Rows | null = null;
        const rows = () => (converted ??= toRows(table, columns));
        const shown = columns === null ? null : previewSelect(columns);
        const preview = shown === null ? toRows(firstRows(table, PREVIEW_ROWS), columns) : toRows(await this.select(conn, `SELECT ${shown} FROM ${relation} LIMIT ${PREVIEW_ROWS}`, control), columns);
        return { kind: "query", columns: columns ?? rows().columns, numRows: table.numRows, preview, rows, relation };
      }
      const shown = columns === null ? null : previewSelect(columns);
      const head = await this.select(conn, columns === null ? sql : `SELECT ${shown ?? "*"} FROM ${relation} LIMIT ${PREVIEW_ROWS}`, control);
      const preview = toRows(head, columns);
      // A preview short of its limit holds every row: counting them again would run the cell's query a
      // second time (twice the wait for a slow aggregate), and a cell that samples or calls random()
      // would count other rows than the table shows.
      const numRows =
        columns === null || head.numRows < PREVIEW_ROWS ? head.numRows : Number((await this.select(conn, `SELECT count(*)::DOUBLE AS n FROM ${relation}`, control)).getChildAt(0)?.get(0) ?? 0);
      const rows = (): Rows => {
        throw new Error(`cell ${spec.label}: its rows were not fetched because no JavaScript cell read it`);
      };
      return { kind: "query", columns: columns ?? preview.columns, numRows, preview, rows, relation };
    } catch (cause) {
      if (control.cancelled) throw new RunCancelled();
      const problem = readSqlError(cause instanceof Error ? cause.message : String(cause), sql, prefix);
      const extension = missingExtension(problem.message) ?? this.jsonFieldAccess(problem.message);
      if (extension !== null && this.gateway !== null) {
        this.needsExtension.set(spec.key, { code: spec.code, extension, failure: problem.message });
        return this.queryOnGateway(spec, all, { extension }, problem.message, control);
      }
      // This DuckDB holds JSON as VARCHAR and says VARCHAR where the pipeline's says JSON; bound over the
      // JSON-marked stand-ins, the error is DuckDB's with json, and the page says what happened.
      const json = /VARCHAR/.test(problem.message) && this.jsonTypes !== null ? await this.jsonTypes.failure(sql) : null;
      if (json !== null && sameKind(json.raw, problem.message)) {
        const message = readSqlError(json.raw, sql, json.prefix).message;
        const at = problem.line === null || problem.column === null ? null : offsetOf(sql, problem.line, problem.column);
        const hint = jsonFailureHint(json, new Set(this.sources.keys()), sql, at);
        throw new CellError(spec.label, message, problem.line, { cause, column: problem.column, key: spec.key, hint });
      }
      throw new CellError(spec.label, problem.message, problem.line, { cause, column: problem.column, key: spec.key });
    }
  }

  /**
   * Runs the cell on the gateway's DuckDB and holds its rows in a table of this DuckDB
   * (`__gateway_<key>`, typed from the gateway's `duckdb.type`s), so the result table, the profile
   * and JavaScript cells read it like any result; a named cell's view selects from it.
   * `browserFailure` is what the browser's DuckDB said, kept in the message if the gateway refuses too.
   */
  private async queryOnGateway(spec: CellSpec, all: boolean, because: GatewayRun["because"], browserFailure: string | null, control: RunControl): Promise<QueryResult> {
    let answer: GatewayCellResult;
    try {
      // Stop does not wait for the gateway's answer (its DuckDB finishes the query; the answer is dropped).
      answer = await Promise.race([this.gateway!(spec), control.stopped]);
    } catch (cause) {
      if (control.cancelled) throw new RunCancelled();
      const why = "extension" in because ? null : `It reads ${because.reads.join(", ")}, which ran on the gateway's DuckDB, so it runs there too.`;
      if (cause instanceof GatewayCellError && cause.status === 422) {
        const own = cause.cell === null || cause.cell === spec.label;
        const note = why ?? `(On the gateway's DuckDB: the notebook's in-browser DuckDB has no ${"extension" in because ? because.extension : ""} extension.)`;
        throw new CellError(spec.label, `${cause.message}\n\n${note}`, own ? cause.line : null, { cause, column: own ? cause.column : null, key: spec.key });
      }
      const reason = cause instanceof Error ? cause.message.replace(/^cells: /, "") : String(cause);
      const first = browserFailure ?? why ?? "";
      const then = cause instanceof NotInSnapshot ? reason : `The gateway's DuckDB could not run it either: ${reason}`;
      throw new CellError(spec.label, `${first}\n\n${then}`.trim(), null, { cause, key: spec.key });
    }
    const last = this.gatewayResults.get(spec.key);
    if (last !== undefined && last.answer === answer && last.all === all && last.name === spec.name) return last.result;
    const table = gatewayTable(spec.key);
    try {
      await this.conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      const schema = tableFromIPC(answer.ipc).schema;
      // DuckDB-WASM takes the bytes over (the buffer is transferred to its worker); the answer may be asked for again.
      await this.conn.insertArrowFromIPCStream(answer.ipc.slice(), { name: table, create: true });
      await retypeSampleTable(this.conn, table, schema);
      const columns = schema.fields.map((f) => ({ name: f.name, type: f.metadata.get("duckdb.type") ?? String(f.type) }));
      let relation = quoteIdent(table);
      if (spec.name !== null) {
        relation = quoteIdent(spec.name);
        await this.conn.query(`CREATE OR REPLACE VIEW ${relation} AS SELECT * FROM ${quoteIdent(table)}`);
      }
      const shown = previewSelect(columns);
      const preview = toRows(await this.conn.query(`SELECT ${shown ?? "*"} FROM ${relation} LIMIT ${PREVIEW_ROWS}`), columns);
      const held = Number((await this.conn.query(`SELECT count(*)::DOUBLE AS n FROM ${relation}`)).getChildAt(0)?.get(0) ?? 0);
      let rows = (): Rows => {
        throw new Error(`cell ${spec.label}: its rows were not fetched because no JavaScript cell read it`);
      };
      if (all) {
        const whole = toRows(await this.conn.query(`SELECT * FROM ${relation}`), columns);
        rows = () => whole;
      }
      if (spec.name !== null) this.jsonTypes?.setCell(spec.name, columns);
      const result: QueryResult = { kind: "query", columns, numRows: answer.rows, preview, rows, relation, gateway: { ranAt: answer.ranAt, samples: answer.samples, held, because, fromSnapshot: answer.fromSnapshot === true } };
      this.gatewayResults.set(spec.key, { answer, all, name: spec.name, code: spec.code, result });
      return result;
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new CellError(spec.label, `the gateway ran the cell, but its rows could not be loaded into the notebook's DuckDB: ${message}`, null, { cause, key: spec.key });
    }
  }

  /** DuckDB's own type names for a relation, or null for statements DESCRIBE cannot take (PRAGMA, SUMMARIZE...). */
  private async describe(relationOrSql: string): Promise<Column[] | null> {
    let described;
    try {
      described = await this.conn.query(`DESCRIBE ${relationOrSql}`);
    } catch (error) {
      if (error instanceof Error && /Parser Error|syntax/i.test(error.message)) return null;
      throw error;
    }
    return described.toArray().map((row) => {
      const r = row.toJSON() as { column_name: string; column_type: string };
      return { name: r.column_name, type: r.column_type };
    });
  }

  private async dropView(name: string): Promise<void> {
    if (this.isCell(name)) return;
    await this.conn.query(`DROP VIEW IF EXISTS ${quoteIdent(name)}`);
  }
}

/** The table of this DuckDB that holds a cell's rows from the gateway. */
function gatewayTable(key: string): string {
  return `__gateway_${key}`;
}

/** Whether two DuckDB errors are of one kind (`Binder Error: No function matches…`), the raw one read as `readSqlError` reads it. */
function sameKind(raw: string, message: string): boolean {
  const kind = (text: string) => /^(\w+ Error: [^'"(]*)/.exec(text)?.[1] ?? null;
  const read = readSqlError(raw, "").message;
  return kind(read) !== null && kind(read) === kind(message);
}

/** The offset in `text` of 1-based `line` and `column`. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) offset = text.indexOf("\n", offset) + 1;
  return offset + column - 1;
}
