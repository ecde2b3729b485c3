/**
 * DuckDB as the oracle for the function library's tests: run an expression
 * in @duckdb/node-api (the notebook's DuckDB version) and get its answer in
 * the representation of `edge/plan/values.ts`, or the error text it raised.
 * Node only; used by tests.
 */
import { DuckDBArrayValue, DuckDBBlobValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, DuckDBIntervalValue, DuckDBListValue, DuckDBMapValue, DuckDBStructValue, DuckDBTimeValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBUUIDValue } from "../../duckdb/node-api.node.ts";
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type { Value } from "../../plan/values.ts";
import { parseType, type SqlType } from "./types.ts";

let connection: Promise<DuckDBConnection> | undefined;

function connect(): Promise<DuckDBConnection> {
  connection ??= (async () => {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    return c;
  })();
  return connection;
}

export type OracleAnswer =
  | { ok: true; value: Value; type: string }
  | { ok: false; error: string };

/** Runs `SELECT <expr>` and returns the single value, its type, or DuckDB's error (first line). */
export async function duck(expr: string): Promise<OracleAnswer> {
  const c = await connect();
  try {
    const r = await c.runAndReadAll(`SELECT ${expr}`);
    const type = r.columnTypes()[0]!.toString();
    const raw = r.getRows()[0]![0]!;
    return { ok: true, value: fromDuckDB(raw), type };
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    return { ok: false, error: e.message.split("\n")[0]! };
  }
}

/** Runs a whole statement and returns all rows as Values (for aggregates). */
export async function duckRows(sql: string): Promise<{ rows: Value[][]; types: string[] }> {
  const c = await connect();
  const r = await c.runAndReadAll(sql);
  return {
    rows: r.getRows().map((row) => row.map(fromDuckDB)),
    types: r.columnTypes().map((t) => t.toString()),
  };
}

export async function duckRun(sql: string): Promise<void> {
  const c = await connect();
  await c.run(sql);
}

function fromDuckDB(v: DuckDBValue): Value {
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || typeof v === "string") return v;
  if (v instanceof DuckDBDateValue) return v.days;
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return v.micros;
  if (v instanceof DuckDBTimeValue) return v.micros;
  if (v instanceof DuckDBDecimalValue) return v.value;
  if (v instanceof DuckDBIntervalValue) return { months: v.months, days: v.days, micros: v.micros };
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(fromDuckDB);
  if (v instanceof DuckDBStructValue) {
    const out: { [k: string]: Value } = {};
    for (const [k, x] of Object.entries(v.entries)) out[k] = fromDuckDB(x);
    return out;
  }
  if (v instanceof DuckDBMapValue) return v.entries.map((e) => ({ key: fromDuckDB(e.key), value: fromDuckDB(e.value) }));
  if (v instanceof DuckDBBlobValue) return v.bytes;
  if (v instanceof DuckDBUUIDValue) return v.toString();
  return String(v);
}

/** A SQL literal for a Value of the given DuckDB type. */
export function lit(v: Value, type: string): string {
  return literalOf(v, parseType(type), type);
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function literalOf(v: Value, t: SqlType, text: string): string {
  if (v === null) return `CAST(NULL AS ${text})`;
  switch (t.kind) {
    case "decimal": {
      const u = v as bigint;
      const neg = u < 0n;
      const digits = (neg ? -u : u).toString().padStart(t.scale + 1, "0");
      const s = t.scale === 0 ? digits : `${digits.slice(0, -t.scale)}.${digits.slice(-t.scale)}`;
      return `CAST('${neg ? "-" : ""}${s}' AS ${text})`;
    }
    case "list":
    case "array": {
      const items = (v as Value[]).map((x) => literalOf(x, t.child, typeTextOf(t.child)));
      return `CAST([${items.join(", ")}] AS ${text})`;
    }
    case "struct": {
      const o = v as { [k: string]: Value };
      const parts = t.fields.map((f) => `${quote(f.name)}: ${literalOf(o[f.name] ?? null, f.type, typeTextOf(f.type))}`);
      return `CAST({${parts.join(", ")}} AS ${text})`;
    }
    case "map":
    case "enum":
      throw new Error(`oracle: no literal for ${text}`);
    case "scalar":
      switch (t.name) {
        case "VARCHAR": case "JSON": return `CAST(${quote(v as string)} AS ${text})`;
        case "BOOLEAN": return v ? "true" : "false";
        case "FLOAT": case "DOUBLE": {
          const n = v as number;
          const s = Number.isNaN(n) ? "nan" : n === Infinity ? "inf" : n === -Infinity ? "-inf" : Object.is(n, -0) ? "-0.0" : String(n);
          return `CAST('${s}' AS ${text})`;
        }
        case "DATE": return `CAST(DATE '1970-01-01' + (${v as number}) AS DATE)`;
        case "TIMESTAMP": return `make_timestamp(${v as bigint})`;
        case "TIMESTAMPTZ": return `CAST(make_timestamp(${v as bigint}) AS TIMESTAMPTZ)`;
        case "TIME": return `CAST(TIME '00:00:00' + to_microseconds(${v as bigint}) AS TIME)`;
        case "INTERVAL": {
          const i = v as { months: number; days: number; micros: bigint };
          return `(to_months(${i.months}) + to_days(${i.days}) + to_microseconds(${i.micros}))`;
        }
        case "BLOB": return `from_hex('${[...(v as Uint8Array)].map((b) => b.toString(16).padStart(2, "0")).join("")}')`;
        default: return `CAST('${String(v)}' AS ${text})`;
      }
  }
}

function typeTextOf(t: SqlType): string {
  switch (t.kind) {
    case "scalar": return t.name;
    case "decimal": return `DECIMAL(${t.width},${t.scale})`;
    case "list": return `${typeTextOf(t.child)}[]`;
    case "array": return `${typeTextOf(t.child)}[${t.size}]`;
    case "struct": return `STRUCT(${t.fields.map((f) => `"${f.name.replaceAll('"', '""')}" ${typeTextOf(f.type)}`).join(", ")})`;
    case "map": return `MAP(${typeTextOf(t.key)}, ${typeTextOf(t.value)})`;
    case "enum": return "VARCHAR";
  }
}

export { answerOf, type Answer } from "./answer.ts";

/** Normalises an oracle answer for comparison (type dropped). */
export function expected(a: OracleAnswer): import("./answer.ts").Answer {
  return a.ok ? { ok: true, value: a.value } : { ok: false, error: a.error };
}
