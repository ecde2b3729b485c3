/**
 * Parquet writers on the same 200,000 rows: runnel's own encoder (the one
 * pipelines use), hyparquet-writer driven by runnel's DuckDB schema mapping
 * and Snappy, hyparquet-writer as its README uses it, and DuckDB's native
 * `COPY ... TO (FORMAT parquet)`.
 * Rows/s counts from rows in memory to file bytes in memory (DuckDB: from
 * its table to the file). Every file is read back by DuckDB and compared
 * with the source rows. Goals (issue 6): ≥ 0.2× DuckDB's rows/s, ≤ 1.5× its size.
 *
 *   npx tsx bench/parquet-writer.ts [rows]
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { Float64, Int64, Table, Utf8, vectorFromArray, tableToIPC } from "apache-arrow";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Row, Schema } from "../edge/plan/values.ts";
import { hyparquetWriter } from "../edge/parquet/hyparquet.ts";
import { runnelWriter } from "../edge/parquet/runnel.ts";
import { queryJson, sqlString, withDuckDB } from "../edge/parquet/duckdb-oracle.node.ts";

const N = Number(process.argv[2] ?? 200_000);
const RUNS = 5;

/** Turnstile-like events: low-cardinality text, md5-like ids, increasing timestamps, counters, a float, a NULL share. */
const schema: Schema = [
  { name: "station", type: "VARCHAR" },
  { name: "device", type: "VARCHAR" },
  { name: "ts", type: "TIMESTAMP" },
  { name: "entries", type: "BIGINT" },
  { name: "exits", type: "BIGINT" },
  { name: "day", type: "DATE" },
  { name: "ratio", type: "DOUBLE" },
  { name: "note", type: "VARCHAR" },
];

function makeRows(n: number): Row[] {
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const hex = () => next().toString(16).padStart(8, "0");
  const rows: Row[] = new Array(n);
  const t0 = BigInt(Date.UTC(2026, 10, 22)) * 1000n;
  for (let i = 0; i < n; i++) {
    rows[i] = {
      station: `station-${next() % 400}`,
      device: hex() + hex() + hex() + hex(),
      ts: t0 + BigInt(i) * 250_000n + BigInt(next() % 1000),
      entries: BigInt(next() % 5_000_000),
      exits: BigInt(next() % 5_000_000),
      day: 20_414 + Math.floor(i / 50_000),
      ratio: (next() % 100_000) / 1000,
      note: next() % 10 === 0 ? null : ["ok", "late", "audit", "repair"][next() % 4]!,
    };
  }
  return rows;
}

/** hyparquet-writer the way its README shows: columns with basic types, its defaults otherwise. */
function hyparquetDefaults(rows: Row[]): Uint8Array {
  const col = <T>(name: string) => rows.map((r) => r[name] as T);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "station", data: col<string>("station"), type: "STRING" },
      { name: "device", data: col<string>("device"), type: "STRING" },
      { name: "ts", data: col<bigint>("ts"), type: "INT64" },
      { name: "entries", data: col<bigint>("entries"), type: "INT64" },
      { name: "exits", data: col<bigint>("exits"), type: "INT64" },
      { name: "day", data: col<number>("day"), type: "INT32" },
      { name: "ratio", data: col<number>("ratio"), type: "DOUBLE" },
      { name: "note", data: col<string | null>("note"), type: "STRING" },
    ],
  });
  return new Uint8Array(buffer);
}

/**
 * parquet-wasm, when it is installed (it is not a dependency: `npm i --no-save parquet-wasm`
 * to include it). Rows go through apache-arrow's builders to IPC first — the path
 * parquet-wasm needs, and one that fails inside workerd (`new Function`).
 */
interface ParquetWasm {
  initSync(options: { module: Uint8Array }): void;
  Compression: Record<"SNAPPY" | "ZSTD", unknown>;
  WriterPropertiesBuilder: new () => { setCompression(c: unknown): { setMaxRowGroupSize(n: number): { build(): unknown } } };
  Table: { fromIPCStream(bytes: Uint8Array): unknown };
  writeParquet(table: unknown, props: unknown): Uint8Array;
}

async function parquetWasm(rows: Row[]): Promise<((codec: "SNAPPY" | "ZSTD") => Uint8Array) | string> {
  let pw: ParquetWasm;
  // A specifier TypeScript does not resolve: the package is optional.
  const specifier = "parquet-wasm/esm";
  try {
    pw = (await import(specifier)) as ParquetWasm;
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return "not installed (npm i --no-save parquet-wasm to include it)";
    throw error;
  }
  const wasm = new URL(import.meta.resolve(`${specifier.replace(/\/esm$/, "")}/esm/parquet_wasm_bg.wasm`));
  pw.initSync({ module: readFileSync(wasm) });
  return (codec) => {
    const col = <T>(name: string) => rows.map((r) => r[name] as T);
    const table = new Table({
      station: vectorFromArray(col<string>("station"), new Utf8()),
      device: vectorFromArray(col<string>("device"), new Utf8()),
      ts: vectorFromArray(col<bigint>("ts"), new Int64()),
      entries: vectorFromArray(col<bigint>("entries"), new Int64()),
      exits: vectorFromArray(col<bigint>("exits"), new Int64()),
      day: vectorFromArray(col<number>("day"), new Float64()),
      ratio: vectorFromArray(col<number>("ratio"), new Float64()),
      note: vectorFromArray(col<string | null>("note"), new Utf8()),
    });
    const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression[codec]).setMaxRowGroupSize(122_880).build();
    return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, "stream")), props);
  };
}

interface Result {
  writer: string;
  /** Median wall time. */
  ms: number;
  /** Median CPU time of the whole process (all threads), which a loaded machine distorts less than wall time. */
  cpuMs: number;
  bytes: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function timeJs(name: string, write: () => Uint8Array): Result & { file: Uint8Array } {
  write(); // warm-up: JIT and first-use costs
  const times: number[] = [];
  const cpu: number[] = [];
  let file: Uint8Array = new Uint8Array();
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const cpuStart = cpuNow();
    file = write();
    times.push(performance.now() - start);
    cpu.push(cpuNow() - cpuStart);
  }
  return { writer: name, ms: median(times), cpuMs: median(cpu), bytes: file.length, file };
}

async function timeDuckDB(db: DuckDBConnection, dir: string, codec: string): Promise<Result> {
  const path = join(dir, `duckdb-${codec}.parquet`);
  const copy = `COPY source TO ${sqlString(path)} (FORMAT parquet, COMPRESSION ${codec})`;
  await db.run(copy);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const cpuStart = cpuNow();
    await db.run(copy);
    times.push(performance.now() - start);
    cpu.push(cpuNow() - cpuStart);
  }
  return { writer: `DuckDB COPY (${codec}, ${await threads(db)} threads)`, ms: median(times), cpuMs: median(cpu), bytes: statSync(path).size };
}

async function threads(db: DuckDBConnection): Promise<string> {
  const [row] = await queryJson(db, "SELECT current_setting('threads') AS t");
  return String(row?.t);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Fails the benchmark if DuckDB does not read back exactly the source rows. */
async function assertSameRows(db: DuckDBConnection, path: string, what: string, untyped = false): Promise<void> {
  // README-style hyparquet-writer columns are bare INT64/INT32: rebuild the timestamp and date from them.
  const expr = (name: string, type: string) =>
    untyped && type === "TIMESTAMP" ? `make_timestamp("${name}")` : untyped && type === "DATE" ? `DATE '1970-01-01' + "${name}"` : `CAST("${name}" AS ${type})`;
  const cols = schema.map((c) => `${expr(c.name, c.type)} AS "${c.name}"`).join(", ");
  const [diff] = await queryJson(
    db,
    `SELECT (SELECT count(*) FROM (SELECT * FROM source EXCEPT ALL SELECT ${cols} FROM read_parquet(${sqlString(path)}))) +
            (SELECT count(*) FROM (SELECT ${cols} FROM read_parquet(${sqlString(path)}) EXCEPT ALL SELECT * FROM source)) AS d`,
  );
  if (diff?.d !== "0") throw new Error(`bench: ${what} differs from the source rows in ${diff?.d} rows`);
}

const dir = mkdtempSync(join(tmpdir(), "runnel-bench-parquet-"));
try {
  const rows = makeRows(N);
  const runnel = timeJs("runnel encoder (edge/parquet/runnel.ts)", () => runnelWriter.write(schema, rows));
  const tuned = timeJs("hyparquet-writer + runnel schema + Snappy", () => hyparquetWriter.write(schema, rows));
  const plain = timeJs("hyparquet-writer 0.17 (README defaults)", () => hyparquetDefaults(rows));
  const wasm = await parquetWasm(rows);
  const wasmResults = typeof wasm === "string" ? [] : [timeJs("parquet-wasm (via apache-arrow IPC, snappy)", () => wasm("SNAPPY")), timeJs("parquet-wasm (via apache-arrow IPC, zstd)", () => wasm("ZSTD"))];
  const runnelPath = join(dir, "runnel.parquet");
  writeFileSync(runnelPath, runnel.file);
  const plainPath = join(dir, "hyparquet.parquet");
  writeFileSync(plainPath, plain.file);
  const tunedPath = join(dir, "hyparquet-tuned.parquet");
  writeFileSync(tunedPath, tuned.file);

  const results = await withDuckDB(async (db) => {
    // DuckDB's table is loaded from the hyparquet-writer file (an encoder it does not share code with), so every writer encodes the very same rows.
    await db.run(`CREATE TABLE source AS SELECT * FROM read_parquet(${sqlString(tunedPath)})`);
    const [count] = await queryJson(db, "SELECT count(*) AS n FROM source");
    if (count?.n !== String(N)) throw new Error(`bench: DuckDB loaded ${count?.n} rows, expected ${N}`);
    const snappy = await timeDuckDB(db, dir, "snappy");
    const zstd = await timeDuckDB(db, dir, "zstd");
    await assertSameRows(db, runnelPath, "runnel's file");
    await assertSameRows(db, tunedPath, "hyparquet-writer's (runnel schema) file");
    await assertSameRows(db, plainPath, "hyparquet-writer's file", true);
    await assertSameRows(db, join(dir, "duckdb-snappy.parquet"), "DuckDB's file");
    // A second, independent read of runnel's file: the JS reader (hyparquet) agrees on the row count.
    const { parquetMetadata } = await import("hyparquet");
    const bytes = readFileSync(runnelPath);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (meta.num_rows !== BigInt(N)) throw new Error(`bench: hyparquet reads ${meta.num_rows} rows from runnel's file`);
    return { snappy, zstd };
  });

  const base = results.snappy;
  const table = [runnel, tuned, plain, ...wasmResults, results.snappy, results.zstd].map((r) => {
    const rate = N / (r.ms / 1000);
    return {
      writer: r.writer,
      "ms (median of 5)": r.ms.toFixed(1),
      "rows/s": Math.round(rate).toLocaleString("en-US"),
      "× DuckDB rows/s": (rate / (N / (base.ms / 1000))).toFixed(2),
      "CPU ms": r.cpuMs.toFixed(0),
      "× DuckDB rows/CPU-s": (base.cpuMs / r.cpuMs).toFixed(2),
      "size (bytes)": r.bytes.toLocaleString("en-US"),
      "× DuckDB size": (r.bytes / base.bytes).toFixed(2),
    };
  });
  const load = (await import("node:os")).loadavg()[0]!;
  console.log(
    `Parquet writers, ${N.toLocaleString("en-US")} rows, ${schema.length} columns; DuckDB = COPY with its default codec (snappy); ` +
      `load average ${load.toFixed(1)} on ${(await import("node:os")).cpus().length} CPUs${load > 2 ? " (busy machine: wall times are noisy, CPU times less so)" : ""}`,
  );
  console.table(table);
  if (typeof wasm === "string") console.log(`parquet-wasm: ${wasm}`);
  const speed = N / (runnel.ms / 1000) / (N / (base.ms / 1000));
  const size = runnel.bytes / base.bytes;
  const cpuSpeed = base.cpuMs / runnel.cpuMs;
  console.log(
    `runnel: ${speed.toFixed(2)}× DuckDB's rows/s (${cpuSpeed.toFixed(2)}× per CPU-second) (goal ≥ 0.2: ${speed >= 0.2 ? "met" : "NOT met"}), ` +
      `${size.toFixed(2)}× its size (goal ≤ 1.5: ${size <= 1.5 ? "met" : "NOT met"}); ` +
      `vs DuckDB zstd: ${(N / (runnel.ms / 1000) / (N / (results.zstd.ms / 1000))).toFixed(2)}× rows/s, ${(runnel.bytes / results.zstd.bytes).toFixed(2)}× size`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
