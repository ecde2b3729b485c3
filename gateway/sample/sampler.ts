import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEvents, openDuckDB, queryRows, quoteIdent, quoteString, stringifyJsonLossless, type DuckDB } from "../../edge/duckdb/index.node.ts";
import type { Row, Schema } from "../../edge/plan/values.ts";
import type { SourceEvent } from "../sources/source.ts";
import type { SourceFormat, SourceSpec } from "../../notebook/format/model.ts";
import { pinnedSourceSchema } from "../sources/metadata-schema.ts";
import { rowsToArrowIPC } from "./arrow.ts";
import { loadSample, rereadRepeatedKeys } from "./load-sample.ts";

/** What a sample is of: its source (whose options may add columns of fixed types), or only its format. */
export type SampleSource = SourceSpec | SourceFormat;

/** An event that did not decode, as the sample reports it beside the rows. */
export interface ErrorRow {
  error: string;
  /** The raw payload, cut at 16 KiB (`truncated` says so). */
  raw: string;
  truncated: boolean;
  receivedAt: number;
  meta?: Record<string, string | number>;
}

export interface TypedSample {
  schema: Schema;
  rows: Row[];
  errors: ErrorRow[];
}

const RAW_LIMIT = 16 * 1024;

/**
 * Types a sample the way the notebook's DuckDB will see it: the decoded events
 * go through DuckDB's JSON inference (`loadEvents`) into a table, read back as
 * values.ts rows, and from there to Arrow IPC or Parquet. Events that did not
 * decode are kept apart as error rows; they are not columns of the table, so
 * `SELECT *` in a notebook means what the published pipeline will see. One
 * native DuckDB serves the gateway; uses of it are serialised.
 */
export class Sampler {
  private db: Promise<DuckDB> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  /** Loads `events` into a fresh table and runs `work` on it; the table is dropped after. */
  withTable<T>(events: readonly SourceEvent[], work: (db: DuckDB, table: string, sample: TypedSample) => Promise<T>, source?: SampleSource): Promise<T> {
    const spec = typeof source === "object" ? source : undefined;
    const format = typeof source === "object" ? source.format : source;
    const run = async () => {
      this.db ??= openDuckDB({ threads: 2 });
      const db = await this.db;
      const table = `sample_${++this.counter}`;
      // An event the decoder refused for a repeated key is judged here, as read_json judges it among the others.
      const read = rereadRepeatedKeys(events, spec);
      const at = read.flatMap((e, i) => (e.ok ? [i] : []));
      if (at.length === 0) return work(db, table, { schema: [], rows: [], errors: events.filter((e) => !e.ok).map(toErrorRow) });
      try {
        const sample = await loadSample(db, table, at.map((i) => (read[i] as { value: unknown }).value), format);
        let loaded = sample.loaded;
        const refused = new Map([...sample.refused].map(([k, why]) => [at[k]!, why]));
        const values = at.flatMap((i) => (refused.has(i) ? [] : [(read[i] as { value: unknown }).value]));
        // In the order the events came; a refused one in DuckDB's words, with the text as it came.
        const errors = events.flatMap((e, i): ErrorRow[] => {
          if (!read[i]!.ok) return [toErrorRow(e as Extract<SourceEvent, { ok: false }>)];
          const why = refused.get(i);
          if (why === undefined) return [];
          const raw = e.ok ? stringifyJsonLossless(e.value, { duckdb: true }) : e.raw;
          return [toErrorRow({ ok: false, raw, error: `decode: ${why}`, receivedAt: e.receivedAt, ...(e.meta ? { meta: e.meta } : {}) })];
        });
        // Every event refused (records that are only NaN): no table, no columns, the error rows.
        if (refused.size === at.length) return await work(db, table, { schema: [], rows: [], errors });
        // The columns a source's options add keep their own types, whatever this sample holds.
        const pinned = pinnedSourceSchema(spec, loaded);
        if (pinned) loaded = await loadEvents(db, table, values, { format, schema: pinned });
        const { schema, rows } = await queryRows(db, `SELECT * FROM ${quoteIdent(table)}`);
        // The columns DuckDB named otherwise than their key (`ID_1` for `ID` after `id`) keep the key, and DuckDB's one
        // column of whole records (a topic of scalars, or of objects mixed with them) says so: the page's live tail
        // reads each event whole into it, where it read the event's key `json` and appended NULLs.
        const extras = new Map(loaded.filter((c) => c.key !== undefined || c.whole === true).map((c) => [c.name, c]));
        const keyed = extras.size === 0 ? schema : schema.map((c) => {
          const extra = extras.get(c.name);
          return extra === undefined ? c : { ...c, ...(extra.key !== undefined ? { key: extra.key } : {}), ...(extra.whole === true ? { whole: true } : {}) };
        });
        return await work(db, table, { schema: keyed, rows, errors });
      } finally {
        await db.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.then(() => undefined, () => undefined);
    return result;
  }

  /** The sample as typed rows and error rows. */
  type(events: readonly SourceEvent[], source?: SampleSource): Promise<TypedSample> {
    return this.withTable(events, async (_db, _table, sample) => sample, source);
  }

  /**
   * The sample as an Arrow IPC stream. The error rows travel in the schema's
   * metadata under `runnel.errors` (a JSON array of ErrorRow).
   */
  async arrow(events: readonly SourceEvent[], source?: SampleSource): Promise<{ ipc: Uint8Array; sample: TypedSample }> {
    const sample = await this.type(events, source);
    const ipc = rowsToArrowIPC(sample.schema, sample.rows, { "runnel.errors": JSON.stringify(sample.errors) });
    return { ipc, sample };
  }

  /** Writes the sample's rows to `file` as Parquet with DuckDB's own writer; returns the row count. */
  parquet(events: readonly SourceEvent[], file: string, source?: SampleSource): Promise<{ rows: number; schema: Schema }> {
    return this.withTable(events, async (db, table, sample) => {
      if (sample.schema.length === 0) throw new Error("share: a source with no decoded events has no columns to write as Parquet");
      await db.run(`COPY ${quoteIdent(table)} TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`);
      return { rows: sample.rows.length, schema: sample.schema };
    }, source);
  }

  /** The sample's rows as Parquet bytes (through a temporary file, DuckDB's writer needs one). */
  async parquetBytes(events: readonly SourceEvent[], source?: SampleSource): Promise<Uint8Array> {
    const dir = await mkdtemp(join(tmpdir(), "runnel-share-"));
    try {
      const file = join(dir, "sample.parquet");
      await this.parquet(events, file, source);
      return new Uint8Array(await readFile(file));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await this.queue;
    const db = this.db;
    this.db = null;
    if (db) (await db).close();
  }
}

function toErrorRow(event: Extract<SourceEvent, { ok: false }>): ErrorRow {
  const truncated = event.raw.length > RAW_LIMIT;
  return {
    error: event.error,
    raw: truncated ? event.raw.slice(0, RAW_LIMIT) : event.raw,
    truncated,
    receivedAt: event.receivedAt,
    ...(event.meta ? { meta: event.meta } : {}),
  };
}
