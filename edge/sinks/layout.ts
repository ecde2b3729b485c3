import type { Row, Schema, Value } from "../plan/values.ts";
import { parseDuckType } from "../parquet/duck-type.ts";
import { valuesPastParquet } from "../parquet/schema.ts";
import { valueToText } from "../exec/functions/text.ts";
import { checkKey, compareKeys } from "./keys.ts";

/**
 * Object keys for a sink's output, per DESIGN.md "Output layout":
 *
 *   <prefix><sink>/<col>=<value>/.../<writer>-<first>-<last>.parquet
 *
 * Partition folders are Hive-style: values printed as DuckDB prints them,
 * then escaped as Hive and Spark escape path names; NULL is Hive's
 * `__HIVE_DEFAULT_PARTITION__`. Partition columns are left out of the files,
 * as DuckDB's PARTITION_BY and Spark's partitionBy do.
 */
export const HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

export interface LayoutOptions {
  /** The folder name for NULL (default `__HIVE_DEFAULT_PARTITION__`; DuckDB's own writer uses `NULL`). */
  nullValue?: string;
  /**
   * Given, `partitionRows` leaves out a row the sink cannot write (`UnwritableRow`: partition values
   * no key can hold, a value past its Parquet column) and hands it here with the reason, so a flush
   * writes the rest and makes it a dead letter instead of failing every retry; without it such a row throws.
   */
  onUnwritable?: (row: Row, reason: string) => void;
}

/** One group of rows sharing their partition values, ready to be encoded as one file. */
export interface Partition {
  /** `col=value/...` with a trailing slash; empty when there are no partition columns. */
  path: string;
  /** The partition columns' values, as the rows held them. */
  values: Row;
  /** The schema of the file body: the input schema without the partition columns. */
  schema: Schema;
  /** The input rows of this partition, as they came (they still hold the partition columns). */
  rows: Row[];
}

// Hive's FileUtils.escapePathName set (Spark's ExternalCatalogUtils is the same), with the
// characters it escapes only on Windows, so one layout works on every file system.
const ESCAPED = new Set(['"', "#", "%", "'", "*", "/", ":", "=", "?", "\\", "{", "}", "[", "]", "^", " ", "<", ">", "|"]);

/**
 * Percent-escapes a partition column name or value the way Hive does; readers (DuckDB, Spark, pyarrow)
 * unescape any `%XX`. U+FFFE and U+FFFF are escaped too, as their UTF-8 bytes (`%EF%BF%BF`, as DuckDB's
 * own PARTITION_BY writes every non-ASCII character): XML 1.0 cannot carry them, so an S3 listing
 * (versitygw) answered U+FFFD in their place, and a reader listing the lake asked for a key that is not there.
 */
export function escapePathSegment(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || ESCAPED.has(ch)) out += `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (code === 0xfffe || code === 0xffff) out += code === 0xffff ? "%EF%BF%BF" : "%EF%BF%BE";
    else out += ch;
  }
  return out;
}

/**
 * A partition value as DuckDB prints it (`CAST(v AS VARCHAR)`), which is what
 * DuckDB's own PARTITION_BY writes and what its hive reader casts back.
 */
export function formatPartitionValue(type: string, value: Value): string | null {
  if (value === null) return null;
  const t = parseDuckType(type);
  const fail = (): never => {
    throw new Error(`layout: cannot partition by a ${type} value`);
  };
  if (t.kind === "decimal") return formatDecimal(value as bigint, t.scale);
  // A LIST, STRUCT or MAP folder is its text, as DuckDB's PARTITION_BY writes it (`[1, 2]`, `{'a': x}`);
  // hive_types casts it back.
  if (t.kind !== "scalar") return valueToText(value, type);
  switch (t.name) {
    case "VARCHAR":
    case "UUID":
    case "JSON":
      return value as string;
    case "BOOLEAN":
      return value ? "true" : "false";
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "UTINYINT":
    case "USMALLINT":
    case "UINTEGER":
    case "BIGINT":
    case "UBIGINT":
    case "HUGEINT":
    case "UHUGEINT":
      return String(value);
    // DuckDB's shortest forms: 1.0, 1e-07, -0.0, 0.6666667 for a FLOAT (JS's String gives 1, 1e-7, 0, 0.6666666865348816).
    case "FLOAT":
    case "DOUBLE":
    // An INTERVAL as DuckDB prints it (36:00:00); a BLOB as its CAST text (\xFF escapes), which
    // hive_types = {..: BLOB} reads back as the same bytes (DuckDB's own writer refuses such a BLOB).
    case "INTERVAL":
    case "BLOB":
      return valueToText(value, t.name);
    // Dates and times as DuckDB prints them, BC and infinity included (`infinity`, `0001-12-31 (BC)`);
    // a TIMESTAMPTZ in UTC, where pipelines and the check run (`2026-01-01 00:00:00+00`).
    case "DATE":
    case "TIME":
    case "TIMESTAMP":
    case "TIMESTAMPTZ":
      return valueToText(value, t.name);
    default:
      return fail();
  }
}


function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}



/**
 * DuckDB's hive reader takes a folder value spelled NULL as SQL NULL (before
 * unescaping), so a string that is literally "NULL" gets its first letter
 * escaped: every reader still unescapes it to the same text. The same for a
 * string spelled like the null folder, which Hive and Spark compare before unescaping.
 */
function escapeValue(text: string, nullValue: string): string {
  const escaped = escapePathSegment(text);
  return /^null$/i.test(escaped) || escaped === nullValue ? `%${escaped.charCodeAt(0).toString(16).toUpperCase()}${escaped.slice(1)}` : escaped;
}

/** `col=value/...` for one row's partition values, escaped; with a trailing slash. */
export function partitionPath(columns: { name: string; type: string }[], values: Row, options: LayoutOptions = {}): string {
  let path = "";
  for (const { name, type } of columns) {
    const value = values[name];
    if (value === undefined) throw new Error(`layout: row has no value for partition column ${JSON.stringify(name)}`);
    const text = formatPartitionValue(type, value);
    const nullValue = options.nullValue ?? HIVE_NULL;
    const segment = `${escapePathSegment(name)}=${text === null ? nullValue : escapeValue(text, nullValue)}`;
    // Cheap first: a segment of up to 85 characters is at most 255 bytes (3 a character, escaped or UTF-8).
    if (segment.length > 85 && utf8.encode(segment).length > MAX_SEGMENT_BYTES) {
      throw new PartitionTooLong(`partition value of ${name} makes a folder name of ${utf8.encode(segment).length} bytes; object stores and file systems take at most ${MAX_SEGMENT_BYTES}: partition by a shorter value (left(x, 50), md5(x))`);
    }
    path += `${segment}/`;
  }
  if (path.length > MAX_PATH_BYTES / 3 && utf8.encode(path).length > MAX_PATH_BYTES) {
    throw new PartitionTooLong(`partition values make a path of ${utf8.encode(path).length} bytes; an object key takes at most 1024 with its prefix and file name, so the partition folders may take ${MAX_PATH_BYTES}: partition by shorter values`);
  }
  return path;
}

/** A folder name's limit on the usual file systems (NAME_MAX), and a key's budget for the partition folders (S3 keys are at most 1024 bytes). */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 768;
const utf8 = new TextEncoder();

/** A row the sink cannot write: a dead letter, not a failed flush (which would fail again on every retry). */
export class UnwritableRow extends Error {
  override name = "UnwritableRow";
}

/** A row whose partition values make no valid object key. */
export class PartitionTooLong extends UnwritableRow {
  override name = "PartitionTooLong";
}

/**
 * Groups rows by their partition values. Groups come out in key order and
 * rows keep their input order inside a group, so the same batch always
 * gives the same files. Partition columns are removed from each file's
 * schema; the rows are the input's own objects (not copied), so they still
 * hold the partition values, which a Parquet writer, reading only the
 * schema's columns, leaves out.
 */
export function partitionRows(schema: Schema, rows: Row[], partitionBy: string[], options: LayoutOptions = {}): Partition[] {
  const router = partitionRouter(schema, partitionBy, options, (key, body): Partition => ({ ...key, schema: body, rows: [] }));
  const { onUnwritable } = options;
  for (const row of rows) {
    if (!onUnwritable) {
      router.route(row).rows.push(row);
      continue;
    }
    try {
      router.route(row).rows.push(row);
    } catch (error) {
      if (!(error instanceof UnwritableRow)) throw error;
      onUnwritable(row, error.message);
    }
  }
  return router.partitions().map((p) => p.target);
}

/** A partition's folder and values, as `partitionRouter` tells its `open`. */
export interface PartitionKey {
  /** `col=value/...` with a trailing slash; empty when there are no partition columns. */
  path: string;
  /** The partition columns' values, as the first row of the partition held them. */
  values: Row;
}

/**
 * Finds each row's partition as rows arrive (`partitionRows` over a stream):
 * `open` makes a partition's target the first time one of its rows comes
 * (given the file schema, without the partition columns); `partitions()`
 * lists them in key order.
 */
export function partitionRouter<T>(
  schema: Schema,
  partitionBy: string[],
  options: LayoutOptions,
  open: (key: PartitionKey, body: Schema) => T,
): { body: Schema; route(row: Row): T; partitions(): { path: string; target: T }[] } {
  const columns = partitionBy.map((name) => {
    const column = schema.find((c) => c.name === name);
    if (!column) throw new Error(`layout: partition column ${JSON.stringify(name)} is not in the schema (${schema.map((c) => c.name).join(", ")})`);
    return column;
  });
  if (new Set(partitionBy).size !== partitionBy.length) throw new Error(`layout: partition columns repeat: ${partitionBy.join(", ")}`);
  const body = schema.filter((c) => !partitionBy.includes(c.name));
  if (body.length === 0) throw new Error("layout: every column is a partition column; a file needs at least one other column");
  const groups = new Map<string, T>();
  const groupOf = (row: Row): T => {
    const path = partitionPath(columns, row, options);
    let group = groups.get(path);
    if (group === undefined) {
      group = open({ path, values: Object.fromEntries(partitionBy.map((name) => [name, row[name]!])) }, body);
      groups.set(path, group);
    }
    return group;
  };
  // A row's group by its partition values, one Map level per column, while they are primitives
  // (equal primitives format to the same path); other values take the path every time, and so
  // does -0, which a Map takes for 0 (a 0.0 row then went to the -0.0 folder and read back as -0.0).
  const cache = new Map<unknown, unknown>();
  let only: T | undefined;
  const pastParquet = valuesPastParquet(body);
  const route = (row: Row): T => {
    if (pastParquet !== null) {
      const reason = pastParquet(row);
      if (reason !== null) throw new UnwritableRow(reason);
    }
    if (columns.length === 0) return (only ??= groupOf(row));
    let level = cache;
    for (let i = 0; i < columns.length; i++) {
      const value = row[columns[i]!.name];
      if (value === undefined || (value !== null && typeof value === "object") || Object.is(value, -0)) return groupOf(row);
      let next = level.get(value);
      if (next === undefined) {
        next = i === columns.length - 1 ? { group: groupOf(row) } : new Map<unknown, unknown>();
        level.set(value, next);
      }
      if (i === columns.length - 1) return (next as { group: T }).group;
      level = next as Map<unknown, unknown>;
    }
    return groupOf(row);
  };
  return {
    body,
    route,
    partitions: () => [...groups].map(([path, target]) => ({ path, target })).sort((a, b) => compareKeys(a.path, b.path)),
  };
}

/** Offsets and sequence numbers are printed with 20 digits (2^64 has 20), so lexical order is numeric order. */
export function rangeName(first: bigint | number, last: bigint | number): string {
  const a = BigInt(first);
  const b = BigInt(last);
  if (a < 0n || b < a || b >= 2n ** 64n) throw new Error(`layout: invalid range ${a}..${b}`);
  return `${a.toString().padStart(20, "0")}-${b.toString().padStart(20, "0")}`;
}

/**
 * The object key of one flushed file: deterministic in its inputs, so a
 * repeated flush of the same range rewrites the same object.
 */
export function objectKey(parts: { prefix?: string; sink: string; partition: string; writer: string; first: bigint | number; last: bigint | number; extension?: string }): string {
  if (!/^[A-Za-z0-9._-]+$/.test(parts.writer)) throw new Error(`layout: writer name ${JSON.stringify(parts.writer)} may hold only letters, digits, ".", "_" and "-"`);
  const key = `${parts.prefix ?? ""}${escapePathSegment(parts.sink)}/${parts.partition}${parts.writer}-${rangeName(parts.first, parts.last)}.${parts.extension ?? "parquet"}`;
  checkKey("layout", key);
  return key;
}

/**
 * The name DuckDB gives a partition column: its folder's key as written, escaped (`event%20type`
 * for `event type`). DuckDB 1.4 unescapes folder values but not keys (its own PARTITION_BY output
 * reads back the same way), where Spark and pyarrow unescape both.
 */
export function hiveKey(name: string): string {
  return escapePathSegment(name);
}

/**
 * DuckDB's `hive_types` argument for the partition columns, e.g. `{'day': DATE}`; a name that
 * needs escaping in a folder is given as DuckDB names that column (`hiveKey`: `{'event%20type': VARCHAR}`).
 */
export function hiveTypes(schema: Schema, partitionBy: string[]): string {
  return `{${partitionBy
    .map((name) => {
      const column = schema.find((c) => c.name === name);
      if (!column) throw new Error(`layout: partition column ${JSON.stringify(name)} is not in the schema`);
      return `'${hiveKey(name).replaceAll("'", "''")}': ${column.type}`;
    })
    .join(", ")}}`;
}

/**
 * A DuckDB query that reads a dataset written with this layout back as the
 * original rows: exact types, `__HIVE_DEFAULT_PARTITION__` as NULL, columns
 * in schema order. (DuckDB 1.4 reads that folder as text and fails to cast
 * it to, say, DATE; its own null folder name is `NULL`, which it maps itself.)
 * The null folder is told by the file's path, not by the unescaped value:
 * a VARCHAR spelled like the null folder name has its first letter escaped
 * in its folder, and DuckDB unescapes it to the same text.
 */
export function datasetSql(glob: string, schema: Schema, partitionBy: string[], options: LayoutOptions = {}): string {
  const nullValue = options.nullValue ?? HIVE_NULL;
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const str = (text: string) => `'${text.replaceAll("'", "''")}'`;
  // Partition columns by the names DuckDB gives them (a name with a space or `=` is read as its escaped key), renamed back.
  const text = `{${partitionBy.map((name) => `${str(hiveKey(name))}: VARCHAR`).join(", ")}}`;
  const byPath = nullValue !== "NULL" && partitionBy.length > 0;
  const select = schema
    .map((c) =>
      partitionBy.includes(c.name)
        ? byPath
          ? `CAST(CASE WHEN contains(${quote(FILE_COLUMN)}, ${str(`/${hiveKey(c.name)}=${nullValue}/`)}) THEN NULL ELSE ${quote(hiveKey(c.name))} END AS ${c.type}) AS ${quote(c.name)}`
          : `CAST(${quote(hiveKey(c.name))} AS ${c.type}) AS ${quote(c.name)}`
        : quote(c.name),
    )
    .join(", ");
  const args = partitionBy.length ? `, hive_types = ${text}${byPath ? `, filename = ${str(FILE_COLUMN)}` : ""}` : "";
  return `SELECT ${select} FROM read_parquet(${str(glob)}, hive_partitioning = true${args})`;
}

/** The column `datasetSql` has DuckDB put each row's file path in, to tell the null folder from a value. */
const FILE_COLUMN = "__runnel_file";
