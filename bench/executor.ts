// node-flags: --no-liftoff
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
 * How, and why so:
 * - The engines take turns over the same stream, BENCH_BLOCK batches at a time, who goes first
 *   rotating. This machine's speed drifts by up to 2× over seconds (a fixed CPU loop measured 40 ms
 *   in some stretches and 56–84 ms in others, in one process), so engines timed one after another
 *   in whole passes were compared at different speeds: the same code gave pii-staging 4.45× and
 *   8.20× in two runs. Taking turns, every engine runs through the same stretches; each ratio is
 *   the median of the passes' own ratios.
 * - `--no-liftoff` (the first line): V8 compiles DuckDB-WASM with its optimising tier from the
 *   start, as it is after running a while in a page. With the baseline tier it kept getting
 *   faster for 15 passes (turnstile 809 → 593 ms a pass), so a ratio taken early flattered the
 *   executor (turnstile 5.95× in the first pass, 3.78× in the fifteenth).
 * - Each engine is warmed up on the same work before it is timed (JIT tiers, DuckDB's caches).
 *
 *   BENCH_ROWS (default 1000000) sets the large batch; BENCH_MICRO (default 100) the number of micro-batches;
 *   BENCH_ROUNDS (default 5) the passes over the micro-batches (each engine's median is shown);
 *   BENCH_BLOCK (default 20) the batches an engine runs in one turn.
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
const BLOCK = Number(process.env.BENCH_BLOCK ?? 20);

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

/**
 * One engine's pass over a stream of batches, cut into steps so that engines can take turns:
 * `open` is untimed set-up, `step(from, to)` runs batches [from, to) and returns the rows they
 * gave, `close` ends the stream (the executor's last windows) and returns its rows.
 */
interface Engine {
  open(): Promise<void>;
  step(from: number, to: number): number | Promise<number>;
  close(): number | Promise<number>;
}

const rowCount = (rows: Record<string, unknown[]>): number => Object.values(rows).reduce((n, list) => n + list.length, 0);

/**
 * A new executor each pass, given batch i's events as `eventsOf(i)` makes them (inside the timing).
 * The last pass's executor stays reachable until the next is built: V8 keeps a function's optimised
 * code weakly, shared by the closures made from the same source, so once the last pipeline using it
 * is garbage a full collection (set off in another engine's turn) throws the code away and the next
 * pipeline pays to optimise it again inside its timing (66 of the executor's functions were
 * re-optimised within one timed pass). A pipeline running for hours keeps its code.
 */
function executorEngine(c: Case, eventsOf: (i: number) => unknown[]): Engine {
  let ex = buildPipeline(c.plan, { library: defaultLibrary });
  return {
    async open() {
      ex = buildPipeline(c.plan, { library: defaultLibrary });
    },
    step(from, to) {
      let rows = 0;
      for (let i = from; i < to; i++) rows += rowCount(ex.run({ source: c.source, events: eventsOf(i) }).rows);
      return rows;
    },
    close: () => rowCount(ex.finish().rows),
  };
}

/** DuckDB native, 1 thread: each batch's NDJSON file (written beforehand) → read_json INSERT → the cell's SQL. */
function nativeEngine(c: Case, files: string[]): Engine & { dispose(): void } {
  let db: DuckDB | null = null;
  const columns = `{${c.schema.map((col) => `${quoteString(col.name)}: ${quoteString(col.type)}`).join(", ")}}`;
  const table = quoteIdent(c.source);
  return {
    async open() {
      if (db) return;
      db = await openDuckDB({ threads: 1 });
      await db.run(`CREATE TABLE ${table} AS SELECT * FROM read_json(${quoteString(files[0]!)}, format = 'newline_delimited', columns = ${columns}) LIMIT 0`);
      for (const u of c.upstream) await db.run(`CREATE VIEW ${quoteIdent(u.id)} AS ${u.code}`);
    },
    async step(from, to) {
      let rows = 0;
      for (let i = from; i < to; i++) {
        await db!.run(`DELETE FROM ${table}`);
        await db!.run(`INSERT INTO ${table} SELECT * FROM read_json(${quoteString(files[i]!)}, format = 'newline_delimited', columns = ${columns})`);
        rows += (await db!.read(c.sinkSql)).currentRowCount;
      }
      return rows;
    },
    close: () => 0,
    dispose: () => db?.close(),
  };
}

/** DuckDB-WASM: each batch's Arrow IPC (made beforehand, as the gateway sends it) → insert → the cell's SQL. */
function wasmEngine(conn: WasmConnection, c: Case, ipcs: Uint8Array[]): Engine {
  const table = quoteIdent(c.source);
  return {
    async open() {
      conn.query(`DROP TABLE IF EXISTS ${table}`);
      conn.insertArrowFromIPCStream(ipcs[0]!, { name: c.source, create: true });
      for (const u of c.upstream) conn.query(`CREATE OR REPLACE VIEW ${quoteIdent(u.id)} AS ${u.code}`);
    },
    step(from, to) {
      let rows = 0;
      for (let i = from; i < to; i++) {
        conn.query(`DROP TABLE IF EXISTS ${table}`);
        conn.insertArrowFromIPCStream(ipcs[i]!, { name: c.source, create: true });
        rows += conn.query(c.sinkSql).numRows;
      }
      return rows;
    },
    close: () => 0,
  };
}

/**
 * One pass of every engine over the same `count` batches, taking turns `block` batches at a time
 * (who goes first rotates), so that every engine runs through the same stretches of the
 * machine's speed; returns each engine's summed time.
 */
async function pass(engines: Engine[], count: number, block: number, turn: number): Promise<Timed[]> {
  for (const e of engines) await e.open();
  const totals: Timed[] = engines.map(() => ({ seconds: 0, cpuSeconds: 0, rows: 0 }));
  const add = (i: number, t: Timed): void => {
    totals[i]!.seconds += t.seconds;
    totals[i]!.cpuSeconds += t.cpuSeconds;
    totals[i]!.rows += t.rows;
  };
  for (let from = 0, n = turn; from < count; from += block, n++) {
    for (let k = 0; k < engines.length; k++) {
      const i = (k + n) % engines.length;
      add(i, await timed(() => engines[i]!.step(from, Math.min(count, from + block))));
    }
  }
  for (const [i, e] of engines.entries()) add(i, await timed(() => e.close()));
  return totals;
}

/** The middle value (the upper one of an even count). */
function median(values: number[]): number {
  return [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
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
const perPass: string[] = [];
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
      const micro = size === BATCH;
      const realsMatter = integersAtText(c.plan.sources[c.source]?.schema ?? c.schema);
      const native = nativeEngine(c, files);
      const engines: Engine[] = [
        executorEngine(c, (i) => batches[i]!),
        // As the Worker parses: an event's text is scanned for reals written `10.0` only when one
        // of its integers would land in a text column of the source's schema.
        executorEngine(c, (i) => parseBody(bodies[i]!, "ndjson", realsMatter).events),
        native,
      ];
      if (wasm && micro) {
        const ipcs: Uint8Array[] = [];
        for (const b of batches) ipcs.push((await sampler.arrow(b.map((value, i) => ({ ok: true as const, value, receivedAt: i })))).ipc);
        engines.push(wasmEngine(wasm, c, ipcs));
      }
      // Warm up every engine on the same work before timing it (JIT tiers, DuckDB's caches), so
      // each is measured in its steady state, as a pipeline runs for hours: micro-batches get one
      // whole untimed pass; the large batch one pass of the NDJSON engines and a 1,000-event run
      // of the executor.
      if (micro) await pass(engines, batches.length, BLOCK, 0);
      else await pass([executorEngine(c, () => batches[0]!.slice(0, BATCH)), ...engines.slice(1)], 1, 1, 0);
      // Micro-batches: ROUNDS passes, engines taking turns BLOCK batches at a time; each engine's
      // median pass by CPU time, and each ratio the median of the passes' own ratios. The large
      // batch: one pass, each engine in turn.
      const passes: Timed[][] = [];
      for (let round = 0; round < (micro ? ROUNDS : 1); round++) passes.push(await pass(engines, batches.length, micro ? BLOCK : 1, round));
      native.dispose();
      if (engines.length > 3) perPass.push(`${c.name}: ${passes.map((p) => (p[3]!.cpuSeconds / p[0]!.cpuSeconds).toFixed(2)).join(" ")}`);
      const cpu = (e: number): number => median(passes.map((p) => p[e]!.cpuSeconds));
      const wall = (e: number): number => median(passes.map((p) => p[e]!.seconds));
      const rate = (e: number): string => `${fmt(total / cpu(e))} (${fmt(total / wall(e))})`;
      const ratio = (fast: number, slow: number): string => `${median(passes.map((p) => p[slow]!.cpuSeconds / p[fast]!.cpuSeconds)).toFixed(2)}×`;
      const hasWasm = engines.length > 3;
      const rows = passes[0]!.map((t) => t.rows);
      table.push([
        c.name,
        shape,
        rate(0),
        rate(1),
        rate(2),
        hasWasm ? rate(3) : "–",
        ratio(0, 2),
        ratio(1, 2),
        hasWasm ? ratio(0, 3) : "–",
        `${rows[0]}/${rows[2]}${hasWasm ? `/${rows[3]}` : ""}`,
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
console.log(`exec/wasm in each pass (micro-batches):\n  ${perPass.join("\n  ")}`);
console.log("(windowed cells: the executor emits per window as the watermark passes, DuckDB answers per batch, so row counts differ by design on micro-batches)");
