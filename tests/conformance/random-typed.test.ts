/**
 * Random typed expressions over messy rows: integers, doubles, decimals, text,
 * booleans, timestamps, dates, lists and intervals mixed by a small grammar
 * (seeded, so a failure reproduces). Each must give DuckDB's answer or fail
 * with DuckDB's error class. random-sql.test.ts mixes arithmetic and logic;
 * this one reaches the function library, casts and temporal arithmetic, where
 * the differences found so far lived (exponent literals folded to DECIMAL,
 * interval × integer, round near a type's limits, make_timestamp's day check).
 *
 * Left out on purpose, as known gaps (ARCHITECTURE.md): a NaN cast to text
 * (its sign), pow() of huge values reduced modulo (the last bit of libm).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/open.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { runGenerated } from "./runner.ts";

const schema = [
  { name: "id", type: "BIGINT" },
  { name: "n", type: "INTEGER" },
  { name: "x", type: "DOUBLE" },
  { name: "d", type: "DECIMAL(12,3)" },
  { name: "s", type: "VARCHAR" },
  { name: "ts", type: "VARCHAR" },
  { name: "tags", type: "VARCHAR[]" },
  { name: "p", type: "BOOLEAN" },
];
const rows = [
  { id: 1, n: 7, x: 2.5, d: "12.345", s: "Ünïcode straße", ts: "2024-02-29 23:59:59.999", tags: ["a", null, "ü"], p: true },
  { id: 9223372036854775807n, n: 2147483647, x: -0.0, d: "-0.001", s: "", ts: "2024-03-01T12:02:00+05:30", tags: [], p: false },
  { id: null, n: null, x: null, d: null, s: null, ts: null, tags: null, p: null },
  { id: -9223372036854775808n, n: -2147483648, x: 1e300, d: "999999999.999", s: "  padded  ", ts: "not a time", tags: ["x,y", "NULL"], p: null },
  { id: 0, n: 0, x: 0.1, d: "0.000", s: "A-B_c%", ts: "1969-12-31 23:59:59", tags: ["", " "], p: true },
  { id: 42, n: -15, x: -7.25, d: "-2.500", s: "😀 日本", ts: "2023-02-29", tags: ["z"], p: false },
];

type T = "int" | "dbl" | "dec" | "str" | "bool" | "ts" | "date" | "strs" | "itv";

/** A seeded generator of expressions of each type over the table's columns. */
function grammar(seed: number): (t: T, depth: number) => string {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const pick = <V,>(a: V[]): V => a[Math.floor(rnd() * a.length)]!;
  const leaves: Record<T, string[]> = {
    int: ["id", "n", "len(tags)", "7", "-1", "2147483647", "9223372036854775807", "0"],
    dbl: ["x", "1e3", "-2.5e-3", "0.5::DOUBLE"],
    dec: ["d", "1.25", "-0.5", "99.999"],
    str: ["s", "ts", "tags[1]", "''", "'ß'", "'12'", "'2024-03-01'", "' x '", "'%'"],
    bool: ["p", "true", "NULL::BOOLEAN"],
    ts: ["TRY_CAST(ts AS TIMESTAMP)", "TIMESTAMP '2024-02-29 23:59:59.999'", "TIMESTAMP '1970-01-01'"],
    date: ["TRY_CAST(ts AS DATE)", "DATE '2024-01-31'"],
    strs: ["tags", "['a', NULL, 'ü']", "[]::VARCHAR[]"],
    itv: ["INTERVAL 90 MINUTE", "INTERVAL '1 month 2 days'", "INTERVAL 36 HOUR"],
  };
  const gen = (t: T, depth: number): string => {
    if (depth <= 0 || rnd() < 0.25) return pick(leaves[t]);
    const g = (u: T): string => gen(u, depth - 1);
    const num = (): T => pick<T>(["int", "dbl", "dec", "int"]);
    const forms: Record<T, (() => string)[]> = {
      int: [
        () => `(${g("int")} ${pick(["+", "-", "*", "//", "%"])} ${g("int")})`, () => `length(${g("str")})`, () => `strpos(${g("str")}, ${g("str")})`,
        () => `CAST(${g(num())} AS ${pick(["INTEGER", "BIGINT", "SMALLINT", "HUGEINT"])})`, () => `TRY_CAST(${g("str")} AS ${pick(["INTEGER", "UTINYINT"])})`,
        () => `date_part('${pick(["year", "month", "dow", "doy", "week", "hour", "epoch", "quarter", "isoyear"])}', ${g(pick<T>(["ts", "date"]))})`,
        () => `date_diff('${pick(["day", "month", "hour", "year", "week"])}', ${g("ts")}, ${g("ts")})`, () => `coalesce(${g("int")}, ${g("int")})`,
        () => `CASE WHEN ${g("bool")} THEN ${g("int")} ELSE ${g("int")} END`, () => `len(${g("strs")})`, () => `greatest(${g("int")}, ${g("int")})`,
        () => `round(${g("int")}, ${pick(["-1", "-2", "-19"])})`, () => `list_position(${g("strs")}, ${g("str")})`, () => `abs(${g("int")})`,
      ],
      dbl: [
        () => `(${g(num())} ${pick(["+", "-", "*", "/"])} ${g(pick<T>(["dbl", "int"]))})`, () => `round(${g("dbl")}, ${pick(["0", "1", "-1"])})`,
        () => `floor(${g("dbl")})`, () => `TRY_CAST(${g("str")} AS DOUBLE)`, () => `epoch(${g("ts")})`, () => `least(${g("dbl")}, ${g("int")})`, () => `sqrt(abs(${g("dbl")}))`,
      ],
      dec: [
        () => `(${g("dec")} ${pick(["+", "-", "*"])} ${g(pick<T>(["dec", "int"]))})`, () => `round(${g("dec")}, ${pick(["0", "1", "-1"])})`,
        () => `TRY_CAST(${g(pick<T>(["str", "dbl"]))} AS DECIMAL(${pick(["10,2", "5,4"])}))`, () => `floor(${g("dec")})`, () => `trunc(${g("dec")}, 1)`, () => `greatest(${g("dec")}, ${g("int")})`,
      ],
      str: [
        () => `(${g("str")} || ${g(pick<T>(["str", "int", "date", "bool", "dec"]))})`, () => `upper(${g("str")})`, () => `lower(${g("str")})`, () => `trim(${g("str")})`,
        () => `substr(${g("str")}, ${g("int")}, ${pick(["1", "2", "-1", "100"])})`, () => `replace(${g("str")}, ${g("str")}, ${g("str")})`, () => `left(${g("str")}, ${g("int")})`,
        () => `split_part(${g("str")}, ${pick(["'-'", "' '", "''"])}, ${pick(["1", "-1", "0"])})`, () => `lpad(${g("str")}, ${pick(["3", "0"])}, ${pick(["'*'", "''"])})`,
        () => `regexp_replace(${g("str")}, ${pick(["'[a-z]+'", "'\\s'", "'(.)$'", "'[^0-9]'"])}, ${pick(["'X'", "''", "'<\\1>'"])}${pick(["", ", 'g'", ", 'gi'"])})`,
        () => `CAST(${g(pick<T>(["int", "dec", "bool", "ts", "date", "strs", "itv"]))} AS VARCHAR)`, () => `strftime(${g("ts")}, '${pick(["%Y-%m-%d", "%H:%M:%S.%f", "%a %b %-d", "%j %U %W", "%G-W%V-%u"])}')`,
        () => `md5(${g("str")})`, () => `concat_ws(${pick(["'-'", "NULL"])}, ${g("str")}, ${g("str")})`, () => `(${g("strs")})[${g("int")}]`, () => `format('{}|{}', ${g("str")}, ${g(pick<T>(["int", "dec"]))})`,
        () => `strip_accents(${g("str")})`, () => `monthname(${g("ts")})`, () => `json_extract_string(to_json(${g("strs")}), '$[0]')`,
      ],
      bool: [
        () => `(${g("int")} ${pick(["=", "<>", "<", ">=", "IS DISTINCT FROM"])} ${g(pick<T>(["int", "dbl", "dec"]))})`, () => `(${g("str")} ${pick(["=", "<", "<>"])} ${g("str")})`,
        () => `(${g("bool")} ${pick(["AND", "OR"])} ${g("bool")})`, () => `NOT ${g("bool")}`, () => `(${g("str")} IS NULL)`, () => `(${g("str")} ${pick(["LIKE", "ILIKE"])} ${pick(["'%a%'", "'_'", "'%\\_%' ESCAPE '\\'"])})`,
        () => `(${g("int")} BETWEEN ${g("int")} AND ${g("int")})`, () => `list_contains(${g("strs")}, ${g("str")})`, () => `regexp_matches(${g("str")}, '${pick(["^[a-z]+$", "\\d", "(?i)B"])}')`,
        () => `(${g("ts")} < ${g("ts")})`, () => `(${g("date")} = ${g("ts")})`, () => `TRY_CAST(${g("str")} AS BOOLEAN)`, () => `starts_with(${g("str")}, ${g("str")})`,
      ],
      ts: [
        () => `(${g("ts")} + ${g("itv")})`, () => `(${g("ts")} - ${g("itv")})`, () => `date_trunc('${pick(["hour", "day", "month", "week", "year"])}', ${g("ts")})`,
        () => `time_bucket(${g("itv")}, ${g("ts")})`, () => `try_strptime(${g("str")}, '${pick(["%Y-%m-%d", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z"])}')`, () => `CAST(${g("date")} AS TIMESTAMP)`,
        () => `make_timestamp(2024, ${pick(["1", "2"])}, ${pick(["1", "29", "30"])}, 1, 2, ${pick(["3", "59.5"])})`, () => `(${g("ts")} + ${g("int")} % 1000 * INTERVAL 1 MINUTE)`,
      ],
      date: [() => `CAST(${g("ts")} AS DATE)`, () => `(${g("date")} + ${pick(["1", "-31"])})`, () => `last_day(${g("date")})`, () => `TRY_CAST(${g("str")} AS DATE)`],
      strs: [
        () => `string_split(${g("str")}, ${pick(["'-'", "''", "' '"])})`, () => `list_transform(${g("strs")}, e -> ${pick(["upper(e)", "e || '!'", "coalesce(e, '?')"])})`,
        () => `list_filter(${g("strs")}, e -> ${pick(["e IS NOT NULL", "length(e) > 1"])})`, () => `list_concat(${g("strs")}, ${g("strs")})`, () => `list_sort(${g("strs")})`, () => `[${g("str")}, ${g("str")}]`,
      ],
      itv: [() => `(${g("ts")} - ${g("ts")})`, () => `(${g("itv")} * ${pick(["2", "-1", "0", "1.5"])})`, () => `(${g("itv")} + ${g("itv")})`, () => `age(${g("ts")}, ${g("ts")})`],
    };
    return pick(forms[t])();
  };
  return gen;
}

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("random typed expressions give DuckDB's answer or DuckDB's error", async () => {
  const gen = grammar(20261204);
  const types: T[] = ["int", "dbl", "dec", "str", "bool", "ts", "date", "strs", "itv"];
  const queries = Array.from({ length: 90 }, (_, i) => `SELECT id, ${gen(types[i % types.length]!, 3)} AS v FROM t`);
  const { failures, unbindable } = await runGenerated(db, queries, rows, schema, defaultLibrary);
  expect(failures.slice(0, 8)).toEqual([]);
  expect(unbindable).toBeLessThan(queries.length / 4);
}, 240_000);
