import type { SchemaElement } from "hyparquet";
import type { Row, Schema, Value } from "../plan/values.ts";
import { parseDuckType, type DuckType } from "./duck-type.ts";

/** Turns a column's JavaScript values into what the encoder takes; null when they pass as they are. */
export type Convert = ((value: Value) => unknown) | null;

export interface ParquetLayout {
  /** Depth-first Parquet schema, root first. */
  elements: SchemaElement[];
  /** One per column of the input schema. */
  converts: Convert[];
  /**
   * JSON leaves, encoded as UTF8 text and relabelled JSON before the footer
   * is written: hyparquet-writer re-serialises values of JSON-typed columns,
   * and DuckDB only reads a column back as JSON when its converted type is JSON.
   */
  jsonLeaves: SchemaElement[];
}

/**
 * Maps a DuckDB schema to a Parquet schema the way DuckDB's own writer
 * would, except where DuckDB loses information (see ARCHITECTURE.md
 * "edge/parquet"): HUGEINT and UHUGEINT are written as DECIMAL(38,0) (DuckDB
 * writes a lossy DOUBLE; `valuesPastParquet` finds the rare values past 38
 * digits), INTERVAL as STRUCT(months, days, micros). Every column is OPTIONAL.
 */
export function parquetLayout(schema: Schema): ParquetLayout {
  const elements: SchemaElement[] = [{ name: "duckdb_schema", num_children: schema.length }];
  const converts: Convert[] = [];
  const jsonLeaves: SchemaElement[] = [];
  const seen = new Set<string>();
  for (const column of schema) {
    if (seen.has(column.name)) throw new Error(`parquet: duplicate column name ${JSON.stringify(column.name)}`);
    seen.add(column.name);
    let type: DuckType;
    try {
      type = parseDuckType(column.type);
    } catch (cause) {
      throw new Error(`parquet: column ${JSON.stringify(column.name)} has a type we cannot read`, { cause });
    }
    const first = elements.length;
    converts.push(addElements(elements, column.name, type, "OPTIONAL", column.name));
    checkLevels(elements, first, column.name);
  }
  for (const element of elements) if (element.logical_type?.type === "JSON") jsonLeaves.push(element);
  return { elements, converts, jsonLeaves };
}

/** The deepest definition or repetition level a column may have: readers keep levels in a byte (DuckDB 1.4 fails past it). */
export const MAX_LEVEL = 255;

/**
 * Refuses a column whose leaves would need a definition or repetition level past MAX_LEVEL (a
 * STRUCT nested ~255 deep, a LIST ~127 deep): the encoder keeps levels in bytes, and DuckDB cannot
 * read such a file back ("Information loss on integer cast"), so every query over the sink would fail.
 */
function checkLevels(elements: SchemaElement[], first: number, column: string): void {
  let at = first;
  let deepest = { def: 0, rep: 0, path: [] as string[] };
  const walk = (def: number, rep: number, path: string[]): void => {
    const element = elements[at++]!;
    const here = [...path, element.name];
    const d = def + (element.repetition_type === "REQUIRED" ? 0 : 1);
    const r = rep + (element.repetition_type === "REPEATED" ? 1 : 0);
    if (Math.max(d, r) > Math.max(deepest.def, deepest.rep)) deepest = { def: d, rep: r, path: here };
    for (let i = 0; i < (element.num_children ?? 0); i++) walk(d, r, here);
  };
  walk(0, 0, []);
  const level = Math.max(deepest.def, deepest.rep);
  if (level <= MAX_LEVEL) return;
  const shown = deepest.path.length > 6 ? [...deepest.path.slice(0, 3), "…", ...deepest.path.slice(-2)].join(".") : deepest.path.join(".");
  throw new Error(
    `parquet: column ${JSON.stringify(column)} nests too deep for Parquet: ${shown} needs ${deepest.def >= deepest.rep ? "definition" : "repetition"} level ${level}, ` +
      `and readers keep levels in a byte (DuckDB fails past ${MAX_LEVEL}); write it as JSON (CAST(${column} AS JSON)) or select the fields you need`,
  );
}

type Repetition = "OPTIONAL" | "REQUIRED";

function addElements(out: SchemaElement[], name: string, type: DuckType, repetition_type: Repetition, place: string): Convert {
  switch (type.kind) {
    case "decimal": {
      const { precision, scale } = type;
      if (precision < 1 || precision > 38 || scale > precision) {
        throw new Error(`parquet: column ${JSON.stringify(place)} has an invalid DECIMAL(${precision},${scale})`);
      }
      const physical: Omit<SchemaElement, "name"> =
        precision <= 9 ? { type: "INT32" } : precision <= 18 ? { type: "INT64" } : { type: "FIXED_LEN_BYTE_ARRAY", type_length: 16 };
      out.push({
        name,
        repetition_type,
        ...physical,
        converted_type: "DECIMAL",
        precision,
        scale,
        logical_type: { type: "DECIMAL", precision, scale },
      });
      return null;
    }
    case "list": {
      out.push({ name, repetition_type, num_children: 1, converted_type: "LIST", logical_type: { type: "LIST" } });
      out.push({ name: "list", repetition_type: "REPEATED", num_children: 1 });
      const inner = addElements(out, "element", type.element, "OPTIONAL", `${place}[]`);
      return inner && ((v) => (v as Value[]).map((e) => (e === null ? null : inner(e))));
    }
    case "struct": {
      out.push({ name, repetition_type, num_children: type.fields.length });
      const fields = type.fields.map((f) => ({ name: f.name, convert: addElements(out, f.name, f.type, "OPTIONAL", `${place}.${f.name}`) }));
      if (fields.every((f) => f.convert === null)) return null;
      return (v) => {
        const obj = v as Record<string, Value>;
        const copy: Record<string, unknown> = {};
        for (const f of fields) {
          const x = obj[f.name] ?? null;
          copy[f.name] = x === null || f.convert === null ? x : f.convert(x);
        }
        return copy;
      };
    }
    case "map": {
      out.push({ name, repetition_type, num_children: 1, converted_type: "MAP", logical_type: { type: "MAP" } });
      out.push({ name: "key_value", repetition_type: "REPEATED", num_children: 2 });
      const key = addElements(out, "key", type.key, "REQUIRED", `${place}.key`);
      const value = addElements(out, "value", type.value, "OPTIONAL", `${place}.value`);
      if (!key && !value) return null;
      return (v) =>
        (v as { key: Value; value: Value }[]).map((e) => ({
          key: key && e.key !== null ? key(e.key) : e.key,
          value: value && e.value !== null ? value(e.value) : e.value,
        }));
    }
    case "scalar":
      return addScalar(out, name, type.name, repetition_type, place);
  }
}

/**
 * Integers carry only the converted type: hyparquet-writer encodes the
 * logical IntType's bit width as i32 where the Thrift IDL says i8, which
 * DuckDB rejects ("TProtocolException: Invalid data").
 */
function integer(bitWidth: 8 | 16 | 32 | 64, isSigned: boolean): Omit<SchemaElement, "name"> {
  const converted = `${isSigned ? "INT" : "UINT"}_${bitWidth}` as SchemaElement["converted_type"];
  return { type: bitWidth === 64 ? "INT64" : "INT32", converted_type: converted };
}

const SCALARS: Record<string, Omit<SchemaElement, "name" | "repetition_type">> = {
  BOOLEAN: { type: "BOOLEAN" },
  TINYINT: integer(8, true),
  SMALLINT: integer(16, true),
  INTEGER: integer(32, true),
  BIGINT: integer(64, true),
  UTINYINT: integer(8, false),
  USMALLINT: integer(16, false),
  UINTEGER: integer(32, false),
  UBIGINT: integer(64, false),
  FLOAT: { type: "FLOAT" },
  DOUBLE: { type: "DOUBLE" },
  VARCHAR: { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } },
  BLOB: { type: "BYTE_ARRAY" },
  UUID: { type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, logical_type: { type: "UUID" } },
  DATE: { type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } },
  TIME: { type: "INT64", converted_type: "TIME_MICROS", logical_type: { type: "TIME", isAdjustedToUTC: false, unit: "MICROS" } },
  // A converted type would claim UTC (TIMESTAMP_MICROS means isAdjustedToUTC), so a local timestamp has only the logical type.
  TIMESTAMP: { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" } },
  TIMESTAMPTZ: {
    type: "INT64",
    converted_type: "TIMESTAMP_MICROS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
  },
};

function addScalar(out: SchemaElement[], name: string, duck: string, repetition_type: Repetition, place: string): Convert {
  const known = SCALARS[duck];
  if (known) {
    out.push({ ...known, name, repetition_type });
    return null;
  }
  switch (duck) {
    case "HUGEINT":
    case "UHUGEINT":
      // No Parquet integer holds 128 bits. DECIMAL(38,0) holds every value below 10^38 exactly and reads back as a
      // number (the unscaled value is the bigint itself); a value past it is refused before it reaches a file.
      return addElements(out, name, { kind: "decimal", precision: 38, scale: 0 }, repetition_type, place);
    case "BIGNUM":
    case "VARINT":
      // Any number of digits: only the exact text holds them all.
      out.push({ ...SCALARS.VARCHAR!, name, repetition_type });
      return (v) => String(v);
    case "JSON":
      // UTF8 while encoding, JSON in the footer (see jsonLeaves).
      out.push({ name, repetition_type, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "JSON" } });
      return null;
    case "INTERVAL":
      // Parquet's own INTERVAL holds milliseconds; DuckDB keeps microseconds. The struct keeps them all.
      return addElements(
        out,
        name,
        {
          kind: "struct",
          fields: [
            { name: "months", type: { kind: "scalar", name: "INTEGER" } },
            { name: "days", type: { kind: "scalar", name: "INTEGER" } },
            { name: "micros", type: { kind: "scalar", name: "BIGINT" } },
          ],
        },
        repetition_type,
        place,
      );
    default:
      throw new Error(`parquet: column ${JSON.stringify(place)} has type ${duck}, which the Parquet writer does not support`);
  }
}

/** The largest unscaled DECIMAL(38,0): the Parquet column a HUGEINT or UHUGEINT is written as. */
const DECIMAL_38 = 10n ** 38n - 1n;

type Misfit = (value: Value) => string | null;

/**
 * A check of a row against what its Parquet columns can hold, or null when every value of the
 * schema's types fits: a HUGEINT or UHUGEINT past ±(10^38−1), at any depth, has no place in
 * DECIMAL(38,0). The check answers the reason, or null when the row fits; a sink makes such a
 * row a dead letter instead of failing the flush.
 */
export function valuesPastParquet(schema: Schema): ((row: Row) => string | null) | null {
  const checks: { name: string; misfit: Misfit }[] = [];
  for (const column of schema) {
    let type: DuckType;
    try {
      type = parseDuckType(column.type);
    } catch {
      continue; // parquetLayout names the column when it cannot read its type.
    }
    const misfit = misfitOf(type, column.name);
    if (misfit) checks.push({ name: column.name, misfit });
  }
  if (checks.length === 0) return null;
  return (row) => {
    for (const { name, misfit } of checks) {
      const v = row[name] ?? null;
      const reason = v === null ? null : misfit(v);
      if (reason !== null) return reason;
    }
    return null;
  };
}

function misfitOf(type: DuckType, place: string): Misfit | null {
  switch (type.kind) {
    case "scalar": {
      if (type.name !== "HUGEINT" && type.name !== "UHUGEINT") return null;
      const name = type.name;
      return (v) =>
        (v as bigint) > DECIMAL_38 || (v as bigint) < -DECIMAL_38
          ? `${place} is ${v}, past the 38 digits of DECIMAL(38,0), the Parquet type a ${name} is written as: cast it to DOUBLE or VARCHAR in the cell to keep such values`
          : null;
    }
    case "list": {
      const inner = misfitOf(type.element, `${place}[]`);
      return inner && ((v) => firstMisfit(v as Value[], inner));
    }
    case "struct": {
      const fields = type.fields.flatMap((f) => {
        const misfit = misfitOf(f.type, `${place}.${f.name}`);
        return misfit ? [{ name: f.name, misfit }] : [];
      });
      if (fields.length === 0) return null;
      return (v) => {
        for (const f of fields) {
          const x = (v as Record<string, Value>)[f.name] ?? null;
          const reason = x === null ? null : f.misfit(x);
          if (reason !== null) return reason;
        }
        return null;
      };
    }
    case "map": {
      const key = misfitOf(type.key, `${place}.key`);
      const value = misfitOf(type.value, `${place}.value`);
      if (!key && !value) return null;
      return (v) => {
        const entries = v as { key: Value; value: Value }[];
        return (key && firstMisfit(entries.map((e) => e.key), key)) ?? (value && firstMisfit(entries.map((e) => e.value), value)) ?? null;
      };
    }
    default:
      return null;
  }
}

function firstMisfit(values: Value[], misfit: Misfit): string | null {
  for (const e of values) {
    const reason = e === null ? null : misfit(e);
    if (reason !== null) return reason;
  }
  return null;
}
