/**
 * Parquet inputs of a backfill against the plan's source schema. A Parquet file carries exact types
 * (DECIMAL(38,10), HUGEINT) that JSON, the form events travel in, has no words for: `to_json` prints
 * a DECIMAL as a number, which the event parser reads as a double, so its digits past the 16th (and
 * its trailing zeros, which CAST to VARCHAR keeps) were lost before the plan saw them. The plan's
 * source table is what the file must land in, as `CAST(column AS <plan type>)` over `read_parquet`
 * gives it: a DECIMAL the plan reads as text or as a DECIMAL is handed over as its exact text
 * (`decimalsAsText`), and a column the plan reads as a floating type that keeps fewer digits than
 * the column's type is looked at value by value before anything is written: one the floating type
 * would write as another number stops the run (`parquetRefusal`), since the lake would hold other
 * numbers than the file without a word (0.1 in a DECIMAL(38,10) is 0.1 as a DOUBLE and passes).
 */
import type { Schema } from "../plan/values.ts";
import { jsonKey } from "../plan/values.ts";

/** A column of a file as DuckDB describes it. */
export interface FileColumn {
  name: string;
  type: string;
}

/** The significant digits a floating type keeps exactly (DECIMAL text → double → the same text). */
const KEPT_DIGITS: Record<string, number> = { DOUBLE: 15, FLOAT: 6 };

/** The plan's type of each event key of a source. */
function planTypes(schema: Schema): Map<string, string> {
  return new Map(schema.map((c) => [jsonKey(c), c.type]));
}

/**
 * The file's DECIMAL columns the plan reads as VARCHAR or as a DECIMAL: their values are read as
 * text (`CAST(x AS VARCHAR)`, every digit and the scale's zeros), which the converter reads into
 * VARCHAR as it is and into DECIMAL as CAST from text does, exactly.
 */
export function decimalsAsText(columns: readonly FileColumn[], schema: Schema): string[] {
  const types = planTypes(schema);
  return columns.filter((c) => /^DECIMAL\(/.test(c.type) && /^(VARCHAR|DECIMAL\()/.test(types.get(c.name) ?? "")).map((c) => c.name);
}

/** The precision of a DECIMAL(p,s) type text, or the digits of a 128-bit integer type; null for others. */
function digitsOf(type: string): number | null {
  const decimal = /^DECIMAL\((\d+),\s*\d+\)$/.exec(type);
  if (decimal) return Number(decimal[1]);
  if (type === "HUGEINT" || type === "UHUGEINT") return 39;
  return null;
}

/** A file's column the plan reads as a floating type that keeps fewer digits than the column's type holds. */
export interface NarrowedColumn {
  name: string;
  fileType: string;
  planType: string;
  kept: number;
}

/**
 * The file's DECIMAL and 128-bit integer columns the plan reads as DOUBLE or FLOAT with more digits
 * than those keep: their values may not survive the plan's type (each is looked at, `narrowedValueSql`).
 */
export function narrowedColumns(columns: readonly FileColumn[], schema: Schema): NarrowedColumn[] {
  const types = planTypes(schema);
  return columns.flatMap((column) => {
    const planType = types.get(column.name);
    const kept = planType === undefined ? undefined : KEPT_DIGITS[planType];
    const digits = digitsOf(column.type);
    return kept === undefined || digits === null || digits <= kept ? [] : [{ name: column.name, fileType: column.type, planType: planType!, kept }];
  });
}

/**
 * SQL giving one value of `column` in `from` that the plan's type does not hold, with what it would
 * become: the floating value's shortest text (what the lake shows) read back is another number. A
 * value that passes is the same double whichever way it is read (to_json's text parsed, or DuckDB's
 * CAST), since its shortest text reads back as that double.
 */
export function narrowedValueSql(from: string, column: NarrowedColumn): string {
  const c = `"${column.name.replaceAll('"', '""')}"`;
  const written = `CAST(TRY_CAST(${c} AS ${column.planType}) AS VARCHAR)`;
  return `SELECT CAST(${c} AS VARCHAR) AS value, ${written} AS written FROM ${from} WHERE TRY_CAST(${written} AS ${column.fileType}) IS DISTINCT FROM ${c} LIMIT 1`;
}

/** Why the run stops: a value of the file the plan's floating type would write as another number. */
export function parquetRefusal(path: string, source: string, column: NarrowedColumn, value: string, written: string | null): string {
  const quoted = `"${column.name.replaceAll('"', '""')}"`;
  return (
    `run: ${path}: column ${column.name} is ${column.fileType} in the file, but source ${source} of the bundle reads it as ${column.planType} (typed from its sample), ` +
    `which keeps ${column.kept} significant digits: ${value} would be written as ${written ?? "NULL"}, not what read_parquet reads. Nothing was written. ` +
    `To keep every digit, make ${column.name} text in the notebook's sample ("${column.name}": "12.34") and CAST it in the cell, then publish again; ` +
    `to write it as ${column.planType} anyway, cast it in a copy of the file first: COPY (SELECT * REPLACE (CAST(${quoted} AS ${column.planType}) AS ${quoted}) FROM '${path.replaceAll("'", "''")}') TO 'copy.parquet'`
  );
}
