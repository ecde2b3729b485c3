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
}

export type DeadLetterKind = "row" | "group";

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

/** One JSON object per line, fields in a fixed order, so the same letters give the same bytes. */
export function encodeDeadLetters(letters: DeadLetter[]): Uint8Array {
  // Line by line into bytes: one string of every letter would pass V8's ~512 MiB string limit for
  // a flush of large refused records, and the flush would fail on every retry.
  const lines: Uint8Array[] = [];
  let size = 0;
  for (const { reason, raw, source, at, kind } of letters) {
    if (Number.isNaN(Date.parse(at))) throw new Error(`dead-letter: "at" must be an ISO 8601 time, got ${JSON.stringify(at)}`);
    const line = utf8.encode(`${JSON.stringify(kind === undefined ? { reason, raw, source, at } : { reason, raw, source, at, kind })}\n`);
    lines.push(line);
    size += line.length;
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
      const { reason, raw, source, at, kind } = JSON.parse(line) as DeadLetter;
      if ([reason, raw, source, at].some((v) => typeof v !== "string")) throw new Error("reason, raw, source and at must be strings");
      return kind === "row" || kind === "group" ? { reason, raw, source, at, kind } : { reason, raw, source, at };
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
