/**
 * Replaying dead letters: after the notebook is fixed and published again,
 * the events its last version refused (a cast that failed, a field that did
 * not fit) go through the new plan. `runnel run <bundle> --replay <path>`
 * reads dead-letter files (`_errors/**.ndjson`, as every runtime writes them),
 * keeps the letters of the plan's sources, oldest first, and hands their raw
 * payloads to `runFiles` as NDJSON inputs; what still fails becomes a dead
 * letter again, with the new reason.
 *
 * A source with `metadata:`/`headers:` columns gets them back from each
 * letter's `origin` (letter-columns.ts), as the live run made them; a letter
 * written before letters kept it replays with those columns NULL, counted
 * in `withoutOrigin` so the command can say how many.
 *
 * A plan with a windowed aggregate is refused: its windows were written when
 * the watermark passed them, and replayed events would write a second,
 * partial row for a window already in the lake.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { SourceSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import { decodeDeadLetters, type DeadLetter } from "../sinks/dead-letter.ts";
import { listInputs, type InputFile } from "./read-inputs.ts";
import { replayedPayload } from "./letter-columns.ts";

export interface ReplayInputs {
  /** NDJSON files of raw payloads per source, for `runFiles`. */
  inputs: Record<string, InputFile[]>;
  /** Letters per source that will be replayed. */
  replayed: Record<string, number>;
  /**
   * Per source that adds `metadata:`/`headers:` columns: letters replayed with them rebuilt from the
   * letter's `origin`, and letters without one (written before letters kept it), whose columns are NULL.
   */
  withOrigin: Record<string, number>;
  withoutOrigin: Record<string, number>;
  /** Letters left out, with why (another source, a payload that cannot be one NDJSON line). */
  skipped: { reason: string; count: number }[];
  /** The dead-letter files read. */
  files: string[];
  /**
   * The writer name the replay's objects take: `replay-` and a digest of the events replayed, so a
   * second replay of the same letters writes the same objects again (replacing them) rather than
   * a second copy of every row, and a replay of other letters never takes another's names.
   */
  writer: string;
}

/** Why the plan cannot take replayed events, or null when it can. */
export function replayRefusal(plan: Plan): string | null {
  for (const pipeline of plan.pipelines) {
    const windowed = pipeline.ops.find((op) => op.op === "aggregate" && op.emit === "window");
    if (windowed) {
      return `replay: sink ${pipeline.sink} aggregates over tumbling windows (cell ${pipeline.cell.cell}); its windows are written once, when the watermark passes them, so replayed events would write a second, partial row for a window already in the lake. Backfill that period from the source instead (runnel run --input, into a fresh prefix).`;
    }
  }
  return null;
}

/**
 * The replay of the dead letters under `paths` through `plan`. `sources` (the bundle's `bundle.json`
 * sources) says which stream columns each source adds; without it a letter gets back the columns
 * its origin holds, those the source that wrote it selected.
 */
export async function replayInputs(plan: Plan, paths: string[], sources?: Record<string, SourceSpec>): Promise<ReplayInputs> {
  const refused = replayRefusal(plan);
  if (refused) throw new Error(refused);
  const letters: { letter: DeadLetter; name: string; path: string; order: number }[] = [];
  const files: string[] = [];
  for (const path of paths) {
    let listed;
    try {
      listed = await listInputs(path);
    } catch (error) {
      // listInputs speaks of an --input; here the path names dead letters.
      throw new Error(error instanceof Error ? error.message.replace(/^run: input /, "replay: the dead-letter path ") : String(error), { cause: error });
    }
    for (const file of listed) {
      files.push(file.path);
      let decoded: DeadLetter[];
      try {
        decoded = decodeDeadLetters(await readFile(file.path));
      } catch (error) {
        const why = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
        throw new Error(`replay: ${file.path} is not a dead-letter file: ${why}`, { cause: error });
      }
      for (const letter of decoded) letters.push({ letter, name: basename(file.path), path: resolve(file.path), order: letters.length });
    }
  }
  // Oldest first, as they arrived. Letters of one time (one batch's, split over files by a flush
  // bound) go by source, then file name (its writer and sequence range), then their place in the
  // file: never by the order the files were named or listed in (their times change with a copy),
  // so the same letters always replay in the same order under the same writer name.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  letters.sort((a, b) => cmp(a.letter.at, b.letter.at) || cmp(a.letter.source, b.letter.source) || cmp(a.name, b.name) || cmp(a.path, b.path) || a.order - b.order);
  // Text, or the bytes of a payload that was not UTF-8 (its letter keeps them one character each, Latin-1).
  const lines: Record<string, (string | Buffer)[]> = {};
  const skipped = new Map<string, number>();
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const withOrigin: Record<string, number> = {};
  const withoutOrigin: Record<string, number> = {};
  const count = (into: Record<string, number>, source: string) => (into[source] = (into[source] ?? 0) + 1);
  /** The letter's payload with its stream columns, or null when it is left out (the live run would refuse it again). */
  const payload = (letter: DeadLetter, raw: string): string | null => {
    const replayed = replayedPayload(raw, letter.origin, sources?.[letter.source]);
    if (replayed.kind === "refused") {
      skip(`still refused as the live run refused it: ${replayed.reason}`);
      return null;
    }
    // Without the bundle's sources, a source's stream columns are known by their names in its schema.
    const missing = replayed.kind === "missing" || (replayed.kind === "none" && sources === undefined && letter.origin === undefined && plan.sources[letter.source]!.schema?.some((c) => STREAM_COLUMNS.has(c.name)));
    if (missing) count(withoutOrigin, letter.source);
    if (replayed.kind === "ok") count(withOrigin, letter.source);
    return replayed.kind === "ok" ? replayed.raw : raw;
  };
  const push = (source: string, raw: string | Buffer | null) => {
    if (raw !== null) (lines[source] ??= []).push(raw);
  };
  for (const { letter } of letters) {
    if (letter.kind === "row") {
      skip("an output row no file could hold (not an event; fix the sink's columns or partition values and backfill)");
    } else if (letter.kind === "group") {
      skip("an aggregate group that failed as it was emitted (its keys, not an event)");
    } else if (!plan.sources[letter.source]) {
      skip(`source ${letter.source === "" ? "(none)" : letter.source} is not one this plan reads (${Object.keys(plan.sources).join(", ")})`);
    } else if (notUtf8Raw(letter)) {
      // Its bytes as they were sent, so the reader refuses them again as DuckDB does; written as text
      // they were UTF-8 of other characters (0xE9 read as "é"), and a row of text never sent.
      if (/[\n\r]/.test(letter.raw)) skip("the payload holds a line break and is not UTF-8, so it is not one event of NDJSON");
      else push(letter.source, Buffer.from(letter.raw, "latin1"));
    } else if (/[\n\r]/.test(letter.raw)) {
      // A pretty-printed body (Stripe sends its events so) is one line once its line breaks are
      // spaces: JSON has none inside a string, so outside them they are whitespace and the value is
      // the same. A payload that is not JSON cannot be put on one line without changing it.
      if (isJson(letter.raw)) push(letter.source, payload(letter, letter.raw.replace(/[\n\r]/g, " ")));
      else skip("the payload holds a line break and is not JSON, so it is not one event of NDJSON");
    } else {
      push(letter.source, payload(letter, letter.raw));
    }
  }
  const dir = await mkdtemp(join(tmpdir(), "runnel-replay-"));
  // The copies of the payloads (refused events, often personal data) go when the run does.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const inputs: Record<string, InputFile[]> = {};
  const replayed: Record<string, number> = {};
  const digest = createHash("sha256");
  for (const [source, raws] of Object.entries(lines)) {
    const path = join(dir, `${source.replace(/[^A-Za-z0-9_-]/g, "_")}.ndjson`);
    const text = Buffer.concat(raws.flatMap((raw) => [typeof raw === "string" ? Buffer.from(raw) : raw, NEWLINE]));
    // The length in characters, as when the file was written as one string: the same letters keep their writer name.
    digest.update(`${source}\n${raws.reduce((n, raw) => n + raw.length + 1, 0)}\n`).update(text);
    await writeFile(path, text);
    inputs[source] = [{ path, mtimeMs: 0, format: "ndjson" }];
    replayed[source] = raws.length;
  }
  const writer = `replay-${digest.digest("hex").slice(0, 16)}`;
  return { inputs, replayed, withOrigin, withoutOrigin, skipped: [...skipped].map(([reason, count]) => ({ reason, count })), files, writer };
}

const NEWLINE = Buffer.from("\n");

/**
 * Whether a letter's raw text is the bytes of a payload that was not UTF-8, one character each (Latin-1):
 * the decoders' reasons for one (`decodePayload`, the Worker's parser, `runnel run`'s reader) and only
 * characters up to U+00FF, whose bytes are not UTF-8.
 */
function notUtf8Raw(letter: DeadLetter): boolean {
  return NOT_UTF8_REASON.test(letter.reason) && LATIN1.test(letter.raw) && !isUtf8(Buffer.from(letter.raw, "latin1"));
}

const NOT_UTF8_REASON = /^(?:decode: payload is not valid UTF-8 \(|(?:decode: )?line \d+: (?:parse: )?the line is not valid UTF-8 \(|parse: the (?:body|CSV record on line \d+) is not valid UTF-8|run: .* is not valid UTF-8$)/;
const LATIN1 = /^[\u0000-\u00ff]*$/;

/** The columns a Kafka or webhook source's `metadata:`/`headers:` add. */
const STREAM_COLUMNS = new Set(["_key", "_timestamp", "_partition", "_offset", "_topic", "_headers", "_received_at", "_delivery_id"]);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
