/**
 * Dead letters of messy events: the `_errors/` NDJSON of messy payloads (an escaped lone surrogate, U+0000, 1 MB, bytes that
 * are not UTF-8, CSV records) must read back in DuckDB's `read_json`, each with its reason and
 * payload. Also `power`'s NaN sign, which `signbit` and the text show, as DuckDB's (glibc's pow).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { caseNotebook } from "../../tests/conformance/runner.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";
import { EngineHost, type EngineStatus } from "../runner/partition-engine.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import config from "../worker/fixtures/turnstile.config.json";

let db: DuckDB;
let dir: string;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), "dl14-"));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const utf8 = new TextEncoder();
const good = { station: "59 ST", ca: "A002", unit: "R051", scp: "02-00-00", linename: "NQR456W", division: "IRT", ts: "2026-11-22T00:00:00.000Z", desc: "REGULAR", entries: 1, exits: 2 };

/** The runner's engine over the turnstile plan (read as `format`) with a memory sink; `clock` is its time. */
async function engine(format: "json" | "csv", flush: { rows: number; bytes: number; seconds: number }, clock: { now: number }) {
  const plan = JSON.parse(JSON.stringify(config.plan).replace('"format":"json"', `"format":"${format}"`));
  const store = new Map<string, Uint8Array>();
  const sink = {
    describe: "memory",
    put: async (key: string, body: Uint8Array) => void store.set(key, body),
    putIfAbsent: async (key: string, body: Uint8Array) => (store.has(key) ? false : (store.set(key, body), true)),
    get: async (key: string) => store.get(key) ?? null,
    list: async (prefix: string) => [...store.keys()].filter((k) => k.startsWith(prefix)).sort(),
    delete: async (key: string) => void store.delete(key),
  };
  const spec = { ...config.sinks.lake, flush } as never;
  const host = new EngineHost({ plan, topic: "t", source: { name: "turnstile", format } }, { lake: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, () => clock.now);
  await host.handle({ op: "open", id: 1, partition: 0, writerName: "w", snapshot: null });
  let offset = 0;
  const run = async (messages: Uint8Array[]): Promise<EngineStatus> => {
    const values = new Uint8Array(messages.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of messages) values.set(b, (at += b.length) - b.length);
    const segment = {
      values,
      lengths: Int32Array.from(messages.map((b) => b.length)),
      offsets: BigInt64Array.from(messages.map(() => BigInt(offset++))),
      timestamps: Float64Array.from(messages.map(() => clock.now)),
    };
    return (await host.handle({ op: "run", id: 1, segment, autoSeal: true })) as EngineStatus;
  };
  const seal = async (ifDue: boolean): Promise<EngineStatus> => (await host.handle({ op: "seal", id: 1, final: false, ifDue })) as EngineStatus;
  const write = (): Promise<unknown> => host.handle({ op: "write", id: 1 });
  return { store, run, seal, write };
}

/** The `_errors/` objects of `store` on disk, read back by DuckDB's read_json: [reason, raw] per letter. */
async function readLetters(store: Map<string, Uint8Array>, name: string): Promise<[string, string][]> {
  const root = join(dir, name);
  let n = 0;
  for (const [key, body] of store) {
    if (!key.startsWith("_errors/")) continue;
    mkdirSync(dirname(join(root, key)), { recursive: true });
    writeFileSync(join(root, key), body);
    n++;
  }
  if (n === 0) return [];
  const r = await db.read(`SELECT reason, raw FROM read_json('${root}/_errors/**/*.ndjson') ORDER BY reason, raw`);
  return r.getRowsJson().map((row) => [String(row[0]), String(row[1])]);
}

test("dead letters holding a lone surrogate's escape, U+0000, 1 MB, bytes that are not UTF-8 read back in DuckDB with reason and payload", async () => {
  const clock = { now: Date.UTC(2026, 11, 7) };
  const e = await engine("json", { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 }, clock);
  const big = "y".repeat(1 << 20);
  const texts = [
    JSON.stringify({ ...good, station: "a\u0000b", entries: "x" }),
    JSON.stringify({ ...good, entries: big }),
    `{"station":"\\ud800","entries":1}`,
    `{"station":"\\u0000","entries":"q"}`,
  ];
  const notUtf8 = new Uint8Array([...utf8.encode('{"station":"'), 0xff, 0xc3, ...utf8.encode('","entries":1}')]);
  await e.run([...texts.map((t) => utf8.encode(t)), notUtf8]);
  await e.seal(false);
  await e.write();
  const letters = await readLetters(e.store, "messy-json");
  const byRaw = new Map(letters.map(([reason, raw]) => [raw, reason]));
  expect(letters.length).toBe(5);
  expect(byRaw.get(texts[0]!)).toBe('lake: field entries: Failed to cast value to numerical: "x"');
  expect(byRaw.get(texts[1]!)).toBe(`lake: field entries: Failed to cast value to numerical: "${big}"`);
  expect(byRaw.get(texts[2]!)).toMatch(/^decode: not JSON as DuckDB reads it \(json: no low surrogate/);
  expect(byRaw.get(texts[3]!)).toBe('lake: field entries: Failed to cast value to numerical: "q"');
  // Bytes that are not UTF-8 are kept one character per byte (latin1), so a replay has the bytes.
  expect(byRaw.get('{"station":"\u00ff\u00c3","entries":1}')).toMatch(/^decode: payload is not valid UTF-8/);
});

test("dead letters of CSV records read back in DuckDB, naming the column", async () => {
  const clock = { now: Date.UTC(2026, 11, 7) };
  const e = await engine("csv", { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 }, clock);
  await e.run([
    utf8.encode("59 ST,A002,R051,02-00-00,NQR456W,IRT,2026-11-22T00:00:00.000Z,REGULAR,x1,2"),
    utf8.encode('"a\u0000b",A002,R051,02-00-00,NQR456W,IRT,2026-11-22T00:00:00.000Z,REGULAR,"1",oops'),
    utf8.encode('59 ST,"unclosed'),
    new Uint8Array([...utf8.encode("59 ST,A002,R051,02-00-00,NQR456W,IRT,2026-11-22T00:00:00.000Z,REGULAR,"), 0xff, ...utf8.encode(",2")]),
  ]);
  await e.seal(false);
  await e.write();
  const letters = await readLetters(e.store, "messy-csv");
  expect(letters.map(([reason]) => reason)).toEqual([
    "decode: CSV ends inside a quoted field (the quote opened on line 1)",
    "decode: payload is not valid UTF-8 (The encoded data was not valid for encoding utf-8)",
    "lake: field entries: Could not convert string 'x1' to INT64",
    "lake: field exits: Could not convert string 'oops' to INT64",
  ]);
  expect(letters[3]![1]).toContain('"station":"a\\u0000b"');
  expect(letters[1]![1]).toBe("59 ST,A002,R051,02-00-00,NQR456W,IRT,2026-11-22T00:00:00.000Z,REGULAR,\u00ff,2");
});

test("power's NaN has DuckDB's sign (glibc's pow): a negative base to a non-integer power is -nan", async () => {
  const schema = [{ name: "x", type: "DOUBLE" }, { name: "y", type: "DOUBLE" }];
  const pairs = [[-2.5, -2.5], [-2.5, 2.5], [-1, 0.5], [-8, 1 / 3], [-1e-300, 0.5], [2.5, -2.5], [-2.5, 3], [-0.0, 0.5], [-Infinity, 0.5], [-1, Infinity], [1, Infinity]];
  const events = pairs.map(([x, y], i) => ({ i, x, y }));
  const sql = "SELECT i, signbit(power(x, y)) AS s, CAST(power(x, y) AS VARCHAR) AS t, signbit(x ** y) AS s2 FROM t ORDER BY i";
  await db.run("DROP VIEW IF EXISTS result");
  await loadEvents(db, "t", events, { schema: [{ name: "i", type: "INTEGER" }, ...schema] });
  const expected = (await db.read(sql)).getRowsJson().map((r) => [Number(r[0]), r[1], String(r[2]), r[3]]);
  const plan = compilePlan(await gatherCompileInputs(db, caseNotebook({ name: "pow-nan", sql: sql.replace(" ORDER BY i", ""), rows: [] } as never)));
  const ex = buildPipeline(plan, { library: defaultLibrary, mode: "throw" });
  const rows = ex.run({ source: "t", events }).rows.out!.map((r) => [Number(r.i), r.s, String(r.t), r.s2]);
  expect(expected.slice(0, 5).map((r) => r[1])).toEqual([true, true, true, true, true]);
  expect(rows).toEqual(expected);
});

test("a dead letter of an event failing in a cell names the cell and the column (WHERE, GROUP BY, an aggregate's)", async () => {
  const schema = [{ name: "k", type: "VARCHAR" }, { name: "ts", type: "VARCHAR" }, { name: "n", type: "VARCHAR" }];
  const events = [
    { k: "a", ts: "2026-12-07 10:00:00", n: "1" },
    { k: "a", ts: "07/12/2026", n: "2" },
    { k: "b", ts: "2026-12-07 10:00:01", n: "five" },
    { k: "-", ts: "2026-12-07 10:00:02", n: "3" },
  ];
  const reasons = async (sql: string, cells: Record<string, string>): Promise<string[]> => {
    for (const id of ["result", ...Object.keys(cells)]) await db.run(`DROP VIEW IF EXISTS "${id}"`);
    await loadEvents(db, "t", events, { schema });
    const plan = compilePlan(await gatherCompileInputs(db, caseNotebook({ name: "where-dl14", sql, rows: [], cells } as never)));
    const ex = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
    const out = ex.run({ source: "t", events });
    return [...out.deadLetters, ...ex.finish().deadLetters].map((d) => d.reason);
  };
  expect(await reasons("SELECT k, strptime(ts, '%Y-%m-%d %H:%M:%S') AS at, CAST(n AS INTEGER) + 1 AS m FROM clean", { clean: "SELECT * FROM t WHERE k <> '-'" })).toEqual([
    'cell result, column at: Could not parse string "07/12/2026" according to format specifier "%Y-%m-%d %H:%M:%S"\nError: Literal does not match, expected -',
    "cell result, column m: Could not convert string 'five' to INT32",
  ]);
  expect(await reasons("SELECT * FROM clean", { clean: "SELECT k, n FROM t WHERE CAST(n AS INTEGER) > 0" })).toEqual(["cell clean, WHERE: Could not convert string 'five' to INT32"]);
  expect(await reasons("SELECT k, sum(CAST(n AS INTEGER)) AS total FROM t GROUP BY k", {})).toEqual(["cell result, column total: Could not convert string 'five' to INT32"]);
  expect(await reasons("SELECT CAST(n AS INTEGER) AS g, count(*) AS c FROM t GROUP BY g", {})).toEqual(["cell result, GROUP BY g: Could not convert string 'five' to INT32"]);
});

// A producer's bad release sends nothing but bad events for an hour: the runner's partition engine must write
// their dead letters at the sink's flush bounds, as it writes rows. They were held until the process ran out of
// memory, and no offset was committed (the bounds counted rows only).
test("a partition whose every event is a dead letter is sealed at its flush bounds, as one with rows is", async () => {
  const clock = { now: Date.UTC(2026, 11, 7) };
  const e = await engine("json", { rows: 100, bytes: 1 << 30, seconds: 60 }, clock);
  const bad = Array.from({ length: 2500 }, (_, i) => utf8.encode(JSON.stringify({ ...good, entries: `x${i}` })));
  // The engine asks for a seal after each chunk of 1,000 events it runs.
  const status = await e.run(bad);
  // Before: no seal at all (the bounds counted rows only), and the letters were held for good.
  expect(status.sealed.length).toBeGreaterThanOrEqual(2);
  expect(status.sealed.at(-1)!.last).toBe("2499");
  for (let i = 0; i < status.sealed.length; i++) await e.write();
  const letters = await readLetters(e.store, "rows-bound");
  expect(letters.length).toBe(2500);
  expect(letters[0]).toEqual(["lake: field entries: Failed to cast value to numerical: \"x0\"", JSON.stringify({ ...good, entries: "x0" })]);
});

test("dead letters below the rows bound are sealed by their age, and count in the partition's depth", async () => {
  const clock = { now: Date.UTC(2026, 11, 7) };
  const e = await engine("json", { rows: 1000, bytes: 1 << 30, seconds: 5 }, clock);
  const status = await e.run([utf8.encode("{not json"), utf8.encode(JSON.stringify({ ...good, entries: "y" }))]);
  expect(status.sealed).toEqual([]);
  // The runner seals a partition by the clock only when its depth says something is buffered.
  expect(status.depth).toBe(2);
  expect((await e.seal(true)).sealed).toEqual([]);
  clock.now += 6000;
  const sealed = await e.seal(true);
  expect(sealed.sealed.map((s) => [s.first, s.last])).toEqual([["0", "1"]]);
  await e.write();
  expect((await readLetters(e.store, "age-bound")).map(([reason]) => reason)).toEqual([
    "decode: not JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2))",
    'lake: field entries: Failed to cast value to numerical: "y"',
  ]);
});
