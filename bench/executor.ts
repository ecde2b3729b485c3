/**
 * bench/executor: the plan executor against DuckDB native (1 thread) and
 * DuckDB-WASM (Node's blocking build, the browser's bundle) on the same SQL —
 * the turnstile and pii-staging sink cells — in 1,000-event micro-batches (a
 * stream's shape) and in one large batch.
 *
 * What each side does per batch:
 *   executor     raw JSON events (objects from JSON.parse) → read_json conversion → plan → rows
 *   exec+parse   the batch's NDJSON bytes → the Worker's parser (`parseBody`, exact big integers) → the executor as above
 *   native       NDJSON text of the batch (written beforehand) → read_json INSERT → the cell's SQL → rows
 *   DuckDB-WASM  Arrow IPC of the batch (made beforehand, as the gateway sends it) → insert → the cell's SQL → rows
 * Windows: the executor emits each window when the watermark passes it and
 * everything at the end; DuckDB answers over the batch.
 *
 * Each engine is timed by wall clock and by this process's CPU time
 * (`process.cpuUsage`: DuckDB's thread, WASM and V8's GC threads all run in
 * it). The ratios use CPU time, which a loaded machine disturbs far less.
 *
 *   BENCH_ROWS (default 1000000) sets the large batch; BENCH_MICRO (default 100) the number of micro-batches;
 *   BENCH_ROUNDS (default 5) the alternating rounds of the micro-batches (each engine's median is shown).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parseNotebook } from "../notebook/format/parse.ts";
import type { Notebook } from "../notebook/format/model.ts";
import { demoEvents } from "../gateway/sources/demo/index.ts";
import { Sampler } from "../gateway/sample/sampler.ts";
import { openDuckDB, type DuckDB } from "../edge/duckdb/open.node.ts";
import { loadEvents } from "../edge/duckdb/load-events.node.ts";
import { quoteIdent, quoteString } from "../edge/duckdb/quote.ts";
import { gatherCompileInputs } from "../edge/compile/inputs.node.ts";
import { compilePlan } from "../edge/compile/compile.ts";
import { buildPipeline } from "../edge/exec/pipeline.ts";
import { parseBody } from "../edge/worker/parse.ts";
import { defaultLibrary } from "../edge/exec/library.ts";
import { integersAtText } from "../edge/exec/convert.ts";
import type { Plan } from "../edge/plan/types.ts";
import type { Schema } from "../edge/plan/values.ts";

const LARGE = Number(process.env.BENCH_ROWS ?? 1_000_000);
const MICRO = Number(process.env.BENCH_MICRO ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 1000;

interface WasmConnection {
  query(sql: string): { numRows: number };
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create: boolean }): void;
  close(): void;
}

async function openWasm(): Promise<WasmConnection> {
  const require = createRequire(import.meta.url);
  const wasm = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") as {
    createDuckDB(bundles: unknown, logger: unknown, runtime: unknown): Promise<{ instantiate(): Promise<void>; connect(): WasmConnection }>;
    VoidLogger: new () => unknown;
    NODE_RUNTIME: unknown;
  };
  const dist = join(process.cwd(), "node_modules/@duckdb/duckdb-wasm/dist/");
  const instance = await wasm.createDuckDB(
    {
      mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: `${dist}duckdb-node-mvp.worker.cjs` },
      eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: `${dist}duckdb-node-eh.worker.cjs` },
    },
    new wasm.VoidLogger(),
    wasm.NODE_RUNTIME,
  );
  await instance.instantiate();
  const conn = instance.connect();
  conn.query("SET autoload_known_extensions = false");
  conn.query("SET autoinstall_known_extensions = false");
  conn.query("SET threads = 1");
  return conn;
}

interface Case {
  name: string;
  notebook: Notebook;
  source: string;
  sinkSql: string;
  upstream: { id: string; code: string }[];
  plan: Plan;
  schema: Schema;
}

async function prepare(file: string, source: string): Promise<Case> {
  const { notebook } = parseNotebook(readFileSync(file, "utf8"), file);
  const db = await openDuckDB({ threads: 1 });
  const schema = await loadEvents(db, source, demoEvents(notebook.sources[source]!.demo!, 0, 1000));
  const plan = compilePlan(await gatherCompileInputs(db, notebook));
  db.close();
  const sink = notebook.cells.find((c) => c.sink)!;
  const upstream = notebook.cells.filter((c) => c.language === "sql" && c.id && c.index < sink.index).map((c) => ({ id: c.id!, code: c.code.trim().replace(/;\s*$/, "") }));
  return { name: file.replace(/^.*\//, "").replace(/\.md$/, ""), notebook, source, sinkSql: sink.code.trim().replace(/;\s*$/, ""), upstream, plan, schema };
}

interface Timed {
  seconds: number;
  cpuSeconds: number;
  rows: number;
}

/** Wall-clock and CPU time of `work`, which returns the rows it produced. */
async function timed(work: () => number | Promise<number>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const rows = await work();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { seconds, cpuSeconds: (c.user + c.system) / 1e6, rows };
}

function runExecutor(c: Case, batches: unknown[][]): Promise<Timed> {
  const ex = buildPipeline(c.plan, { library: defaultLibrary });
  return timed(() => {
    let rows = 0;
    for (const events of batches) {
      const r = ex.run({ source: c.source, events });
      for (const list of Object.values(r.rows)) rows += list.length;
    }
    for (const list of Object.values(ex.finish().rows)) rows += list.length;
    return rows;
  });
}

/** The executor from the batches' NDJSON bytes, parsed as the Worker parses a request body. */
function runExecutorFromText(c: Case, bodies: Uint8Array[]): Promise<Timed> {
  const ex = buildPipeline(c.plan, { library: defaultLibrary });
  // As the Worker parses: an event's text is scanned for reals written `10.0` only when one of its
  // integers would land in a text column of the source's schema.
  const realsMatter = integersAtText(c.plan.sources[c.source]?.schema ?? c.schema);
  return timed(() => {
    let rows = 0;
    for (const body of bodies) {
      const r = ex.run({ source: c.source, events: parseBody(body, "ndjson", realsMatter).events });
      for (const list of Object.values(r.rows)) rows += list.length;
    }
    for (const list of Object.values(ex.finish().rows)) rows += list.length;
    return rows;
  });
}

async function runNative(c: Case, files: string[]): Promise<Timed> {
  const db: DuckDB = await openDuckDB({ threads: 1 });
  const columns = `{${c.schema.map((col) => `${quoteString(col.name)}: ${quoteString(col.type)}`).join(", ")}}`;
  await db.run(`CREATE TABLE ${quoteIdent(c.source)} AS SELECT * FROM read_json(${quoteString(files[0]!)}, format = 'newline_delimited', columns = ${columns}) LIMIT 0`);
  for (const u of c.upstream) await db.run(`CREATE VIEW ${quoteIdent(u.id)} AS ${u.code}`);
  const result = await timed(async () => {
    let rows = 0;
    for (const f of files) {
      await db.run(`DELETE FROM ${quoteIdent(c.source)}`);
      await db.run(`INSERT INTO ${quoteIdent(c.source)} SELECT * FROM read_json(${quoteString(f)}, format = 'newline_delimited', columns = ${columns})`);
      const r = await db.read(c.sinkSql);
      rows += r.currentRowCount;
    }
    return rows;
  });
  db.close();
  return result;
}

function runWasm(conn: WasmConnection, c: Case, ipcs: Uint8Array[]): Promise<Timed> {
  conn.query(`DROP TABLE IF EXISTS ${quoteIdent(c.source)}`);
  conn.insertArrowFromIPCStream(ipcs[0]!, { name: c.source, create: true });
  for (const u of c.upstream) conn.query(`CREATE OR REPLACE VIEW ${quoteIdent(u.id)} AS ${u.code}`);
  return timed(() => {
    let rows = 0;
    for (const ipc of ipcs) {
      conn.query(`DROP TABLE IF EXISTS ${quoteIdent(c.source)}`);
      conn.insertArrowFromIPCStream(ipc, { name: c.source, create: true });
      rows += conn.query(c.sinkSql).numRows;
    }
    return rows;
  });
}

/** The run with the median CPU time. */
function median(runs: Timed[]): Timed {
  return [...runs].sort((a, b) => a.cpuSeconds - b.cpuSeconds)[Math.floor(runs.length / 2)]!;
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

const dir = await mkdtemp(join(tmpdir(), "runnel-bench-"));
const sampler = new Sampler();
let wasm: WasmConnection | null = null;
try {
  wasm = await openWasm();
} catch (error) {
  console.log(`DuckDB-WASM unavailable: ${error instanceof Error ? error.message : String(error)}`);
}
const table: string[][] = [];
try {
  for (const [file, source] of [["notebooks/turnstile.md", "turnstile"], ["notebooks/pii-staging.md", "accounts"]] as const) {
    const c = await prepare(file, source);
    const spec = c.notebook.sources[source]!.demo!;
    for (const [shape, total, size] of [["micro-batches of 1,000", MICRO * BATCH, BATCH], [`one batch of ${fmt(LARGE)}`, LARGE, LARGE]] as const) {
      // The executor's input is events as a parser hands them over: the generator's objects
      // through JSON text and back (flat strings, as JSON.parse makes them; the generator's own
      // strings are concatenations that V8 flattens on first read, a cost no real input has).
      const events = demoEvents(spec, 0, total).map((e) => JSON.parse(JSON.stringify(e)) as unknown);
      const batches = chunk(events, size);
      const files: string[] = [];
      const bodies: Uint8Array[] = [];
      for (const [i, b] of batches.entries()) {
        const f = join(dir, `${c.name}-${size}-${i}.ndjson`);
        const text = b.map((e) => JSON.stringify(e)).join("\n");
        await writeFile(f, text);
        files.push(f);
        bodies.push(new TextEncoder().encode(text));
      }
      // Warm up each engine on the same work before timing it (JIT tiers, DuckDB's caches):
      // micro-batches get one whole untimed pass each, so every engine is measured in its
      // steady state, as a pipeline runs for hours; the large batch gets one pass of the
      // NDJSON engines and a 1,000-event run of the executor.
      const micro = size === BATCH;
      await runExecutor(c, micro ? batches : [batches[0]!.slice(0, BATCH)]);
      await runExecutorFromText(c, bodies);
      await runNative(c, files);
      const ipcs: Uint8Array[] = [];
      if (wasm && micro) {
        for (const b of batches) ipcs.push((await sampler.arrow(b.map((value, i) => ({ ok: true as const, value, receivedAt: i })))).ipc);
        await runWasm(wasm, c, ipcs);
      }
      // Micro-batches: ROUNDS alternating rounds of every engine, each engine's median by CPU
      // time (one pass of 100 batches is a fraction of a second, and single passes scattered
      // by ±25% from run to run); the large batch once.
      const runs: { exec: Timed[]; fromText: Timed[]; native: Timed[]; wasm: Timed[] } = { exec: [], fromText: [], native: [], wasm: [] };
      for (let round = 0; round < (micro ? ROUNDS : 1); round++) {
        runs.exec.push(await runExecutor(c, batches));
        runs.fromText.push(await runExecutorFromText(c, bodies));
        runs.native.push(await runNative(c, files));
        if (wasm && micro) runs.wasm.push(await runWasm(wasm, c, ipcs));
      }
      const exec = median(runs.exec);
      const fromText = median(runs.fromText);
      const native = median(runs.native);
      const wasmResult: Timed | null = runs.wasm.length > 0 ? median(runs.wasm) : null;
      const rate = (r: Timed): string => `${fmt(total / r.cpuSeconds)} (${fmt(total / r.seconds)})`;
      const ratio = (a: Timed, b: Timed): string => `${(b.cpuSeconds / a.cpuSeconds).toFixed(2)}×`;
      table.push([
        c.name,
        shape,
        rate(exec),
        rate(fromText),
        rate(native),
        wasmResult ? rate(wasmResult) : "–",
        ratio(exec, native),
        ratio(fromText, native),
        wasmResult ? ratio(exec, wasmResult) : "–",
        `${exec.rows}/${native.rows}${wasmResult ? `/${wasmResult.rows}` : ""}`,
      ]);
      for (const f of files) await rm(f);
    }
  }
} finally {
  wasm?.close();
  await rm(dir, { recursive: true, force: true });
}

const head = ["cell", "shape", "executor", "exec+parse", "native", "wasm", "exec/native", "exec+parse/native", "exec/wasm", "rows exec/native/wasm"];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
console.log(`\nevents per CPU second (per wall-clock second in brackets), higher is better; ratios by CPU time`);
console.log(`goals: micro-batches ≥ 2× native and ≥ 5× WASM, large batch ≥ 0.5× native (1 thread)`);
console.log(head.map((h, i) => h.padEnd(widths[i]!)).join("  "));
for (const r of table) console.log(r.map((v, i) => v.padEnd(widths[i]!)).join("  "));
console.log("(windowed cells: the executor emits per window as the watermark passes, DuckDB answers per batch, so row counts differ by design on micro-batches)");
