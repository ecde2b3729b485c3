/**
 * Compares two answers as multisets of rows: DuckDB's and the plan's. Floats
 * (FLOAT, DOUBLE, anywhere in a nested value) agree within a relative
 * tolerance; NaN equals NaN; everything else must be identical.
 */
import type { Row, Schema, Value } from "../plan/values.ts";
import { castValue } from "../exec/functions/cast.ts";

/** The relative tolerance for floats the check states in its report. */
export const FLOAT_TOLERANCE = 1e-9;

export interface Difference {
  /** A row one side has (more often) than the other. */
  row: Row;
  side: "duckdb" | "plan";
  /** The closest row on the other side: one with the same non-float columns, else the one agreeing on most columns. */
  nearest: Row | null;
  /** The columns where `row` and `nearest` disagree, in schema order (empty without a nearest row). */
  columns: string[];
}

export function valuesAgree(a: Value, b: Value, tolerance = FLOAT_TOLERANCE): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
  }
  if (typeof a === "bigint" || typeof b === "bigint") return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesAgree(x, b[i]!, tolerance));
  if (typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in (b as object) && valuesAgree((a as Record<string, Value>)[k]!, (b as Record<string, Value>)[k]!, tolerance));
  }
  return false;
}

const NO_COLUMNS: ReadonlySet<string> = new Set();

/** A key that is equal for rows that can only agree with each other: floats left out. */
function exactKey(v: Value): string {
  if (v === null) return "n";
  switch (typeof v) {
    case "number":
      return "f";
    case "bigint":
      return `i${v}`;
    case "string":
      return `s${JSON.stringify(v)}`;
    case "boolean":
      return v ? "T" : "F";
  }
  if (v instanceof Uint8Array) return `b${Array.from(v).join(",")}`;
  if (Array.isArray(v)) return `[${v.map(exactKey).join(",")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${exactKey(x)}`).join(",")}}`;
}

/**
 * Whether two values of a Kahan sum's column agree: as `valuesAgree`, and NaN agrees with ±Infinity.
 * DuckDB 1.4.3 finalizes fsum (sumkahan, kahan_sum) of a group holding an infinity two ways by its
 * physical aggregate: a state combined into an empty one (an ungrouped aggregate, PERFECT_HASH_GROUP_BY
 * over keys its statistics show in a small range, any aggregate on several threads) adds the NaN
 * compensation and answers NaN; a single-threaded HASH_GROUP_BY (the notebook's DuckDB-WASM over most
 * keys, the check's DuckDB) finalizes the running sum, ±Infinity. Both are DuckDB's answer to the cell.
 */
export function kahanValuesAgree(a: Value, b: Value, tolerance = FLOAT_TOLERANCE): boolean {
  if (typeof a === "number" && typeof b === "number" && ((Number.isNaN(a) && (b === Infinity || b === -Infinity)) || (Number.isNaN(b) && (a === Infinity || a === -Infinity)))) return true;
  return valuesAgree(a, b, tolerance);
}

/**
 * The first row that is in one answer more often than in the other, or null
 * when the two answers agree as multisets. `kahan` names columns that are a grouped Kahan sum
 * (compared by `kahanValuesAgree`).
 */
export function firstDifference(schema: Schema, duck: Row[], plan: Row[], tolerance = FLOAT_TOLERANCE, kahan: ReadonlySet<string> = NO_COLUMNS): Difference | null {
  const key = (r: Row): string => schema.map((c) => exactKey(r[c.name] ?? null)).join("|");
  const buckets = new Map<string, Row[]>();
  for (const r of plan) {
    const k = key(r);
    const list = buckets.get(k);
    if (list) list.push(r);
    else buckets.set(k, [r]);
  }
  const agree = (c: Schema[number], a: Row, b: Row): boolean => (kahan.has(c.name) ? kahanValuesAgree : valuesAgree)(a[c.name] ?? null, b[c.name] ?? null, tolerance);
  const rowAgrees = (a: Row, b: Row): boolean => schema.every((c) => agree(c, a, b));
  const differing = (a: Row, b: Row): string[] => schema.filter((c) => !agree(c, a, b)).map((c) => c.name);
  /** The candidate agreeing with `row` on the most columns (the first such), so a report can name the columns that differ. */
  const closest = (row: Row, candidates: Iterable<Row>): Difference["nearest"] => {
    let best: Row | null = null;
    let fewest = Infinity;
    for (const c of candidates) {
      const n = differing(row, c).length;
      if (n < fewest) {
        best = c;
        fewest = n;
        if (n <= 1) break;
      }
    }
    return best;
  };
  const difference = (row: Row, side: Difference["side"], nearest: Row | null): Difference => ({ row, side, nearest, columns: nearest ? differing(row, nearest) : [] });
  for (const r of duck) {
    const k = key(r);
    const list = buckets.get(k);
    const i = list ? list.findIndex((p) => rowAgrees(r, p)) : -1;
    if (i < 0) return difference(r, "duckdb", list?.[0] ?? closest(r, [...buckets.values()].flat()));
    list!.splice(i, 1);
    if (list!.length === 0) buckets.delete(k);
  }
  for (const list of buckets.values()) {
    if (list.length) return difference(list[0]!, "plan", closest(list[0]!, duck));
  }
  return null;
}

/**
 * A row printed for a person: bigints plain, bytes as hex, NaN and ±Infinity by name; given the
 * schema, times, dates and intervals as DuckDB prints them (a DATE is a day count inside).
 */
export function showRow(row: Row | null, schema?: Schema): string {
  if (row === null) return "(none)";
  const types = new Map(schema?.map((c) => [c.name, c.type]));
  return `{ ${Object.entries(row).map(([k, v]) => `${k}: ${showValue(v, types.get(k))}`).join(", ")} }`;
}

const TEMPORAL = /^(DATE|TIME|TIMESTAMP|INTERVAL)/;

export function showValue(v: Value, type?: string): string {
  if (v === null) return "NULL";
  if (type !== undefined && TEMPORAL.test(type)) {
    try {
      return String(castValue(v, type, "VARCHAR"));
    } catch {
      // Shown as held below.
    }
  }
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) return `x'${Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")}'`;
  if (Array.isArray(v)) return `[${v.map((x) => showValue(x)).join(", ")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${showValue(x)}`).join(", ")}}`;
}
