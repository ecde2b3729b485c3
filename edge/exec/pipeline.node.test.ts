import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import type { Row, Value } from "../plan/values.ts";
import type { CallContext } from "./functions/contract.ts";
import { buildPipeline, sinksFlushingAggregates } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";
import { firstDifference } from "../check/compare.ts";
import { readFileSync } from "node:fs";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";

let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

function notebook(code: string, lateness = 0): Notebook {
  return {
    file: "test.md",
    title: "test",
    sources: { s: { kind: "demo", name: "s", format: "json", sampleSize: 100, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 10, bytes: 1000, seconds: 60 }, lateness } },
    cells: [{ index: 0, language: "sql", id: "c", sink: "out", code, start: { line: 5, column: 1, offset: 0 }, info: "sql id=c sink=out" }],
    blocks: [],
  };
}

async function planFor(code: string, sample: unknown[], lateness = 0): Promise<Plan> {
  await loadEvents(db, "s", sample);
  return compilePlan(await gatherCompileInputs(db, notebook(code, lateness)));
}

const minute = (m: number, s = 0): string => `2026-11-22 10:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
const PER_MINUTE = "SELECT k, time_bucket(INTERVAL 1 minute, ts) AS m, count(*) AS n, sum(v) AS total FROM s GROUP BY ALL";

describe("buildPipeline", () => {
  test("an output column named __proto__ is a column of the row, in a projection and after an aggregate", async () => {
    const plain = buildPipeline(await planFor(`SELECT k AS "__proto__", v FROM s`, [{ k: "a", v: 1 }]), { library: defaultLibrary });
    const rows = plain.run({ source: "s", events: [{ k: "x", v: 2 }] }).rows.out!;
    expect(Object.keys(rows[0]!)).toEqual(["__proto__", "v"]);
    expect(Object.getOwnPropertyDescriptor(rows[0], "__proto__")?.value).toBe("x");
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    const grouped = buildPipeline(await planFor(`SELECT k AS "__proto__", count(*) AS n FROM s GROUP BY k`, [{ k: "a", v: 1 }]), { library: defaultLibrary });
    grouped.run({ source: "s", events: [{ k: "y", v: 2 }] });
    const [row] = grouped.finish().rows.out!;
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe("y");
  });

  test("a window is emitted only once the watermark passes its end", async () => {
    const plan = await planFor(PER_MINUTE, [{ k: "a", ts: minute(0), v: 1 }]);
    const ex = buildPipeline(plan, { library: defaultLibrary });
    const first = ex.run({ source: "s", events: [{ k: "a", ts: minute(0, 5), v: 1 }, { k: "a", ts: minute(0, 50), v: 2 }] });
    expect(first.rows.out).toEqual([]);
    const second = ex.run({ source: "s", events: [{ k: "a", ts: minute(1, 0), v: 4 }] });
    expect(second.rows.out).toEqual([{ k: "a", m: 1795341600000000n, n: 2n, total: 3n }]);
    expect(ex.finish().rows.out).toEqual([{ k: "a", m: 1795341660000000n, n: 1n, total: 4n }]);
  });

  test("rows whose time bucket is NULL are written with each flush, once, and never late", async () => {
    const plan = await planFor(PER_MINUTE, [{ k: "a", ts: minute(0), v: 1 }, { k: "a", ts: null, v: 1 }]);
    expect(sinksFlushingAggregates(plan)).toEqual(["out"]);
    const ex = buildPipeline(plan, { library: defaultLibrary });
    const run = ex.run({ source: "s", events: [{ k: "a", ts: null, v: 2 }, { k: "a", ts: minute(0, 5), v: 1 }, { k: "b", v: 3 }, { k: "a", ts: minute(5), v: 1 }, { k: "a", ts: null, v: 4 }] });
    // The watermark closed 10:00 but not the NULL bucket.
    expect(run.rows.out).toEqual([{ k: "a", m: 1795341600000000n, n: 1n, total: 1n }]);
    expect(ex.flushAggregates("out").rows.out).toEqual([{ k: "a", m: null, n: 2n, total: 6n }, { k: "b", m: null, n: 1n, total: 3n }]);
    expect(ex.flushAggregates("out").rows.out).toEqual([]);
    const after = ex.run({ source: "s", events: [{ k: "a", ts: null, v: 5 }] });
    expect(after.deadLetters).toEqual([]);
    expect(ex.finish().rows.out).toEqual([{ k: "a", m: 1795341900000000n, n: 1n, total: 1n }, { k: "a", m: null, n: 1n, total: 5n }]);
  });

  test("allowed lateness holds a window open, and later events beyond it are dead letters", async () => {
    const plan = await planFor(PER_MINUTE, [{ k: "a", ts: minute(0), v: 1 }], 60);
    const ex = buildPipeline(plan, { library: defaultLibrary });
    ex.run({ source: "s", events: [{ k: "a", ts: minute(0, 10), v: 1 }, { k: "a", ts: minute(1, 30), v: 1 }] });
    const held = ex.run({ source: "s", events: [{ k: "a", ts: minute(0, 20), v: 5 }] });
    expect(held.deadLetters).toEqual([]);
    const closed = ex.run({ source: "s", events: [{ k: "a", ts: minute(2, 0), v: 1 }] });
    expect(closed.rows.out).toEqual([{ k: "a", m: 1795341600000000n, n: 2n, total: 6n }]);
    const late = ex.run({ source: "s", events: [{ k: "a", ts: minute(0, 40), v: 7 }] });
    expect(late.deadLetters).toHaveLength(1);
    expect(late.deadLetters[0]!.reason).toMatch(/^late event: its window/);
    expect(late.deadLetters[0]!.raw).toEqual({ k: "a", ts: minute(0, 40), v: 7 });
  });

  test("a late event inside a batch is a dead letter while the rest of the batch counts", async () => {
    const plan = await planFor(PER_MINUTE, [{ k: "a", ts: minute(0), v: 1 }]);
    const ex = buildPipeline(plan, { library: defaultLibrary });
    ex.run({ source: "s", events: [{ k: "a", ts: minute(0, 10), v: 1 }, { k: "a", ts: minute(2, 0), v: 1 }] });
    const mixed = ex.run({ source: "s", events: [{ k: "a", ts: minute(2, 5), v: 10 }, { k: "a", ts: minute(0, 59), v: 100 }, { k: "b", ts: minute(2, 6), v: 1000 }] });
    expect(mixed.deadLetters.map((d) => d.raw)).toEqual([{ k: "a", ts: minute(0, 59), v: 100 }]);
    expect(ex.finish().rows.out).toEqual([
      { k: "a", m: 1795341720000000n, n: 2n, total: 11n },
      { k: "b", m: 1795341720000000n, n: 1n, total: 1000n },
    ]);
  });

  test("windows close event by event: one batch, batches of 7 and single events write the same rows and the same late events", async () => {
    // Out of order within lateness and beyond it: which events are late must not depend on the batching.
    const events = Array.from({ length: 300 }, (_, i) => ({ k: `k${i % 3}`, ts: minute(Math.floor(i / 30) + 2 - (i % 11 === 0 ? 2 : 0), (i * 7) % 60), v: i }));
    const plan = await planFor(PER_MINUTE, events, 30);
    const runIn = (size: number): { rows: Row[]; late: unknown[] } => {
      const ex = buildPipeline(plan, { library: defaultLibrary });
      const rows: Row[] = [];
      const late: unknown[] = [];
      for (let i = 0; i < events.length; i += size) {
        const r = ex.run({ source: "s", events: events.slice(i, i + size) });
        rows.push(...r.rows.out!);
        late.push(...r.deadLetters.map((d) => d.raw));
      }
      rows.push(...ex.finish().rows.out!);
      return { rows, late };
    };
    const whole = runIn(events.length);
    expect(whole.late.length).toBeGreaterThan(0);
    expect(whole.rows.length).toBeGreaterThan(10);
    expect(runIn(7)).toEqual(whole);
    expect(runIn(1)).toEqual(whole);
  });

  test("in-order micro-batches give DuckDB's answer over the whole stream", async () => {
    const events = Array.from({ length: 600 }, (_, i) => ({ k: `k${i % 7}`, ts: minute(Math.floor(i / 20), i % 60), v: i }));
    events.sort((a, b) => a.ts.localeCompare(b.ts));
    const plan = await planFor(PER_MINUTE, events);
    const ex = buildPipeline(plan, { library: defaultLibrary });
    const rows: Row[] = [];
    for (let i = 0; i < events.length; i += 50) rows.push(...ex.run({ source: "s", events: events.slice(i, i + 50) }).rows.out!);
    rows.push(...ex.finish().rows.out!);
    const duck = await queryRows(db, PER_MINUTE);
    expect(firstDifference(duck.schema, duck.rows, rows)).toBeNull();
    expect(rows).toHaveLength(duck.rows.length);
  });

  test("an event that does not fit the source schema is a dead letter and the batch goes on", async () => {
    const plan = await planFor("SELECT id, ts FROM s", [{ id: 1, ts: minute(0) }]);
    const ex = buildPipeline(plan, { library: defaultLibrary });
    const r = ex.run({ source: "s", events: [{ id: 1, ts: minute(1) }, { id: 2, ts: "yesterday" }, [1, 2], { id: 3 }] });
    expect(r.rows.out).toEqual([{ id: 1n, ts: 1795341660000000n }, { id: 3n, ts: null }]);
    expect(r.deadLetters.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^field ts: .*yesterday/),
      "event is an array, not a JSON object: [1,2]",
    ]);
  });

  test("a failing CAST sends the row to the dead letters in a pipeline and throws DuckDB's error in the check", async () => {
    const plan = await planFor("SELECT CAST(s AS INTEGER) AS i FROM s", [{ s: "1" }]);
    const published = buildPipeline(plan, { library: defaultLibrary });
    const r = published.run({ source: "s", events: [{ s: "12" }, { s: "twelve" }] });
    expect(r.rows.out).toEqual([{ i: 12 }]);
    expect(r.deadLetters[0]!.reason).toMatch(/twelve/);
    const check = buildPipeline(plan, { library: defaultLibrary, mode: "throw" });
    expect(() => check.run({ source: "s", events: [{ s: "twelve" }] })).toThrow(/twelve/);
  });

  test("a group whose aggregate or HAVING fails as its window closes is a dead letter in a pipeline; the other groups are written, and the check throws DuckDB's error", async () => {
    const sql = "SELECT k, time_bucket(INTERVAL 1 minute, ts) AS m, stddev_pop(v) AS sd, 100 // CAST(count(*) - 2 AS INTEGER) AS r FROM s GROUP BY ALL";
    const plan = await planFor(sql, [{ k: "a", ts: minute(0), v: 1.5 }]);
    const events = [
      { k: "inf", ts: minute(0, 1), v: 1e308 }, { k: "inf", ts: minute(0, 2), v: 1e308 }, { k: "inf", ts: minute(0, 3), v: 1 },
      { k: "two", ts: minute(0, 4), v: 1 }, { k: "two", ts: minute(0, 5), v: 2 },
      { k: "ok", ts: minute(0, 6), v: 3 },
      { k: "late", ts: minute(5), v: 1 },
    ];
    const ex = buildPipeline(plan, { library: defaultLibrary });
    const out = ex.run({ source: "s", events });
    // stddev over an infinity is DuckDB's out-of-range error; 100 // 0 is NULL in DuckDB, so "two" is written.
    expect(out.rows.out).toEqual([{ k: "two", m: 1795341600000000n, sd: 0.5, r: null }, { k: "ok", m: 1795341600000000n, sd: 0, r: -100 }]);
    expect(out.deadLetters).toHaveLength(1);
    expect(out.deadLetters[0]!.sink).toBe("out");
    expect(out.deadLetters[0]!.reason).toMatch(/^a group's aggregate row failed: .*STDDEV_POP is out of range/);
    expect(out.deadLetters[0]!.raw).toEqual(["inf", 1795341600000000n]);
    // The failed group is gone: the end of input writes only the later window.
    expect(ex.finish().rows.out).toEqual([{ k: "late", m: 1795341900000000n, sd: 0, r: -100 }]);
    const check = buildPipeline(plan, { library: defaultLibrary, mode: "throw" });
    expect(() => check.run({ source: "s", events })).toThrow(/out of range/);
  });

  test("a plan naming a function the library lacks fails at start-up, not mid-stream", async () => {
    const plan = await planFor("SELECT lower(s) AS l FROM s", [{ s: "A" }]);
    const broken = JSON.parse(JSON.stringify(plan).replace('"name":"lower"', '"name":"no_such_fn"')) as Plan;
    expect(() => buildPipeline(broken, { library: defaultLibrary })).toThrow("exec: the function library has no scalar function no_such_fn()");
  });

  test("per-event evaluation (published) and whole-batch evaluation (the check) agree on every event that is not a dead letter", async () => {
    for (const [file, source] of [["notebooks/turnstile.md", "turnstile"], ["notebooks/pii-staging.md", "accounts"]] as const) {
      const { notebook } = parseNotebook(readFileSync(file, "utf8"), file);
      const spec = notebook.sources[source]!.demo!;
      await loadEvents(db, source, demoEvents(spec, 0, 1000));
      const plan = compilePlan(await gatherCompileInputs(db, notebook));
      // Demo events (late ones, malformed times, garbled counters) and misfits: an unread
      // text column holding an object still fits; a bad number or UUID does not.
      const events: unknown[] = demoEvents(spec, 0, 4000);
      events.splice(100, 0, { station: "X", linename: { a: [1] }, entries: "12", user_agent: [1, "x"], ts: "2026-11-22T00:00:10Z" }, { entries: "many", exits: 3 }, { user_id: "not-a-uuid" }, "text", [1]);
      const batches = (list: unknown[]): unknown[][] => Array.from({ length: Math.ceil(list.length / 500) }, (_, i) => list.slice(i * 500, i * 500 + 500));
      const published = buildPipeline(plan, { library: defaultLibrary });
      const rows: Row[] = [];
      const dead = new Set<unknown>();
      for (const b of batches(events)) {
        const r = published.run({ source, events: b });
        rows.push(...Object.values(r.rows).flat());
        for (const d of r.deadLetters) dead.add(d.raw);
      }
      rows.push(...Object.values(published.finish().rows).flat());
      const misfits = events.slice(100, 105);
      expect(misfits.map((m) => dead.has(m))).toEqual([false, source === "turnstile", source === "accounts", true, true]);
      const check = buildPipeline(plan, { library: defaultLibrary, mode: "throw" });
      const again: Row[] = [];
      for (const b of batches(events.filter((e) => !dead.has(e)))) again.push(...Object.values(check.run({ source, events: b }).rows).flat());
      again.push(...Object.values(check.finish().rows).flat());
      expect(again).toEqual(rows);
    }
  });

  test("the demo cells over 20,000 events write DuckDB's rows (remembered and shared sub-expressions, timestamps, regexp replaces)", async () => {
    for (const [file, source] of [["notebooks/pii-staging.md", "accounts"], ["notebooks/turnstile.md", "turnstile"]] as const) {
      const { notebook } = parseNotebook(readFileSync(file, "utf8"), file);
      const events = demoEvents(notebook.sources[source]!.demo!, 0, 20_000).map((e) => JSON.parse(JSON.stringify(e)) as unknown);
      await loadEvents(db, source, events);
      const plan = compilePlan(await gatherCompileInputs(db, notebook));
      const cell = notebook.cells.find((c) => c.sink)!;
      const upstream = notebook.cells.filter((c) => c.language === "sql" && c.id && c.index < cell.index);
      for (const u of upstream) await db.run(`CREATE OR REPLACE VIEW "${u.id}" AS ${u.code.trim().replace(/;\s*$/, "")}`);
      const order = source === "turnstile" ? " ORDER BY ALL" : "";
      const duck = await queryRows(db, `SELECT * FROM (${cell.code.trim().replace(/;\s*$/, "")})${order}`);
      // Batches of 1,000 and one batch of every event (converted and run a chunk at a time).
      for (const size of [1000, events.length]) {
        const ex = buildPipeline(plan, { library: defaultLibrary });
        let rows: Row[] = [];
        for (let i = 0; i < events.length; i += size) rows.push(...Object.values(ex.run({ source, events: events.slice(i, i + size) }).rows).flat());
        rows.push(...Object.values(ex.finish().rows).flat());
        if (order) {
          // The windows are written as they close; DuckDB's rows are sorted, so sort ours the same way.
          const key = (r: Row): string => duck.schema.map((c) => String(r[c.name])).join("\u0001");
          const rank = new Map(duck.rows.map((r, i) => [key(r), i]));
          rows = [...rows].sort((a, b) => (rank.get(key(a)) ?? -1) - (rank.get(key(b)) ?? -1));
        }
        expect(rows.length, file).toBe(duck.rows.length);
        expect(firstDifference(duck.schema, duck.rows, rows), file).toBeNull();
      }
    }
  }, 120_000);

  test("a remembered expression over a row other than the event's (after a projection) answers for that row", async () => {
    // The aggregate's key reads the projected b = k || 'x'; the keys looked up ahead are the events' own
    // columns, and an event's k ('ax') can equal another row's b: only the event's own row may use them.
    const sql = "SELECT md5(b) AS h, count(*) AS n FROM (SELECT k || 'x' AS b, k FROM s) GROUP BY ALL ORDER BY ALL";
    const events = Array.from({ length: 3000 }, (_, i) => ({ k: ["a", "ax", "axx", "b"][i % 4] }));
    await loadEvents(db, "s", events);
    const duck = await queryRows(db, sql);
    const ex = buildPipeline(compilePlan(await gatherCompileInputs(db, notebook(sql.replace(" ORDER BY ALL", "")))), { library: defaultLibrary });
    ex.run({ source: "s", events });
    const rows = ex.finish().rows.out!.sort((x, y) => String(x.h).localeCompare(String(y.h)));
    expect(firstDifference(duck.schema, duck.rows, rows)).toBeNull();
  });

  test("events that do not fit are dead letters in their order, around the chunks a large batch is run in", async () => {
    const plan = await planFor("SELECT k, md5(k) AS h, CAST(n AS INTEGER) + 1 AS m FROM s", [{ k: "a", n: 1 }]);
    // A misfit (n not a number) every 700 events, a failing cast (past INTEGER) every 1,100: across chunks of 1,024.
    const events = Array.from({ length: 5000 }, (_, i) => ({ k: `k${i % 50}`, n: i % 700 === 3 ? `bad${i}` : i % 1100 === 5 ? 2 ** 40 : i }));
    const out = buildPipeline(plan, { library: defaultLibrary }).run({ source: "s", events });
    const bad = events.filter((e) => typeof e.n === "string" || e.n === 2 ** 40);
    expect(out.deadLetters.map((d) => d.raw)).toEqual(bad);
    // Each misfit's reason names its own value.
    expect(out.deadLetters.map((d, i) => d.reason.startsWith("field n:") && d.reason.includes(`"${String(bad[i]!.n)}"`))).toEqual(bad.map((e) => typeof e.n === "string"));
    expect(out.rows.out!.map((r) => r.m)).toEqual(events.filter((e) => !bad.includes(e)).map((e) => (e.n as number) + 1));
    expect(out.rows.out!.every((r) => typeof r.h === "string" && r.h.length === 32)).toBe(true);
  });

  test("remembered sub-expressions answer as DuckDB over repeating keys: errors again, -0 apart from 0, lists per row", async () => {
    const keys = ["Ada", " ada ", "ÅSA 7", "例え 3", "Zoë", "x 1", "", "straße 9"];
    const events = Array.from({ length: 9000 }, (_, i) => ({ k: keys[i % keys.length], j: `j${i % 3}`, n: i, u: `u${i}`, x: ["1", "2", "oops"][i % 3] }));
    // z is a computed DOUBLE, 0.0 and -0.0 in turn: a Map takes them for one key, the memory must not.
    const sql = `WITH t AS (SELECT *, CASE WHEN n % 2 = 0 THEN 0.0::DOUBLE ELSE -(0.0::DOUBLE) END AS z FROM s)
    SELECT
      md5(lower(trim(k))) AS a,
      CASE WHEN regexp_matches(k, '[0-9]$') THEN upper(k) ELSE NULL END AS b,
      md5(k || '/' || j) AS c,
      md5(CAST(z AS VARCHAR)) AS e,
      regexp_split_to_array(k, ' ') AS f,
      md5(u) AS g
    FROM t`;
    await loadEvents(db, "s", events);
    const duck = await queryRows(db, sql);
    expect(new Set(duck.rows.map((r) => r.e)).size).toBe(2);
    const ex = buildPipeline(compilePlan(await gatherCompileInputs(db, notebook(sql))), { library: defaultLibrary });
    const rows: Row[] = [];
    for (let i = 0; i < events.length; i += 1000) rows.push(...ex.run({ source: "s", events: events.slice(i, i + 1000) }).rows.out!);
    expect(firstDifference(duck.schema, duck.rows, rows)).toBeNull();
    expect(rows).toHaveLength(events.length);
    // A list answer is built for each row, never shared between rows.
    expect(rows[0]!.f).toEqual(rows[keys.length]!.f);
    expect(rows[0]!.f).not.toBe(rows[keys.length]!.f);

    const failing = buildPipeline(await planFor(`SELECT x, md5(CAST(CAST(x AS INTEGER) + 1 AS VARCHAR)) AS h FROM s`, events.slice(0, 2)), { library: defaultLibrary });
    const out = failing.run({ source: "s", events });
    expect(out.rows.out).toHaveLength(6000);
    expect(out.deadLetters).toHaveLength(3000);
    expect(new Set(out.deadLetters.map((d) => d.reason))).toEqual(new Set([expect.stringContaining("oops")]));
  });

  test("the memory answers repeated short results, and keeps no long text and no list", async () => {
    let calls = 0;
    const upper = defaultLibrary.scalars.upper!;
    const counting = { ...defaultLibrary, scalars: { ...defaultLibrary.scalars, upper: Object.assign((args: Value[], ctx: CallContext) => (calls++, upper(args, ctx)), { strictBody: undefined }) } };
    const events = Array.from({ length: 8000 }, (_, i) => ({ k: `key-${i % 40}` }));
    const count = async (sql: string): Promise<number> => {
      calls = 0;
      const ex = buildPipeline(await planFor(sql, events.slice(0, 40)), { library: counting });
      for (let i = 0; i < events.length; i += 1000) ex.run({ source: "s", events: events.slice(i, i + 1000) });
      return calls;
    };
    // Short answers over 40 keys: computed a few times, then remembered.
    expect(await count("SELECT md5(upper(k)) AS h FROM s")).toBeLessThan(500);
    // 300-character answers are computed for every row: the memory keeps no long text.
    expect(await count("SELECT md5(k) || rpad(upper(k), 300, '.') AS h FROM s")).toBe(events.length);
    // A list answer is never kept (each row gets its own list).
    expect(await count("SELECT regexp_split_to_array(upper(k), '-') AS parts FROM s")).toBe(events.length);
  });
});
