/**
 * The lake read by other engines than DuckDB: files of the runnel encoder read with pyarrow (Arrow's C++
 * Parquet reader, under pandas and most Python tooling) and Polars (its own Rust reader), through a Python
 * environment tests/servers/pyarrow.ts makes once in the cache. Every file must be read by both, with the
 * types and values DuckDB reads (tests/read-lake14.py prints them); every row group's min/max statistics
 * must be visible to pyarrow and equal the group's min/max as DuckDB computes them; pyarrow's scanner and
 * Polars' scan_parquet, which skip row groups by those statistics, must filter as the same filter does in
 * memory. Hive folders with messy values and column names must read back through pyarrow.dataset's hive
 * partitioning as the values written.
 *
 * Hunting: `RUNNEL_FC_SEED=random RUNNEL_LAKE14_RUNS=60 npx vitest run --project unit edge/parquet/other-readers-lake14`.
 */
import fc from "fast-check";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ensurePyarrow } from "../../tests/servers/pyarrow.ts";
import type { Row, Schema, Value } from "../plan/values.ts";
import { fsSink } from "../sinks/fs.node.ts";
import { datasetSql } from "../sinks/layout.ts";
import { writeBatch } from "../sinks/write-batch.ts";
import { sqlString, withDuckDB } from "./duckdb-oracle.node.ts";
import { duckRead, floatBits, type Printed } from "./printed-values.node.ts";
import { runnelWriter } from "./runnel.ts";

const RUNS = Number(process.env.RUNNEL_LAKE14_RUNS ?? 10);
const SCRIPT = fileURLToPath(new URL("../../tests/read-lake14.py", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runnel-lake14-"));
// RUNNEL_LAKE14_KEEP=1 keeps the files (case<k>.parquet) to look at a failure.
afterAll(() => (process.env.RUNNEL_LAKE14_KEEP ? console.log(`files kept in ${dir}`) : rmSync(dir, { recursive: true, force: true })));

let python = "";
// A fresh machine makes the environment first (about a minute); a cached one answers at once.
beforeAll(async () => {
  python = await ensurePyarrow();
}, 600_000);

interface Stat { set: boolean; nulls?: number | null; minmax?: boolean; min_py?: Printed; max_py?: Printed }
interface Answer {
  error?: string;
  types: Record<string, string>;
  columns: Record<string, Printed[]>;
  groups?: { rows: number; stats: Record<string, Stat> }[];
  pruning?: string[];
  files?: string[];
  created_by?: string;
}
type Job = { file: string; probes?: number[] } | { polars: string; probes?: number[] } | { dataset: string; types?: Record<string, string> };

/** What the Python readers make of each job, in one process (pyarrow and Polars load once). */
async function pythonReads(jobs: Job[]): Promise<Answer[]> {
  const input = join(dir, `jobs-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(input, JSON.stringify(jobs));
  const { stdout } = await promisify(execFile)(python, [SCRIPT, input], { maxBuffer: 1 << 30, env: { ...process.env, RUST_BACKTRACE: "0" } });
  return JSON.parse(stdout) as Answer[];
}

// ---- types
type T =
  | { k: "s"; name: string }
  | { k: "dec"; p: number; s: number }
  | { k: "list"; el: T }
  | { k: "array"; el: T; n: number }
  | { k: "struct"; fields: { name: string; t: T }[] }
  | { k: "map"; key: T; val: T };

const SCALARS = [
  "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
  "FLOAT", "DOUBLE", "VARCHAR", "BLOB", "UUID", "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "JSON",
] as const;

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

function typeText(t: T): string {
  switch (t.k) {
    case "s": return t.name;
    case "dec": return `DECIMAL(${t.p},${t.s})`;
    case "list": return `${typeText(t.el)}[]`;
    case "array": return `${typeText(t.el)}[${t.n}]`;
    case "struct": return `STRUCT(${t.fields.map((f) => `${q(f.name)} ${typeText(f.t)}`).join(", ")})`;
    case "map": return `MAP(${typeText(t.key)}, ${typeText(t.val)})`;
  }
}

const ARROW: Record<string, string> = {
  BOOLEAN: "bool", TINYINT: "int8", SMALLINT: "int16", INTEGER: "int32", BIGINT: "int64", UTINYINT: "uint8", USMALLINT: "uint16",
  UINTEGER: "uint32", UBIGINT: "uint64", HUGEINT: "decimal128(38, 0)", UHUGEINT: "decimal128(38, 0)", FLOAT: "float", DOUBLE: "double",
  VARCHAR: "string", BLOB: "binary", UUID: "extension<arrow.uuid>", DATE: "date32[day]", TIME: "time64[us]", TIMESTAMP: "timestamp[us]",
  TIMESTAMPTZ: "timestamp[us, tz=UTC]", INTERVAL: "struct<months: int32, days: int32, micros: int64>", JSON: "extension<arrow.json>",
};
/** Where Polars' types differ from pyarrow's (its strings and binaries are large; no UUID or JSON type; TIME in ns). */
const POLARS: Record<string, string> = { VARCHAR: "large_string", BLOB: "large_binary", UUID: "large_binary", JSON: "large_binary", TIME: "time64[ns]" };

/** The Arrow type the reader shows for a column of DuckDB type `t` (as read-lake14.py describes types). */
function arrowType(t: T, polars: boolean): string {
  switch (t.k) {
    case "s": return (polars ? POLARS[t.name] : undefined) ?? ARROW[t.name]!;
    case "dec": return `decimal128(${t.p}, ${t.s})`;
    case "list": case "array": return `list<${arrowType(t.el, polars)}>`;
    case "struct": return `struct<${t.fields.map((f) => `${f.name}: ${arrowType(f.t, polars)}`).join(", ")}>`;
    case "map": return `map<${arrowType(t.key, polars)}, ${arrowType(t.val, polars)}>`;
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// ---- random schemas and messy values (as messy-values-fuzz12's, smaller)
const FIELD_NAMES = ["a", "b c", "é", "🦆", "x.y", 'q"t', "Z9"];
const scalarType: fc.Arbitrary<T> = fc.constantFrom(...SCALARS).map((name) => ({ k: "s", name }));
const decimalType: fc.Arbitrary<T> = fc.integer({ min: 1, max: 38 }).chain((p) => fc.integer({ min: 0, max: p }).map((s): T => ({ k: "dec", p, s })));
const mapKeyType: fc.Arbitrary<T> = fc.constantFrom<T>({ k: "s", name: "VARCHAR" }, { k: "s", name: "INTEGER" }, { k: "s", name: "UBIGINT" }, { k: "s", name: "DATE" }, { k: "dec", p: 20, s: 4 });
function typeArb(depth: number): fc.Arbitrary<T> {
  const leaf = fc.oneof({ weight: 4, arbitrary: scalarType }, { weight: 1, arbitrary: decimalType });
  if (depth >= 3) return leaf;
  const inner = typeArb(depth + 1);
  return fc.oneof(
    { weight: 5, arbitrary: leaf },
    { weight: 1, arbitrary: inner.map((el): T => ({ k: "list", el })) },
    { weight: 1, arbitrary: fc.tuple(inner, fc.integer({ min: 1, max: 3 })).map(([el, n]): T => ({ k: "array", el, n })) },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(fc.constantFrom(...FIELD_NAMES), { minLength: 1, maxLength: 3, selector: (n) => n.toLowerCase() })
        .chain((names) => fc.tuple(...names.map(() => inner)).map((ts): T => ({ k: "struct", fields: names.map((name, i) => ({ name, t: ts[i]! })) }))),
    },
    { weight: 1, arbitrary: fc.tuple(mapKeyType, inner).map(([key, val]): T => ({ k: "map", key, val })) },
  );
}

const I64 = 2n ** 63n;
const INF_TS = I64 - 1n;
const MB = "x".repeat(1 << 20);
const codePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x301, 0x7ff, 0x800, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f986, 0x10ffff),
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
);
const shortText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(codePoint, { maxLength: 20 }).map((cs) => String.fromCodePoint(...cs)) },
  { weight: 2, arbitrary: fc.constantFrom("", "\0", "e\u0301", "🦆", "NULL", "\uFFFF", "a\0b", "ÿ", "\u0080") },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => "é".repeat(n / 2) + "x") },
);
// A megabyte text only in top-level columns: in lists and maps of tiled rows it made hundreds of
// megabytes of printed values for the Python side to hold.
const text = (depth: number): fc.Arbitrary<string> => (depth > 0 ? shortText : fc.oneof({ weight: 9, arbitrary: shortText }, { weight: 1, arbitrary: fc.constant(MB) }));
const bigIn = (lo: bigint, hi: bigint) => fc.oneof(fc.constantFrom(lo, hi, 0n > hi || 0n < lo ? lo : 0n), fc.bigInt({ min: lo, max: hi }));
const intIn = (lo: number, hi: number) => fc.oneof(fc.constantFrom(lo, hi, Math.max(lo, Math.min(hi, 0)), Math.max(lo, Math.min(hi, -1))), fc.integer({ min: lo, max: hi }));
const uuidText = fc.oneof(
  fc.constantFrom("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "80000000-0000-0000-0000-000000000000", "7fffffff-ffff-ffff-ffff-ffffffffffff"),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => hex(b).replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-")),
);

function scalarArb(name: string, depth: number): fc.Arbitrary<Value> {
  switch (name) {
    case "BOOLEAN": return fc.boolean();
    case "TINYINT": return intIn(-128, 127);
    case "SMALLINT": return intIn(-32768, 32767);
    case "INTEGER": return intIn(-(2 ** 31), 2 ** 31 - 1);
    case "BIGINT": return bigIn(-I64, I64 - 1n);
    case "HUGEINT": return bigIn(-(10n ** 38n - 1n), 10n ** 38n - 1n);
    case "UTINYINT": return intIn(0, 255);
    case "USMALLINT": return intIn(0, 65535);
    case "UINTEGER": return intIn(0, 2 ** 32 - 1);
    case "UBIGINT": return fc.oneof(bigIn(0n, 2n ** 64n - 1n), fc.constantFrom(I64, I64 - 1n, 2n ** 64n - 2n));
    case "UHUGEINT": return bigIn(0n, 10n ** 38n - 1n);
    case "FLOAT": return fc.float();
    case "DOUBLE": return fc.oneof(fc.double(), fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 5e-324, Number.MAX_VALUE));
    case "VARCHAR": return text(depth);
    case "BLOB": return fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ minLength: 65, maxLength: 80 }));
    case "UUID": return uuidText;
    case "DATE": return fc.oneof(fc.constantFrom(2147483647, -2147483647, -2147483646, 2147483646, 0, -1, -719528), fc.integer({ min: -100_000, max: 100_000 }));
    case "TIME": return fc.oneof(fc.constantFrom(0n, 86_400_000_000n, 86_399_999_999n), fc.bigInt({ min: 0n, max: 86_400_000_000n }));
    case "TIMESTAMP":
    case "TIMESTAMPTZ":
      return fc.oneof(fc.constantFrom(INF_TS, -INF_TS, -9223372022400000000n, I64 - 2n, 0n, -1n), fc.bigInt({ min: -9223372022400000000n, max: I64 - 2n }));
    case "INTERVAL": return fc.record({ months: intIn(-(2 ** 31), 2 ** 31 - 1), days: intIn(-(2 ** 31), 2 ** 31 - 1), micros: bigIn(-I64, I64 - 1n) });
    case "JSON": return fc.json({ maxDepth: 2 });
  }
  throw new Error(`no values for ${name}`);
}

function valueArb(t: T, nullFreq: number, depth = 0): fc.Arbitrary<Value> {
  const inner = ((): fc.Arbitrary<Value> => {
    switch (t.k) {
      case "s": return scalarArb(t.name, depth);
      case "dec": { const m = 10n ** BigInt(t.p) - 1n; return bigIn(-m, m); }
      case "list": return fc.array(valueArb(t.el, nullFreq, depth + 1), { maxLength: 4 });
      case "array": return fc.array(valueArb(t.el, nullFreq, depth + 1), { minLength: t.n, maxLength: t.n });
      case "struct": return fc.tuple(...t.fields.map((f) => valueArb(f.t, nullFreq, depth + 1))).map((vs) => Object.fromEntries(t.fields.map((f, i) => [f.name, vs[i]!])));
      case "map":
        return fc
          .uniqueArray(fc.record({ key: valueArb(t.key, 0, depth + 1), value: valueArb(t.val, nullFreq, depth + 1) }), { maxLength: 3, selector: (e) => `${typeof e.key}:${String(e.key)}` })
          .map((es) => es as Value);
    }
  })();
  return nullFreq > 0 ? fc.option(inner, { nil: null, freq: nullFreq }) : inner;
}

interface Case { names: string[]; types: T[]; rows: Row[]; rowGroupSize: number; codec: "SNAPPY" | "UNCOMPRESSED"; probes: number[] }
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    types: fc.array(typeArb(0), { minLength: 1, maxLength: 6 }),
    shapes: fc.array(fc.constantFrom("random", "random", "random", "null", "same"), { minLength: 6, maxLength: 6 }),
    nullFreq: fc.constantFrom(0, 2, 5, 20),
    n: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 2, max: 40 })),
    tile: fc.constantFrom(1, 1, 1, 700),
    rowGroupSize: fc.constantFrom(1, 2, 3, 7, 100, 122_880),
    codec: fc.constantFrom("SNAPPY" as const, "UNCOMPRESSED" as const),
    probes: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
  })
  .chain(({ types, shapes, nullFreq, n, tile, rowGroupSize, codec, probes }) => {
    const columns = types.map((t, i) => {
      if (shapes[i] === "null") return fc.constant(Array.from({ length: n }, () => null as Value));
      if (shapes[i] === "same") return valueArb(t, 0).map((v) => Array.from({ length: n }, () => v));
      return fc.array(valueArb(t, nullFreq), { minLength: n, maxLength: n });
    });
    return fc.tuple(...columns).map((cols): Case => {
      const names = types.map((_, i) => `c${i}`);
      const base = Array.from({ length: n }, (_, r): Row => Object.fromEntries(names.map((name, i) => [name, cols[i]![r]!])));
      // A tiled case crosses pages (~20k levels) and row groups; a megabyte string is not tiled.
      const tiled = base.some((row) => names.some((name) => row[name] === MB)) ? 1 : tile;
      const rows: Row[] = [];
      for (let k = 0; k < tiled; k++) for (const row of base) rows.push({ id: rows.length, ...row });
      return { names, types, rows, rowGroupSize: tiled > 1 ? Math.max(rowGroupSize, 1000) : rowGroupSize, codec, probes };
    });
  });

const showType = (c: Case) => c.types.map((t, i) => `${c.names[i]} ${typeText(t)}`).join(", ");
const show = (v: Printed | undefined) => { const s = JSON.stringify(v) ?? "undefined"; return s.length > 160 ? `${s.slice(0, 160)}…` : s; };

/** Byte length of a printed text or hex value, for the 64-byte limit the encoder puts on statistics. */
const statBytes = (t: T, v: Printed): number =>
  t.k === "s" && (t.name === "BLOB" || t.name === "UUID") ? (v as string).length / 2 : Buffer.byteLength(v as string, "utf8");

/** Whether pyarrow must see min/max for a top-level column of type `t`, given DuckDB's min and max of the group and whether the group holds a NaN. */
function statsExpected(t: T, min: Printed, max: Printed, nan: boolean): boolean {
  if (min === null || nan) return false;
  if (t.k === "s" && (t.name === "VARCHAR" || t.name === "BLOB" || t.name === "JSON")) return statBytes(t, min) <= 64 && statBytes(t, max) <= 64;
  return true;
}
const ordered = (t: T) => t.k === "dec" || (t.k === "s" && t.name !== "INTERVAL" && t.name !== "JSON");
/** Floats compare by value in statistics: the encoder widens a zero bound to -0.0/+0.0 as the spec asks. */
const sameBound = (t: T, a: Printed | undefined, b: Printed) =>
  t.k === "s" && (t.name === "FLOAT" || t.name === "DOUBLE")
    ? Buffer.from(a as string, "hex").readDoubleBE() === Buffer.from(b as string, "hex").readDoubleBE()
    : a === b;

/** What pyarrow and Polars make of one written file, against DuckDB. */
async function checkCase(db: DuckDBConnection, c: Case, file: string, arrow: Answer, polars: Answer): Promise<string[]> {
  const problems: string[] = [];
  if (arrow.error) return [`pyarrow refused the file: ${arrow.error}`];
  if (polars.error) problems.push(`Polars refused the file: ${polars.error}`);
  const duck = await duckRead(db, `SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY id`);
  const col = (name: string) => duck.rows.map((r) => r[duck.names.indexOf(name)]!);
  for (const [who, answer, polarsTypes] of [["pyarrow", arrow, false], ["Polars", polars, true]] as const) {
    if (answer.error) continue;
    for (let i = 0; i < c.types.length; i++) {
      const name = c.names[i]!;
      const t = c.types[i]!;
      const want = arrowType(t, polarsTypes);
      if (answer.types[name] !== want) problems.push(`${who}: ${name} ${typeText(t)} reads as ${answer.types[name]}, expected ${want}`);
      let expected: Printed[] = col(name);
      // Polars' own limits, whoever wrote the file (DuckDB's COPY too): JSON as its bytes; TIME 24:00:00 past its day of nanoseconds.
      if (polarsTypes) expected = expected.map((v) => polarsView(t, v));
      const got = answer.columns[name] ?? [];
      const first = expected.findIndex((v, r) => JSON.stringify(v) !== JSON.stringify(got[r]));
      if (first >= 0 || got.length !== expected.length) {
        problems.push(`${who}: ${name} ${typeText(t)} row ${first}: read ${show(got[first])}, DuckDB ${show(expected[first])} (${got.length} vs ${expected.length} rows)`);
      }
    }
  }
  // Statistics of each row group's top-level columns: visible, and DuckDB's min/max of the group.
  const groups = arrow.groups ?? [];
  const wantGroups = Math.ceil(c.rows.length / c.rowGroupSize);
  if (groups.length !== wantGroups) problems.push(`pyarrow sees ${groups.length} row groups, expected ${wantGroups}`);
  const targets = c.types.flatMap((t, i) => (ordered(t) ? [{ t, name: c.names[i]! }] : []));
  if (targets.length > 0 && groups.length > 0) {
    const select = targets.map(({ t, name }) => {
      const nan = t.k === "s" && (t.name === "FLOAT" || t.name === "DOUBLE") ? `bool_or(isnan(${q(name)}))` : "false";
      return `min(${q(name)}) AS ${q(`min ${name}`)}, max(${q(name)}) AS ${q(`max ${name}`)}, ${nan} AS ${q(`nan ${name}`)}`;
    });
    const bounds = await duckRead(db, `SELECT id // ${c.rowGroupSize} AS g, ${select.join(", ")} FROM read_parquet(${sqlString(file)}) GROUP BY g ORDER BY g`);
    for (const row of bounds.rows) {
      const g = Number(row[0]);
      for (const { t, name } of targets) {
        const at = (what: string) => row[bounds.names.indexOf(`${what} ${name}`)]!;
        const [min, max, nan] = [at("min"), at("max"), at("nan") === true];
        const stat = groups[g]?.stats[name];
        const where = `row group ${g} of ${name} ${typeText(t)}`;
        if (!stat?.set) {
          problems.push(`pyarrow sees no statistics for ${where}`);
          continue;
        }
        if (statsExpected(t, min, max, nan) && !stat.minmax) problems.push(`pyarrow sees no min/max for ${where} (DuckDB: ${show(min)} .. ${show(max)})`);
        if (stat.minmax && (!sameBound(t, stat.min_py, min) || !sameBound(t, stat.max_py, max))) {
          problems.push(`pyarrow's min/max of ${where}: ${show(stat.min_py)} .. ${show(stat.max_py)}; DuckDB's: ${show(min)} .. ${show(max)}`);
        }
      }
    }
  }
  for (const wrong of arrow.pruning ?? []) problems.push(`pyarrow's scanner (row groups skipped by their statistics): ${wrong}`);
  for (const wrong of polars.pruning ?? []) problems.push(`Polars' scan_parquet (row groups skipped by their statistics): ${wrong}`);
  return problems;
}

function polarsView(t: T, v: Printed): Printed {
  if (v === null) return null;
  switch (t.k) {
    case "s":
      if (t.name === "JSON") return Buffer.from(v as string, "utf8").toString("hex");
      if (t.name === "TIME" && v === "86400000000") return null;
      return v;
    case "dec": return v;
    case "list": case "array": return (v as Printed[]).map((x) => polarsView(t.el, x));
    case "struct": return Object.fromEntries(t.fields.map((f) => [f.name, polarsView(f.t, (v as Record<string, Printed>)[f.name]!)]));
    case "map": return (v as Printed[][]).map(([k, x]) => [polarsView(t.key, k!), polarsView(t.val, x!)]);
  }
}

test("pyarrow sees every row group's min/max, in each type's own order (unsigned integers, text, UUIDs, decimals), and skips row groups by them correctly", async () => {
  const schema: Schema = [
    { name: "id", type: "INTEGER" },
    { name: "i8", type: "TINYINT" },
    { name: "u32", type: "UINTEGER" },
    { name: "u64", type: "UBIGINT" },
    { name: "d", type: "DECIMAL(20,2)" },
    { name: "s", type: "VARCHAR" },
    { name: "u", type: "UUID" },
    { name: "ts", type: "TIMESTAMP" },
  ];
  // Two row groups, each with values whose signed and unsigned orders differ.
  const rows: Row[] = [
    { id: 0, i8: -1, u32: 4294967295, u64: 18446744073709551615n, d: -5n, s: "ÿ", u: "ffffffff-0000-0000-0000-000000000000", ts: -1n },
    { id: 1, i8: 1, u32: 1, u64: 1n, d: 10n ** 19n, s: "a", u: "00000000-0000-0000-0000-000000000001", ts: 1n },
    { id: 2, i8: 7, u32: 2147483648, u64: 9223372036854775808n, d: 0n, s: "\u0080", u: "80000000-0000-0000-0000-000000000000", ts: 0n },
    { id: 3, i8: 8, u32: 2147483647, u64: 9223372036854775807n, d: 1n, s: "z", u: "7fffffff-ffff-ffff-ffff-ffffffffffff", ts: 5n },
  ];
  const file = join(dir, "orders.parquet");
  writeFileSync(file, runnelWriter.write(schema, rows, { rowGroupSize: 2 }));
  const [arrow, polars] = await pythonReads([{ file, probes: [0, 1] }, { polars: file, probes: [0, 1] }]);
  expect(arrow!.error).toBeUndefined();
  const bounds = arrow!.groups!.map((g) => Object.fromEntries(Object.entries(g.stats).map(([name, s]) => [name, s.minmax ? [s.min_py, s.max_py] : "none"])));
  expect(bounds).toEqual([
    { id: ["0", "1"], i8: ["-1", "1"], u32: ["1", "4294967295"], u64: ["1", "18446744073709551615"], d: ["-0.05", "100000000000000000.00"], s: ["a", "ÿ"], u: ["00000000000000000000000000000001", "ffffffff000000000000000000000000"], ts: ["-1", "1"] },
    { id: ["2", "3"], i8: ["7", "8"], u32: ["2147483647", "2147483648"], u64: ["9223372036854775807", "9223372036854775808"], d: ["0.00", "0.01"], s: ["z", "\u0080"], u: ["7fffffffffffffffffffffffffffffff", "80000000000000000000000000000000"], ts: ["0", "5"] },
  ]);
  expect(arrow!.pruning).toEqual([]);
  expect(polars!.error).toBeUndefined();
  expect(polars!.pruning).toEqual([]);
  // The spec's form of created_by, `<application> version <version>`, without which parquet-mr (Spark, Hive)
  // ignores the statistics of BINARY and FIXED_LEN_BYTE_ARRAY columns (CorruptStatistics: "Ignoring statistics
  // because this file was created prior to…" or a parse failure of created_by).
  expect(arrow!.created_by).toMatch(/^runnel version \d+\.\d+\.\d+$/);
});

test("messy values of every plan type, in random schemas nested 3 deep, read in pyarrow and Polars as in DuckDB, with pyarrow's statistics and scanner right", { timeout: 600_000 }, async () => {
  const cases = fc.sample(caseArb, { numRuns: RUNS, seed: fc.readConfigureGlobal().seed ?? 20261122 });
  const files = cases.map((c, k) => {
    const file = join(dir, `case${k}.parquet`);
    const schema: Schema = [{ name: "id", type: "INTEGER" }, ...c.types.map((t, i) => ({ name: c.names[i]!, type: typeText(t) }))];
    writeFileSync(file, runnelWriter.write(schema, c.rows, { rowGroupSize: c.rowGroupSize, codec: c.codec }));
    return file;
  });
  const answers = await pythonReads(files.flatMap((file, k) => [{ file, probes: cases[k]!.probes }, { polars: file, probes: cases[k]!.probes }]));
  const failures: string[] = [];
  await withDuckDB(async (db) => {
    await db.run("SET TimeZone = 'UTC'");
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      const problems = await checkCase(db, c, files[k]!, answers[2 * k]!, answers[2 * k + 1]!);
      if (problems.length) failures.push(`case ${k}: ${c.rows.length} rows, row groups of ${c.rowGroupSize}, ${c.codec} (${showType(c)}):\n  ${problems.slice(0, 6).join("\n  ")}`);
    }
  });
  expect(failures.join("\n")).toBe("");
  // The cases must have written rows, or the property proves little.
  expect(cases.reduce((n, c) => n + c.rows.length, 0)).toBeGreaterThan(RUNS * 10);
});

test("an INTEGER page whose neighbouring values are more than 2^31 apart reads in pyarrow (its deltas stay within INT32, or the page is PLAIN)", async () => {
  const schema: Schema = [{ name: "id", type: "INTEGER" }, { name: "down", type: "INTEGER" }, { name: "up", type: "INTEGER" }, { name: "m", type: "MAP(INTEGER, VARCHAR)" }];
  // Deltas of ∓(2^32 − 1) and 0: a span below 2^32, so the page was DELTA_BINARY_PACKED.
  const rows: Row[] = [
    { id: 0, down: 2147483647, up: -2147483648, m: [{ key: 2147483647, value: "v" }, { key: -2147483648, value: null }] },
    { id: 1, down: -2147483648, up: 2147483647, m: [] },
    { id: 2, down: -2147483648, up: 2147483647, m: null },
  ];
  const file = join(dir, "int32-deltas.parquet");
  writeFileSync(file, runnelWriter.write(schema, rows));
  const [arrow, polars] = await pythonReads([{ file }, { polars: file }]);
  expect(arrow!.error).toBeUndefined();
  expect(arrow!.columns).toEqual({
    id: ["0", "1", "2"],
    down: ["2147483647", "-2147483648", "-2147483648"],
    up: ["-2147483648", "2147483647", "2147483647"],
    m: [[["2147483647", "v"], ["-2147483648", null]], [], null],
  });
  expect(polars!.columns).toEqual(arrow!.columns);
});

// ---- Hive folders
/** Partition values of each type and the Arrow type pyarrow is told the folder holds (none: inferred). */
const PARTITIONS: { type: string; arrow?: string; values: Value[]; printed: (v: Value) => Printed }[] = [
  {
    type: "VARCHAR",
    arrow: "string",
    // "__HIVE_DEFAULT_PARTITION__" as a text is not here: pyarrow unescapes a folder before it compares it with
    // its null folder name, so that text reads back as NULL however it is escaped (Spark compares first).
    values: ["", " ", "a/b", "a=b", "%", "%41", "100%", "x y", "é", "e\u0301", "🦆", "\0", "\t", "NULL", "null", ".", "..", "a\\b", "?#&", "+", "a+b", "\uFFFF", "\uFFFE", "007", "-", "~", "a;b", "a,b", "[1]", "{x}", "'q'", '"', "*", "<|>", "^", ":", "\u007f", null],
    printed: (v) => v as string,
  },
  { type: "INTEGER", values: [0, -1, 2147483647, -2147483648, 7, null], printed: (v) => String(v) },
  { type: "BIGINT", arrow: "int64", values: [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), null], printed: (v) => String(v) },
  { type: "UBIGINT", arrow: "uint64", values: [0n, 2n ** 64n - 1n, 2n ** 63n, null], printed: (v) => String(v) },
  { type: "DOUBLE", arrow: "double", values: [0, -0, 1.5, 1e-7, 1e21, -2.5e-300, NaN, Infinity, -Infinity, 0.1, null], printed: (v) => floatBits(v as number) },
  { type: "BOOLEAN", arrow: "bool", values: [true, false, null], printed: (v) => v as boolean },
  // Years 1..9999 (pyarrow cannot parse DuckDB's `infinity` or `(BC)` text, nor hold a DECIMAL folder: see the report).
  { type: "DATE", arrow: "date32", values: [0, -1, -719162, 2932896, 19000, null], printed: (v) => String(v) },
  { type: "TIMESTAMP", arrow: "timestamp[us]", values: [0n, 1n, 500_000n, -1n, -62135596800000000n, 253402300799999999n, null], printed: (v) => String(v) },
  { type: "TIMESTAMPTZ", arrow: "timestamp[us, tz=UTC]", values: [0n, 1n, 1_700_000_000_123_456n, -1n, null], printed: (v) => String(v) },
];

test("messy partition values read back through pyarrow.dataset's Hive partitioning as the values written", async () => {
  const jobs: Job[] = [];
  for (const [k, p] of PARTITIONS.entries()) {
    const root = join(dir, `hive${k}`);
    const schema: Schema = [{ name: "id", type: "INTEGER" }, { name: "k", type: p.type }, { name: "v", type: "VARCHAR" }];
    const rows: Row[] = p.values.map((value, id) => ({ id, k: value, v: `row ${id}` }));
    await writeBatch({ sink: fsSink(root), parquet: runnelWriter, schema, rows, partitionBy: ["k"], sinkName: "lake", writer: "w", first: 0, last: rows.length - 1 });
    jobs.push({ dataset: join(root, "lake"), ...(p.arrow ? { types: { k: p.arrow } } : {}) });
  }
  const answers = await pythonReads(jobs);
  const got = answers.map((a) => (a.error ? a.error : a.columns.id!.map((id, r) => [id, a.columns.k![r]]).sort((x, y) => Number(x[0]) - Number(y[0]))));
  const want = PARTITIONS.map((p) => p.values.map((v, id) => [String(id), v === null ? null : p.printed(v)]));
  expect(got).toEqual(want);
});

test("partition columns whose names need escaping (a space, =, /, %, ', unicode) read back by those names through the layout's DuckDB query and through pyarrow", async () => {
  const names = ["event type", "a=b", "a/b", "100%", "it's", "Región"];
  const jobs: Job[] = [];
  const want: Printed[] = [];
  await withDuckDB(async (db) => {
    for (const [k, name] of names.entries()) {
      const root = join(dir, `names${k}`);
      const schema: Schema = [{ name: "id", type: "INTEGER" }, { name, type: "VARCHAR" }, { name: "day", type: "DATE" }, { name: "v", type: "VARCHAR" }];
      const rows: Row[] = [
        { id: 0, [name]: "p q", day: 20000, v: "r0" },
        { id: 1, [name]: null, day: null, v: "r1" },
        { id: 2, [name]: "x", day: 20001, v: "r2" },
      ];
      await writeBatch({ sink: fsSink(root), parquet: runnelWriter, schema, rows, partitionBy: [name, "day"], sinkName: "lake", writer: "w", first: 0, last: 2 });
      const got = await duckRead(db, `SELECT * FROM (${datasetSql(join(root, "lake", "**", "*.parquet"), schema, [name, "day"])}) ORDER BY id`);
      expect({ names: got.names, rows: got.rows }, name).toEqual({ names: ["id", name, "day", "v"], rows: [["0", "p q", "20000", "r0"], ["1", null, null, "r1"], ["2", "x", "20001", "r2"]] });
      jobs.push({ dataset: join(root, "lake"), types: { [name]: "string", day: "date32" } });
      want.push({ [name]: ["p q", null, "x"], day: ["20000", null, "20001"] });
    }
  });
  const answers = await pythonReads(jobs);
  expect(answers.map((a, k) => a.error ?? { [names[k]!]: sortedBy(a, names[k]!), day: sortedBy(a, "day") })).toEqual(want);
});

/** A dataset column's values in the order of the rows' ids (a dataset's files come in folder order). */
function sortedBy(a: Answer, name: string): Printed[] {
  const ids = a.columns.id!.map(Number);
  return ids.map((id, r) => [id, a.columns[name]![r]] as const).sort((x, y) => x[0] - y[0]).map(([, v]) => v!);
}
