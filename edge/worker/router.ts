import { buildPipeline, type Executor } from "../exec/pipeline.ts";
import type { FunctionLibrary } from "../exec/functions/contract.ts";
import type { JsonValue, Plan } from "../plan/types.ts";
import type { Row, Value } from "../plan/values.ts";
import type { DeadLetter } from "../sinks/dead-letter.ts";
import { headPipeline, rowCodec, sinkPlans, type SinkPlan } from "./sink-plan.ts";

/**
 * What the Worker hands one Durable Object for one request. On the wire
 * (`encodeBatch`): the other fields as one JSON line, then the rows as one
 * JSON array of arrays, which the object stores as it is, as one SQLite row.
 */
export interface Batch {
  /** The Durable Object's name: `<sink>/<shard>` (plain), `<sink>/` (aggregates), or `_control`. */
  object: string;
  sink: string | null;
  /** Buffered rows, each the JSON array `rowCodec(plan.buffered)` encodes (written out by `encodeBatch`). */
  rows: JsonValue[][];
  /** For window sinks: the raw event of each row, for a late row's dead letter. */
  raws: string[] | null;
  /** For window sinks: the index of each event's last row (windows close between events, as in the executor). */
  ends?: number[];
  deadLetters: DeadLetter[];
  /** Events this request brought in, counted by exactly one object of the request. */
  events: number;
}

export const CONTROL_OBJECT = "_control";

export type BatchHead = Omit<Batch, "rows"> & { delivery: string | null; count: number };

export function encodeBatch(batch: Batch, delivery: string | null): string {
  const { rows, ...rest } = batch;
  // One JSON.stringify of every row: the text `[${rows.map(JSON.stringify).join(",")}]` without a string per row.
  return `${JSON.stringify({ ...rest, delivery, count: rows.length })}\n${JSON.stringify(rows)}`;
}

export function decodeBatch(text: string): { head: BatchHead; rows: string } {
  const newline = text.indexOf("\n");
  if (newline < 0) throw new Error("worker: a batch needs a JSON head line and a rows line");
  return { head: JSON.parse(text.slice(0, newline)) as BatchHead, rows: text.slice(newline + 1) };
}

/**
 * The stateless part of the plan, run in the Worker: events of one source in,
 * one batch per Durable Object out. Built once per isolate.
 */
/**
 * `shards` Durable Objects share each plain sink (default 1); a request's
 * rows go to one of them, picked by its delivery id (so a retry meets the
 * object that remembers it) or at random without one. Each object writes
 * every partition its rows fall in at flush time, so the number of objects
 * is fixed by configuration, not by how many partitions the data has.
 */
export function buildRouter(plan: Plan, library: FunctionLibrary, shards = 1): (source: string, events: unknown[], raws: string[], at: string, delivery: string | null) => Batch[] {
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`worker: shards must be a positive integer, got ${shards}`);
  const plans = sinkPlans(plan);
  const plain = plans.filter((p) => p.kind === "plain");
  const heads = plans.filter((p) => p.kind !== "plain");
  const plainExec = plain.length ? buildPipeline({ ...plan, pipelines: plain.map((p) => p.pipeline) }, { library }) : null;
  // One per pipeline: the branches of a UNION ALL under a GROUP BY are pipelines of one sink, and
  // each sends its rows to the sink's one Durable Object, which aggregates them together.
  const headExecs = new Map<SinkPlan, Executor>(heads.map((p) => [p, buildPipeline({ ...plan, pipelines: [headPipeline(p)] }, { library })]));
  const outputCodecs = new Map(plain.map((p) => [p.sink, rowCodec(p.output)]));
  const bufferedCodecs = new Map(heads.map((p) => [p.sink, rowCodec(p.buffered)]));

  return (source, events, raws, at, delivery) => {
    const shard = shards === 1 ? 0 : delivery === null ? Math.floor(Math.random() * shards) : hash32(delivery) % shards;
    const batches = new Map<string, Batch>();
    const control: Batch = { object: CONTROL_OBJECT, sink: null, rows: [], raws: null, deadLetters: [], events: 0 };
    const batchFor = (object: string, p: SinkPlan): Batch => {
      let b = batches.get(object);
      if (!b) batches.set(object, (b = { object, sink: p.sink, rows: [], raws: p.kind === "window" ? [] : null, deadLetters: [], events: 0 }));
      return b;
    };
    let index: Map<unknown, number> | null = null;
    const rawOf = (event: unknown): string => {
      index ??= new Map(events.map((e, i) => [e, i]));
      const i = index.get(event);
      return i === undefined ? JSON.stringify(event, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) : raws[i]!;
    };
    const dead = (reason: string, event: unknown) => control.deadLetters.push({ reason, raw: rawOf(event), source, at });

    if (plainExec) {
      const out = plainExec.run({ source, events });
      for (const d of out.deadLetters) dead(d.sink ? `sink ${d.sink}: ${d.reason}` : d.reason, d.raw);
      const done = new Set<string>();
      for (const p of plain) {
        // The branches of a UNION ALL are pipelines of one sink: its rows are taken once.
        if (done.has(p.sink)) continue;
        done.add(p.sink);
        const rows = out.rows[p.sink] ?? [];
        if (!rows.length) continue;
        const codec = outputCodecs.get(p.sink)!;
        const b = batchFor(`${p.sink}/${shard}`, p);
        for (const row of rows) b.rows.push(codec.encodeRow(row));
      }
    }
    // Window sinks: event by event, so each row knows its raw event (a late row's dead letter carries it), and
    // for each event every branch of a UNION ALL, as the executor runs them: the object closes windows between
    // events (`ends`), so the rows must come in event order, not one branch's rows after the other's.
    const windowSinks = new Map<string, SinkPlan[]>();
    for (const p of heads) {
      if (p.source !== source || p.kind !== "window") continue;
      const group = windowSinks.get(p.sink);
      if (group) group.push(p);
      else windowSinks.set(p.sink, [p]);
    }
    for (const [sink, group] of windowSinks) {
      const codec = bufferedCodecs.get(sink)!;
      for (let i = 0; i < events.length; i++) {
        let b: Batch | null = null;
        for (const p of group) {
          const out = headExecs.get(p)!.run({ source, events: [events[i]] });
          for (const d of out.deadLetters) dead(`sink ${p.sink}: ${d.reason}`, d.raw);
          const rows = out.rows[p.sink] ?? [];
          if (!rows.length) continue;
          b = batchFor(`${p.sink}/`, p);
          for (const row of rows) {
            b.rows.push(codec.encodeJson(p.buffered.map((_, c) => row[`c${c}`] ?? null)));
            b.raws!.push(raws[i]!);
          }
        }
        if (b) (b.ends ??= []).push(b.rows.length - 1);
      }
    }
    // Per-flush sinks (GROUP BY without a time bucket): the whole request through the head at once.
    for (const p of heads) {
      if (p.source !== source || p.kind === "window") continue;
      const codec = bufferedCodecs.get(p.sink)!;
      const toValues = (row: Row): Value[] => p.buffered.map((_, i) => row[`c${i}`] ?? null);
      const out = headExecs.get(p)!.run({ source, events });
      for (const d of out.deadLetters) dead(`sink ${p.sink}: ${d.reason}`, d.raw);
      const rows = out.rows[p.sink] ?? [];
      if (rows.length) {
        // One push each: spread into one call, a large request's rows passed the engine's stack.
        const b = batchFor(`${p.sink}/`, p);
        for (const r of rows) b.rows.push(codec.encodeJson(toValues(r)));
      }
    }
    const list = [...batches.values()].sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
    if (control.deadLetters.length || list.length === 0) list.push(control);
    list[0]!.events = events.length;
    return list;
  };
}

/** FNV-1a over UTF-16 units: a stable shard for a delivery id. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
