import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Schema } from "../plan/values.ts";
import { describeQuery } from "./describe.node.ts";
import { parseJsonLossless, stringifyJsonLossless, type JsonValue } from "./lossless-json.ts";
import type { DuckDB } from "./open.node.ts";
import { quoteIdent, quoteString } from "./quote.ts";

export interface LoadOptions {
  /**
   * Column names and DuckDB types to read the events as, instead of
   * inferring them. Fields not named are dropped; missing ones are NULL.
   * Required when there are no events.
   */
  schema?: Schema;
}

/**
 * Creates (or replaces) table `table` from JSON events, typed by DuckDB's own
 * JSON inference over all of them (`read_json(..., sample_size=-1)`): objects
 * become STRUCT, arrays LIST, ISO date/time text DATE/TIMESTAMP, integers
 * BIGINT, fields of mixed kinds JSON — exactly what DuckDB infers. Returns the
 * table's schema. A `bigint` in an event is written as a bare JSON integer.
 */
export async function loadEvents(db: DuckDB, table: string, events: readonly unknown[], options: LoadOptions = {}): Promise<Schema> {
  const lines = events.map((event, i) => {
    try {
      return stringifyJsonLossless(event === undefined ? null : event);
    } catch (error) {
      throw new Error(`duckdb: loadEvents(${table}): event ${i} cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
  return loadLines(db, table, lines, options);
}

/**
 * Like `loadEvents`, from JSON texts as they arrived (one document each, any
 * layout). A one-line text is given to DuckDB as it is, so DuckDB reads what
 * the sender wrote (`-0.0` keeps its sign, `10.0` stays a double, integers keep
 * every digit); a text on several lines is rewritten on one, losslessly.
 */
export async function loadJsonTexts(db: DuckDB, table: string, texts: readonly string[], options: LoadOptions = {}): Promise<Schema> {
  const lines = texts.map((text, i) => {
    try {
      const value = parseJsonLossless(text);
      if (!/[\n\r]/.test(text)) return text.trim();
      return stringifyJsonLossless(value);
    } catch (error) {
      throw new Error(`duckdb: loadJsonTexts(${table}): document ${i} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
  return loadLines(db, table, lines, options);
}

async function loadLines(db: DuckDB, table: string, lines: string[], options: LoadOptions): Promise<Schema> {
  const { schema } = options;
  if (schema !== undefined && schema.length === 0) throw new Error(`duckdb: loadEvents(${table}): the schema has no columns`);
  if (lines.length === 0 && schema === undefined) {
    throw new Error(`duckdb: loadEvents(${table}): no events and no schema; DuckDB cannot infer columns from nothing`);
  }
  const dir = await mkdtemp(join(tmpdir(), "runnel-duckdb-"));
  try {
    const path = join(dir, "events.ndjson");
    await writeFile(path, lines.length === 0 ? "" : `${lines.join("\n")}\n`, "utf8");
    const args = [quoteString(path), "format = 'newline_delimited'"];
    const columns = (s: Schema): string => `columns = {${s.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(", ")}}`;
    // map_inference_threshold = -1: objects stay STRUCTs however many distinct keys a mixed stream has (DuckDB would fold them into one MAP).
    if (schema === undefined) args.push("sample_size = -1", "map_inference_threshold = -1");
    else args.push(columns(schema));
    const create = (a: string[]) => db.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_json(${a.join(", ")})`);
    try {
      await create(args);
    } catch (error) {
      // DuckDB 1.4's inference types an integer between 2^63 and 2^64 as BIGINT and then fails
      // to read it ("Failed to cast value to numerical"): the whole sample would be lost for one
      // value. Such columns are read as HUGEINT instead, every other column as inferred.
      if (schema !== undefined || !(error instanceof Error) || !error.message.includes("Failed to cast value to numerical")) throw error;
      const inferred = await describeQuery(db, `SELECT * FROM read_json(${args.join(", ")})`);
      const wide = wideIntegerFields(lines);
      if (!inferred.some((c) => wide.has(c.name) && /\bBIGINT\b/.test(c.type))) throw error;
      const widened = inferred.map((c) => (wide.has(c.name) ? { name: c.name, type: c.type.replace(/\bBIGINT\b/g, "HUGEINT") } : c));
      await create([quoteString(path), "format = 'newline_delimited'", columns(widened)]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return describeQuery(db, `SELECT * FROM ${quoteIdent(table)}`);
}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

/** Top-level fields of the events that hold, at any depth, an integer outside BIGINT's range. */
function wideIntegerFields(lines: readonly string[]): Set<string> {
  const wide = (v: JsonValue): boolean => {
    if (typeof v === "bigint") return v < BIGINT_MIN || v > BIGINT_MAX;
    if (Array.isArray(v)) return v.some(wide);
    if (v !== null && typeof v === "object") return Object.values(v).some(wide);
    return false;
  };
  const out = new Set<string>();
  for (const line of lines) {
    const event = parseJsonLossless(line);
    if (event === null || typeof event !== "object" || Array.isArray(event)) continue;
    for (const [key, value] of Object.entries(event)) if (!out.has(key) && wide(value)) out.add(key);
  }
  return out;
}
