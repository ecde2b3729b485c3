import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/index.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { loadEvents, openDuckDB } from "../duckdb/index.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";
import { decodeState, encodeState } from "./snapshot.ts";

test("state encoding keeps bigint, NaN, -0, bytes, sets and maps", () => {
  const value = { a: 1n << 70n, b: [NaN, -0, Infinity], c: new Uint8Array([1, 2]), d: new Set(["x"]), e: new Map([[1n, "y"]]), $f: undefined };
  const back = decodeState(JSON.parse(JSON.stringify(encodeState(value)))) as typeof value;
  expect(back.a).toBe(1n << 70n);
  expect(Object.is(back.b[1], -0)).toBe(true);
  expect(back.b[0]).toBeNaN();
  expect(back).toEqual(value);
});

test("an executor restored from a snapshot emits exactly what the uninterrupted one emits", async () => {
  const file = "notebooks/turnstile.md";
  const { notebook } = parseNotebook(readFileSync(file, "utf8"), file);
  const spec = notebook.sources.turnstile!.demo!;
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "turnstile", demoEvents(spec, 0, 1000));
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const events = demoEvents(spec, 1000, 3000);
  const batches = Array.from({ length: 30 }, (_, i) => events.slice(i * 100, i * 100 + 100));
  const show = (r: { rows: Record<string, unknown[]> ; deadLetters: unknown[] }) =>
    JSON.stringify([r.rows, r.deadLetters.length], (_k, v) => (typeof v === "bigint" ? `${v}n` : v));

  const whole = buildPipeline(plan, { library: defaultLibrary });
  const expected = [...batches.map((events) => show(whole.run({ source: "turnstile", events }))), show(whole.finish())];

  let first = buildPipeline(plan, { library: defaultLibrary });
  const actual: string[] = [];
  for (let i = 0; i < batches.length; i++) {
    if (i === 13) {
      const snap = first.snapshot();
      first = buildPipeline(plan, { library: defaultLibrary });
      first.restore(snap);
    }
    actual.push(show(first.run({ source: "turnstile", events: batches[i]! })));
  }
  actual.push(show(first.finish()));
  expect(actual).toEqual(expected);
  expect(expected.join("")).toContain("minute");
});
