/**
 * Parquet inputs of a backfill against the plan's source schema. A Parquet file carries exact types
 * (DECIMAL(38,10), HUGEINT) that JSON, the form events travel in, has no words for: `to_json` prints
 * a DECIMAL as a number, which the event parser reads as a double, so its digits past the 16th (and
 * its trailing zeros, which CAST to VARCHAR keeps) were lost before the plan saw them. The plan's
 * source table is what the file must land in, as `CAST(column AS <plan type>)` over `read_parquet`
 * gives it: a DECIMAL the plan reads as text or as a DECIMAL is handed over as its exact text
 * (`transportType`, at any depth; one read as an integer travels as HUGEINT, rounded as CAST rounds), and a column the plan reads as a floating type that keeps fewer digits than
 * the column's type is looked at value by value before anything is written: one the floating type
 * would write as another number stops the run (`parquetRefusal`), since the lake would hold other
 * numbers than the file without a word (0.1 in a DECIMAL(38,10) is 0.1 as a DOUBLE and passes).
 */
import type { Schema } from "../plan/values.ts";
import { jsonKey } from "../plan/values.ts";
import { formatType, parseType, type TypeNode } from "../plan/type-text.ts";

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

const INTEGERS = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"]);

/**
 * The type a file's column travels in, when it holds a DECIMAL that to_json would print as a number
 * (read back as a double: digits past the 16th, the scale's zeros and x.5's rounding lost), at any
 * depth (a STRUCT's field, a LIST's element): a DECIMAL the plan reads as text or DECIMAL as VARCHAR
 * (its exact text), one the plan reads as an integer as HUGEINT (DuckDB's rounding, every DECIMAL(38)
 * fits). Null when the column travels as it is.
 */
export function transportType(fileType: string, planType: string | undefined): string | null {
  let file: TypeNode;
  try {
    file = parseType(fileType);
  } catch {
    return null;
  }
  let plan: TypeNode | undefined;
  try {
    plan = planType === undefined ? undefined : parseType(planType);
  } catch {
    plan = undefined;
  }
  let changed = false;
  const walk = (f: TypeNode, p: TypeNode | undefined): TypeNode => {
    switch (f.kind) {
      case "decimal":
        if (p?.kind === "decimal" || (p?.kind === "scalar" && p.name === "VARCHAR")) return (changed = true), { kind: "scalar", name: "VARCHAR" };
        if (p?.kind === "scalar" && INTEGERS.has(p.name)) return (changed = true), { kind: "scalar", name: "HUGEINT" };
        return f;
      case "struct":
        return { kind: "struct", fields: f.fields.map((x) => ({ name: x.name, type: walk(x.type, p?.kind === "struct" ? p.fields.find((y) => y.name === x.name)?.type : undefined) })) };
      case "list":
        return { kind: "list", child: walk(f.child, p?.kind === "list" || p?.kind === "array" ? p.child : undefined) };
      case "array":
        return { ...f, child: walk(f.child, p?.kind === "list" || p?.kind === "array" ? p.child : undefined) };
      case "map":
        return { ...f, value: walk(f.value, p?.kind === "map" ? p.value : undefined) };
      default:
        return f;
    }
  };
  const out = walk(file, plan);
  return changed ? formatType(out) : null;
}

/** The file's columns that travel in another type (`transportType`), with it. */
export function decimalsInTransport(columns: readonly FileColumn[], schema: Schema): { name: string; type: string }[] {
  const types = planTypes(schema);
  return columns.flatMap((c) => {
    const type = transportType(c.type, types.get(c.name));
    return type === null ? [] : [{ name: c.name, type }];
  });
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
