import { formatType, parseType, type TypeNode } from "../../../edge/plan/type-text.ts";
import type { Connection } from "./duckdb.ts";
import type { Column } from "./rows.ts";
import { replaceJson } from "./retype.ts";
import { quoteIdent } from "./sql.ts";

/** The attached, otherwise empty database whose tables stand in for the notebook's relations, JSON columns marked. */
const PROBE_DB = "__runnel_json_types";

/**
 * The stand-in type of a JSON value: like JSON it passes through a column reference, `*`, a view, a
 * struct field, a list element, MIN/MAX, CASE and GROUP BY, and casts to VARCHAR for a text function
 * (`lower(j)`, `j || 'x'` are VARCHAR, as in DuckDB with json); DuckDB prints it in DESCRIBE.
 */
const MARK = "ENUM('__runnel_json')";

const RELATIONS = `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
  UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary`;
const COLUMNS = `SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal ORDER BY table_name, column_index`;

/** A relation's columns that hold JSON (at any depth): name → DuckDB's type (`JSON`, `STRUCT(a JSON)`). */
export type JsonColumns = ReadonlyMap<string, string>;

/** A SQL cell's failure as DuckDB with json words it (`JsonTypes.failure`). */
export interface JsonFailure {
  /** DuckDB's error over the stand-ins, JSON named; read it with `readSqlError(raw, sql, prefix)`. */
  raw: string;
  prefix: number;
  /** The JSON columns the cell's text names, and the relation each is of. */
  columns: { relation: string; column: string }[];
}

/**
 * The types a SQL cell's result has in DuckDB with the json extension, which this DuckDB lacks: a
 * source column the gateway's DuckDB read as JSON is VARCHAR here, so `SELECT * FROM trips` said
 * VARCHAR in the table's header where the pipeline reads JSON. The cell is described again over
 * stand-ins of its inputs whose JSON columns have a type of their own (`MARK`); a column that
 * comes out marked where this DuckDB said VARCHAR is JSON. A cell over no JSON column costs
 * nothing more. Where DuckDB with json would combine JSON and a text literal to JSON
 * (`coalesce(j, 'x')`, a UNION with a literal) the stand-in gives VARCHAR, as before.
 */
export class JsonTypes {
  /** The JSON columns of named SQL cells' results, as described here. */
  private readonly cells = new Map<string, JsonColumns>();
  private probe: Promise<Connection> | null = null;
  private home: string | null = null;
  private mirrored: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The stand-ins' description of each cell text, by catalog and text (empty: they did not bind it). */
  private readonly described = new Map<string, { name: string; type: string }[]>();

  constructor(
    private readonly conn: Connection,
    /** Each source's JSON columns (`jsonColumns` of its sample's schema), read each time. */
    private readonly sourcesJson: () => ReadonlyMap<string, JsonColumns>,
  ) {}

  /** Records what a named cell's result holds as JSON (none: `null`), for the cells that read it. */
  setCell(name: string, columns: readonly Column[] | null): void {
    const json = new Map((columns ?? []).filter((c) => hasJson(c.type)).map((c) => [c.name, c.type] as const));
    if (json.size === 0) this.cells.delete(name);
    else this.cells.set(name, json);
  }

  /** Whether a source or named cell of the notebook holds a column `column` (any case) of type JSON itself. */
  holdsJson(column: string): boolean {
    const name = column.toLowerCase();
    for (const columns of [...this.cells.values(), ...this.sourcesJson().values()]) {
      for (const [c, type] of columns) if (c.toLowerCase() === name && type === "JSON") return true;
    }
    return false;
  }

  /**
   * Attaches the stand-ins' database. Called when the page opens, before a shared snapshot locks the
   * configuration (`enable_external_access = false`), as `tableNameReader` attaches its own.
   */
  async open(): Promise<void> {
    await this.connection();
  }

  /**
   * `columns` (DuckDB-WASM's description of `sql`) with JSON where DuckDB with json has it. A failure
   * here only costs the JSON names: the cell's result is shown with this DuckDB's types, and it is said
   * once in the console.
   */
  shown(sql: string, columns: Column[]): Promise<Column[]> {
    const next = this.queue.then(() => this.describe(sql, columns)).catch((cause: unknown) => {
      if (!this.warned) console.warn(new Error("json types: a result's JSON columns are shown as VARCHAR", { cause }));
      this.warned = true;
      return columns;
    });
    this.queue = next;
    return next;
  }

  private warned = false;

  /**
   * DuckDB's error for the SQL cell `sql`, which failed here, as DuckDB with json gives it: the cell bound
   * over the stand-ins fails naming JSON where this DuckDB named VARCHAR (`'*(JSON, INTEGER_LITERAL)'`),
   * the pipeline's words. With it, the JSON columns of the notebook's relations that the text names.
   * Null when no JSON column takes part in the failure: this DuckDB's error stands as it is.
   */
  failure(sql: string): Promise<JsonFailure | null> {
    const next = this.queue.then(() => this.bindFailure(sql)).catch((cause: unknown) => {
      if (!this.warned) console.warn(new Error("json types: a failed cell's error is shown as this DuckDB gives it", { cause }));
      this.warned = true;
      return null;
    });
    this.queue = next;
    return next;
  }

  private async bindFailure(sql: string): Promise<JsonFailure | null> {
    const ready = await this.prepared();
    if (ready === null) return null;
    // The stream runs a failing cell again about once a second: the same text over the same catalog is bound once.
    const key = `${ready.catalog}\n${sql}`;
    if (this.failures.has(key)) return this.failures.get(key)!;
    let raw: string | null = null;
    try {
      await ready.probe.query(`DESCRIBE ${sql}`);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      raw = error.message;
    }
    let failure: JsonFailure | null = null;
    if (raw !== null && raw.includes(MARK)) {
      const columns: { relation: string; column: string }[] = [];
      for (const [relation, json] of ready.json) {
        for (const column of json.keys()) if (namesColumn(sql, column) && !columns.some((c) => c.column === column)) columns.push({ relation, column });
      }
      failure = { raw: raw.replaceAll(MARK, "JSON"), prefix: "DESCRIBE ".length, columns };
    }
    if (this.failures.size >= 50) this.failures.clear();
    this.failures.set(key, failure);
    return failure;
  }

  private readonly failures = new Map<string, JsonFailure | null>();

  /**
   * The stand-ins' database mirroring the notebook's relations now, and which of them hold JSON; null
   * when none does (a notebook without JSON, most, asks DuckDB nothing more).
   */
  private async prepared(): Promise<{ probe: Connection; catalog: string; json: Map<string, JsonColumns> } | null> {
    const sources = this.sourcesJson();
    if (this.cells.size === 0 && ![...sources.values()].some((c) => c.size > 0)) return null;
    const relations = (await this.conn.query(RELATIONS)).toArray().map((row) => String((row.toJSON() as { name: string }).name));
    const json = new Map<string, JsonColumns>();
    for (const name of relations) {
      const found = this.cells.get(name) ?? sources.get(name);
      if (found !== undefined && found.size > 0) json.set(name, found);
    }
    if (json.size === 0) return null;
    const probe = await this.connection();
    const catalog = JSON.stringify([(await this.conn.query(COLUMNS)).toArray().map((row) => row.toJSON()), [...json].map(([r, c]) => [r, [...c]])]);
    if (catalog !== this.mirrored) {
      await this.mirror(probe, relations, json);
      this.mirrored = catalog;
    }
    return { probe, catalog, json };
  }

  private async describe(sql: string, columns: Column[]): Promise<Column[]> {
    if (!columns.some((c) => /VARCHAR/.test(c.type))) return columns;
    const ready = await this.prepared();
    if (ready === null) return columns;
    const { probe, catalog } = ready;
    // The stream recomputes a cell about once a second: the same text over the same catalog is described once.
    const key = `${catalog}\n${sql}`;
    let described = this.described.get(key);
    if (described === undefined) {
      try {
        described = (await probe.query(`DESCRIBE ${sql}`)).toArray().map((row) => {
          const r = row.toJSON() as { column_name: string; column_type: string };
          return { name: r.column_name, type: r.column_type };
        });
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        // The stand-ins do not bind the cell (a function with no overload for the marked type, a
        // statement DESCRIBE cannot take): its types stay as this DuckDB gives them.
        described = [];
      }
      if (this.described.size >= 200) this.described.clear();
      this.described.set(key, described);
    }
    if (described.length !== columns.length) return columns;
    return columns.map((column, i) => {
      const marked = described[i]!.type;
      if (!marked.includes(MARK)) return column;
      const type = marked.replaceAll(MARK, "JSON");
      // Only where the marked type is this one with JSON for VARCHAR (an ENUM of the cell's own stays so).
      return marked.replaceAll(MARK, "VARCHAR") === column.type ? { ...column, type } : column;
    });
  }

  private connection(): Promise<Connection> {
    this.probe ??= (async () => {
      const probe = await this.conn.bindings.connect();
      await probe.query(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdent(PROBE_DB)}`);
      this.home = String((await this.conn.query("SELECT current_database() AS d")).getChildAt(0)?.get(0));
      await probe.query(`USE ${quoteIdent(PROBE_DB)}`);
      return probe;
    })();
    return this.probe;
  }

  /** One empty table per relation of the notebook's database, its JSON columns of the marked type. */
  private async mirror(probe: Connection, relations: string[], json: ReadonlyMap<string, JsonColumns>): Promise<void> {
    const held = (await probe.query(`SELECT table_name AS name FROM duckdb_tables() WHERE database_name = '${PROBE_DB}'`)).toArray().map((row) => String((row.toJSON() as { name: string }).name));
    for (const name of held) if (!relations.includes(name)) await probe.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
    for (const name of relations) {
      try {
        await probe.query(`CREATE OR REPLACE TABLE ${quoteIdent(name)} AS SELECT * FROM ${quoteIdent(this.home!)}.main.${quoteIdent(name)} LIMIT 0`);
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        // A view that does not bind now has no columns to lend; a cell reading it fails on its own.
        await probe.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
        continue;
      }
      for (const [column, type] of json.get(name) ?? []) {
        const marked = markedType(type);
        if (marked === null) continue;
        try {
          await probe.query(`ALTER TABLE ${quoteIdent(name)} ALTER COLUMN ${quoteIdent(column)} SET DATA TYPE ${marked}`);
        } catch (error) {
          // The column is not what the sample said (renamed since): it is described as it is.
          if (!(error instanceof Error)) throw error;
        }
      }
    }
  }
}

/** Whether `sql` names `column` as a word (quoted or not, any case): where a JSON column may be what failed. */
function namesColumn(sql: string, column: string): boolean {
  const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w$])"?${escaped}"?($|[^\\w$])`, "i").test(sql);
}

/** Whether a DuckDB type text holds JSON at some depth. */
function hasJson(type: string): boolean {
  return /\bJSON\b/.test(type) && markedType(type) !== type;
}

/** `type` with its JSON parts as the stand-in type, or null when it does not parse. */
export function markedType(type: string): string | null {
  let node: TypeNode;
  try {
    node = parseType(type);
  } catch (error) {
    if (error instanceof Error) return null;
    throw error;
  }
  return formatType(mark(node));
}

function mark(t: TypeNode): TypeNode {
  return replaceJson(t, { kind: "other", text: MARK });
}
