import { afterEach, beforeEach, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import type { Schema } from "../plan/values.ts";
import { buildPipeline, type Executor } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";

// The converter reads an event of up to 12 fields with one of several textual copies of its
// reader (`unrolledReader`), taken in turns by each new list of field names. Six sources with
// different names in one process use every copy, and two lists share one; each must read its
// events as DuckDB's read_json reads them, however their runs interleave.

let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

function notebook(): Notebook {
  return {
    file: "test.md",
    title: "test",
    sources: { s: { kind: "demo", name: "s", format: "json", sampleSize: 100, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 10, bytes: 1000, seconds: 60 } , lateness: 0 } },
    cells: [{ index: 0, language: "sql", id: "c", sink: "out", code: "SELECT * FROM s", start: { line: 5, column: 1, offset: 0 }, info: "sql id=c sink=out" }],
    blocks: [],
  };
}

const TYPES = ["VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP", "UUID", "VARCHAR", "INTEGER", "DATE", "VARCHAR", "DOUBLE", "BOOLEAN"];

/** A value of `type` for event `e` of list `list` (NULL for some, so a NULL never lands on a neighbour's column). */
function valueOf(type: string, list: number, field: number, e: number): unknown {
  if ((list + field + e) % 5 === 0) return null;
  const k = list * 100 + field * 10 + e;
  switch (type) {
    case "VARCHAR": return `text ${k}`;
    case "BIGINT": return 1_000_000 + k;
    case "INTEGER": return k;
    case "DOUBLE": return k + 0.25;
    case "BOOLEAN": return k % 2 === 0;
    case "TIMESTAMP": return `2024-0${1 + (k % 9)}-1${k % 10}T0${k % 10}:00:00.${k}Z`;
    case "UUID": return `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`;
    default: return `1999-12-${10 + (k % 20)}`;
  }
}

test("sources with different field names in one process each read their own events as DuckDB reads them", async () => {
  const lists = Array.from({ length: 6 }, (_, list) => {
    // Fewer than 12 fields for some lists, so the unused lines of a copy are skipped too.
    const width = list % 3 === 2 ? 9 : 12;
    const schema: Schema = TYPES.slice(0, width).map((type, field) => ({ name: `l${list}_f${field}`, type }));
    // An event may leave a field out (missing reads as NULL) and carry one no column reads.
    const events = Array.from({ length: 4 }, (_, e) => ({
      extra: e,
      ...Object.fromEntries(schema.filter((_, field) => (field + e) % 7 !== 3).map((c, field) => [c.name, valueOf(c.type, list, field, e)])),
    }));
    return { schema, events };
  });
  const built: { ex: Executor; events: object[]; expected: Record<string, unknown>[] }[] = [];
  for (const { schema, events } of lists) {
    await loadEvents(db, "s", events, { schema });
    const ex = buildPipeline(compilePlan(await gatherCompileInputs(db, notebook())), { library: defaultLibrary });
    built.push({ ex, events, expected: (await queryRows(db, "SELECT * FROM s")).rows });
  }
  // Interleaved, twice: each copy's sites have then seen every list that reads with it.
  for (let round = 0; round < 2; round++) {
    for (const [i, { ex, events, expected }] of built.entries()) {
      const result = ex.run({ source: "s", events });
      expect(result.deadLetters, `list ${i}`).toEqual([]);
      expect(result.rows.out, `list ${i} round ${round}`).toEqual(expected);
    }
  }
});
