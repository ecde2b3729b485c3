/**
 * The sample events a verb works on, per source (see gatherSamples). Shared
 * by `check` and `publish`, so publish proves exactly what check proves.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { silentLogger } from "../log.ts";
import { openKafkaSource, sampleArrival } from "../sources/kafka-source.ts";
import { captureDir, SourceRegistry } from "../sources/registry.ts";
import type { SourceEvent } from "../sources/source.ts";
import { counted } from "../../notebook/format/counted.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { demoSample } from "../sources/demo-source.ts";
import { decodePayload } from "../sources/decode.ts";
import { parseJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { formatOf, isParquet, parquetKeptTypes, parquetUnheldRefusal, readEvents, UnreadableEvent, withReaderSchema } from "../../edge/runner/read-inputs.ts";
import { describeQuery } from "../../edge/duckdb/describe.node.ts";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { quoteString } from "../../edge/duckdb/quote.ts";
import type { Schema } from "../../edge/plan/values.ts";
import { InputError, UsageError } from "./verb.ts";

/** Events from a file: a JSON array, or one JSON document per line. */
export function readEventsText(text: string, file: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let v: unknown;
    try {
      v = parseJsonLossless(trimmed, { duckdb: true });
    } catch (error) {
      // NDJSON whose first record is an array (a batch delivery): one record per line, as DuckDB reads it.
      if (!trimmed.includes("\n")) throw new InputError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      return ndjson(trimmed, file);
    }
    if (!Array.isArray(v)) throw new InputError(`${file}: expected a JSON array of events`);
    return v;
  }
  return ndjson(trimmed, file);
}

function ndjson(trimmed: string, file: string): unknown[] {
  return trimmed
    .split("\n")
    .map((line, i) => ({ line: line.trim(), i }))
    .filter((l) => l.line.length > 0)
    .map(({ line, i }) => {
      try {
        return parseJsonLossless(line, { duckdb: true });
      } catch (error) {
        throw new InputError(`${file} line ${i + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
    });
}

/**
 * A `--sample` file's events: NDJSON or a JSON array, or for a CSV source CSV (header line first), read as
 * the source reads its payloads. A JSON file that is compressed (gzip, zstd) or shaped otherwise
 * (pretty-printed records, CloudTrail's `{"Records": [...]}` export) is read as `runnel run --input` reads
 * it, so what can be backfilled can also be the sample. A Parquet file's columns named in `columnTypes`
 * (`parquetColumnTypes`) travel as `runnel run --input` hands them to a plan reading those types: a
 * DECIMAL as its exact text, which the check then loads as that DECIMAL.
 */
export async function readSampleFile(notebook: Notebook, source: string, path: string, columnTypes: Record<string, string> = {}): Promise<unknown[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(`--sample ${source}=${path}: cannot read the file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const csv = notebook.sources[source]?.format === "csv";
  const compressed = (bytes[0] === 0x1f && bytes[1] === 0x8b) || (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd);
  if (!compressed) {
    // A byte order mark at the start (spreadsheets export CSV with one) is skipped, as DuckDB skips it.
    // Bytes that are not UTF-8 are DuckDB's error and the pipeline's dead letters, never U+FFFD in a sample.
    let text: string | null = null;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
    } catch (error) {
      if (csv) throw new InputError(`--sample ${source}=${path}: the file is not UTF-8 (a Latin-1 or Windows-1252 export?); convert it, e.g. iconv -f latin1 -t utf-8`, { cause: error });
    }
    if (csv) return csvSample(text!, path);
    // JSON that is not UTF-8 is read line by line below, which names the line.
    if (text !== null) {
      try {
        return readEventsText(text, path);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
      }
    }
  } else if (csv) {
    throw new InputError(`--sample ${source}=${path}: a compressed CSV sample is not read; decompress it (the source reads CSV payloads as sent)`);
  }
  const events: unknown[] = [];
  const schema: Schema = Object.entries(columnTypes).map(([name, type]) => ({ name, type }));
  // An Avro sample of a source with a reader schema (`avro.schema`) is read in its shape, as `runnel run --input` reads the file.
  const [file] = withReaderSchema([{ path, mtimeMs: 0, format: formatOf(path, "ndjson") }], notebook.sources[source], source);
  for await (const batch of readEvents(file!, 10_000, "refuse", schema)) {
    for (const e of batch) {
      if (e instanceof UnreadableEvent) throw new InputError(`--sample ${source}=${path}: ${e.reason}`);
      events.push(e);
    }
  }
  return events;
}

/**
 * The columns of a Parquet sample file that hold a DECIMAL or a TIMESTAMP WITH TIME ZONE (at any depth),
 * with the type DuckDB reads them as (`DECIMAL(18,3)`, `STRUCT(x DECIMAL(18,3))`, `TIMESTAMP WITH TIME
 * ZONE`; `parquetKeptTypes`); empty for any other file. The sample's events are JSON, in which `read_json`
 * types 12.345 DOUBLE and `2024-01-02 10:00:00+00` VARCHAR: the check typed the source so, and the
 * published plan read, computed and wrote a DOUBLE where the file holds DECIMAL(18,3) (123456789012345.678
 * became 123456789012345.67, and `runnel run --input` of the same file then refused it), and text where it
 * holds TIMESTAMPTZ. A column of a type no pipeline holds (TIMESTAMP_NS) is refused, naming it and the
 * casts that make a sample of it; it was typed VARCHAR without a word.
 */
export async function parquetColumnTypes(path: string): Promise<Record<string, string>> {
  if (!(await isParquet({ path, mtimeMs: 0, format: formatOf(path, "ndjson") }))) return {};
  const db = await openDuckDB({ threads: 1 });
  try {
    const columns = await describeQuery(db, `SELECT * FROM read_parquet(${quoteString(path)})`);
    const { types, unheld } = parquetKeptTypes(columns);
    if (unheld !== null) throw new InputError(`--sample ${path}: ${parquetUnheldRefusal(path, unheld)}`);
    return types;
  } catch (error) {
    // A file DuckDB cannot read as Parquet: reading its events says why.
    if (error instanceof Error && /^duckdb: /.test(error.message)) return {};
    throw error;
  } finally {
    db.close();
  }
}

function csvSample(text: string, file: string): unknown[] {
  const decoded = decodePayload(text, "csv", 0);
  const bad = decoded.find((e) => !e.ok);
  if (bad && !bad.ok) throw new InputError(`${file}: ${bad.error}`);
  return decoded.map((e) => (e.ok ? e.value : null));
}

export interface SampleOptions {
  /** The notebook's file (names the webhook deliveries the gateway kept for it). */
  file: string;
  /** The gateway's state folder (default .runnel). */
  state?: string;
  /** Says where each sample came from. */
  say: (line: string) => void;
}

/** The samples of a notebook's sources, and the column types a typed sample file fixes (see `parquetColumnTypes`). */
export interface Samples {
  events: Record<string, unknown[]>;
  /** Per source, columns whose type is the sample file's, not what read_json infers from the events. */
  columnTypes: Record<string, Record<string, string>>;
  /** Per Kafka source sampled from its topic, each event's partition and offset (CheckOptions.arrival). */
  arrival: Record<string, { partition: number; offset: string }[]>;
  /** Per webhook source sampled from the deliveries the gateway kept: how many, and the folder they are in. */
  kept: Record<string, { count: number; dir: string }>;
}

/** "1 webhook delivery", "3 webhook deliveries". */
function deliveries(n: number): string {
  return counted(n, "webhook delivery", { plural: "webhook deliveries" });
}

/**
 * What to say when the cells do not compile over a sample of kept deliveries: DuckDB types the source
 * from those deliveries alone, so one test delivery (a ping) leaves out every field the cells read, and
 * "Referenced column "commits" not found" read as a fault of the notebook rather than of the sample.
 */
export function keptSampleHint(notebook: Notebook, file: string, kept: Samples["kept"], error?: unknown): string[] {
  // Only where DuckDB could not bind a cell over the sample: a refused construct or a syntax error is the
  // cell's whatever the sample, and the hint sent the user after the deliveries instead.
  if (error !== undefined && !(error instanceof Error && error.message.includes("DuckDB cannot bind the cell"))) return [];
  return Object.entries(kept).map(([name, { count, dir }]) => {
    const demo = notebook.sources[name]?.demo ? ` (\`npx runnel demo ${file} --source ${name} > ${name}.ndjson\` writes the demo stand-in's)` : "";
    return `  the sample of ${name} is the ${deliveries(count)} the gateway kept in ${dir}, and DuckDB types ${name} from ${count === 1 ? "it" : "them"} alone: a field the cells read that ${count === 1 ? "it does not have" : "none of them has"} is no column. Pass --sample ${name}=<file> with events that have the fields${demo}, or send deliveries that do`;
  });
}

/**
 * The sample of every source: a `--sample` file, else the webhook deliveries the gateway kept, else
 * for a Kafka source with no demo generator the newest events of its topic (as the notebook's sample
 * reads them), else the demo stand-in. A source with none of these is a usage error.
 */
export async function gatherSamples(notebook: Notebook, sampleArgs: string[], options: SampleOptions): Promise<Samples> {
  const samples: Record<string, unknown[]> = {};
  const columnTypes: Record<string, Record<string, string>> = {};
  const arrival: Record<string, { partition: number; offset: string }[]> = {};
  const kept: Samples["kept"] = {};
  for (const s of sampleArgs) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UsageError(`--sample expects <source>=<file>, got '${s}'`);
    const source = s.slice(0, eq);
    if (!notebook.sources[source]) {
      throw new UsageError(`--sample names source '${source}', which the notebook does not declare (${Object.keys(notebook.sources).join(", ")})`);
    }
    const path = s.slice(eq + 1);
    const types = notebook.sources[source]!.format === "csv" ? {} : await parquetColumnTypes(path);
    samples[source] = await readSampleFile(notebook, source, path, types);
    if (Object.keys(types).length > 0) {
      columnTypes[source] = types;
      options.say(`sample of ${source}: ${Object.entries(types).map(([c, t]) => `${c} ${t}`).join(", ")} as the Parquet file holds ${Object.keys(types).length === 1 ? "it" : "them"}`);
    }
  }
  const state = options.state ?? ".runnel";
  const registry = new SourceRegistry({ stateDir: state, demo: false, log: silentLogger });
  try {
    for (const [name, spec] of Object.entries(notebook.sources)) {
      if (samples[name]) continue;
      let events: unknown[] = [];
      if (spec.kind === "webhook") {
        // The gateway keeps deliveries by the notebook's path under its notebooks folder: a file elsewhere
        // has none of its own (one of the same name there is another notebook's).
        const key = relative(resolve("notebooks"), resolve(options.file));
        // Only read what the gateway kept; never create its folders.
        const dir = captureDir(state, key, name);
        if (key.startsWith("..") || isAbsolute(key) || !existsSync(dir)) continue;
        events = okValues(await (await registry.capture(key, spec)).sample(spec.sampleSize));
        if (events.length > 0) {
          kept[name] = { count: events.length, dir };
          // Kept deliveries win over the demo stand-in: one test delivery is then the whole sample.
          options.say(`sample of ${name}: the ${deliveries(events.length)} the gateway kept in ${kept[name]!.dir}${spec.demo ? ", not the demo stand-in" : ""}; --sample ${name}=<file> checks other events`);
        }
      } else if (spec.kind === "kafka" && !spec.demo) {
        const source = openKafkaSource(spec, "runnel-cli");
        try {
          const sampled = await source.sample(spec.sampleSize);
          events = okValues(sampled);
          const where = sampleArrival(sampled);
          if (where) arrival[name] = where;
        } catch (error) {
          throw new InputError(`source ${name}: cannot read a sample from topic ${spec.topic}: ${error instanceof Error ? error.message : String(error)}; or pass --sample ${name}=<file.ndjson>`, { cause: error });
        } finally {
          await source.close();
        }
        if (events.length === 0) throw new InputError(`source ${name}: topic ${spec.topic} has no events to sample; produce some, or pass --sample ${name}=<file.ndjson>`);
        options.say(`sample of ${name}: the ${events.length} newest events of topic ${spec.topic}`);
      }
      if (events.length > 0) samples[name] = events;
    }
  } finally {
    await registry.close();
  }
  for (const [name, spec] of Object.entries(notebook.sources)) {
    if (samples[name]) continue;
    if (!spec.demo) throw new InputError(`source ${name} has no --sample file and no demo generator; pass --sample ${name}=<file.${spec.format === "csv" ? "csv" : "ndjson"}>`);
    samples[name] = demoSample(spec, spec.demo, spec.sampleSize);
  }
  return { events: samples, columnTypes, arrival, kept };
}

function okValues(events: readonly SourceEvent[]): unknown[] {
  return events.flatMap((e) => (e.ok ? [e.value] : []));
}
