/**
 * What the local runs of one publish have durably written, so a second run over the same events
 * writes nothing twice (a Stop and "Run again", a restart of `npm start`, a crash).
 *
 * One file per publish, `<lakeDir>/<name>/_runs/<writer>.json`, where `<writer>` names the
 * publish (`local-<publishedAt>`) and every object its runs write. It holds, per source and per
 * stream of it (a Kafka partition, the demo generator, the webhook deliveries), the last event
 * written and how many events of that place were (a Kafka record or a delivery can hold several),
 * the executor's state at that point (open windows and their groups), and the number the next
 * event gets (object keys name event ranges). A flush is recorded as `pending` before its objects
 * are written and committed after: a run that finds a pending flush (the gateway died between)
 * deletes its objects, each of which exists in full or not at all (the fs sink renames into
 * place), and starts from the commit before it, so what it writes again is in the lake once.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { rangeName } from "../../edge/sinks/layout.ts";

/** Where a stream's written events end: the last event's place and how many events of each id at that place were written. */
export interface StreamPosition {
  /** Kafka offset, demo index, or a delivery's arrival time (ms), as decimal text. */
  order: string;
  /** Events written at `order`, per id there (a webhook delivery's id; "" for Kafka and the demo). */
  ids: Record<string, number>;
  /**
   * A Kafka record's timestamp (ms) at `order`: a topic deleted and created again with as many records
   * or more holds another record there, known by its time (absent in checkpoints written before it was kept).
   */
  at?: number;
}

export interface RunCheckpoint {
  version: 1;
  publishedAt: string;
  writer: string;
  /** The number the next event written gets. */
  next: number;
  /** Events written by the runs of this publish. */
  events: number;
  /** Per source, per stream: where what is written ends. */
  positions: Record<string, Record<string, StreamPosition>>;
  /** The executor's state (`Executor.snapshot`) after the last event written; null before the first commit. */
  snapshot: string | null;
  /** A flush being written: its objects are deleted by the next run unless it was committed. */
  pending: { first: number; last: number; commit?: Pick<RunCheckpoint, "next" | "events" | "positions" | "snapshot"> } | null;
  /** When each run that wrote under this publish started (the newest last, at most 20). */
  runs: string[];
  /**
   * Per Kafka source, the topic its positions are offsets in: positions recorded for another topic
   * are not this one's (absent in checkpoints written before it was kept: the publish's topic).
   */
  topics?: Record<string, string>;
}

/** Where an event comes from, as a stream and an order in it; null when the source gives no place (it is not deduplicated). */
export interface EventPlace {
  stream: string;
  order: bigint;
  id: string;
  /** A Kafka record's timestamp (ms). */
  at?: number;
}

/** A place from a source event's `meta`: Kafka partition and offset, demo index, webhook delivery (ordered by its arrival), or HTTP poll (by its time). */
export function placeOf(meta: Record<string, string | number> | undefined, receivedAt: number): EventPlace | null {
  if (!meta) return null;
  try {
    if (meta.partition !== undefined && meta.offset !== undefined) return { stream: `partition ${meta.partition}`, order: BigInt(meta.offset), id: "", at: receivedAt };
    if (typeof meta.index === "number") return { stream: "demo", order: BigInt(meta.index), id: "" };
    if (typeof meta.delivery === "string") return { stream: "deliveries", order: BigInt(Math.floor(receivedAt)), id: meta.delivery };
    // An HTTP source's events are those of its polls: a poll's time (the same in the sample and the tail of one
    // gateway) orders them, and the events of one poll are counted at it, in the order its body gives them. (Not
    // named by the URL, which may carry a token: the publish fixes it, as it does a Kafka topic.)
    if (typeof meta.url === "string") return { stream: "polls", order: BigInt(Math.floor(receivedAt)), id: "" };
  } catch {
    return null;
  }
  return null;
}

/** The writer name of a publish: every object its local runs write starts with it. */
export function writerOf(publishedAt: string): string {
  return `local-${publishedAt.replace(/[^0-9A-Za-z]/g, "")}`;
}

export function checkpointPath(dir: string, writer: string): string {
  return join(dir, "_runs", `${writer}.json`);
}

export function emptyCheckpoint(publishedAt: string, writer: string): RunCheckpoint {
  return { version: 1, publishedAt, writer, next: 0, events: 0, positions: {}, snapshot: null, pending: null, runs: [] };
}

export async function readCheckpoint(dir: string, writer: string): Promise<RunCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(checkpointPath(dir, writer), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const data = JSON.parse(text) as RunCheckpoint;
  if (data.version !== 1 || data.writer !== writer) throw new Error(`local run: ${checkpointPath(dir, writer)} is not a checkpoint of ${writer}; delete it to start over`);
  return data;
}

/** Writes the checkpoint in place atomically (a temporary file renamed over it). */
export async function writeCheckpoint(dir: string, checkpoint: RunCheckpoint): Promise<void> {
  const path = checkpointPath(dir, checkpoint.writer);
  await mkdir(join(dir, "_runs"), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(checkpoint));
  await rename(temp, path);
}

/** As `writeCheckpoint`, without a wait: a flush records itself pending in the same step as its writer takes its content. */
export function writeCheckpointSync(dir: string, checkpoint: RunCheckpoint): void {
  const path = checkpointPath(dir, checkpoint.writer);
  mkdirSync(join(dir, "_runs"), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(checkpoint));
  renameSync(temp, path);
}

/** Every file under `dir` (sinks and `_errors`; not `_runs` nor the fs sink's temporary folder), as paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string, top: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const e of entries) {
      if (top && (e.name === "_runs" || e.name.startsWith("."))) continue;
      if (e.isDirectory()) await walk(join(at, e.name), false);
      else if (e.isFile()) out.push(join(at, e.name));
    }
  };
  await walk(dir, true);
  return out;
}

/** Deletes the objects (Parquet and dead letters) a flush of `writer` over events [first, last] wrote; answers how many there were. */
export async function deleteFlush(dir: string, writer: string, first: number, last: number): Promise<number> {
  const range = rangeName(first, last);
  const names = [`${writer}-${range}.`, `${writer}.end-${range}.`];
  let n = 0;
  for (const path of await filesUnder(dir)) {
    const base = path.slice(path.lastIndexOf("/") + 1);
    if (!names.some((p) => base.startsWith(p))) continue;
    await unlink(path);
    n++;
  }
  return n;
}

/** The objects local runs of publishes other than `writer` wrote (their names start `local-`, not `<writer>-` nor `<writer>.`). */
export async function earlierObjects(dir: string, writer: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((path) => {
    const base = path.slice(path.lastIndexOf("/") + 1);
    return base.startsWith("local-") && !base.startsWith(`${writer}-`) && !base.startsWith(`${writer}.`);
  });
}

/** Deletes the objects and checkpoints of every earlier publish; answers how many objects. */
export async function deleteEarlier(dir: string, writer: string): Promise<number> {
  const files = await earlierObjects(dir, writer);
  for (const f of files) await unlink(f);
  let checkpoints: string[] = [];
  try {
    checkpoints = await readdir(join(dir, "_runs"));
  } catch {
    // No checkpoint yet.
  }
  for (const c of checkpoints) if (c.endsWith(".json") && c !== `${writer}.json`) await unlink(join(dir, "_runs", c));
  return files.length;
}

/**
 * The Kafka streams of `positions` whose record at the written offset is in `events` (a sample) with
 * another timestamp than the one written there: the topic was deleted and created again with as many
 * records or more, so its log end alone does not show it.
 */
export function replacedRecords(positions: Record<string, StreamPosition>, events: Iterable<{ meta?: Record<string, string | number>; receivedAt: number }>): { stream: string; order: string; was: number; now: number }[] {
  const wanted = new Map<string, StreamPosition>();
  for (const [stream, at] of Object.entries(positions)) if (at.at !== undefined && stream.startsWith("partition ")) wanted.set(`${stream}\u0000${at.order}`, at);
  if (wanted.size === 0) return [];
  const out: { stream: string; order: string; was: number; now: number }[] = [];
  for (const e of events) {
    const place = placeOf(e.meta, e.receivedAt);
    if (place === null) continue;
    const key = `${place.stream}\u0000${place.order}`;
    const at = wanted.get(key);
    if (at === undefined) continue;
    wanted.delete(key);
    if (place.at !== at.at) out.push({ stream: place.stream, order: at.order, was: at.at!, now: place.at! });
  }
  return out;
}

/**
 * Per stream, which events are already written: `skip` answers true for an event at or before the
 * committed position (at the position itself, for the first `ids[id]` events of that place this run sees).
 */
export class WrittenPositions {
  private readonly seenAtEdge = new Map<string, number>();

  private readonly positions = new Map<string, { order: bigint; ids: Record<string, number> }>();

  constructor(positions: Record<string, StreamPosition>) {
    for (const [stream, at] of Object.entries(positions)) this.positions.set(stream, { order: BigInt(at.order), ids: at.ids });
  }

  skip(place: EventPlace | null): boolean {
    if (place === null) return false;
    const at = this.positions.get(place.stream);
    if (!at) return false;
    if (place.order < at.order) return true;
    if (place.order > at.order) return false;
    const key = `${place.stream}\u0000${place.id}`;
    const seen = this.seenAtEdge.get(key) ?? 0;
    if (seen >= (at.ids[place.id] ?? 0)) return false;
    this.seenAtEdge.set(key, seen + 1);
    return true;
  }
}

/**
 * Where the events gone through the plan end, per source and stream, moved event by event (orders kept
 * as bigints: this runs for every event) and written out as a checkpoint's `positions`.
 */
export class LivePositions {
  private readonly sources = new Map<string, Map<string, { order: bigint; ids: Map<string, number>; at?: number }>>();

  constructor(from: Record<string, Record<string, StreamPosition>>) {
    for (const [source, streams] of Object.entries(from)) {
      const map = new Map<string, { order: bigint; ids: Map<string, number>; at?: number }>();
      for (const [stream, at] of Object.entries(streams)) map.set(stream, { order: BigInt(at.order), ids: new Map(Object.entries(at.ids)), at: at.at });
      this.sources.set(source, map);
    }
  }

  /** Forgets where a stream's written events end (a Kafka partition that restarted below it): its events are taken from its start. */
  drop(source: string, stream: string): void {
    this.sources.get(source)?.delete(stream);
  }

  /** Moves past an event of `source` that went through the plan; one before the position leaves it. */
  advance(source: string, place: EventPlace): void {
    let streams = this.sources.get(source);
    if (!streams) this.sources.set(source, (streams = new Map()));
    const at = streams.get(place.stream);
    if (!at || place.order > at.order) streams.set(place.stream, { order: place.order, ids: new Map([[place.id, 1]]), at: place.at });
    else if (place.order === at.order) at.ids.set(place.id, (at.ids.get(place.id) ?? 0) + 1);
  }

  toJSON(): Record<string, Record<string, StreamPosition>> {
    const out: Record<string, Record<string, StreamPosition>> = {};
    for (const [source, streams] of this.sources) {
      out[source] = {};
      for (const [stream, at] of streams) {
        out[source][stream] = { order: at.order.toString(), ids: Object.fromEntries(at.ids), ...(at.at === undefined ? {} : { at: at.at }) };
      }
    }
    return out;
  }
}
