/**
 * Runs a published webhook pipeline in real workerd (programmatic miniflare,
 * one process) with persisted Durable Object and R2 state, and reads what it
 * wrote back with DuckDB. Shared by the edge tests and bench/edge-ingest.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { parseNotebook } from "../../notebook/format/parse.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { pinnedSourceSchema } from "../../gateway/sources/metadata-schema.ts";
import { compilePlan } from "../../edge/compile/compile.ts";
import { gatherCompileInputs } from "../../edge/compile/inputs.node.ts";
import { type DuckDB, loadJsonTexts, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import type { Plan } from "../../edge/plan/types.ts";
import type { Sink } from "../../edge/sinks/sink.ts";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { buildWorkerScript, workerConfig } from "../../edge/worker/bundle.node.ts";
import type { WorkerConfig, WorkerLimits } from "../../edge/worker/config.ts";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const FIXTURES = join(root, "tests/fixtures/github-webhooks");
/** Every fixture payload (all event types unless named), raw text, sorted by path. */
export function githubFixtures(events: string[] = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()): { event: string; file: string; text: string }[] {
  return events.flatMap((event) =>
    readdirSync(join(FIXTURES, event))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((file) => ({ event, file, text: readFileSync(join(FIXTURES, event, file), "utf8") })),
  );
}

/** A notebook file's text with its sinks' `s3: {...}` targets replaced, e.g. by an R2 binding. */
export function readNotebook(file: string, edit: (text: string) => string = (t) => t): { text: string; notebook: Notebook } {
  const text = edit(readFileSync(join(root, "notebooks", file), "utf8"));
  const { notebook, issues } = parseNotebook(text, `notebooks/${file}`);
  if (issues.length) throw new Error(`harness: ${file} after editing has problems: ${issues.map((i) => `${i.line}:${i.column} ${i.message}`).join("; ")}`);
  return { text, notebook };
}

/** Compiles `notebook` against samples given as raw JSON texts per source (DuckDB's inference, as publish does). */
export async function compileWith(notebook: Notebook, samples: Record<string, string[]>): Promise<Plan> {
  const db = await openDuckDB({ threads: 1 });
  try {
    for (const [source, texts] of Object.entries(samples)) {
      // As publish loads a sample: the columns a source's options add keep their own types.
      const pinned = pinnedSourceSchema(notebook.sources[source], await loadJsonTexts(db, source, texts));
      if (pinned) await loadJsonTexts(db, source, texts, { schema: pinned });
    }
    return compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
}

export interface EdgeRuntime {
  mf: Miniflare;
  config: WorkerConfig;
  post(source: string, body: string, headers?: Record<string, string>): Promise<Response>;
  metrics(): Promise<Record<string, unknown> & { objects: Record<string, unknown>[] }>;
  flush(): Promise<Response>;
  r2(binding?: string): Promise<Sink>;
  /** Stops workerd; the persisted state stays in `persist`. */
  dispose(): Promise<void>;
  persist: string;
}

export interface StartOptions {
  name: string;
  plan: Plan;
  notebook: Notebook;
  bindings?: Record<string, string>;
  limits?: Partial<WorkerLimits>;
  /** Reuse a previous run's state (restart). */
  persist?: string;
  /** Reuse a built script (restart without rebuilding). */
  script?: string;
}

/** The Worker's RUNNEL_ADMIN_TOKEN in these tests; the runtime's `metrics`, `flush` and `post` send it. */
export const HARNESS_ADMIN_TOKEN = "edge-harness-operator";
const operator = { authorization: `Bearer ${HARNESS_ADMIN_TOKEN}` };
const hasAuthorization = (headers: Record<string, string>) => Object.keys(headers).some((k) => k.toLowerCase() === "authorization");

export async function startEdge(options: StartOptions): Promise<EdgeRuntime & { script: string }> {
  const config = workerConfig(options.name, options.plan, options.notebook, options.limits);
  const script = options.script ?? (await buildWorkerScript(config));
  const persist = options.persist ?? mkdtempSync(join(tmpdir(), `runnel-edge-${options.name}-`));
  mkdirSync(persist, { recursive: true });
  const r2Buckets = [...new Set(Object.values(config.sinks).flatMap((s) => (s.target.kind === "r2" ? [s.target.binding] : [])))];
  const mf = new Miniflare({
    ...convertV4MiniflareOptions({
      modules: true,
      script,
      compatibilityDate: "2026-11-01",
      durableObjects: { PIPELINE: { className: "PipelineObject", useSQLite: true } },
      r2Buckets,
      bindings: { RUNNEL_ADMIN_TOKEN: HARNESS_ADMIN_TOKEN, ...options.bindings },
    }),
    // miniflare 5 keeps every resource's state under one root (the v4 adapter sets it undefined, so it goes last).
    resourcePersistencePath: persist,
  });
  await mf.ready;
  const { r2Sink } = await import("../../edge/sinks/r2.ts");
  return {
    mf,
    config,
    script,
    persist,
    // The operator's token goes with a delivery that carries no Authorization of its own (signature: none sources need it).
    post: (source, body, headers = {}) =>
      mf.dispatchFetch(`http://edge/ingest/${source}`, { method: "POST", body, headers: { ...(hasAuthorization(headers) ? {} : operator), ...headers } }) as unknown as Promise<Response>,
    async metrics() {
      const response = await mf.dispatchFetch("http://edge/metrics", { headers: operator });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`harness: GET /metrics answered ${response.status}: ${text}`);
      return JSON.parse(text);
    },
    flush: () => mf.dispatchFetch("http://edge/flush", { method: "POST", headers: operator }) as unknown as Promise<Response>,
    async r2(binding = r2Buckets[0]!) {
      return r2Sink((await mf.getR2Bucket(binding)) as never, { name: binding });
    },
    dispose: () => mf.dispose(),
  };
}

/** Registers every named SQL cell as a view, in file order, as the notebook does. */
export async function createCellViews(db: DuckDB, notebook: Notebook): Promise<void> {
  for (const cell of notebook.cells) {
    if (cell.language === "sql" && cell.id) await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(cell.id)} AS ${cell.code.replace(/;\s*$/, "")}`);
  }
}

/** Copies every object under `prefix` of `sink` into `dir`; returns the keys. */
export async function download(sink: Sink, prefix: string, dir: string): Promise<string[]> {
  const keys = await sink.list(prefix);
  for (const key of keys) {
    const path = join(dir, ...key.split("/"));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, (await sink.get(key))!);
  }
  return keys;
}

/**
 * Compares a written dataset with DuckDB's answer to the sink cell's SQL
 * over the loaded source tables, as multisets (EXCEPT ALL both ways).
 * Returns counts; `missing`/`extra` are rows on one side only.
 */
export async function compareDataset(db: DuckDB, opts: { sql: string; glob: string; plan: Plan; sink: string }): Promise<{ expected: number; got: number; missing: number; extra: number }> {
  const pipeline = opts.plan.pipelines.find((p) => p.sink === opts.sink)!;
  const sinkOp = pipeline.ops.at(-1)!;
  const schema = sinkOp.schema;
  const partitionBy = sinkOp.op === "sink" ? sinkOp.partitionBy : [];
  const t = quoteIdent(`expected_${opts.sink}`);
  const g = quoteIdent(`got_${opts.sink}`);
  await db.run(`CREATE OR REPLACE TABLE ${t} AS ${opts.sql}`);
  await db.run(`CREATE OR REPLACE TABLE ${g} AS ${datasetSql(opts.glob, schema, partitionBy)}`);
  const one = async (sql: string) => Number((await db.read(sql)).getRows()[0]![0]);
  return {
    expected: await one(`SELECT count(*) FROM ${t}`),
    got: await one(`SELECT count(*) FROM ${g}`),
    missing: await one(`SELECT count(*) FROM (SELECT * FROM ${t} EXCEPT ALL SELECT * FROM ${g})`),
    extra: await one(`SELECT count(*) FROM (SELECT * FROM ${g} EXCEPT ALL SELECT * FROM ${t})`),
  };
}
