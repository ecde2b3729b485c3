/**
 * The differential check: every sink-feeding cell runs through DuckDB (the
 * oracle) and through the compiled plan, on (a) the sample, (b) generated
 * edge-case events for each source schema, (c) random events; the answers
 * are compared as multisets, floats within `FLOAT_TOLERANCE`. A failing
 * query must fail the same way on both sides (DuckDB's error text).
 */
import { perFlushNote } from "../plan/per-flush.ts";
import { counted } from "../../notebook/format/counted.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { pinnedSourceSchema } from "../../gateway/sources/metadata-schema.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import { parseJsonLossless, stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { cellName, compilePlan } from "../compile/compile.ts";
import type { Plan } from "../plan/types.ts";
import type { Row, Schema } from "../plan/values.ts";
import { buildPipeline } from "../exec/pipeline.ts";
import type { FunctionLibrary } from "../exec/functions/contract.ts";
import { SqlError } from "../exec/functions/contract.ts";
import { castValue } from "../exec/functions/cast.ts";
import { FLOAT_TOLERANCE, firstDifference, showRow, showValue, type Difference } from "./compare.ts";
import { edgeCaseEvents, misfitEvents, randomEvents } from "./generate.ts";

export interface CheckOptions {
  /** Events per source: the sample the notebook shows. */
  samples: Record<string, unknown[]>;
  /**
   * Per source, where each sample event (same index) was read: a Kafka topic's partition and offset.
   * The Kafka runner runs each partition in offset order through its own executor, with its own
   * watermark (partition-engine.ts), so the stream order step does so too; without it the sample is
   * one stream in the order given (a webhook's deliveries, a file).
   */
  arrival?: Record<string, SampleArrival[]>;
  /**
   * Per source, columns whose type a typed sample file gives (a Parquet file's DECIMAL(18,3)), which the
   * events' JSON cannot say (read_json types 12.345 DOUBLE): they replace what DuckDB infers from the events.
   */
  columnTypes?: Record<string, Record<string, string>>;
  library: FunctionLibrary;
  /** Random batches (fast-check) and their size; seed for reproducing a failure. */
  random?: { batches: number; size: number; seed: number };
  onProgress?: (line: string) => void;
  /**
   * The check's clock (milliseconds since the epoch; default: when the check starts), which the stream
   * order step runs the pipeline at: a sample event more than the sink's `max_ahead` ahead of it is a
   * dead letter there, as it is in production.
   */
  now?: number;
}

/** Where a Kafka sample event was read. */
export interface SampleArrival {
  partition: number;
  offset: string;
}

export type Answer = { ok: true; rows: Row[] } | { ok: false; error: string };

export interface StepResult {
  step: "sample" | "stream order" | "edge cases" | "misfits" | "random";
  sink: string;
  cell: string;
  events: number;
  agree: boolean;
  duckdb: Answer;
  plan: Answer;
  difference: Difference | null;
  /** Human-readable account of the first difference. */
  detail: string | null;
  /**
   * A stream-order step whose sample events arrive after their window closed: the lateness that would
   * keep every one (`text` as the front matter takes it, `3 minutes`; `seconds` the same, rounded up).
   */
  lateness?: { text: string; seconds: number };
  /** A batch DuckDB failed on, compared again one event at a time (not among the comparisons announced). */
  rerun?: true;
}

export interface CheckReport {
  plan: Plan;
  steps: StepResult[];
  /** The comparisons announced before they ran: `steps` without the one-event-at-a-time reruns. */
  comparisons: number;
  agree: boolean;
  tolerance: number;
}

/** Runs the check. Throws CompileError when the notebook does not compile. */
export async function checkNotebook(notebook: Notebook, options: CheckOptions): Promise<CheckReport> {
  const say = options.onProgress ?? (() => {});
  const db = await openDuckDB({ threads: 1 });
  try {
    // DuckDB 1.4.3's statistics propagation answers `GROUP BY date_trunc(part, ts)` over a stored
    // TIMESTAMP column holding NULLs with a group per NULL row keyed INT64_MIN (read_json over the
    // same events gives the one NULL group). The pipeline sees events, not a table's statistics, and
    // gives the NULL group, so the check compares with DuckDB as it answers without that optimizer.
    await db.run("SET disabled_optimizers = 'statistics_propagation'");
    say(`loading samples: ${Object.entries(options.samples).map(([s, e]) => `${s} (${counted(e.length, "event")})`).join(", ")}`);
    for (const [source, events] of Object.entries(options.samples)) {
      const spec = notebook.sources[source];
      // A source's columns and types are DuckDB's inference over its sample, which nothing can be inferred from.
      if (events.length === 0) throw new Error(`check: the sample of source ${source} has no events, and its columns are typed from the sample: pass a file of events with --sample ${source}=<file>`);
      const inferred = await loadEvents(db, source, events, { format: spec?.format });
      const types = options.columnTypes?.[source] ?? {};
      const loaded = inferred.map((c) => (types[c.name] === undefined ? c : { ...c, type: types[c.name]! }));
      // The columns a source's options add keep their own types, whatever this sample holds.
      const pinned = pinnedSourceSchema(spec, loaded) ?? (loaded.some((c, i) => c !== inferred[i]) ? loaded : null);
      if (pinned) await loadEvents(db, source, events, { format: spec?.format, schema: pinned });
    }
    say("compiling the sink cells");
    const inputs = await gatherCompileInputs(db, notebook);
    const plan = compilePlan(inputs);
    say(`plan: ${plan.pipelines.map((p) => `${p.sink} ← ${p.cell.cell} (${p.ops.map((o) => o.op).join(" → ")})`).join("; ")}`);
    for (const p of plan.pipelines) {
      const note = perFlushNote(p);
      if (note) say(`note: ${note}`);
    }
    const steps: StepResult[] = [];
    const sinkCells = notebook.cells.filter((c) => c.sink && c.language === "sql");
    const random = options.random ?? { batches: 20, size: 25, seed: 4 };
    const clock = options.now ?? Date.now();
    // How many ✓/✗ lines follow (one event at a time reruns aside), so a progress bar can count them.
    const windowed = plan.pipelines.filter((p) => p.ops.some((o) => o.op === "aggregate" && o.window) && sinkSources(plan, p.sink).length === 1).length;
    const sourceCount = Object.keys(plan.sources).length;
    say(
      `comparing ${sinkCells.length * (2 + random.batches) + sourceCount + windowed} times: the sample, edge cases and ${random.batches} random batches for ${counted(sinkCells.length, "sink cell", grouped)}, misfits for ${counted(sourceCount, "source", grouped)}${windowed ? `, stream order for ${counted(windowed, "windowed cell", grouped)}` : ""}`,
    );

    const runStep = async (step: StepResult["step"], data: Record<string, unknown[]>): Promise<void> => {
      for (const [source, events] of Object.entries(data)) {
        await loadEvents(db, source, events, { schema: inputs.sources[source], format: plan.sources[source]?.format });
      }
      for (const cell of sinkCells) {
        const pipeline = plan.pipelines.find((p) => p.cell.cell === cellName(cell))!;
        const mine = Object.fromEntries(sinkSources(plan, pipeline.sink).map((s) => [s, data[s] ?? []]));
        const events = Object.values(mine).flat();
        const result = await compareOnce(db, cell.code, plan, pipeline.sink, mine, options.library);
        const r: StepResult = { step, sink: pipeline.sink, cell: cellName(cell), events: events.length, ...result };
        steps.push(r);
        say(`${r.agree ? "✓" : "✗"} ${r.cell} → ${r.sink} · ${step}: ${counted(events.length, "event", grouped)}, ${summary(r.duckdb)} from DuckDB, ${summary(r.plan)} from the plan${r.agree ? "" : `\n${r.detail}`}`);
        if (step === "sample" && !r.duckdb.ok) {
          // Agreeing on an error is agreement, but the notebook's own query failing on its own sample deserves a word.
          say(`⚠ ${r.cell} fails in DuckDB on the notebook's own sample (${r.duckdb.error.split("\n")[0]}); the published pipeline sends each event that fails so to the dead letters, with that reason`);
        }
        if (r.agree && !r.duckdb.ok && step !== "sample") {
          // One failing event hides the rest: compare event by event too (the first 400).
          let budget = 400;
          const few = Object.fromEntries(Object.entries(mine).map(([s, evs]) => {
            const take = evs.slice(0, budget);
            budget -= take.length;
            return [s, take];
          }));
          const one = await eventByEvent(db, cell.code, plan, pipeline.sink, few, inputs.sources, options.library);
          const e: StepResult = { ...one, step, sink: pipeline.sink, cell: cellName(cell), events: Object.values(few).flat().length, rerun: true };
          steps.push(e);
          say(`${e.agree ? "✓" : "✗"} ${e.cell} → ${e.sink} · ${step}, one event at a time: ${counted(e.events, "event", grouped)}, ${one.errors.toLocaleString("en-US")} fail alike on both sides, ${one.rows === 1 ? "1 row agrees" : `${counted(one.rows, "row", grouped)} agree`}${e.agree ? "" : `\n${e.detail}`}`);
          for (const [s, evs] of Object.entries(data)) await loadEvents(db, s, evs, { schema: inputs.sources[s], format: plan.sources[s]?.format });
        }
      }
    };

    await runStep("sample", options.samples);
    await loadAll(db, options.samples, plan);
    for (const cell of sinkCells) {
      const pipeline = plan.pipelines.find((p) => p.cell.cell === cellName(cell))!;
      const agg = pipeline.ops.find((o) => o.op === "aggregate");
      if (!agg || agg.op !== "aggregate" || !agg.window) continue;
      const sources = sinkSources(plan, pipeline.sink);
      // Several sources (a UNION ALL): how their events interleave in production is not in the samples.
      if (sources.length > 1) continue;
      const source = sources[0]!;
      const events = options.samples[source] ?? [];
      const lanes = arrivalLanes(events.length, options.arrival?.[source]);
      const r: StepResult = { step: "stream order", sink: pipeline.sink, cell: cellName(cell), events: events.length, ...(await streamOrder(db, cell.code, plan, pipeline.sink, source, events, lanes, BigInt(agg.window.latenessMicros), options.library, clock)) };
      steps.push(r);
      const order = lanes.partitioned ? `in offset order per partition (${counted(lanes.lanes.length, "partition", grouped)}, each with its own watermark, as the Kafka runner runs them)` : "in arrival order";
      say(`${r.agree ? "✓" : "✗"} ${r.cell} → ${r.sink} · stream order: ${counted(events.length, "event", grouped)} one at a time ${order}, ${r.agree ? "no event arrives after its window closed" : `\n${r.detail}`}`);
    }
    const edge: Record<string, unknown[]> = {};
    for (const source of Object.keys(plan.sources)) edge[source] = bare(plan.sources[source]!.schema, edgeCaseEvents(plan.sources[source]!.schema, options.samples[source] ?? []));
    await runStep("edge cases", edge);
    for (const source of Object.keys(plan.sources)) {
      const r = await checkMisfits(db, plan, source, bare(plan.sources[source]!.schema, misfitEvents(plan.sources[source]!.schema, options.samples[source] ?? [])), options.library);
      steps.push(r);
      say(`${r.agree ? "✓" : "✗"} ${source} · misfits: ${counted(r.events, "event", grouped)} with a field that may not fit, ${r.detail && r.agree ? r.detail : ""}${r.agree ? "" : `\n${r.detail}`}`);
      for (const [s, evs] of Object.entries(edge)) await loadEvents(db, s, evs, { schema: inputs.sources[s], format: plan.sources[s]?.format });
    }
    const batches: Record<string, unknown[][]> = {};
    for (const source of Object.keys(plan.sources)) {
      batches[source] = randomEvents(plan.sources[source]!.schema, random.seed, random.batches, random.size, options.samples[source] ?? []).map((b) => bare(plan.sources[source]!.schema, b));
    }
    for (let b = 0; b < random.batches; b++) {
      const data: Record<string, unknown[]> = {};
      for (const source of Object.keys(batches)) data[source] = batches[source]![b]!;
      const before = steps.length;
      await runStepQuiet(runStep, "random", data);
      if (steps.slice(before).some((s) => !s.agree)) break;
    }
    return { plan, steps, comparisons: steps.filter((s) => !s.rerun).length, agree: steps.every((s) => s.agree), tolerance: FLOAT_TOLERANCE };
  } finally {
    db.close();
  }
}

/** The aggregates DuckDB finalizes as a Kahan sum's running value or its combined state (`kahanValuesAgree`). */
const KAHAN_SUMS = new Set(["fsum", "sumkahan", "kahan_sum"]);

/**
 * The sink's columns that are a Kahan sum per group, unchanged: where DuckDB itself answers NaN or
 * ±Infinity for a group holding an infinity, by which aggregate operator it picks (see
 * `kahanValuesAgree`). An ungrouped one is always NaN in DuckDB, and stays compared exactly.
 */
function kahanColumns(plan: Plan, sink: string): Set<string> {
  const names = new Set<string>();
  for (const p of plan.pipelines) {
    if (p.sink !== sink) continue;
    const at = p.ops.findIndex((o) => o.op === "aggregate");
    const agg = p.ops[at];
    if (!agg || agg.op !== "aggregate" || agg.keys.length === 0) continue;
    let after = at + 1;
    while (p.ops[after]?.op === "filter") after++;
    const project = p.ops[after];
    if (!project || project.op !== "project") continue;
    for (const e of project.exprs) {
      if (e.expr.kind !== "column") continue;
      const call = agg.aggregates[e.expr.index - agg.keys.length]?.call;
      if (call && KAHAN_SUMS.has(call.fn)) names.add(e.name);
    }
  }
  return names;
}

/** The sources a sink's pipelines read, in plan order (more than one for a UNION ALL of sources). */
function sinkSources(plan: Plan, sink: string): string[] {
  return [...new Set(plan.pipelines.filter((p) => p.sink === sink).map((p) => (p.ops[0] as { source: string }).source))];
}

async function loadAll(db: DuckDB, data: Record<string, unknown[]>, plan: Plan): Promise<void> {
  for (const [source, events] of Object.entries(data)) await loadEvents(db, source, events, { schema: plan.sources[source]?.schema, format: plan.sources[source]?.format });
}

/**
 * A windowed sink's answer when the sample arrives as a stream: one event per
 * batch in arrival order (the strictest a pipeline sees: a webhook per
 * request), so the watermark moves as it will in production. An event whose
 * window was already emitted is a late dead letter there, while DuckDB's
 * answer over the sample includes it; the check shows the difference, how
 * much lateness would keep the event, and which event pushed the watermark.
 * It runs at the check's clock (`now`): an event more than the sink's `max_ahead` ahead of it is a
 * dead letter too, which moves no watermark, and the check says so. A Kafka sample runs as the runner
 * runs it (`order`): each partition in offset order through its own executor and watermark, and a
 * group whose rows several partitions give is named (the runner writes each partition's partial row).
 */
async function streamOrder(db: DuckDB, sql: string, plan: Plan, sink: string, source: string, events: unknown[], order: Lanes, lateness: bigint, library: FunctionLibrary, now: number): Promise<Pick<StepResult, "agree" | "duckdb" | "plan" | "difference" | "detail" | "lateness">> {
  const { answer: duckdb, schema } = await duckdbAnswer(db, sql);
  if (!duckdb.ok) return { agree: true, duckdb, plan: { ok: false, error: "not run: DuckDB fails on the sample (the sample step compares that)" }, difference: null, detail: null };
  const rows: Row[] = [];
  /** The partition of each row in `rows` (null: one stream). */
  const rowPartitions: (number | null)[] = [];
  const late: { event: unknown; reason: string; needed: bigint; pushedBy: unknown; partition: number | null }[] = [];
  const ahead: { event: unknown; reason: string }[] = [];
  // One executor per lane: a Kafka partition's events go through their own, as in the runner.
  for (const lane of order.lanes) {
    const ex = buildPipeline({ ...plan, pipelines: plan.pipelines.filter((p) => p.sink === sink) }, { library, mode: "dead-letter" });
    let newest: { wm: bigint; event: unknown } | null = null;
    for (const index of lane.events) {
      const event = events[index];
      const same = parseJsonLossless(stringifyJsonLossless(event, { duckdb: true }), { duckdb: true });
      const out = ex.run({ source, events: [same], now });
      for (const r of out.rows[sink] ?? []) rows.push(r);
      while (rowPartitions.length < rows.length) rowPartitions.push(lane.partition);
      for (const d of out.deadLetters) {
        if (/ ahead of the pipeline's clock /.test(d.reason)) {
          ahead.push({ event, reason: d.reason });
          continue;
        }
        // The executor's reason names the window and the watermark, as microseconds or as times.
        const m = /window \[([^,\]]+), ([^)]+)\) is closed: the watermark(?: \([^)]*\))? has reached (.+)$/.exec(d.reason);
        const end = m ? reasonMicros(m[2]!) : null;
        const wm = m ? reasonMicros(m[3]!) : null;
        if (end === null || wm === null) continue;
        // Keeping the event needs a watermark still before its window's end.
        late.push({ event, reason: d.reason, needed: lateness + wm - end + 1n, pushedBy: newest?.event ?? null, partition: lane.partition });
      }
      const wm = ex.watermarks()[sink] ?? null;
      if (wm !== null && (newest === null || wm > newest.wm)) newest = { wm, event };
    }
    for (const r of ex.finish().rows[sink] ?? []) rows.push(r);
    while (rowPartitions.length < rows.length) rowPartitions.push(lane.partition);
  }
  const mine: Answer = { ok: true, rows };
  const difference = firstDifference(schema!, duckdb.rows, rows, FLOAT_TOLERANCE, kahanColumns(plan, sink));
  if (!difference) return { agree: true, duckdb, plan: mine, difference: null, detail: null };
  const lines: string[] = [];
  const split = order.partitioned ? splitGroup(plan, sink, rows, rowPartitions) : null;
  if (split) {
    lines.push(`  the Kafka runner aggregates each partition on its own, and a group's events are in several partitions: ${split.partitions.map((p) => `partition ${p}`).join(" and ")} each give a row of ${showRow(split.key, schema!)}, where the notebook has one`);
    lines.push("  produce the topic with a Kafka key that the GROUP BY keys determine (e.g. the key column itself), so a group's events share a partition");
  }
  if (ahead.length > 0) {
    lines.push(`  ${ahead.length} of ${events.length} sample events are too far ahead of the check's clock, so the pipeline sends them to _errors/ while the notebook counts them`);
    lines.push(`  first such event: ${stringifyJsonLossless(ahead[0]!.event).slice(0, 300)}`);
    lines.push(`  its dead letter: ${ahead[0]!.reason}`);
  }
  const their = order.partitioned ? "newest event time of their partition, read in offset order," : "newest event time";
  if (late.length > 0 || (ahead.length === 0 && !split)) lines.push(`  ${late.length} of ${events.length} sample events arrive after the watermark (${their} minus lateness ${showMicros(lateness)}) passed their window, so the pipeline sends them to _errors/ as late while the notebook counts them`);
  let admit: StepResult["lateness"];
  if (late.length > 0) {
    const needed = late.reduce((a, l) => (l.needed > a ? l.needed : a), 0n);
    // `seconds` is what `text` says (showMicros rounds up to whole minutes from a minute on).
    const s = Number((needed + 999_999n) / 1_000_000n);
    admit = { text: showMicros(needed), seconds: s >= 60 && s % 60 !== 0 ? Math.ceil(s / 60) * 60 : s };
    lines.push(`  first late event${late[0]!.partition === null ? "" : ` (partition ${late[0]!.partition})`}: ${stringifyJsonLossless(late[0]!.event).slice(0, 300)}`);
    if (late[0]!.pushedBy !== null) lines.push(`  the watermark was set by: ${stringifyJsonLossless(late[0]!.pushedBy).slice(0, 300)}`);
    lines.push(`  a lateness of ${showMicros(needed)} or more would keep every sample event; if the event above has an implausible time (far in the future), filter such times out in the cell instead`);
  }
  lines.push(`  first differing row: ${difference.side === "duckdb" ? "DuckDB" : "the pipeline"} has ${showRow(difference.row, schema!)} (${rowCount(duckdb.rows.length)} from DuckDB, ${rows.length} from the pipeline)`);
  return { agree: false, duckdb, plan: mine, difference, detail: lines.join("\n"), ...(admit === undefined ? {} : { lateness: admit }) };
}

/**
 * A group (the aggregate's keys, the window's among them) that rows of several partitions share: the
 * runner writes each partition's partial row, where DuckDB over all events has one. Null when none
 * does, or when the sink's rows do not carry every key by its name.
 */
function splitGroup(plan: Plan, sink: string, rows: Row[], partitions: (number | null)[]): { key: Row; partitions: number[] } | null {
  const ops = plan.pipelines.find((p) => p.sink === sink)?.ops ?? [];
  const at = ops.findIndex((o) => o.op === "aggregate");
  const agg = ops[at];
  if (!agg || agg.op !== "aggregate") return null;
  // The aggregate's rows are its keys, then its aggregates; the projection after it (a HAVING's filter
  // between them keeps the columns) names them. Each key must reach the sink's rows as a column.
  let after = at + 1;
  while (ops[after]?.op === "filter") after++;
  const project = ops[after];
  if (!project || project.op !== "project") return null;
  const names = agg.keys.map((_, i) => project.exprs.find((e) => e.expr.kind === "column" && e.expr.index === i)?.name);
  if (names.some((n) => n === undefined)) return null;
  const seen = new Map<string, { key: Row; partitions: number[] }>();
  for (const [i, row] of rows.entries()) {
    const key: Row = Object.fromEntries(names.map((n) => [n!, row[n!]!]));
    const text = stringifyJsonLossless(names.map((n) => row[n!]));
    const group = seen.get(text) ?? { key, partitions: [] };
    seen.set(text, group);
    const p = partitions[i];
    if (p !== null && p !== undefined && !group.partitions.includes(p)) group.partitions.push(p);
  }
  for (const group of seen.values()) if (group.partitions.length > 1) return group;
  return null;
}

/** The order the stream order step runs a sample in: lanes of event indexes, each through its own executor. */
interface Lanes {
  partitioned: boolean;
  lanes: { partition: number | null; events: number[] }[];
}

/**
 * A Kafka sample's events by partition, each in offset order (the runner's order; the sample itself is
 * ordered by record timestamp, which a bulk write gives every record alike and a producer may set out of
 * offset order); one lane in the given order when where they were read is not known.
 */
function arrivalLanes(count: number, arrival: SampleArrival[] | undefined): Lanes {
  const all = Array.from({ length: count }, (_, i) => i);
  if (!arrival || arrival.length !== count) return { partitioned: false, lanes: [{ partition: null, events: all }] };
  const byPartition = new Map<number, number[]>();
  for (const i of all) {
    const p = arrival[i]!.partition;
    if (!byPartition.has(p)) byPartition.set(p, []);
    byPartition.get(p)!.push(i);
  }
  const offset = (i: number) => BigInt(arrival[i]!.offset);
  // Several events of one record (a JSON array, NDJSON lines) share its offset and keep their order (a stable sort).
  const lanes = [...byPartition].sort(([a], [b]) => a - b).map(([partition, events]) => ({ partition, events: events.sort((a, b) => (offset(a) < offset(b) ? -1 : offset(a) > offset(b) ? 1 : 0)) }));
  return { partitioned: true, lanes };
}

/** A window bound or watermark in a late event's reason: microseconds, or a time as a TIMESTAMP[TZ] prints. */
function reasonMicros(text: string): bigint | null {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return BigInt(t);
  try {
    return castValue(t, "VARCHAR", /[+-]\d\d(:\d\d)?$/.test(t) ? "TIMESTAMPTZ" : "TIMESTAMP") as bigint;
  } catch {
    return null;
  }
}

/** Microseconds as a lateness a person writes: whole seconds, minutes or hours when exact, rounded up otherwise. */
export function showMicros(us: bigint): string {
  const s = (us + 999_999n) / 1_000_000n;
  if (s % 3600n === 0n && s > 0n) return `${s / 3600n} hour${s === 3600n ? "" : "s"}`;
  if (s % 60n === 0n && s > 0n) return `${s / 60n} minute${s === 60n ? "" : "s"}`;
  if (s >= 60n) return `${(s + 59n) / 60n} minutes`;
  return `${s} second${s === 1n ? "" : "s"}`;
}

async function runStepQuiet(run: (step: StepResult["step"], data: Record<string, unknown[]>) => Promise<void>, step: StepResult["step"], data: Record<string, unknown[]>): Promise<void> {
  await run(step, data);
}

/** `1 row`, `2 rows`, `1,000 events`: counts in the check's lines, which the notebook's check panel shows too. */
const grouped = { grouped: true } as const;
const rowCount = (n: number): string => counted(n, "row", grouped);

function summary(a: Answer): string {
  return a.ok ? rowCount(a.rows.length) : "an error";
}

/** DuckDB's answer for `sql` over the loaded tables. */
export async function duckdbAnswer(db: DuckDB, sql: string): Promise<{ answer: Answer; schema: Schema | null }> {
  try {
    const r = await queryRows(db, sql.replace(/;\s*$/, ""));
    return { answer: { ok: true, rows: r.rows }, schema: r.schema };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    return { answer: { ok: false, error: cause }, schema: null };
  }
}

/** The plan's answer: the events as one batch, then end of input. */
export function planAnswer(plan: Plan, sink: string, source: string, events: unknown[], library: FunctionLibrary): Answer {
  return planAnswerOver(plan, sink, { [source]: events }, library);
}

/** The plan's rows for `sink` over each source's events (a UNION ALL may read several sources). */
export function planAnswerOver(plan: Plan, sink: string, data: Record<string, unknown[]>, library: FunctionLibrary): Answer {
  try {
    const ex = buildPipeline({ ...plan, pipelines: plan.pipelines.filter((p) => p.sink === sink) }, { library, mode: "throw" });
    const rows: Row[] = [];
    for (const [source, events] of Object.entries(data)) {
      // Both sides read the same JSON text: what DuckDB loads is what the plan sees.
      const same = events.map((e) => parseJsonLossless(stringifyJsonLossless(e, { duckdb: true }), { duckdb: true }));
      for (const r of ex.run({ source, events: same }).rows[sink] ?? []) rows.push(r);
    }
    for (const r of ex.finish().rows[sink] ?? []) rows.push(r);
    return { ok: true, rows };
  } catch (error) {
    return { ok: false, error: error instanceof SqlError ? error.duckdbText : error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Whether two error texts are the same error (DuckDB adds context lines and positions). */
export function errorsAgree(duck: string, plan: string): boolean {
  const first = (s: string): string => s.split("\n")[0]!.trim();
  if (first(duck) === first(plan) || first(duck).startsWith(first(plan))) return true;
  // The same class of error (`Conversion Error`, `Invalid Input Error` ...) with different wording
  // still fails the query the same way; the wording is reported, not failed.
  const kind = (s: string): string => /^([A-Za-z ]+ Error):/.exec(first(s))?.[1] ?? first(s);
  return kind(duck) === kind(plan) && kind(duck).endsWith("Error");
}

/**
 * Each misfit event alone: when DuckDB's read_json rejects it, every sink's
 * pipeline (in dead-letter mode) must make it a dead letter and write no row;
 * when DuckDB reads it, the answers must agree as usual.
 */
async function checkMisfits(db: DuckDB, plan: Plan, source: string, events: unknown[], library: FunctionLibrary): Promise<StepResult> {
  const schema = plan.sources[source]!.schema;
  let rejected = 0;
  let read = 0;
  const base = { step: "misfits" as const, sink: plan.pipelines.filter((p) => (p.ops[0] as { source: string }).source === source).map((p) => p.sink).join(", "), cell: source, events: events.length };
  const pipelines = { ...plan, pipelines: plan.pipelines.filter((p) => (p.ops[0] as { source: string }).source === source) };
  // What the pipelines write over no events at all: an aggregate without keys (`SELECT count(*) FROM s`)
  // answers one row over nothing, as DuckDB does; a rejected event must add nothing to that.
  const idle = buildPipeline(pipelines, { library, mode: "dead-letter" });
  const nothing = [...Object.values(idle.run({ source, events: [] }).rows), ...Object.values(idle.finish().rows)].reduce((a, b) => a + b.length, 0);
  for (const event of events) {
    const same = parseJsonLossless(stringifyJsonLossless(event, { duckdb: true }), { duckdb: true });
    let duckRejects: string | null = null;
    try {
      await loadEvents(db, source, [event], { schema, format: plan.sources[source]!.format });
    } catch (error) {
      duckRejects = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    }
    const ex = buildPipeline(pipelines, { library, mode: "dead-letter" });
    const out = ex.run({ source, events: [same] });
    const fin = ex.finish();
    const rows = [...Object.values(out.rows), ...Object.values(fin.rows)].reduce((a, b) => a + b.length, 0) - nothing;
    const deadByConversion = out.deadLetters.some((d) => d.sink !== null && /^field |^event is /.test(d.reason));
    if (duckRejects !== null) {
      rejected++;
      if (rows > 0 || !deadByConversion) {
        const detail = `  event: ${stringifyJsonLossless(event).slice(0, 300)}\n  DuckDB's read_json rejects it (${duckRejects.replace(/^duckdb: /, "")})\n  but the plan ${rows > 0 ? `wrote ${counted(rows, "row")}` : `made no conversion dead letter (${out.deadLetters.map((d) => d.reason).join("; ") || "none"})`}`;
        return { ...base, agree: false, duckdb: { ok: false, error: duckRejects }, plan: { ok: true, rows: [] }, difference: null, detail };
      }
      continue;
    }
    read++;
    if (deadByConversion) {
      const detail = `  event: ${stringifyJsonLossless(event).slice(0, 300)}\n  DuckDB's read_json reads it, but the plan rejects it: ${out.deadLetters[0]!.reason}`;
      return { ...base, agree: false, duckdb: { ok: true, rows: [] }, plan: { ok: false, error: out.deadLetters[0]!.reason }, difference: null, detail };
    }
  }
  return { ...base, agree: true, duckdb: { ok: true, rows: [] }, plan: { ok: true, rows: [] }, difference: null, detail: `${rejected} rejected by DuckDB and dead letters in the plan, ${read} read by both` };
}

async function eventByEvent(db: DuckDB, sql: string, plan: Plan, sink: string, data: Record<string, unknown[]>, schemas: Record<string, Schema>, library: FunctionLibrary): Promise<Pick<StepResult, "agree" | "duckdb" | "plan" | "difference" | "detail"> & { errors: number; rows: number }> {
  let errors = 0;
  let rows = 0;
  // Each event alone: a sink that reads several sources sees the others empty meanwhile.
  const sources = Object.keys(data);
  const each = sources.flatMap((source) => data[source]!.map((event) => ({ source, event })));
  for (const { source, event } of each) {
    for (const s of sources) await loadEvents(db, s, s === source ? [event] : [], { schema: schemas[s], format: plan.sources[s]?.format });
    const r = await compareOnce(db, sql, plan, sink, { [source]: [event] }, library);
    if (!r.agree) {
      return { ...r, errors, rows, detail: `  event: ${stringifyJsonLossless(event).slice(0, 300)}\n${r.detail}` };
    }
    if (!r.duckdb.ok) errors++;
    else rows += r.duckdb.rows.length;
  }
  return { agree: true, duckdb: { ok: true, rows: [] }, plan: { ok: true, rows: [] }, difference: null, detail: null, errors, rows };
}

async function compareOnce(db: DuckDB, sql: string, plan: Plan, sink: string, data: Record<string, unknown[]>, library: FunctionLibrary): Promise<Pick<StepResult, "agree" | "duckdb" | "plan" | "difference" | "detail">> {
  const { answer: duckdb, schema } = await duckdbAnswer(db, sql);
  const mine = planAnswerOver(plan, sink, data, library);
  const events = Object.values(data).flat();
  if (!duckdb.ok || !mine.ok) {
    // With several failing events, which error comes first is the engine's order of work; both
    // failing is agreement here, and the event-by-event step that follows compares the errors.
    const agree = !duckdb.ok && !mine.ok && (events.length > 1 || errorsAgree(duckdb.error, mine.error));
    const detail = agree ? null : `  DuckDB: ${duckdb.ok ? rowCount(duckdb.rows.length) : duckdb.error.split("\n")[0]}\n  plan:   ${mine.ok ? rowCount(mine.rows.length) : mine.error.split("\n")[0]}`;
    return { agree, duckdb, plan: mine, difference: null, detail };
  }
  const difference = firstDifference(schema!, duckdb.rows, mine.rows, FLOAT_TOLERANCE, kahanColumns(plan, sink));
  if (!difference) return { agree: true, duckdb, plan: mine, difference: null, detail: null };
  const other = difference.side === "duckdb" ? "the plan" : "DuckDB";
  const side = difference.side === "duckdb" ? "DuckDB" : "the plan";
  const columns = difference.nearest && difference.columns.length
    ? `\n  columns that differ from its nearest row: ${difference.columns.map((c) => { const type = schema!.find((s) => s.name === c)?.type; return `${c} (${side} ${showValue(difference.row[c] ?? null, type)}, ${other} ${showValue(difference.nearest![c] ?? null, type)})`; }).join("; ")}`
    : "";
  const detail = `  first differing row: ${side} has ${showRow(difference.row, schema!)}\n  ${other} has ${difference.nearest ? `nearest ${showRow(difference.nearest, schema!)}` : "no such row"} (${rowCount(duckdb.rows.length)} from DuckDB, ${mine.rows.length} from the plan)${columns}`;
  return { agree: false, duckdb, plan: mine, difference, detail };
}

/**
 * Generated events are records of the schema's columns; a source whose records are not objects
 * (`Column.whole`: a topic of strings) gets each record's value bare, as its stream carries it.
 * Wrapped, a record of a BIGINT `json` column was the object `{"json": 1}`, which DuckDB's pinned
 * read refused, failing the whole check.
 */
function bare(schema: Schema, events: Record<string, unknown>[]): unknown[] {
  const whole = schema.find((c) => c.whole === true);
  return whole === undefined ? events : events.map((e) => e[whole.name] ?? null);
}
