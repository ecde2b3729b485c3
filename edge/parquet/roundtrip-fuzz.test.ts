// Seeded round-trip fuzz of the runnel encoder against DuckDB: random schemas (every scalar type of
// values.ts, DECIMALs of each width, LIST/STRUCT/MAP nested up to 4 deep) and messy rows (NULLs
// everywhere, NUL and astral text, 100 KB strings, NaN/±inf/-0.0, integer limits, BC and infinite
// dates, timestamps at the range ends, dictionary give-ups), written with `write` and with `open/add`
// cut at random points (same bytes), read back by DuckDB and compared value by value (as DuckDB's
// text, so -0.0 and NaN count) and type by type with a table DuckDB builds from SQL literals in the
// documented read-back types; then `=, <, >, <=, >=, IS [NOT] NULL` filters on every comparable
// column and struct field over the file (small row groups) must select the rows they select in memory.
// RUNNEL_PQ_FUZZ="seed,cases,maxRows" runs a longer hunt (default 7,60,1000).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import type { Row, Schema, Value } from "../plan/values.ts";
import { queryJson, sqlString, withDuckDB } from "./duckdb-oracle.node.ts";
import { runnelWriter } from "./runnel.ts";

const [SEED, CASES, MAX_ROWS] = (process.env.RUNNEL_PQ_FUZZ ?? "7,60,1000").split(",").map(Number) as [number, number, number];
const dir = mkdtempSync(join(tmpdir(), "runnel-parquet-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type T =
  | { k: "scalar"; name: string; readback?: string }
  | { k: "decimal"; p: number; s: number }
  | { k: "list"; el: T }
  | { k: "struct"; fields: { name: string; t: T }[] }
  | { k: "map"; key: T; val: T };

let state = 1;
const rnd = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
};
const ri = (n: number) => Math.floor(rnd() * n);
const pick = <X>(xs: readonly X[]): X => xs[ri(xs.length)]!;
const chance = (p: number) => rnd() < p;

const SCALARS = [
  "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
  "HUGEINT", "UHUGEINT", "FLOAT", "DOUBLE", "VARCHAR", "JSON", "UUID", "BLOB", "DATE", "TIME", "TIMESTAMP",
  "TIMESTAMP WITH TIME ZONE", "INTERVAL",
] as const;

function genType(depth: number): T {
  const r = rnd();
  if (depth < 4 && r < 0.12) return { k: "list", el: genType(depth + 1) };
  if (depth < 4 && r < 0.22) {
    const n = 1 + ri(3);
    const fields = Array.from({ length: n }, (_, i) => ({ name: pick(["a", "b c", "é", "x" + i, "🦆"]) + i, t: genType(depth + 1) }));
    return { k: "struct", fields };
  }
  if (depth < 4 && r < 0.26) return { k: "map", key: pick<T>([{ k: "scalar", name: "VARCHAR" }, { k: "scalar", name: "INTEGER" }, { k: "scalar", name: "BIGINT" }]), val: genType(depth + 1) };
  if (r < 0.36) {
    const p = pick([1, 2, 4, 9, 10, 15, 18, 19, 28, 38]);
    return { k: "decimal", p, s: ri(p + 1) };
  }
  return { k: "scalar", name: pick(SCALARS) };
}

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
function typeText(t: T, readback: boolean): string {
  switch (t.k) {
    case "scalar":
      if (readback && (t.name === "HUGEINT" || t.name === "UHUGEINT")) return "DECIMAL(38,0)";
      if (readback && t.name === "INTERVAL") return "STRUCT(months INTEGER, days INTEGER, micros BIGINT)";
      return t.name;
    case "decimal": return `DECIMAL(${t.p},${t.s})`;
    case "list": return `${typeText(t.el, readback)}[]`;
    case "struct": return `STRUCT(${t.fields.map((f) => `${q(f.name)} ${typeText(f.t, readback)}`).join(", ")})`;
    case "map": return `MAP(${typeText(t.key, readback)}, ${typeText(t.val, readback)})`;
  }
}

// ---- values
const I64 = 2n ** 63n;
const bigBetween = (lo: bigint, hi: bigint): bigint => {
  const span = hi - lo + 1n;
  let x = 0n;
  for (let i = 0; i < 5; i++) x = (x << 32n) | BigInt(ri(2 ** 32));
  return lo + (x % span);
};
const intEdge = (lo: bigint, hi: bigint): bigint =>
  chance(0.4) ? pick([lo, hi, 0n, -1n, 1n, lo + 1n, hi - 1n].filter((x) => x >= lo && x <= hi)) : chance(0.5) ? bigBetween(-1000n > lo ? -1000n : lo, 1000n < hi ? 1000n : hi) : bigBetween(lo, hi);
const STRS = ["", "a", "\0", "a\0b", "🦆", "\u{10FFFF}", "日本語", "é", " ", "NULL", "null", "\n\t", "'\"\\", "\uFEFF"];
function genString(): string {
  const r = rnd();
  if (r < 0.4) return pick(STRS);
  if (r < 0.42) return "x".repeat(100_000) + pick(STRS);
  if (r < 0.44) return "🦆".repeat(ri(40_000));
  if (r < 0.5) return "x".repeat(60 + ri(10)); // around the 64-byte stats cutoff
  let s = "";
  const n = ri(12);
  for (let i = 0; i < n; i++) s += chance(0.2) ? String.fromCodePoint(pick([0, 1, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x1f986, 0x10ffff])) : String.fromCharCode(97 + ri(26));
  return s;
}
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const DATE_MIN = -2147483646, DATE_MAX = 2147483646; // refined at start from DuckDB
function genScalar(name: string): Value {
  switch (name) {
    case "BOOLEAN": return chance(0.5);
    case "TINYINT": return Number(intEdge(-128n, 127n));
    case "SMALLINT": return Number(intEdge(-32768n, 32767n));
    case "INTEGER": return Number(intEdge(-(2n ** 31n), 2n ** 31n - 1n));
    case "BIGINT": return intEdge(-I64, I64 - 1n);
    case "UTINYINT": return Number(intEdge(0n, 255n));
    case "USMALLINT": return Number(intEdge(0n, 65535n));
    case "UINTEGER": return Number(intEdge(0n, 2n ** 32n - 1n));
    case "UBIGINT": return intEdge(0n, 2n ** 64n - 1n);
    // Written as DECIMAL(38,0); the sinks make a value past 38 digits a dead letter before the writer.
    case "HUGEINT": return intEdge(-(10n ** 38n - 1n), 10n ** 38n - 1n);
    case "UHUGEINT": return intEdge(0n, 10n ** 38n - 1n);
    case "FLOAT": return Math.fround(genDouble());
    case "DOUBLE": return genDouble();
    case "VARCHAR": return genString();
    case "JSON": return pick(['{"a":1}', "[1,2,\"ü\"]", "null", "1.5", '"🦆"', "{}", "[]", "true", '{"k":"\\u0000"}']);
    case "UUID": return pick(["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "80000000-0000-0000-0000-000000000000", "7fffffff-ffff-ffff-ffff-ffffffffffff"]) ?? "";
    case "BLOB": { const n = chance(0.1) ? 70 : ri(6); return Uint8Array.from({ length: n }, () => pick([0, 255, 128, 127, ri(256)])); }
    case "DATE": return chance(0.1) ? pick([2147483647, -2147483647]) : chance(0.3) ? pick([dateMin, dateMax, -719528 /* 0000-01-01 */, -719893, 0, -1]) : ri(200_000) - 1_000_000;
    case "TIME": return chance(0.3) ? pick([0n, 86_400_000_000n, 86_399_999_999n]) : BigInt(ri(86_400_000)) * 1000n + BigInt(ri(1000));
    case "TIMESTAMP":
    case "TIMESTAMP WITH TIME ZONE":
      return chance(0.1) ? pick([I64 - 1n, -(I64 - 1n)]) : chance(0.3) ? pick([tsMin, name === "TIMESTAMP" ? tsMax : 9_200_000_000_000_000_000n, 0n, -1n, -62135596800000000n - 1n]) : bigBetween(-100_000_000_000_000_000n, 100_000_000_000_000_000n);
    case "INTERVAL": return { months: Number(intEdge(-(2n ** 31n), 2n ** 31n - 1n)), days: Number(intEdge(-(2n ** 31n), 2n ** 31n - 1n)), micros: intEdge(-I64, I64 - 1n) };
  }
  throw new Error(name);
}
let dateMin = -2147483646, dateMax = 2147483646, tsMin = -(I64 - 2n), tsMax = I64 - 2n;
function genDouble(): number {
  if (chance(0.08)) return NaN;
  if (chance(0.4)) return pick([NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1.1, 3.4028234663852886e38, 1e-45, 2 ** 53]);
  return (rnd() - 0.5) * 10 ** ri(40);
}

type Pool = { mode: "rand" | "pool" | "drift"; pool: Value[]; n: number };
function genValue(t: T, nullP: number, pool?: Pool): Value {
  if (chance(nullP)) return null;
  if (pool && pool.mode !== "rand" && (pool.mode === "pool" || pool.n++ < 3000)) {
    if (pool.pool.length < 5 || chance(0.01)) pool.pool.push(genValue(t, 0));
    return pick(pool.pool);
  }
  switch (t.k) {
    case "scalar": return genScalar(t.name);
    case "decimal": { const m = 10n ** BigInt(t.p) - 1n; return intEdge(-m, m); }
    case "list": return chance(0.2) ? [] : Array.from({ length: chance(0.05) ? 30 : ri(4) }, () => genValue(t.el, nullP));
    case "struct": return Object.fromEntries(t.fields.map((f) => [f.name, genValue(f.t, nullP)]));
    case "map": {
      const n = chance(0.2) ? 0 : ri(4);
      const seen = new Set<string>();
      const out: Value[] = [];
      for (let i = 0; i < n; i++) {
        const k = genValue(t.key, 0);
        if (seen.has(String(k))) continue;
        seen.add(String(k));
        out.push({ key: k, value: genValue(t.val, nullP) });
      }
      return out;
    }
  }
}

// ---- SQL literal of a value in its read-back type
const pad = (n: number | bigint, w: number) => String(n).padStart(w, "0");
function lit(t: T, v: Value): string {
  if (v === null) return `CAST(NULL AS ${typeText(t, true)})`;
  switch (t.k) {
    case "decimal": {
      const neg = (v as bigint) < 0n;
      const a = (neg ? -(v as bigint) : (v as bigint)).toString().padStart(t.s + 1, "0");
      const txt = t.s ? `${a.slice(0, a.length - t.s)}.${a.slice(a.length - t.s)}` : a;
      return `CAST('${neg ? "-" : ""}${txt}' AS DECIMAL(${t.p},${t.s}))`;
    }
    case "list": return `CAST([${(v as Value[]).map((e) => lit(t.el, e)).join(", ")}] AS ${typeText(t, true)})`;
    case "struct": return `CAST(struct_pack(${t.fields.map((f) => `${q(f.name)} := ${lit(f.t, (v as Record<string, Value>)[f.name]!)}`).join(", ")}) AS ${typeText(t, true)})`;
    case "map": {
      const es = v as { key: Value; value: Value }[];
      if (!es.length) return `CAST(MAP {} AS ${typeText(t, true)})`;
      return `CAST(MAP([${es.map((e) => lit(t.key, e.key)).join(", ")}], [${es.map((e) => lit(t.val, e.value)).join(", ")}]) AS ${typeText(t, true)})`;
    }
    case "scalar":
      switch (t.name) {
        case "BOOLEAN": return v ? "true" : "false";
        case "HUGEINT": case "UHUGEINT": return `'${v}'`;
        case "FLOAT": case "DOUBLE": {
          const n = v as number;
          const s = Number.isNaN(n) ? "nan" : n === Infinity ? "inf" : n === -Infinity ? "-inf" : Object.is(n, -0) ? "-0.0" : String(n);
          return t.name === "FLOAT" ? `CAST(CAST('${s}' AS DOUBLE) AS FLOAT)` : `CAST('${s}' AS DOUBLE)`;
        }
        case "VARCHAR": return `decode(from_hex('${hex(Buffer.from(v as string, "utf8"))}'))`;
        case "JSON": return `CAST(${sqlString(v as string)} AS JSON)`;
        case "UUID": return `CAST('${v}' AS UUID)`;
        case "BLOB": return `from_hex('${hex(v as Uint8Array)}')`;
        case "DATE": {
          const d = v as number;
          if (d === 2147483647) return "CAST('infinity' AS DATE)";
          if (d === -2147483647) return "CAST('-infinity' AS DATE)";
          return `(DATE '1970-01-01' + (${d})::INTEGER)`;
        }
        case "TIME": {
          const u = v as bigint;
          return `CAST('${pad(u / 3_600_000_000n, 2)}:${pad((u / 60_000_000n) % 60n, 2)}:${pad((u / 1_000_000n) % 60n, 2)}.${pad(u % 1_000_000n, 6)}' AS TIME)`;
        }
        case "TIMESTAMP": case "TIMESTAMP WITH TIME ZONE": {
          const u = v as bigint;
          const base = u === I64 - 1n ? "CAST('infinity' AS TIMESTAMP)" : u === -(I64 - 1n) ? "CAST('-infinity' AS TIMESTAMP)" : `make_timestamp((${u})::BIGINT)`;
          return t.name === "TIMESTAMP" ? base : `CAST(${base} AS TIMESTAMPTZ)`;
        }
        case "INTERVAL": { const i = v as { months: number; days: number; micros: bigint }; return `struct_pack(months := (${i.months})::INTEGER, days := (${i.days})::INTEGER, micros := (${i.micros})::BIGINT)`; }
        default: return `CAST(${String(v)} AS ${t.name})`;
      }
  }
}

const isScalarCmp = (t: T) => t.k === "decimal" || (t.k === "scalar" && t.name !== "INTERVAL" && t.name !== "JSON");

interface Case { schema: Schema; types: T[]; rows: Row[]; rowGroupSize: number; splits: number[] }
function genCase(): Case {
  const ncol = 1 + ri(6);
  const types = Array.from({ length: ncol }, () => genType(0));
  const nullP = pick([0, 0.05, 0.3, 0.9, 1]);
  const nrows = Math.min(MAX_ROWS, pick([0, 1, 2, 3, 10, 100, 257, 1000, 5000, chance(0.3) ? 25_000 : 300]));
  const pools: Pool[] = types.map(() => ({ mode: pick(["rand", "pool", "drift"] as const), pool: [], n: 0 }));
  const rows: Row[] = [];
  for (let r = 0; r < nrows; r++) {
    const row: Row = { id: r };
    types.forEach((t, i) => (row[`c${i}`] = genValue(t, nullP, pools[i])));
    rows.push(row);
  }
  const schema: Schema = [{ name: "id", type: "INTEGER" }, ...types.map((t, i) => ({ name: `c${i}`, type: typeText(t, false) }))];
  const rowGroupSize = pick([1, 2, 3, 7, 100, 1000, 122_880]);
  const splits: number[] = [];
  for (let at = 0; at < nrows; ) { const n = pick([1, 2, 5, 99, 1000, 20_000]); splits.push(n); at += n; }
  return { schema, types, rows, rowGroupSize, splits };
}


async function runCase(c: Case, tag: string): Promise<string[]> {
  const problems: string[] = [];
  let whole: Uint8Array;
  try {
    whole = runnelWriter.write(c.schema, c.rows, { rowGroupSize: c.rowGroupSize });
  } catch (e) {
    return [`write threw: ${(e as Error).message}`];
  }
  const f = runnelWriter.open!(c.schema, { rowGroupSize: c.rowGroupSize });
  let at = 0;
  for (const n of c.splits) { f.add(c.rows.slice(at, at + n)); at += n; }
  const streamed = f.finish();
  if (!Buffer.from(whole).equals(Buffer.from(streamed))) problems.push("streamed bytes differ from write()");
  const path = join(dir, `${tag}.parquet`);
  writeFileSync(path, streamed);
  await withDuckDB(async (db) => {
    await db.run("SET TimeZone = 'UTC'");
    const cols = c.types.map((t, i) => `c${i} ${typeText(t, true)}`);
    await db.run(`CREATE TABLE expected (id INTEGER${cols.length ? ", " + cols.join(", ") : ""})`);
    for (let r = 0; r < c.rows.length; r += 200) {
      const chunk = c.rows.slice(r, r + 200);
      await db.run(`INSERT INTO expected VALUES ${chunk.map((row) => `(${row.id}, ${c.types.map((t, i) => lit(t, row[`c${i}`]!)).join(", ")})`).join(", ")}`);
    }
    await db.run(`CREATE TABLE got AS SELECT * FROM read_parquet(${sqlString(path)})`);
    const tg = await queryJson(db, "SELECT column_name, column_type FROM (DESCRIBE got)");
    const te = await queryJson(db, "SELECT column_name, column_type FROM (DESCRIBE expected)");
    if (JSON.stringify(tg) !== JSON.stringify(te)) problems.push(`types: got ${JSON.stringify(tg)} expected ${JSON.stringify(te)}`);
    const [n] = await queryJson(db, "SELECT (SELECT count(*) FROM got) AS g, (SELECT count(*) FROM expected) AS e");
    if (n!.g !== n!.e) problems.push(`row count got ${n!.g} expected ${n!.e}`);
    for (let i = 0; i < c.types.length; i++) {
      const [d] = await queryJson(db, `SELECT count(*) AS n, min(e.id) AS first FROM expected e FULL JOIN got g USING (id) WHERE e.c${i}::VARCHAR IS DISTINCT FROM g.c${i}::VARCHAR`);
      if (d!.n !== "0") {
        const [ex] = await queryJson(db, `SELECT left(e.c${i}::VARCHAR, 300) AS e, left(g.c${i}::VARCHAR, 300) AS g FROM expected e JOIN got g USING (id) WHERE id = ${d!.first}`);
        problems.push(`column c${i} ${typeText(c.types[i]!, false)}: ${d!.n} rows differ; id ${d!.first}: expected ${JSON.stringify(ex)}`);
      }
    }
    // statistics: filters over the file vs over memory
    const targets: { col: string; t: T; get: (r: Row) => Value }[] = [];
    c.types.forEach((t, i) => {
      if (isScalarCmp(t)) targets.push({ col: `c${i}`, t, get: (r) => r[`c${i}`]! });
      if (t.k === "struct") for (const f of t.fields) if (isScalarCmp(f.t)) targets.push({ col: `c${i}.${q(f.name)}`, t: f.t, get: (r) => (r[`c${i}`] === null ? null : (r[`c${i}`] as Record<string, Value>)[f.name]!) });
    });
    for (const { col, t, get } of targets) {
      const vals = c.rows.map(get).filter((v) => v !== null);
      const probes = vals.length ? [pick(vals), pick(vals), genValue(t, 0)] : [genValue(t, 0)];
      for (const v of probes) {
        for (const op of ["=", "<", ">", "<=", ">="]) {
          const cond = `${col} ${op} ${lit(t, v)}`;
          const [a] = await queryJson(db, `SELECT count(*) AS n, sum(id) AS s FROM read_parquet(${sqlString(path)}) WHERE ${cond}`);
          const [b] = await queryJson(db, `SELECT count(*) AS n, sum(id) AS s FROM expected WHERE ${cond}`);
          if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`filter ${cond.slice(0, 200)}: file ${JSON.stringify(a)} memory ${JSON.stringify(b)}`);
        }
      }
      for (const cond of [`${col} IS NULL`, `${col} IS NOT NULL`]) {
        const [a] = await queryJson(db, `SELECT count(*) AS n, sum(id) AS s FROM read_parquet(${sqlString(path)}) WHERE ${cond}`);
        const [b] = await queryJson(db, `SELECT count(*) AS n, sum(id) AS s FROM expected WHERE ${cond}`);
        if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`filter ${cond}: file ${JSON.stringify(a)} memory ${JSON.stringify(b)}`);
      }
    }
  });
  return problems;
}

test("random schemas and messy rows read back from DuckDB exactly, and filters over the statistics select the same rows", { timeout: 120_000 }, async () => {
  await withDuckDB(async (db) => {
    const [r] = await queryJson(db, "SELECT (DATE '5881580-07-10' - DATE '1970-01-01') AS dmax, (DATE '5877642-06-25 (BC)' - DATE '1970-01-01') AS dmin, epoch_us(TIMESTAMP '294247-01-10 04:00:54.775806') AS tmax, epoch_us(TIMESTAMP '290309-12-22 (BC) 00:00:00') AS tmin");
    dateMax = Number(r!.dmax); dateMin = Number(r!.dmin); tsMax = BigInt(r!.tmax as string); tsMin = BigInt(r!.tmin as string);
  });
  const failures: string[] = [];
  for (let it = 0; it < CASES; it++) {
    const caseSeed = SEED * 100003 + it;
    state = (Math.imul(caseSeed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0 || 1;
    for (let k = 0; k < 20; k++) rnd();
    const c = genCase();
    const problems = await runCase(c, `s${caseSeed}`);
    if (problems.length) failures.push(`case ${caseSeed} (${c.rows.length} rows, row groups of ${c.rowGroupSize}, [${c.schema.slice(1).map((s) => s.type).join(" | ")}]):\n  ${problems.slice(0, 6).join("\n  ")}`);
  }
  expect(failures).toEqual([]);
});
