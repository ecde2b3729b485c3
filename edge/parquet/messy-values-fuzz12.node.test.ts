/**
 * Messy values through the runnel encoder, read back by DuckDB, differentially (fast-check, seeded by
 * RUNNEL_FC_SEED; RUNNEL_PQ12_RUNS cases, default 16). Each case is a random schema of the types a plan
 * can produce (every scalar of values.ts, DECIMAL(p,s) for any p ≤ 38, LIST, ARRAY[n], STRUCT and MAP
 * nested up to 3 deep with NULLs at every level), columns that are random, all NULL or one value
 * repeated, 0, 1 or a few rows, sometimes tiled past a page (~20k levels) and several row groups.
 * The file must read back in DuckDB as the same rows built from SQL literals, in the documented
 * read-back types; where no documented difference applies, as the same types and values as DuckDB's
 * own `COPY … (FORMAT parquet)` of the same table (equal values: DuckDB's dictionary turns -0.0 into
 * 0.0, the file keeps the sign); every row group's min/max must bound its values, and `=, <, >,
 * IN, BETWEEN, IS NULL` and prefix `LIKE` filters over small row groups select what they select in memory.
 * A second property writes partition values (text with `/ = %`, spaces, unicode, NUL; numbers,
 * times, BLOBs, lists, structs, NULL) through `writeBatch` and the fs sink: `datasetSql` reads them back
 * exactly, and each folder decodes to the text DuckDB's own `PARTITION_BY` gives that value.
 *
 * Hunting: `RUNNEL_FC_SEED=random RUNNEL_PQ12_RUNS=200 npx vitest run --project unit edge/parquet/messy-values-fuzz12`.
 */
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, expect, test } from "vitest";
import type { Row, Schema, Value } from "../plan/values.ts";
import { fsSink } from "../sinks/fs.node.ts";
import { datasetSql } from "../sinks/layout.ts";
import { writeBatch } from "../sinks/write-batch.ts";
import { queryJson, sqlString, withDuckDB } from "./duckdb-oracle.node.ts";
import { runnelWriter } from "./runnel.ts";

const RUNS = Number(process.env.RUNNEL_PQ12_RUNS ?? 16);
const dir = mkdtempSync(join(tmpdir(), "runnel-pq12-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type T =
  | { k: "s"; name: string }
  | { k: "dec"; p: number; s: number }
  | { k: "list"; el: T }
  | { k: "array"; el: T; n: number }
  | { k: "struct"; fields: { name: string; t: T }[] }
  | { k: "map"; key: T; val: T };

const SCALARS = [
  "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
  "FLOAT", "DOUBLE", "VARCHAR", "BLOB", "UUID", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "INTERVAL", "JSON",
] as const;

// DuckDB's ranges (checked against DuckDB in the first test).
const INF_DATE = 2147483647;
const I64 = 2n ** 63n;
const INF_TS = I64 - 1n;
const range = { dateMin: -2147483646, dateMax: 2147483646, tsMin: -9223372022400000000n, tsMax: I64 - 2n };
const MB = "x".repeat(1 << 20);

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** DuckDB type text: the written type, or ("back") the type the file reads back as. */
function typeText(t: T, back: boolean): string {
  switch (t.k) {
    case "s":
      if (back && (t.name === "HUGEINT" || t.name === "UHUGEINT")) return "DECIMAL(38,0)";
      if (back && t.name === "INTERVAL") return "STRUCT(months INTEGER, days INTEGER, micros BIGINT)";
      return t.name;
    case "dec": return `DECIMAL(${t.p},${t.s})`;
    case "list": return `${typeText(t.el, back)}[]`;
    case "array": return back ? `${typeText(t.el, back)}[]` : `${typeText(t.el, back)}[${t.n}]`;
    case "struct": return `STRUCT(${t.fields.map((f) => `${q(f.name)} ${typeText(f.t, back)}`).join(", ")})`;
    case "map": return `MAP(${typeText(t.key, back)}, ${typeText(t.val, back)})`;
  }
}

/** Types whose file differs from DuckDB's own COPY by design (ARCHITECTURE.md, edge/parquet). */
const divergesFromCopy = (t: T): boolean => {
  switch (t.k) {
    case "s": return t.name === "HUGEINT" || t.name === "UHUGEINT" || t.name === "INTERVAL";
    case "dec": return false;
    case "list": case "array": return divergesFromCopy(t.el);
    case "struct": return t.fields.some((f) => divergesFromCopy(f.t));
    case "map": return divergesFromCopy(t.key) || divergesFromCopy(t.val);
  }
};

// ---- types
const FIELD_NAMES = ["a", "b c", "é", "🦆", "x.y", 'q"t', "Z9", "_"];
const scalarType: fc.Arbitrary<T> = fc.constantFrom(...SCALARS).map((name) => ({ k: "s", name }));
const decimalType: fc.Arbitrary<T> = fc.integer({ min: 1, max: 38 }).chain((p) => fc.integer({ min: 0, max: p }).map((s): T => ({ k: "dec", p, s })));
const mapKeyType: fc.Arbitrary<T> = fc.oneof(
  fc.constantFrom("VARCHAR", "INTEGER", "BIGINT", "DATE", "UUID").map((name): T => ({ k: "s", name })),
  fc.constant<T>({ k: "dec", p: 20, s: 4 }),
);
function typeArb(depth: number): fc.Arbitrary<T> {
  const leaf = fc.oneof({ weight: 4, arbitrary: scalarType }, { weight: 1, arbitrary: decimalType });
  if (depth >= 3) return leaf;
  const inner = typeArb(depth + 1);
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
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

// ---- values
const codePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x301, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f986, 0x10ffff),
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
);
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(codePoint, { maxLength: 20 }).map((cs) => String.fromCodePoint(...cs)) },
  { weight: 2, arbitrary: fc.constantFrom("", "\0", "e\u0301", "🦆", "NULL", "Ünïcode ∑", "\uFFFF", "\u{10000}", "a\0b") },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => "é".repeat(n / 2) + "x") }, // around the 64-byte statistics cut-off
  { weight: 1, arbitrary: fc.constant(MB) },
);
const bigIn = (lo: bigint, hi: bigint) => fc.oneof(fc.constantFrom(lo, hi, lo + 1n > hi ? lo : lo + 1n, 0n > hi || 0n < lo ? lo : 0n), fc.bigInt({ min: lo, max: hi }));
const intIn = (lo: number, hi: number) => fc.oneof(fc.constantFrom(lo, hi, Math.max(lo, Math.min(hi, 0)), Math.max(lo, Math.min(hi, -1))), fc.integer({ min: lo, max: hi }));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const uuidText = fc.oneof(
  fc.constantFrom("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "80000000-0000-0000-0000-000000000000", "7fffffff-ffff-ffff-ffff-ffffffffffff"),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => hex(b).replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-")),
);

function scalarArb(name: string): fc.Arbitrary<Value> {
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
    case "UBIGINT": return bigIn(0n, 2n ** 64n - 1n);
    case "UHUGEINT": return bigIn(0n, 10n ** 38n - 1n);
    case "FLOAT": return fc.float();
    case "DOUBLE": return fc.oneof(fc.double(), fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE));
    case "VARCHAR": return text;
    case "BLOB": return fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ minLength: 65, maxLength: 80 }));
    case "UUID": return uuidText;
    case "DATE": return fc.oneof(fc.constantFrom(INF_DATE, -INF_DATE, range.dateMin, range.dateMax, 0, -1, -719528), fc.integer({ min: range.dateMin, max: range.dateMax }), fc.integer({ min: -100_000, max: 100_000 }));
    case "TIME": return fc.oneof(fc.constantFrom(0n, 86_400_000_000n, 86_399_999_999n), fc.bigInt({ min: 0n, max: 86_400_000_000n }));
    case "TIMESTAMP":
    case "TIMESTAMP WITH TIME ZONE":
      return fc.oneof(fc.constantFrom(INF_TS, -INF_TS, range.tsMin, range.tsMax, 0n, -1n), fc.bigInt({ min: range.tsMin, max: range.tsMax }));
    case "INTERVAL": return fc.record({ months: intIn(-(2 ** 31), 2 ** 31 - 1), days: intIn(-(2 ** 31), 2 ** 31 - 1), micros: bigIn(-I64, I64 - 1n) });
    case "JSON": return fc.json({ maxDepth: 2 });
  }
  throw new Error(`no values for ${name}`);
}

function valueArb(t: T, nullFreq: number): fc.Arbitrary<Value> {
  const inner = ((): fc.Arbitrary<Value> => {
    switch (t.k) {
      case "s": return scalarArb(t.name);
      case "dec": { const m = 10n ** BigInt(t.p) - 1n; return bigIn(-m, m); }
      case "list": return fc.array(valueArb(t.el, nullFreq), { maxLength: 4 });
      case "array": return fc.array(valueArb(t.el, nullFreq), { minLength: t.n, maxLength: t.n });
      case "struct": return fc.tuple(...t.fields.map((f) => valueArb(f.t, nullFreq))).map((vs) => Object.fromEntries(t.fields.map((f, i) => [f.name, vs[i]!])));
      case "map":
        return fc
          .uniqueArray(fc.record({ key: valueArb(t.key, 0), value: valueArb(t.val, nullFreq) }), { maxLength: 3, selector: (e) => keyText(e.key) })
          .map((es) => es as Value);
    }
  })();
  return nullFreq > 0 ? fc.option(inner, { nil: null, freq: nullFreq }) : inner;
}
const keyText = (v: Value): string => (typeof v === "bigint" ? `${v}n` : typeof v === "string" ? `s${v}` : String(v));

// ---- SQL literals in the read-back types
function decimalText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, "0");
  return (neg ? "-" : "") + (scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
}
const pad = (n: bigint, w: number) => n.toString().padStart(w, "0");
function lit(t: T, v: Value): string {
  if (v === null) return `CAST(NULL AS ${typeText(t, true)})`;
  switch (t.k) {
    case "dec": return `CAST('${decimalText(v as bigint, t.s)}' AS DECIMAL(${t.p},${t.s}))`;
    case "list":
    case "array": return `CAST([${(v as Value[]).map((e) => lit(t.el, e)).join(", ")}] AS ${typeText(t, true)})`;
    case "struct": return `CAST(struct_pack(${t.fields.map((f) => `${q(f.name)} := ${lit(f.t, (v as Record<string, Value>)[f.name]!)}`).join(", ")}) AS ${typeText(t, true)})`;
    case "map": {
      const es = v as { key: Value; value: Value }[];
      if (es.length === 0) return `CAST(MAP {} AS ${typeText(t, true)})`;
      return `CAST(MAP([${es.map((e) => lit(t.key, e.key)).join(", ")}], [${es.map((e) => lit(t.val, e.value)).join(", ")}]) AS ${typeText(t, true)})`;
    }
    case "s":
      switch (t.name) {
        case "BOOLEAN": return String(v);
        case "HUGEINT": case "UHUGEINT": return `CAST('${v}' AS DECIMAL(38,0))`;
        case "FLOAT": case "DOUBLE": {
          const n = v as number;
          const s = Number.isNaN(n) ? "nan" : n === Infinity ? "inf" : n === -Infinity ? "-inf" : Object.is(n, -0) ? "-0.0" : String(n);
          return t.name === "FLOAT" ? `CAST(CAST('${s}' AS DOUBLE) AS FLOAT)` : `CAST('${s}' AS DOUBLE)`;
        }
        case "VARCHAR": return v === MB ? `repeat('x', ${MB.length})` : `decode(from_hex('${hex(Buffer.from(v as string, "utf8"))}'))`;
        case "JSON": return `CAST(${sqlString(v as string)} AS JSON)`;
        case "UUID": return `CAST('${v}' AS UUID)`;
        case "BLOB": return `from_hex('${hex(v as Uint8Array)}')`;
        case "DATE": {
          const d = v as number;
          if (Math.abs(d) === INF_DATE) return `CAST('${d < 0 ? "-" : ""}infinity' AS DATE)`;
          return `(DATE '1970-01-01' + (${d})::INTEGER)`;
        }
        case "TIME": {
          const u = v as bigint;
          return `CAST('${pad(u / 3_600_000_000n, 2)}:${pad((u / 60_000_000n) % 60n, 2)}:${pad((u / 1_000_000n) % 60n, 2)}.${pad(u % 1_000_000n, 6)}' AS TIME)`;
        }
        case "TIMESTAMP": case "TIMESTAMP WITH TIME ZONE": {
          const u = v as bigint;
          const ts = u === INF_TS ? "CAST('infinity' AS TIMESTAMP)" : u === -INF_TS ? "CAST('-infinity' AS TIMESTAMP)" : `make_timestamp((${u})::BIGINT)`;
          // Through its UTC text: a cast from TIMESTAMP overflows ICU near the range's end.
          if (t.name === "TIMESTAMP") return ts;
          return u === INF_TS || u === -INF_TS ? `CAST(${ts} AS TIMESTAMPTZ)` : `CAST(CAST(${ts} AS VARCHAR) || '+00' AS TIMESTAMPTZ)`;
        }
        case "INTERVAL": {
          const i = v as { months: number; days: number; micros: bigint };
          return `struct_pack(months := (${i.months})::INTEGER, days := (${i.days})::INTEGER, micros := (${i.micros})::BIGINT)`;
        }
        default: return `CAST('${v}' AS ${t.name})`;
      }
  }
}

const comparable = (t: T) => t.k === "dec" || (t.k === "s" && t.name !== "INTERVAL" && t.name !== "JSON");

// ---- cases
interface Case { names: string[]; types: T[]; base: Row[]; tile: number; rowGroupSize: number; codec: "SNAPPY" | "UNCOMPRESSED"; probes: number[]; absent: Value[] }
const COLUMN_SUFFIXES = ["", " sp", "é", ".d", "🦆"];
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    types: fc.array(typeArb(0), { minLength: 1, maxLength: 5 }),
    suffixes: fc.array(fc.constantFrom(...COLUMN_SUFFIXES), { minLength: 5, maxLength: 5 }),
    shapes: fc.array(fc.constantFrom("random", "random", "random", "null", "same"), { minLength: 5, maxLength: 5 }),
    nullFreq: fc.constantFrom(0, 2, 5, 20),
    n: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 2, max: 40 })),
    tile: fc.constantFrom(1, 1, 1, 1, 700),
    rowGroupSize: fc.constantFrom(1, 2, 3, 7, 100, 122_880),
    codec: fc.constantFrom("SNAPPY" as const, "UNCOMPRESSED" as const),
    probes: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
  })
  .chain(({ types, suffixes, shapes, nullFreq, n, tile, rowGroupSize, codec, probes }) => {
    const columns = types.map((t, i) => {
      const shape = shapes[i]!;
      if (shape === "null") return fc.constant(Array.from({ length: n }, () => null as Value));
      if (shape === "same") return valueArb(t, 0).map((v) => Array.from({ length: n }, () => v));
      return fc.array(valueArb(t, nullFreq), { minLength: n, maxLength: n });
    });
    // A probe per column drawn afresh: mostly a value the column does not hold, between or beyond its values.
    const absent = fc.tuple(...types.map((t) => valueArb(t, 0)));
    return fc.tuple(fc.tuple(...columns), absent).map(([cols, absent]): Case => {
      const names = types.map((_, i) => `c${i}${suffixes[i]}`);
      const base = Array.from({ length: n }, (_, r): Row => Object.fromEntries([["id", r], ...names.map((name, i) => [name, cols[i]![r]!])]));
      // A tiled case crosses pages and row groups; a megabyte string is not tiled.
      const big = base.some((row) => names.some((name) => row[name] === MB));
      const tiled = big ? 1 : tile;
      return { names, types, base, tile: tiled, rowGroupSize: tiled > 1 ? Math.max(rowGroupSize, 1000) : rowGroupSize, codec, probes, absent };
    });
  });

const showType = (c: Case) => c.types.map((t, i) => `${q(c.names[i]!)} ${typeText(t, false)}`).join(", ");

async function runCase(db: DuckDBConnection, c: Case, tag: string): Promise<string[]> {
  const problems: string[] = [];
  const n = c.base.length;
  const rows: Row[] = [];
  for (let k = 0; k < c.tile; k++) for (const row of c.base) rows.push(k === 0 ? row : { ...row, id: (row.id as number) + k * n });
  const schema: Schema = [{ name: "id", type: "INTEGER" }, ...c.types.map((t, i) => ({ name: c.names[i]!, type: typeText(t, false) }))];
  let bytes: Uint8Array;
  try {
    bytes = runnelWriter.write(schema, rows, { rowGroupSize: c.rowGroupSize, codec: c.codec });
  } catch (error) {
    return [`write threw: ${(error as Error).message}`];
  }
  const ours = join(dir, `${tag}.parquet`);
  const theirs = join(dir, `${tag}-duckdb.parquet`);
  writeFileSync(ours, bytes);
  await db.run("DROP TABLE IF EXISTS back; DROP TABLE IF EXISTS got; DROP TABLE IF EXISTS copied");
  await db.run(`CREATE TABLE back (id INTEGER, ${c.types.map((t, i) => `${q(c.names[i]!)} ${typeText(t, true)}`).join(", ")})`);
  for (let r = 0; r < n; r += 100) {
    await db.run(`INSERT INTO back VALUES ${c.base.slice(r, r + 100).map((row) => `(${row.id}, ${c.types.map((t, i) => lit(t, row[c.names[i]!]!)).join(", ")})`).join(", ")}`);
  }
  if (c.tile > 1) await db.run(`INSERT INTO back SELECT b.id + k * ${n}, b.* EXCLUDE (id) FROM back b, range(1, ${c.tile}) r(k)`);
  await db.run(`CREATE TABLE got AS SELECT * FROM read_parquet(${sqlString(ours)})`);

  const describe = async (table: string) => (await queryJson(db, `SELECT column_name AS n, column_type AS t FROM (DESCRIBE ${table})`)).map((r) => `${r.n} ${r.t}`);
  const [gotTypes, backTypes] = [await describe("got"), await describe("back")];
  if (JSON.stringify(gotTypes) !== JSON.stringify(backTypes)) problems.push(`types: read back ${gotTypes.join(", ")}; expected ${backTypes.join(", ")}`);
  const [count] = await queryJson(db, "SELECT (SELECT count(*) FROM got) AS g, (SELECT count(*) FROM back) AS b");
  if (count!.g !== count!.b || Number(count!.g) !== rows.length) problems.push(`rows: read back ${count!.g}, expected ${rows.length}`);
  if (problems.length) return problems;

  // By text (so -0.0 and 0.0 differ), or by DuckDB's equality.
  const differ = async (a: string, b: string, col: string, byText = true) => {
    const cond = byText ? `x.${col}::VARCHAR IS DISTINCT FROM y.${col}::VARCHAR` : `x.${col} IS DISTINCT FROM y.${col}`;
    const [d] = await queryJson(db, `SELECT count(*) AS n, min(id) AS first FROM ${a} x FULL JOIN ${b} y USING (id) WHERE ${cond}`);
    if (d!.n === "0") return null;
    const [ex] = await queryJson(db, `SELECT left(x.${col}::VARCHAR, 200) AS x, left(y.${col}::VARCHAR, 200) AS y FROM ${a} x JOIN ${b} y USING (id) WHERE id = ${d!.first}`);
    return `${d!.n} rows differ, first id ${d!.first}: ${a} ${JSON.stringify(ex?.x)} vs ${b} ${JSON.stringify(ex?.y)}`;
  };
  for (let i = 0; i < c.types.length; i++) {
    const why = await differ("got", "back", q(c.names[i]!));
    if (why) problems.push(`column ${q(c.names[i]!)} ${typeText(c.types[i]!, false)}: ${why}`);
  }

  // DuckDB's own writer, on the same table in the written types: same read-back types and values
  // (equal, not the same text: its dictionary takes -0.0 for 0.0, where the file keeps the sign).
  const same = c.types.flatMap((t, i) => (divergesFromCopy(t) ? [] : [i]));
  if (same.length) {
    const cols = same.map((i) => `CAST(${q(c.names[i]!)} AS ${typeText(c.types[i]!, false)}) AS ${q(c.names[i]!)}`).join(", ");
    await db.run(`COPY (SELECT id, ${cols} FROM back ORDER BY id) TO ${sqlString(theirs)} (FORMAT parquet)`);
    await db.run(`CREATE TABLE copied AS SELECT * FROM read_parquet(${sqlString(theirs)})`);
    const theirTypes = await describe("copied");
    const ourTypes = gotTypes.filter((_, k) => k === 0 || same.includes(k - 1));
    if (JSON.stringify(theirTypes) !== JSON.stringify(ourTypes)) problems.push(`types differ from DuckDB's COPY: ours ${ourTypes.join(", ")}; DuckDB's ${theirTypes.join(", ")}`);
    for (const i of same) {
      const why = await differ("got", "copied", q(c.names[i]!), false);
      if (why) problems.push(`column ${q(c.names[i]!)} ${typeText(c.types[i]!, false)} vs DuckDB's COPY: ${why}`);
    }
  }

  // Statistics: every row group's min/max bounds the group's values (DuckDB skips groups by them).
  for (let i = 0; i < c.types.length; i++) {
    const t = c.types[i]!;
    if (!comparable(t)) continue;
    const col = q(c.names[i]!);
    const [bad] = await queryJson(
      db,
      `SELECT count(*) AS n, min(b.id) AS first, any_value(m.stats_min_value) AS lo, any_value(m.stats_max_value) AS hi FROM back b
       JOIN parquet_metadata(${sqlString(ours)}) m ON m.path_in_schema = ${sqlString(c.names[i]!)}
         AND b.id >= m.row_group_id * ${c.rowGroupSize} AND b.id < (m.row_group_id + 1) * ${c.rowGroupSize}
       WHERE m.stats_min_value IS NOT NULL AND (b.${col} < CAST(m.stats_min_value AS ${typeText(t, true)}) OR b.${col} > CAST(m.stats_max_value AS ${typeText(t, true)}))`,
    );
    if (bad!.n !== "0") problems.push(`statistics of ${col} ${typeText(t, false)} do not bound ${bad!.n} values (first id ${bad!.first}; min ${JSON.stringify(bad!.lo)}, max ${JSON.stringify(bad!.hi)})`);
  }

  // Filters over the file's row groups select what they select in memory.
  const targets: { col: string; t: T; get: (r: Row) => Value }[] = [];
  c.types.forEach((t, i) => {
    const name = c.names[i]!;
    if (comparable(t)) targets.push({ col: q(name), t, get: (r) => r[name]! });
    if (t.k === "struct") for (const f of t.fields) if (comparable(f.t)) targets.push({ col: `${q(name)}.${q(f.name)}`, t: f.t, get: (r) => (r[name] === null ? null : (r[name] as Record<string, Value>)[f.name]!) });
  });
  const absentRow: Row = Object.fromEntries(c.names.map((name, i) => [name, c.absent[i]!]));
  for (const { col, t, get } of targets) {
    const present = c.base.map(get).filter((v) => v !== null);
    const probes = present.length ? c.probes.map((p) => present[p % present.length]!) : [];
    const other = get(absentRow);
    const conds = [`${col} IS NULL`, `${col} IS NOT NULL`, ...[...probes, ...(other === null || other === MB ? [] : [other])].flatMap((v) => ["=", "<", ">"].map((op) => `${col} ${op} ${lit(t, v)}`))];
    if (probes.length) {
      conds.push(`${col} IN (${probes.map((v) => lit(t, v)).join(", ")})`, `${col} BETWEEN ${lit(t, probes[0]!)} AND ${lit(t, probes[1]!)}`);
      // A prefix LIKE becomes a range DuckDB checks against the statistics.
      if (t.k === "s" && t.name === "VARCHAR" && probes[2] !== MB) {
        const prefix = [...(probes[2] as string)].slice(0, 3).join("").replace(/[\\%_]/g, "\\$&");
        const textLit = (x: string) => lit({ k: "s", name: "VARCHAR" }, x);
        conds.push(`${col} LIKE ${textLit(prefix + "%")} ESCAPE '\\'`, `starts_with(${col}, ${textLit([...(probes[2] as string)].slice(0, 2).join(""))})`);
      }
    }
    for (const cond of conds) {
      const [a] = await queryJson(db, `SELECT count(*) AS n, sum(id) AS s FROM read_parquet(${sqlString(ours)}) WHERE ${cond}`);
      const [b] = await queryJson(db, `SELECT count(*) AS n, sum(id) AS s FROM back WHERE ${cond}`);
      if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`filter ${cond.slice(0, 160)}: file ${JSON.stringify(a)}, memory ${JSON.stringify(b)}`);
    }
  }
  return problems;
}

test("DuckDB's ranges are the ones the generators use", async () => {
  await withDuckDB(async (db) => {
    const [r] = await queryJson(db, "SELECT (DATE '5881580-07-10' - DATE '1970-01-01') AS dmax, (DATE '5877642-06-25 (BC)' - DATE '1970-01-01') AS dmin, epoch_us(TIMESTAMP '294247-01-10 04:00:54.775806') AS tmax, epoch_us(TIMESTAMP '290309-12-22 (BC) 00:00:00') AS tmin");
    expect([Number(r!.dmax), Number(r!.dmin), BigInt(r!.tmax as string), BigInt(r!.tmin as string)]).toEqual([range.dateMax, range.dateMin, range.tsMax, range.tsMin]);
  });
});

test("messy values of every plan type read back from DuckDB as the rows written, as DuckDB's own COPY reads back, and filters over the statistics select the same rows", { timeout: 600_000 }, async () => {
  let run = 0;
  let written = 0;
  await withDuckDB(async (db) => {
    await db.run("SET TimeZone = 'UTC'");
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const problems = await runCase(db, c, `case${run++}`);
        written += c.base.length * c.tile;
        if (problems.length) throw new Error(`${c.base.length}×${c.tile} rows, row groups of ${c.rowGroupSize}, (${showType(c)}):\n  ${problems.slice(0, 6).join("\n  ")}`);
      }),
      { numRuns: RUNS },
    );
  });
  console.log(`${run} cases, ${written} rows`);
  // The cases must have written rows, or the property proves little.
  expect(written).toBeGreaterThan(RUNS * 10);
});

// ---- partition folders
const PARTITION_TYPES: T[] = [
  ...["VARCHAR", "VARCHAR", "DOUBLE", "FLOAT", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIME", "BOOLEAN", "BIGINT", "HUGEINT", "UBIGINT", "UUID", "BLOB", "JSON"].map((name): T => ({ k: "s", name })),
  { k: "dec", p: 9, s: 3 },
  { k: "dec", p: 38, s: 10 },
  { k: "list", el: { k: "s", name: "VARCHAR" } },
  { k: "struct", fields: [{ name: "a", t: { k: "s", name: "INTEGER" } }, { name: "b c", t: { k: "s", name: "VARCHAR" } }] },
];
// Text a folder can hold (a value past 255 bytes is a dead letter, tested in layout.test.ts).
const folderText = fc.oneof(
  fc.array(codePoint, { maxLength: 12 }).map((cs) => String.fromCodePoint(...cs)),
  fc.constantFrom("", " ", "a/b", "a=b", "%", "%41", "100%", "x y", "é", "e\u0301", "🦆", "\0", "NULL", "null", "__HIVE_DEFAULT_PARTITION__", ".", "..", "a\\b", "?#&", "+"),
);
const partitionValue = (t: T): fc.Arbitrary<Value> => {
  if (t.k === "s" && t.name === "VARCHAR") return fc.option(folderText, { nil: null, freq: 5 });
  if (t.k === "s" && t.name === "BLOB") return fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null, freq: 5 });
  if (t.k === "s" && t.name === "JSON") return fc.option(fc.json({ maxDepth: 1 }).filter((j) => j.length < 60), { nil: null, freq: 5 });
  if (t.k === "struct") return fc.option(fc.record({ a: fc.option(fc.integer(), { nil: null, freq: 4 }), "b c": fc.option(folderText, { nil: null, freq: 4 }) }), { nil: null, freq: 5 });
  if (t.k === "list") return fc.option(fc.array(fc.option(folderText, { nil: null, freq: 4 }), { maxLength: 3 }), { nil: null, freq: 5 });
  return valueArb(t, 5);
};
/** A literal in the written type (HUGEINT as itself, not its DECIMAL(38,0) read-back). */
const writtenLit = (t: T, v: Value) => (t.k === "s" && (t.name === "HUGEINT" || t.name === "UHUGEINT") ? `CAST(${v === null ? "NULL" : `'${v}'`} AS ${t.name})` : lit(t, v));
const partitionCaseArb = fc
  .constantFrom(...PARTITION_TYPES)
  .chain((t) => fc.record({ t: fc.constant(t), values: fc.array(partitionValue(t), { minLength: 1, maxLength: 12 }) }));

/** The partition value of each file under `root`, as its folder says it (percent-decoded), by the file's path. */
function folderValues(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".parquet")) continue;
    const folder = relative(root, entry.parentPath).split("/").find((s) => s.startsWith("k="))!;
    out.push(decodeURIComponent(folder.slice(2)));
  }
  return out.sort();
}

test("messy partition values read back exactly through the layout's query, in folders named as DuckDB's own PARTITION_BY names them", { timeout: 600_000 }, async () => {
  let run = 0;
  await withDuckDB(async (db) => {
    await db.run("SET TimeZone = 'UTC'");
    await fc.assert(
      fc.asyncProperty(partitionCaseArb, async ({ t, values }) => {
        const root = join(dir, `part${run++}`);
        const schema: Schema = [{ name: "id", type: "INTEGER" }, { name: "k", type: typeText(t, false) }, { name: "v", type: "VARCHAR" }];
        const rows: Row[] = values.map((k, id) => ({ id, k, v: `row ${id}` }));
        await writeBatch({ sink: fsSink(join(root, "ours")), parquet: runnelWriter, schema, rows, partitionBy: ["k"], sinkName: "lake", writer: "w", first: 0, last: rows.length - 1 });
        await db.run("DROP TABLE IF EXISTS src");
        await db.run(`CREATE TABLE src AS SELECT * FROM (VALUES ${rows.map((r) => `(${r.id}, ${writtenLit(t, r.k!)}, ${sqlString(r.v as string)})`).join(", ")}) s(id, k, v)`);
        const glob = join(root, "ours", "lake", "**", "*.parquet");
        const [diff] = await queryJson(
          db,
          `SELECT count(*) AS n, min(id) AS first FROM src s FULL JOIN (${datasetSql(glob, schema, ["k"])}) g USING (id)
           WHERE s.k::VARCHAR IS DISTINCT FROM g.k::VARCHAR OR s.v IS DISTINCT FROM g.v OR typeof(s.k) <> typeof(g.k)`,
        );
        expect(diff, `${typeText(t, false)} partition values ${JSON.stringify(values, (_, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? hex(x) : x))}`).toEqual({ n: "0", first: null });
        // DuckDB's own writer names the same folders (its NULL folder and a text spelled NULL aside; -0.0 and 0.0 are one group to it).
        // (It refuses a BLOB that is not UTF-8 text: "Invalid unicode … detected in value construction".)
        if (t.k === "s" && t.name === "BLOB" && values.some((b) => b !== null && !isUtf8(b as Uint8Array))) return;
        await db.run(`COPY src TO ${sqlString(join(root, "duckdb"))} (FORMAT parquet, PARTITION_BY (k))`);
        const same = (folders: string[]) => [...new Set(folders.filter((f) => !/^null$/i.test(f) && f !== "__HIVE_DEFAULT_PARTITION__").map((f) => f.replace(/^-0\.0$/, "0.0")))].sort();
        expect(same(folderValues(join(root, "ours", "lake")))).toEqual(same(folderValues(join(root, "duckdb"))));
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

test("types a plan never hands the writer (the compiler refuses their casts) are refused by name, not written as something else", () => {
  for (const type of ["TIME WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "UNION(a INTEGER, b VARCHAR)", "BIT", "STRUCT(a TIMESTAMP_NS)"]) {
    const name = type.startsWith("STRUCT") ? "x.a" : "x";
    const shown = type === "TIME WITH TIME ZONE" ? "TIMETZ" : type.startsWith("STRUCT") ? "TIMESTAMP_NS" : type.replace(/\(.*/, "");
    expect(() => runnelWriter.write([{ name: "x", type }], [{ x: null }]), type).toThrow(`parquet: column ${JSON.stringify(name)} has type ${shown}, which the Parquet writer does not support`);
  }
});
