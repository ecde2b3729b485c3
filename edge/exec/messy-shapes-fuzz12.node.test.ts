/**
 * A differential fuzzer over the shapes a published notebook has beyond one flat SELECT: a `clean`
 * cell (WHERE + projection) feeding a GROUP BY cell (the plan's row program into an aggregate) with
 * HAVING, ORDER BY inside list()/string_agg, DISTINCT and FILTER aggregates, GROUP BY ALL over keys
 * that are NULL, NaN, -0 or unicode lookalikes (é against e + U+0301); lists and structs (unnest of
 * lists holding NULLs, empty and NULL lists, lambdas, out-of-range indexes, NULL structs, mixed list
 * literals); lookup joins against a VALUES cell (NULL / NaN / -0 / lookalike keys, keys of another
 * type, duplicated keys, LEFT JOIN misses); and a GROUP BY over a time bucket of events in time order
 * (NULL and unparseable times among them), whose windows, emitted one by one and at finish(), must
 * together be DuckDB's GROUP BY over the whole batch. DuckDB (node-api) is the oracle: each cell gives
 * DuckDB's rows or DuckDB's error class, or is refused at compile. Seeded (RUNNEL_FC_SEED); prints
 * the seed and its counts, and on a difference the events, the cells and the first differing row.
 *
 * Hunting: `RUNNEL_FC_SEED=random RUNNEL_FUZZ12_BATCHES=40 npx vitest run --project unit edge/exec/messy-shapes-fuzz12`.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadJsonTexts } from "../duckdb/load-events.node.ts";
import { parseEventJson } from "../duckdb/lossless-json.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { CompileError } from "../compile/errors.ts";
import { duckdbAnswer, errorsAgree } from "../check/check.node.ts";
import { firstDifference, showRow } from "../check/compare.ts";
import { defaultLibrary } from "./library.ts";
import { buildPipeline } from "./pipeline.ts";
import { SqlError } from "./functions/contract.ts";
import { caseNotebook } from "../../tests/conformance/runner.ts";
import type { Row, Schema } from "../plan/values.ts";

// Raw JSON text for each field; `undefined` leaves the key out of the event.
const S = ['"é"', '"e\\u0301"', '"e"', '"E"', '""', "null", undefined, '"a"', '"ß"', '"😀"', '"z"', '"Z"', '"\\u0000"', '"NaN"', '"-0"', '"Ä"', '"a b"', '"ﬃ"'];
const N = ["0", "-0", "-0.0", "1.5", "2", "3", "-7", "9223372036854775807", "1e308", "null", undefined, "0.1", "170141183460469231731687303715884105727", "2.5", "1e-300"];
const L = ["[1,2,null]", "[]", "null", undefined, "[3,3,1]", "[null]", "[2,1,2,3,1]", "[-0.0,0]", "[1.5,2]", "[7]"];
const ST = ['{"a":1,"b":"x"}', "null", undefined, '{"a":null,"b":null}', '{"a":2,"b":"é"}', '{"a":-0,"b":"e\\u0301"}', '{"b":"z"}'];
const K = ['"a"', '"é"', '"e\\u0301"', "null", undefined, '"1"', '"NaN"', '"-0"', '"b"', '"A"', '"0"'];
const field = (name: string, values: (string | undefined)[]) => fc.constantFrom(...values).map((v) => (v === undefined ? "" : `"${name}":${v}`));
/** A time: minutes after 2024-01-01 00:00 (events are sorted by them), or a NULL / unparseable one. */
const time = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 40 }) }, { weight: 1, arbitrary: fc.constantFrom("null", '"soon"', '"2024-13-01"', undefined) });
const minuteText = (m: number): string => `"2024-01-01 ${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}:${pick2(m)}"`;
const pick2 = (m: number): string => String((m * 7) % 60).padStart(2, "0");
const event = fc.tuple(field("s", S), field("n", N), time, field("l", L), field("st", ST), field("k", K));
/** A batch of event texts, each with its id first, in time order (a time that is not a number stays where it fell). */
const batch = fc.array(event, { minLength: 1, maxLength: 7 }).map((es) => {
  const minutes = es.map((e) => e[2]).filter((x): x is number => typeof x === "number").sort((a, b) => a - b);
  let next = 0;
  return es.map(([s, n, ts, l, st, k], i) => {
    const t = typeof ts === "number" ? `"ts":${minuteText(minutes[next++]!)}` : ts === undefined ? (i === 0 ? `"ts":null` : "") : `"ts":${ts}`;
    // The first event carries every field (NULL where it drew none), so every cell binds.
    const fields = i === 0 ? [s || `"s":null`, n || `"n":null`, t, l || `"l":[]`, st || `"st":{"a":null,"b":null}`, k || `"k":null`] : [s, n, t, l, st, k];
    return `{${[`"id":${i}`, ...fields].filter((f) => f !== "").join(",")}}`;
  });
});

// Column wrappers that bind whatever type DuckDB inferred for the column.
const s = "CAST(s AS VARCHAR)";
const nd = "TRY_CAST(n AS DOUBLE)";
const ts = "TRY_CAST(CAST(ts AS VARCHAR) AS TIMESTAMP)";
const li = "TRY_CAST(l AS DOUBLE[])";
const k = "CAST(k AS VARCHAR)";

/** Columns a `clean` cell passes on, by name, and a WHERE for it. */
const CLEAN_COLS = [
  `id`, `${s} AS s`, `${nd} AS x`, `TRY_CAST(n AS HUGEINT) AS h`, `${ts} AS ts`, `${li} AS l`, `st`, `${k} AS k`,
  `CASE WHEN ${s} = 'NaN' THEN 'NaN'::DOUBLE WHEN ${s} = '-0' THEN -0.0 ELSE ${nd} END AS f`,
  `nfc_normalize(${s}) AS nf`, `lower(${s}) AS lo`, `to_json(st) AS j`,
];
const WHERES = ["", `WHERE id % 3 <> 1`, `WHERE ${s} IS NOT NULL`, `WHERE ${nd} IS NULL OR ${nd} >= 0`, `WHERE coalesce(${s}, '') <> 'a'`, `WHERE NOT (${nd} > 2)`, `WHERE len(${li}) > 0`];
const cleanCell = `SELECT ${CLEAN_COLS.join(", ")} FROM t`;

const KEYS = ["CAST(k AS INTEGER)", "s", "nf", "lo", "f", "x", "k", "strip_accents(s)", "l", "st", "st.b", "l[1]", "x * -1", "f = 0", "[s]", "{'a': s}", "h % 3", "j", "CAST(f AS VARCHAR)", "s COLLATE NOCASE"];
const AGGS = [
  "count(*)", "count(s)", "count(DISTINCT s)", "count(DISTINCT f)", "count(DISTINCT x)", "count(DISTINCT nf)", "sum(h)", "sum(x)", "avg(x)", "avg(h)", "sum(f)", "min(f)", "max(f)",
  "min(s)", "max(s)", "min(nf)", "max(lo)", "min(j)", "max(j)", "min(l)", "max(l)", "min(st)", "max(st)", "list(s ORDER BY s)", "list(s ORDER BY id DESC)", "list(f ORDER BY f NULLS FIRST)",
  "string_agg(s, ',' ORDER BY s)", "string_agg(s, '|' ORDER BY s DESC, id)", "list(DISTINCT s ORDER BY s)", "count(*) FILTER (WHERE x > 0)", "sum(h) FILTER (WHERE s IS NOT NULL)",
  "list(id ORDER BY id) FILTER (WHERE f IS NULL)", "sum(DISTINCT x)", "avg(DISTINCT h)", "count(DISTINCT l)", "count(DISTINCT st)", "min(x) FILTER (WHERE s <> '')", "bool_or(x > 1)",
  "bool_and(s IS NULL)", "max(len(l))", "sum(x + h)", "count(DISTINCT s) FILTER (WHERE id > 1)", "min(s COLLATE NOCASE)", "string_agg(DISTINCT s, ',' ORDER BY s)", "list(l ORDER BY id)",
  "arg_min(s, id)", "arg_max(id, x)", "first(s ORDER BY id)", "product(x)", "median(x)", "array_agg(f ORDER BY f DESC)", "array_agg(DISTINCT s ORDER BY s) FILTER (WHERE x IS NOT NULL)",
  "list(DISTINCT f ORDER BY f)", "sum(CAST(k AS INTEGER))", "max(CAST(s AS DOUBLE))", "count(CAST(x AS TINYINT))", "sum(CAST(k AS INTEGER)) FILTER (WHERE id > 0)", "string_agg(s, NULL ORDER BY s)", "min(x * 0)", "max(-f)", "sum(CAST(h AS DOUBLE) + x)", "count(DISTINCT {'a': f})", "count(DISTINCT [lo, s])", "max({'a': s, 'b': x})", "min([f])",
];
/** Aggregates whose argument fails on some events (text that is no number, a number past TINYINT). */
const FAILING = ["sum(CAST(k AS INTEGER))", "max(CAST(s AS DOUBLE))", "count(CAST(x AS TINYINT))", "list(CAST(k AS BIGINT) ORDER BY CAST(k AS BIGINT))", "min(CAST(h AS TINYINT))", "avg(CAST(lo AS DOUBLE))"];
const HAVINGS = ["", "HAVING count(*) > 1", "HAVING min(id) >= 0", "HAVING sum(x) IS NOT NULL", "HAVING count(DISTINCT s) < 3"];

/** Scalar shapes over lists and structs, in one cell or over `clean`. */
const SHAPES = [
  `SELECT id, unnest(l) AS u FROM t`, `SELECT id, unnest(${li}) AS u, ${s} AS s FROM t`, `SELECT id, unnest(l) AS u FROM clean`, `SELECT id, u FROM clean, unnest(l) AS z(u)`,
  `SELECT id, list_transform(${li}, x -> x * 2) AS v FROM t`, `SELECT id, list_filter(${li}, x -> x > 1) AS v FROM t`, `SELECT id, list_transform(l, (x, i) -> x + i) AS v FROM clean`,
  `SELECT id, list_filter(l, x -> x IS NULL) AS v FROM clean`, `SELECT id, l[5] AS a, l[-1] AS b, l[0] AS c, list_extract(l, 2) AS d, l[2:3] AS e FROM clean`,
  `SELECT id, st.a AS a, st.b AS b, st['a'] AS c FROM t`, `SELECT id, struct_pack(a := s, b := x) AS v FROM clean`, `SELECT id, struct_pack(s, x).s AS v FROM clean`,
  `SELECT id, [x, h] AS v FROM clean`, `SELECT id, [s, x::VARCHAR] AS v FROM clean`, `SELECT id, [x, 1, NULL] AS v FROM clean`, `SELECT id, [f, -0.0] AS v FROM clean`,
  `SELECT id, array_length(l) AS a, len(l) AS b, length(l) AS c FROM clean`, `SELECT id, list_contains(l, 1) AS a, list_contains(l, NULL) AS b, list_has(l, 2.0) AS c FROM clean`,
  `SELECT id, list_distinct(l) AS v FROM clean`, `SELECT id, list_sort(list_distinct(l)) AS v FROM clean`, `SELECT id, list_position(l, 1) AS a, list_unique(l) AS b FROM clean`,
  `SELECT id, list_sum(l) AS a, list_min(l) AS b, list_max(l) AS c, list_avg(l) AS d FROM clean`, `SELECT id, list_reverse_sort(l) AS a, list_sort(l, 'DESC', 'NULLS FIRST') AS b FROM clean`,
  `SELECT id, st = {'a': 1, 'b': 'x'} AS a, st IS NULL AS b, st.a IS NULL AS c FROM t`, `SELECT id, to_json(st) AS a, st::VARCHAR AS b FROM t`, `SELECT id, l = [1.0, 2.0, NULL] AS a, l < [2.0] AS b FROM clean`,
  `SELECT id, unnest(l) + 1 AS u, unnest([s, k]) AS w FROM clean`, `SELECT id, list_concat(l, [NULL]) AS a, array_append(l, x) AS b FROM clean`, `SELECT id, flatten([l, l]) AS v FROM clean`,
  `SELECT id, list_aggregate(l, 'max') AS a, list_count(l) AS b FROM clean`, `SELECT id, string_split(s, '') AS a, list_transform(string_split(s, ''), c -> unicode(c)) AS b FROM clean`,
  `SELECT id, st.a + 1 AS a FROM t WHERE st.b IS NOT NULL`, `SELECT count(*) AS c, sum(u) AS s FROM (SELECT unnest(l) AS u FROM clean)`, `SELECT u, count(*) AS c FROM (SELECT unnest(l) AS u FROM clean) GROUP BY ALL`,
];

/** A VALUES cell and join keys on each side. */
const LOOKUPS: { cell: string; on: string[] }[] = [
  { cell: `SELECT * FROM (VALUES ('a', 1), ('é', 2), ('e\u0301', 3), (NULL, 4), ('a', 5), ('A', 6), ('NaN', 7)) v(key, val)`, on: ["k", "s", "nf", "lo", "strip_accents(k)"] },
  { cell: `SELECT * FROM (VALUES ('NaN'::DOUBLE, 'nan'), (-0.0, 'neg0'), (0.0, 'zero'), (1.5, 'x'), (1.5, 'y'), (NULL, 'null')) v(key, val)`, on: ["f", "x", "x * 0"] },
  { cell: `SELECT * FROM (VALUES (1, 'one'), (0, 'zero'), (2, 'two'), (2, 'deux')) v(key, val)`, on: ["k", "h", "x", "s"] },
  { cell: `SELECT * FROM (VALUES ('1', 'one'), ('0', 'zero'), ('-0', 'negzero')) v(key, val)`, on: ["h", "k", "f"] },
];

/** A random expression over `clean`'s columns, of a kind, seeded (as fuzz11's composed()). */
type Kind = "str" | "num" | "bool" | "list";
function composed(seed: number, kind: Kind, depth: number): string {
  let x = seed >>> 0 || 1;
  const rnd = (): number => ((x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 2 ** 32);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const leaves: Record<Kind, string[]> = {
    str: ["s", "nf", "lo", "k", "st.b", "CAST(j AS VARCHAR)", "'é'", "'e\u0301'", "NULL::VARCHAR", "''"],
    num: ["x", "f", "h", "id", "st.a", "l[1]", "len(l)", "-0.0", "'NaN'::DOUBLE", "NULL::DOUBLE", "9223372036854775807", "0.1"],
    bool: ["s IS NULL", "x > 0", "f = 0", "list_contains(l, 1)", "st IS NULL", "NULL::BOOLEAN", "true"],
    list: ["l", "[x, f]", "list_transform(l, e -> e * 2)", "list_filter(l, e -> e IS NOT NULL)", "[s, k]", "string_split(s, '')", "l[2:]", "[]::DOUBLE[]", "NULL::DOUBLE[]", "list_sort(l)"],
  };
  const gen = (kind: Kind, d: number): string => {
    if (d <= 0 || rnd() < 0.25) return pick(leaves[kind]);
    const g = (k: Kind): string => gen(k, d - 1);
    const forms: Record<Kind, (() => string)[]> = {
      str: [() => `upper(${g("str")})`, () => `nfc_normalize(${g("str")})`, () => `strip_accents(${g("str")})`, () => `coalesce(${g("str")}, ${g("str")})`, () => `${g("str")} || ${g("str")}`,
        () => `CAST(${g("num")} AS VARCHAR)`, () => `CASE WHEN ${g("bool")} THEN ${g("str")} ELSE ${g("str")} END`, () => `array_to_string(${g("list")}, ',')`, () => `left(${g("str")}, 1)`, () => `nullif(${g("str")}, '')`],
      num: [() => `(${g("num")} ${pick(["+", "-", "*", "/", "//", "%"])} ${g("num")})`, () => `abs(${g("num")})`, () => `coalesce(${g("num")}, ${g("num")})`, () => `length(${g("str")})`, () => `list_sum(${g("list")})`,
        () => `list_max(${g("list")})`, () => `${g("list")}[${pick(["1", "-1", "0", "5"])}]`, () => `greatest(${g("num")}, ${g("num")})`, () => `round(${g("num")}, 1)`, () => `CASE WHEN ${g("bool")} THEN ${g("num")} END`, () => `TRY_CAST(${g("str")} AS DOUBLE)`,
        () => `CAST(${g("str")} AS ${pick(["INTEGER", "DOUBLE", "BIGINT"])})`, () => `CAST(${g("num")} AS ${pick(["INTEGER", "TINYINT", "DECIMAL(4,1)"])})`],
      bool: [() => `(${g("num")} ${pick(["=", "<", ">=", "<>", "IS DISTINCT FROM"])} ${g("num")})`, () => `(${g("str")} ${pick(["=", "<", ">", "IS NOT DISTINCT FROM"])} ${g("str")})`, () => `NOT ${g("bool")}`,
        () => `(${g("bool")} ${pick(["AND", "OR"])} ${g("bool")})`, () => `list_contains(${g("list")}, ${g("num")})`, () => `isnan(${g("num")})`, () => `${g("num")} IN (0, 1, 'NaN'::DOUBLE)`],
      list: [() => `list_distinct(${g("list")})`, () => `list_concat(${g("list")}, ${g("list")})`, () => `list_transform(${g("list")}, e -> e + 1)`, () => `list_filter(${g("list")}, e -> e > 0)`, () => `[${g("num")}, ${g("num")}]`, () => `list_sort(${g("list")}, 'DESC')`],
    };
    return pick(forms[kind])();
  };
  return gen(kind, depth);
}
const composedAgg = fc.tuple(fc.integer(), fc.constantFrom<Kind>("str", "num", "bool", "list"), fc.constantFrom("min", "max", "count", "count(DISTINCT", "sum", "avg", "list(DISTINCT", "arg_max", "bool_or", "string_agg"))
  .map(([seed, kind, fn]) => {
    const e = composed(seed, kind, 2);
    if (fn === "count(DISTINCT" || fn === "list(DISTINCT") return fn === "list(DISTINCT" ? `list_sort(list(DISTINCT ${e}))` : `count(DISTINCT ${e})`;
    if (fn === "sum" || fn === "avg") return kind === "num" ? `${fn}(${e})` : `count(${e})`;
    if (fn === "bool_or") return kind === "bool" ? `bool_or(${e})` : `min(${e})`;
    if (fn === "string_agg") return kind === "str" ? `string_agg(${e}, ',' ORDER BY ${e})` : `max(${e})`;
    if (fn === "arg_max") return `arg_max(id, ${e})`;
    return `${fn}(${e})`;
  });

const query: fc.Arbitrary<{ sql: string; cells: Record<string, string> }> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom(...WHERES), fc.constantFrom(...KEYS), fc.subarray(AGGS, { minLength: 1, maxLength: 3 }), fc.constantFrom(...HAVINGS), fc.boolean()).map(([where, key, aggs, having, all]) => ({
      cells: { clean: `${cleanCell} ${where}` },
      sql: `SELECT ${key} AS g, ${aggs.map((a, i) => `${a} AS a${i}`).join(", ")} FROM clean GROUP BY ${all ? "ALL" : key} ${having}`,
    })),
  },
  { weight: 1, arbitrary: fc.tuple(fc.subarray(AGGS, { minLength: 1, maxLength: 4 }), fc.constantFrom(...HAVINGS.slice(0, 3))).map(([aggs, having]) => ({ cells: { clean: cleanCell }, sql: `SELECT ${aggs.map((a, i) => `${a} AS a${i}`).join(", ")} FROM clean ${having}` })) },
  {
    weight: 6,
    arbitrary: fc.tuple(fc.integer(), fc.constantFrom<Kind>("str", "num", "bool", "list"), fc.array(composedAgg, { minLength: 1, maxLength: 10 }), fc.constantFrom(...WHERES), fc.constantFrom(...HAVINGS), fc.boolean()).map(([seed, kind, aggs, where, having, windowed]) => ({
      cells: { clean: `${cleanCell} ${where}` },
      sql: `SELECT ${windowed ? "time_bucket(INTERVAL '5 minutes', ts) AS w, " : ""}${composed(seed, kind, 2)} AS g, ${aggs.map((a, i) => `${a} AS a${i}`).join(", ")} FROM clean GROUP BY ALL ${having}`,
    })),
  },
  { weight: 3, arbitrary: fc.tuple(fc.integer(), fc.constantFrom<Kind>("str", "num", "bool", "list"), fc.constantFrom(...WHERES)).map(([seed, kind, where]) => ({ cells: { clean: `${cleanCell} ${where}` }, sql: `SELECT id, ${composed(seed, kind, 3)} AS v FROM clean` })) },
  {
    // An aggregate whose argument fails on some events, among others: in dead-letter mode those events must count nowhere.
    weight: 3,
    arbitrary: fc.tuple(fc.subarray(AGGS.slice(0, 30), { minLength: 1, maxLength: 4 }), fc.nat(), fc.constantFrom(...FAILING), fc.constantFrom("k", "lo", "time_bucket(INTERVAL '5 minutes', ts)", "u"), fc.constantFrom(...WHERES.slice(0, 3))).map(([aggs, at, failing, key, where]) => {
      const all = [...aggs];
      all.splice(at % (aggs.length + 1), 0, failing);
      const from = key === "u" ? "(SELECT *, unnest(l) AS u FROM clean)" : "clean";
      return { cells: { clean: `${cleanCell} ${where}` }, sql: `SELECT ${key} AS g, ${all.map((a, i) => `${a} AS a${i}`).join(", ")} FROM ${from} GROUP BY ALL` };
    }),
  },
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...SHAPES), fc.constantFrom(...WHERES)).map(([sql, where]) => ({ cells: { clean: `${cleanCell} ${where}` }, sql })) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...LOOKUPS), fc.nat(), fc.boolean(), fc.boolean()).map(([lk, i, left, agg]) => {
      const on = lk.on[i % lk.on.length]!;
      const join = `FROM clean c ${left ? "LEFT " : ""}JOIN lk ON ${on.replace(/\b(k|s|nf|lo|f|x|h)\b/g, "c.$1")} = lk.key`;
      return { cells: { clean: cleanCell, lk: lk.cell }, sql: agg ? `SELECT lk.val, count(*) AS n, list(c.id ORDER BY c.id) AS ids ${join} GROUP BY ALL` : `SELECT c.id, c.${on.match(/\b(k|s|nf|lo|f|x|h)\b/)![1]} AS mine, lk.key, lk.val ${join}` };
    }),
  },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom("1 minute", "5 minutes", "15 minutes", "1 hour"), fc.subarray(AGGS.slice(0, 30), { minLength: 1, maxLength: 3 }), fc.constantFrom("", ", s", ", f", ", k"), fc.boolean(), fc.constantFrom(...WHERES.slice(0, 4))).map(([width, aggs, extra, viaClean, where]) => ({
      cells: { clean: `${cleanCell} ${where}` },
      sql: viaClean
        ? `SELECT time_bucket(INTERVAL '${width}', ts) AS w${extra}, ${aggs.map((a, i) => `${a} AS a${i}`).join(", ")} FROM clean GROUP BY ALL`
        : `SELECT time_bucket(INTERVAL '${width}', ${ts}) AS w${extra.replace("s", s).replace("f", nd).replace("k", k)}, count(*) AS c, list(id ORDER BY id) AS ids FROM t GROUP BY ALL`,
    })),
  },
);

interface Outcome {
  kind: "agree" | "refused" | "unbindable" | "unreadable" | "differ";
  detail: string;
}

async function runOne(db: DuckDB, texts: string[], sql: string, cells: Record<string, string>): Promise<Outcome> {
  await db.run("DROP VIEW IF EXISTS result");
  for (const id of Object.keys(cells)) await db.run(`DROP VIEW IF EXISTS "${id}"`);
  let loaded: Schema;
  try {
    loaded = await loadJsonTexts(db, "t", texts);
  } catch (error) {
    return { kind: "unreadable", detail: String(error) };
  }
  const c = { name: "fuzz12", sql, rows: [], cells };
  let plan;
  try {
    plan = compilePlan(await gatherCompileInputs(db, caseNotebook(c)));
  } catch (error) {
    const m = error instanceof Error ? error.message : String(error);
    if (/DuckDB cannot bind/.test(m)) return { kind: "unbindable", detail: m };
    if (error instanceof CompileError) return { kind: "refused", detail: m.split("\n")[0]! };
    return { kind: "differ", detail: `compile threw: ${m}` };
  }
  const { answer: duck, schema: outSchema } = await duckdbAnswer(db, sql);
  let mine: { ok: true; rows: Row[] } | { ok: false; error: string };
  try {
    const events = texts.map((t) => parseEventJson(t));
    const ex = buildPipeline({ ...plan, pipelines: plan.pipelines.filter((p) => p.sink === "out") }, { library: defaultLibrary, mode: "throw" });
    // One event at a time, as a stream delivers them: a window closes as soon as time passes its end.
    const rows: Row[] = [];
    for (const e of events) rows.push(...(ex.run({ source: "t", events: [e] }).rows.out ?? []));
    rows.push(...(ex.finish().rows.out ?? []));
    mine = { ok: true, rows };
  } catch (error) {
    mine = { ok: false, error: error instanceof SqlError ? error.duckdbText : error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  if (!duck.ok && !mine.ok) {
    if (!errorsAgree(duck.error, mine.error)) return { kind: "differ", detail: `errors differ\n  DuckDB: ${duck.error.split("\n")[0]}\n  plan:   ${mine.error}` };
    return deadLetterRun(db, texts, loaded, plan, sql, cells);
  }
  if (!duck.ok || !mine.ok) return { kind: "differ", detail: `DuckDB: ${duck.ok ? `${duck.rows.length} rows` : duck.error.split("\n")[0]}\n  plan:   ${mine.ok ? `${mine.rows.length} rows` : mine.error}` };
  const d = firstDifference(outSchema!, duck.rows, mine.rows);
  if (!d) return { kind: "agree", detail: "" };
  return { kind: "differ", detail: `first differing row: ${d.side === "duckdb" ? "DuckDB" : "the plan"} has ${showRow(d.row)}; the other has ${d.nearest ? showRow(d.nearest) : "no such row"}\n  DuckDB: ${duck.rows.slice(0, 6).map((r) => showRow(r)).join(" ")}\n  plan:   ${mine.rows.slice(0, 6).map((r) => showRow(r)).join(" ")}` };
}

/**
 * Where the batch fails in DuckDB, a published pipeline (dead-letter mode) goes on: the events it makes
 * dead letters must leave no trace, so what it writes is DuckDB's answer over the other events.
 */
async function deadLetterRun(db: DuckDB, texts: string[], schema: Schema, plan: ReturnType<typeof compilePlan>, sql: string, cells: Record<string, string>): Promise<Outcome> {
  const ex = buildPipeline({ ...plan, pipelines: plan.pipelines.filter((p) => p.sink === "out") }, { library: defaultLibrary, mode: "dead-letter" });
  const rows: Row[] = [];
  const dead = new Set<string>();
  let group = false;
  try {
    for (const text of texts) {
      const out = ex.run({ source: "t", events: [parseEventJson(text)] });
      rows.push(...(out.rows.out ?? []));
      for (const d of out.deadLetters) d.kind === "group" ? (group = true) : dead.add(text);
    }
    const out = ex.finish();
    rows.push(...(out.rows.out ?? []));
    if (out.deadLetters.length) group = true;
  } catch (error) {
    return { kind: "differ", detail: `dead-letter mode threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  // A group that fails as it is emitted is a dead letter of its own, with no DuckDB counterpart.
  if (group) return { kind: "agree", detail: "both fail" };
  const kept = texts.filter((t) => !dead.has(t));
  if (kept.length === texts.length) return { kind: "differ", detail: "DuckDB fails, but dead-letter mode made no event a dead letter" };
  if (kept.length === 0) return { kind: "agree", detail: "both fail" };
  for (const id of Object.keys(cells)) await db.run(`DROP VIEW IF EXISTS "${id}"`);
  await db.run("DROP VIEW IF EXISTS result");
  // The columns keep the types the whole batch gave them (the ones the plan was compiled for).
  await loadJsonTexts(db, "t", kept, { schema });
  for (const [id, code] of Object.entries(cells)) await db.run(`CREATE VIEW "${id}" AS ${code}`);
  const { answer: duck, schema: outSchema } = await duckdbAnswer(db, sql);
  if (!duck.ok) return { kind: "differ", detail: `without the dead letters DuckDB still fails: ${duck.error.split("\n")[0]}` };
  const d = firstDifference(outSchema!, duck.rows, rows);
  if (!d) return { kind: "agree", detail: "both fail" };
  return { kind: "differ", detail: `dead-letter mode (dead letters: ${[...dead].join(" ")}): ${d.side === "duckdb" ? "DuckDB over the other events" : "the pipeline"} has ${showRow(d.row)}; the other has ${d.nearest ? showRow(d.nearest) : "no such row"}\n  DuckDB: ${duck.rows.slice(0, 6).map((r) => showRow(r)).join(" ")}\n  plan:   ${rows.slice(0, 6).map((r) => showRow(r)).join(" ")}` };
}

/** Runs `batches` batches × `perBatch` queries from `seed`; returns the differences (deduplicated by query). */
async function fuzz(db: DuckDB, seed: number, batches: number, perBatch: number): Promise<{ differences: string[]; counts: Record<Outcome["kind"] | "bothFail", number> }> {
  const cases = fc.sample(fc.tuple(batch, fc.array(query, { minLength: perBatch, maxLength: perBatch })), { seed, numRuns: batches });
  const counts: Record<Outcome["kind"], number> = { agree: 0, refused: 0, unbindable: 0, unreadable: 0, differ: 0 };
  const differences: string[] = [];
  const seen = new Set<string>();
  let bothFail = 0;
  for (const [texts, queries] of cases) {
    for (const { sql, cells } of queries) {
      const r = await runOne(db, texts, sql, cells);
      counts[r.kind]++;
      if (r.detail === "both fail") bothFail++;
      if (process.env.RUNNEL_FUZZ12_VERBOSE && r.kind !== "agree" && r.kind !== "differ") console.log(`${r.kind}: ${sql}\n  ${r.detail.slice(0, 300)}`);
      const key = `${Object.values(cells).join(";")}|${sql}`;
      if (r.kind !== "differ" || seen.has(key)) continue;
      seen.add(key);
      differences.push(`seed ${seed}\n  events: ${texts.join(" ")}\n  ${Object.entries(cells).map(([id, code]) => `${id}: ${code}`).join("\n  ")}\n  result: ${sql}\n  ${r.detail}`);
    }
  }
  return { differences, counts: { ...counts, bothFail } };
}

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("cells feeding GROUP BY, lists and structs, lookup joins and time windows over messy events give DuckDB's rows or DuckDB's error, or are refused at compile", async () => {
  const wanted = process.env.RUNNEL_FC_SEED ?? "20261207";
  const seed = wanted === "random" ? Date.now() % 2147483647 : Number(wanted);
  const batches = Number(process.env.RUNNEL_FUZZ12_BATCHES ?? 12);
  const { differences, counts } = await fuzz(db, seed, batches, 8);
  console.log(`fast-check seed ${seed} (replay with RUNNEL_FC_SEED=${seed}); ${JSON.stringify(counts)}\n${differences.slice(0, 8).join("\n\n")}`);
  expect(differences.slice(0, 3)).toEqual([]);
  // Most generated cells must compile and run, or the test proves little.
  expect(counts.agree).toBeGreaterThan((batches * 8) / 2);
}, 300_000);
