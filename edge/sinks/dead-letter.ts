import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import type { DeadLetter as ExecutorLetter } from "../exec/pipeline.ts";
import { checkKey } from "./keys.ts";
import { escapePathSegment, rangeName } from "./layout.ts";

/**
 * A bad event that never stops the pipeline: what went wrong, the payload as
 * received, where it came from and when it arrived (ISO 8601, UTC).
 */
export interface DeadLetter {
  reason: string;
  raw: string;
  source: string;
  at: string;
  /**
   * What `raw` holds when it is not one of the source's events: a sink's output `row` that no file
   * could hold, or the keys of an aggregate `group` that failed. Absent for an event (replayable).
   */
  kind?: DeadLetterKind;
  /**
   * Where the event came from, as far as the source's `metadata:`/`headers:` columns need it, so a
   * replay (replay.ts) rebuilds the columns the live run gave the event. Absent on letters written
   * before it existed and for sources that add no column.
   */
  origin?: LetterOrigin;
}

export type DeadLetterKind = "row" | "group";

/**
 * A dead letter's `origin` field, version 1 (`v`). Only what the source selects is kept: a Kafka
 * record's fields the source's `metadata:` names, a webhook delivery's `metadata:` fields and the
 * headers its `headers:` names (never a signature or Authorization header the notebook does not name).
 * - `kafka`: `topic`, `partition`, `offset` (decimal text: offsets pass 2^53), `timestamp` (the
 *   record's milliseconds as the record has them, -1 included), `key` (base64 of the bytes, null for
 *   a null key: a key that is not UTF-8 is kept as it was refused), `headers` (`[name, base64 | null]`
 *   in the order the columns list them).
 * - `webhook`: `receivedAt` (milliseconds), `deliveryId` (the id the `_delivery_id` column held),
 *   `headers` (the named headers, lower-case, null for one the delivery lacked).
 */
export interface LetterOrigin {
  v: 1;
  kafka?: KafkaOrigin;
  webhook?: WebhookOrigin;
}

export interface KafkaOrigin {
  topic?: string;
  partition?: number;
  offset?: string;
  timestamp?: number;
  key?: string | null;
  headers?: [string, string | null][];
}

export interface WebhookOrigin {
  receivedAt?: number;
  deliveryId?: string | null;
  headers?: Record<string, string | null>;
}

const isText = (v: unknown): v is string => typeof v === "string";
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === "string";

/** Why `origin` is not a version-1 origin, or null when it is. */
function originProblem(origin: unknown): string | null {
  if (typeof origin !== "object" || origin === null || Array.isArray(origin)) return "origin must be an object";
  const { v, kafka, webhook } = origin as Record<string, unknown>;
  if (v !== 1) return `origin version ${JSON.stringify(v)} is not one this runnel reads (1); replay with the runnel that wrote it`;
  if (kafka !== undefined) {
    if (typeof kafka !== "object" || kafka === null) return "origin.kafka must be an object";
    const k = kafka as Record<string, unknown>;
    if (k.topic !== undefined && !isText(k.topic)) return "origin.kafka.topic must be text";
    if (k.partition !== undefined && !Number.isInteger(k.partition)) return "origin.kafka.partition must be an integer";
    if (k.offset !== undefined && !(isText(k.offset) && /^\d+$/.test(k.offset))) return "origin.kafka.offset must be decimal text";
    if (k.timestamp !== undefined && typeof k.timestamp !== "number") return "origin.kafka.timestamp must be a number";
    if (k.key !== undefined && !isTextOrNull(k.key)) return "origin.kafka.key must be base64 text or null";
    if (k.headers !== undefined && !(Array.isArray(k.headers) && k.headers.every((h) => Array.isArray(h) && h.length === 2 && isText(h[0]) && isTextOrNull(h[1])))) return "origin.kafka.headers must be [name, base64 | null] pairs";
  }
  if (webhook !== undefined) {
    if (typeof webhook !== "object" || webhook === null) return "origin.webhook must be an object";
    const w = webhook as Record<string, unknown>;
    if (w.receivedAt !== undefined && typeof w.receivedAt !== "number") return "origin.webhook.receivedAt must be a number";
    if (w.deliveryId !== undefined && !isTextOrNull(w.deliveryId)) return "origin.webhook.deliveryId must be text or null";
    if (w.headers !== undefined && !(typeof w.headers === "object" && w.headers !== null && !Array.isArray(w.headers) && Object.values(w.headers).every(isTextOrNull))) return "origin.webhook.headers must map names to text or null";
  }
  return null;
}

/**
 * An executor's dead letter as the lake keeps it: the rejecting sink named in the reason, the raw
 * value as DuckDB's JSON text unless the caller has the payload as it was sent (`raw`).
 */
export function executorLetter(d: ExecutorLetter, source: string, at: string, raw?: string | null): DeadLetter {
  const letter: DeadLetter = { reason: d.sink ? `${d.sink}: ${d.reason}` : d.reason, raw: raw ?? stringifyJsonLossless(d.raw, { duckdb: true }), source: d.source || source, at };
  if (d.kind) letter.kind = d.kind;
  return letter;
}

const utf8 = new TextEncoder();
const PIECE = 1 << 20;

/**
 * `s` with each lone surrogate as U+FFFD: JSON.stringify writes one as `\ud800`, and DuckDB's read_json
 * then refuses the whole file ("no low surrogate in string"), every letter of the folder with it.
 */
function wellFormed(s: string): string {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed() ? s : (s as unknown as { toWellFormed(): string }).toWellFormed();
}

/** One JSON object per line, fields in a fixed order, so the same letters give the same bytes. */
export function encodeDeadLetters(letters: DeadLetter[]): Uint8Array {
  // Line by line into bytes: one string of every letter would pass V8's ~512 MiB string limit for
  // a flush of large refused records, and the flush would fail on every retry.
  // Lines are joined into pieces of ~1 MiB of text, each encoded once (an encode per line was ~10 % of a flush of letters).
  const lines: Uint8Array[] = [];
  let size = 0;
  let piece = "";
  // A flush's letters mostly share their source and time: each is checked and written as JSON once.
  let lastAt = "";
  let atJson = "";
  let lastSource = "";
  let sourceJson = '""';
  for (const { reason, raw, source, at, kind, origin } of letters) {
    if (at !== lastAt) {
      if (Number.isNaN(Date.parse(at))) throw new Error(`dead-letter: "at" must be an ISO 8601 time, got ${JSON.stringify(at)}`);
      lastAt = at;
      atJson = JSON.stringify(at);
    }
    if (source !== lastSource) {
      lastSource = source;
      sourceJson = JSON.stringify(source);
    }
    // JSON.stringify of { reason, raw, source, at, kind?, origin? }, field by field (no object per letter).
    piece += `{"reason":${JSON.stringify(wellFormed(reason))},"raw":${JSON.stringify(wellFormed(raw))},"source":${sourceJson},"at":${atJson}${kind === undefined ? "" : `,"kind":${JSON.stringify(kind)}`}${origin === undefined ? "" : `,"origin":${JSON.stringify(origin)}`}}\n`;
    if (piece.length >= PIECE) {
      const bytes = utf8.encode(piece);
      lines.push(bytes);
      size += bytes.length;
      piece = "";
    }
  }
  if (piece !== "" || lines.length === 0) {
    const bytes = utf8.encode(piece);
    lines.push(bytes);
    size += bytes.length;
  }
  if (lines.length === 1) return lines[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const line of lines) {
    out.set(line, at);
    at += line.length;
  }
  return out;
}

/** Parses what encodeDeadLetters wrote; a malformed line is an error naming the line. */
export function decodeDeadLetters(bytes: Uint8Array): DeadLetter[] {
  const lines = new TextDecoder("utf-8", { fatal: true }).decode(bytes).split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line, i) => {
    try {
      const { reason, raw, source, at, kind, origin } = JSON.parse(line) as DeadLetter;
      if ([reason, raw, source, at].some((v) => typeof v !== "string")) throw new Error("reason, raw, source and at must be strings");
      const letter: DeadLetter = { reason, raw, source, at };
      if (kind === "row" || kind === "group") letter.kind = kind;
      if (origin !== undefined) {
        const problem = originProblem(origin);
        if (problem !== null) throw new Error(problem);
        letter.origin = origin;
      }
      return letter;
    } catch (cause) {
      throw new Error(`dead-letter: line ${i + 1} is not a dead letter`, { cause });
    }
  });
}

/**
 * `<prefix>_errors/source=<source>/day=<YYYY-MM-DD>/<writer>-<first>-<last>.ndjson`:
 * beside the sinks' folders, Hive-partitioned so `read_json('…/_errors/**', hive_partitioning=true)` reads them.
 */
export function deadLetterKey(parts: { prefix?: string; source: string; day: string; writer: string; first: bigint | number; last: bigint | number }): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parts.day)) throw new Error(`dead-letter: day must be YYYY-MM-DD, got ${JSON.stringify(parts.day)}`);
  if (!/^[A-Za-z0-9._-]+$/.test(parts.writer)) throw new Error(`dead-letter: writer name ${JSON.stringify(parts.writer)} may hold only letters, digits, ".", "_" and "-"`);
  const key = `${parts.prefix ?? ""}_errors/source=${escapePathSegment(parts.source)}/day=${parts.day}/${parts.writer}-${rangeName(parts.first, parts.last)}.ndjson`;
  checkKey("dead-letter", key);
  return key;
}
