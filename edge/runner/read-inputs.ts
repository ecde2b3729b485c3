/**
 * Input files for `runnel run --input <source>=<path>`: a file, a folder (its
 * files), or a glob (`*`, `**`, `?`); oldest first by modification time, then
 * by name. Events are read in batches: NDJSON and JSON arrays as JSON, CSV and
 * Parquet through DuckDB (CSV columns as text, which the plan casts as DuckDB
 * casts text; Parquet rows as DuckDB's JSON for them).
 */
import { createReadStream } from "node:fs";
import { open, readdir, readFile, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { dirname, join, resolve, sep } from "node:path";
import { parseJsonLossless } from "../duckdb/lossless-json.ts";
import { csvDelimiter } from "../exec/csv-header.ts";

export interface InputFile {
  path: string;
  mtimeMs: number;
  format: "ndjson" | "json" | "csv" | "parquet";
}

export function formatOf(path: string): InputFile["format"] {
  const lower = path.toLowerCase();
  if (lower.endsWith(".parquet")) return "parquet";
  // A tab-separated export (`.tsv`, `.tab`) is CSV to DuckDB's read_csv; it was read as NDJSON, every line a dead letter.
  if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".tab")) return "csv";
  if (lower.endsWith(".json")) return "json";
  return "ndjson";
}

function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i++;
      if (pattern[i + 1] === "/") i++;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The files `spec` names, oldest first; an empty match is an error naming the pattern. */
export async function listInputs(spec: string): Promise<InputFile[]> {
  let paths: string[];
  if (/[*?]/.test(spec)) {
    const firstWild = spec.search(/[*?]/);
    const base = spec.slice(0, firstWild).includes("/") ? dirname(spec.slice(0, firstWild) + "x") : ".";
    const re = globToRegExp(resolve(spec).split(sep).join("/"));
    paths = (await walk(base)).filter((p) => re.test(resolve(p).split(sep).join("/")));
  } else {
    let info;
    try {
      info = await stat(spec);
    } catch (error) {
      throw new Error(`run: input ${spec} does not exist`, { cause: error });
    }
    paths = info.isDirectory() ? await walk(spec) : [spec];
  }
  const files = await Promise.all(paths.map(async (path) => ({ path, mtimeMs: (await stat(path)).mtimeMs, format: formatOf(path) })));
  if (files.length === 0) throw new Error(`run: input ${spec} matches no file`);
  return files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A line of an NDJSON file that is not JSON: `runFiles` makes it a dead letter with this reason and the line. */
export class UnreadableEvent {
  constructor(
    readonly reason: string,
    readonly raw: string,
  ) {}
}

/** A file's events in batches of at most `size` (an NDJSON line that is not JSON as an `UnreadableEvent`). */
export async function* readEvents(file: InputFile, size: number): AsyncGenerator<unknown[]> {
  if (file.format === "ndjson") {
    // Lines are split as bytes (latin1 maps each byte to one character) and each is decoded as
    // strict UTF-8: a line that is not UTF-8 is a dead letter, as DuckDB refuses it, where a lossy
    // decode wrote U+FFFD into the lake.
    const lines = createInterface({ input: createReadStream(file.path, "latin1"), crlfDelay: Infinity });
    let batch: unknown[] = [];
    let n = 0;
    for await (const bytes of lines) {
      n++;
      let read: string;
      try {
        read = strictUtf8.decode(Buffer.from(bytes, "latin1"));
      } catch {
        batch.push(new UnreadableEvent(`run: ${file.path} line ${n} is not valid UTF-8`, Buffer.from(bytes, "latin1").toString("utf8")));
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
        continue;
      }
      // A byte order mark before the first line (editors on Windows write one) is skipped, as DuckDB skips it.
      const line = n === 1 && read.startsWith("\uFEFF") ? read.slice(1) : read;
      if (line.trim() === "") continue;
      try {
        batch.push(parseJsonLossless(line, { duckdb: true }));
      } catch (error) {
        // One bad line is a dead letter; the rest of the file still counts.
        batch.push(new UnreadableEvent(`run: ${file.path} line ${n} is not JSON: ${error instanceof Error ? error.message : String(error)}`, line));
      }
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  if (file.format === "json") {
    const bytes = await readFile(file.path);
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      yield [new UnreadableEvent(`run: ${file.path} is not valid UTF-8`, bytes.toString("utf8"))];
      return;
    }
    const value = parseJsonLossless(text.replace(/^\uFEFF/, ""), { duckdb: true });
    const events = Array.isArray(value) ? value : [value];
    for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
    return;
  }
  // DuckDB (a native module) is loaded only for CSV and Parquet, so the bundled runner.js starts without it.
  const { openDuckDB } = await import("../duckdb/open.node.ts").catch((cause: unknown) => {
    throw new Error(`run: reading ${file.path} needs DuckDB; install @duckdb/node-api beside the bundle (npm install @duckdb/node-api)`, { cause });
  });
  const db = await openDuckDB({ threads: 1 });
  try {
    const path = file.path.replaceAll("'", "''");
    const { describeQuery } = await import("../duckdb/describe.node.ts");
    let from = file.format === "csv" ? `read_csv('${path}', ${await csvDialect(file.path)})` : `read_parquet('${path}')`;
    let columns: { name: string }[];
    try {
      columns = await describeQuery(db, `SELECT * FROM ${from}`);
    } catch (error) {
      // A file DuckDB cannot read with that dialect (a quote left open, `\"` escapes) is read as its
      // own sniffer reads it, as before.
      if (file.format !== "csv") throw error;
      from = `read_csv('${path}', all_varchar = true, header = true)`;
      columns = await describeQuery(db, `SELECT * FROM ${from}`);
    }
    // The row's alias must not be a column's name: `to_json(t)` of a file with a column `t` is that
    // column's value (DuckDB binds a column before a table), and every row was a dead letter.
    const taken = new Set(columns.map((c) => c.name.toLowerCase()));
    let alias = "t";
    while (taken.has(alias)) alias += "_";
    const result = await db.connection.stream(`SELECT to_json(${alias})::VARCHAR AS event FROM ${from} AS ${alias}`);
    let batch: unknown[] = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const [text] of chunk.getRows()) {
        batch.push(parseJsonLossless(String(text), { duckdb: true }));
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
    }
    if (from.includes("store_rejects")) {
      // A record DuckDB would not read with the dialect pinned (too few or too many fields, a quote
      // left open) is a dead letter with its line, as the Worker's and the gateway's parsers make it.
      const rejects = (await db.read("SELECT line, csv_line, error_message FROM reject_errors ORDER BY line")).getRowObjectsJS();
      for (const r of rejects) batch.push(new UnreadableEvent(`run: ${file.path} line ${r.line}: ${r.error_message}`, String(r.csv_line ?? "")));
    }
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}

/**
 * read_csv's options for an input file, its dialect pinned as the Worker and the gateway read a
 * CSV body (RFC 4180 quotes, a header line, the delimiter sniffed from it by `csvDelimiter`), and
 * fields as text. Left to DuckDB's sniffer, a file with one ragged record was read as a single
 * column named `id,v,s`, and every row was written with all its columns NULL; now such a
 * record is a dead letter (`store_rejects`) and the others are read.
 */
async function csvDialect(path: string): Promise<string> {
  const handle = await open(path, "r");
  let head: string;
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString("utf8").replace(/^\uFEFF/, "");
  } finally {
    await handle.close();
  }
  const delimiter = csvDelimiter(head).replaceAll("'", "''");
  return `all_varchar = true, header = true, delim = '${delimiter}', quote = '"', escape = '"', comment = '', store_rejects = true`;
}
