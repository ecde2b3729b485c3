import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";

// The sink's row objects are written column by column on lines of their own up to 12 columns
// (`unrolledProjection`, `rowMaker`) and in a loop past that: every width must give DuckDB's
// columns, in DuckDB's order, under their own names.

let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

function notebook(code: string): Notebook {
  return {
    file: "test.md",
    title: "test",
    sources: { s: { kind: "demo", name: "s", format: "json", sampleSize: 100, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 10, bytes: 1000, seconds: 60 }, lateness: 0 } },
    cells: [{ index: 0, language: "sql", id: "c", sink: "out", code, start: { line: 5, column: 1, offset: 0 }, info: "sql id=c sink=out" }],
    blocks: [],
  };
}

const events = [
  { k: "a", v: 1 },
  { k: "b", v: 20 },
  { k: "a", v: 300 },
  { k: "b", v: null },
];

async function planFor(code: string): Promise<Plan> {
  await loadEvents(db, "s", events);
  return compilePlan(await gatherCompileInputs(db, notebook(code)));
}

// Names a row object could get wrong: an integer-like one (V8 orders it first), one inherited from
// Object.prototype, one with a space, a non-ASCII one; the rest plain.
const NAMES = ["c0", "1", "constructor", "a b", "é", "toString", "c6", "c7", "c8", "c9", "c10", "c11", "c12"];
const quote = (name: string): string => `"${name}"`;

/** DuckDB's rows of `sql` over the events (row objects, as the check's oracle makes them). */
async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  return (await queryRows(db, sql)).rows;
}

describe("sink rows of every width", () => {
  test("a projection's row has DuckDB's columns and values, 1 to 13 columns", async () => {
    for (let width = 1; width <= NAMES.length; width++) {
      const names = NAMES.slice(0, width);
      const sql = `SELECT ${names.map((n, i) => `v + ${i} AS ${quote(n)}`).join(", ")} FROM s`;
      const ex = buildPipeline(await planFor(sql), { library: defaultLibrary });
      const rows = ex.run({ source: "s", events }).rows.out!;
      const expected = await duckRows(sql);
      expect(rows.length, `width ${width}`).toBe(events.length);
      for (let i = 0; i < rows.length; i++) {
        expect(Object.keys(rows[i]!), `width ${width}`).toEqual(Object.keys(expected[i]!));
        for (const name of names) expect(Object.getOwnPropertyDescriptor(rows[i], name)?.value, `width ${width} ${name}`).toEqual(expected[i]![name]);
        expect(Object.getPrototypeOf(rows[i])).toBe(Object.prototype);
      }
    }
  });

  test("an aggregate's row has DuckDB's columns and values, 1 to 13 columns", async () => {
    for (let width = 1; width <= NAMES.length; width++) {
      const names = NAMES.slice(0, width);
      const items = names.map((n, i) => (i === 0 ? `k AS ${quote(n)}` : `sum(v) + ${i} AS ${quote(n)}`));
      const sql = `SELECT ${items.join(", ")} FROM s GROUP BY k`;
      const ex = buildPipeline(await planFor(sql), { library: defaultLibrary });
      ex.run({ source: "s", events });
      const rows = ex.finish().rows.out!;
      const expected = await duckRows(`${sql} ORDER BY 1`);
      const sorted = [...rows].sort((a, b) => String(Object.getOwnPropertyDescriptor(a, names[0]!)?.value).localeCompare(String(Object.getOwnPropertyDescriptor(b, names[0]!)?.value)));
      expect(sorted.length, `width ${width}`).toBe(expected.length);
      for (let i = 0; i < sorted.length; i++) {
        expect(Object.keys(sorted[i]!), `width ${width}`).toEqual(Object.keys(expected[i]!));
        for (const name of names) expect(Object.getOwnPropertyDescriptor(sorted[i], name)?.value, `width ${width} ${name}`).toEqual(expected[i]![name]);
      }
    }
  });
});
