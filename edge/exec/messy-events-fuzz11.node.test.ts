/**
 * A differential fuzzer over messy events as they arrive: JSON texts (not JS values) with
 * unicode of every kind (combining marks, surrogate pairs, RTL, U+0000, a lone surrogate escaped
 * as `\ud800`), NULL against a missing key against "", integers past int64 / uint64 / hugeint,
 * `-0`, `1e400`, `1E2`, malformed and edge times, and nested objects whose keys mix types across
 * events or are named `__proto__`, `constructor`, `toString`, or repeat. Each batch of events is
 * read by DuckDB (read_json over the batch, types inferred as a notebook infers them, or pinned)
 * and by the executor (the text parsed as the runner parses it: a repeated key refused), and a sink cell
 * drawn from the function subset DESIGN.md lists must give DuckDB's rows or DuckDB's error class,
 * or be refused at compile. Seeded (RUNNEL_FC_SEED): the test prints the seed and its counts, and on a
 * difference the events, the cell and the first differing row.
 *
 * Hunting: `RUNNEL_FC_SEED=random RUNNEL_FUZZ11_BATCHES=40 npx vitest run --project unit edge/exec/messy-events-fuzz11`.
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
import { messyString, numberText, timestampText } from "./functions/arbitraries.node.ts";
import { buildPipeline } from "./pipeline.ts";
import { SqlError } from "./functions/contract.ts";
import { caseNotebook } from "../../tests/conformance/runner.ts";
import type { Row, Schema } from "../plan/values.ts";

// Raw JSON text for each field; `undefined` leaves the key out of the event.
const S = ['"héllo"', '"e\\u0301"', '"é"', '"😀"', '"\\ud83d\\ude00"', '"👍🏽 ok"', '"\\u0000x"', '"שלום עולם"', '"مرحبا"', '"  pad  "', '""', "null", undefined, '"12"', '" 42 "', '"1e3"', '"true"', '"2024-02-30"', '"ǅİß"', '"a\\"b\\\\c"', '"\\t\\n"', '"NaN"', '"-0"', '"ﬃ"', '"Σς"'];
/** Half a surrogate pair: DuckDB refuses the whole batch, and the executor's parser must refuse the event. */
const LONE = ['"\\ud800"', '"x\\udfffy"'];
const N = ["0", "-0", "1E2", "1e2", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616", "170141183460469231731687303715884105727", "170141183460469231731687303715884105728", "1e400", "-1e400", "0.1", "1.0", "-0.0", "1e308", "5e-324", "2147483648", "null", undefined, '"7"', "12", "-3", "1.5e1"];
const T = ['"2024-02-29T23:59:59.9999999Z"', '"2024-02-30"', '"24:00:00"', '"2024-01-01 24:00:00"', '"2016-12-31 23:59:60"', '"0000-01-01"', '"10000-01-01"', '"2024-01-01T00:00:00+25:00"', '"infinity"', '"-infinity"', '"epoch"', '"2024-01-01 12:00:00.123456789"', '"2024-01-01 "', '"2024-06-01T12:00:00+05:30"', '"1970-01-01"', "null", undefined, '"2024-03-10 02:30:00"', '"2023-12-31T23:59:59.999999"', '"2024-01-01T00:00:00Z"', '"294247-01-10 04:00:54.775807"', '"-0044-03-15"', '"2024-13-01"', '" 2024-01-01 10:00:00 "', '"2024-05-05 10:11:12"'];
const deep = (n: number): string => (n === 0 ? "1" : `{"d":${deep(n - 1)}}`);
const O = ["{}", "[]", '{"a":1}', '{"a":"x"}', '{"a":{"b":[1,{"c":null}]}}', '{"__proto__":{"x":1}}', '{"constructor":1,"toString":"s"}', '[1,"a",null]', '{"a":[]}', '{"x":{"__proto__":5}}', deep(12), "null", undefined, '"text"', "3", '{"a":true,"b":{}}', '{"a":null}', '{"hasOwnProperty":2,"valueOf":[]}', '{"a":1.5,"b":"ü"}', '{"":1,"A":2}', '{"x":{"__proto__":{"y":"z"}}}'];

/** A key twice: DuckDB's reader refuses the batch, and so must the executor's parser (the runner's default). */
const REPEATED = ['{"a":1,"a":2}', '{"x":{"b":1,"b":"y"}}'];
const field = (name: string, values: (string | undefined)[]) => fc.constantFrom(...values).map((v) => (v === undefined ? "" : `"${name}":${v}`));
/** Generated values beside the listed ones: any unicode (NUL and controls too, JSON-escaped), numbers and time-like text. */
const text = (a: fc.Arbitrary<string>) => a.map((v) => JSON.stringify(v));
const drawn = (name: string, a: fc.Arbitrary<string>) => a.map((v) => `"${name}":${v}`);
const sField = fc.oneof(
  { weight: 20, arbitrary: field("s", S) }, { weight: 1, arbitrary: field("s", LONE) },
  { weight: 6, arbitrary: drawn("s", text(fc.oneof(messyString, fc.string({ unit: "grapheme", maxLength: 6 }), fc.string({ unit: "binary", maxLength: 6 }).filter((x) => !/\p{Cs}/u.test(x))))) },
);
const nField = fc.oneof(
  { weight: 20, arbitrary: field("n", N) },
  { weight: 3, arbitrary: drawn("n", fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? "-0.0" : String(x))), fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map(String))) },
  { weight: 2, arbitrary: drawn("n", text(numberText)) },
);
const tField = fc.oneof({ weight: 20, arbitrary: field("ts", T) }, { weight: 5, arbitrary: drawn("ts", text(timestampText)) });
const event = fc.tuple(sField, nField, tField, fc.oneof({ weight: 30, arbitrary: field("o", O) }, { weight: 1, arbitrary: field("o", REPEATED) }));
/** A batch of event texts, each with its id first. */
const batch = fc.array(event, { minLength: 1, maxLength: 6 }).map((es) => es.map((fs, i) => `{${[`"id":${i}`, ...fs.filter((f) => f !== "")].join(",")}}`));

// Column wrappers that bind whatever type DuckDB inferred for the column.
const s = "CAST(s AS VARCHAR)";
const ts = "TRY_CAST(CAST(ts AS VARCHAR) AS TIMESTAMP)";
const oj = "to_json(o)";
const nd = "TRY_CAST(n AS DOUBLE)";
const EXPRS = [
  // strings
  `length(${s})`, `upper(${s})`, `lower(${s})`, `reverse(${s})`, `left(${s}, 2)`, `right(${s}, 2)`, `substr(${s}, 2, 3)`, `trim(${s})`,
  `lpad(${s}, 6, '·')`, `rpad(${s}, 3, '😀')`, `replace(${s}, 'é', 'e')`, `strpos(${s}, 'é')`, `contains(${s}, '😀')`, `starts_with(${s}, ' ')`,
  `${s} || '|' || coalesce(CAST(n AS VARCHAR), '∅')`, `concat(${s}, n, ts)`, `split_part(${s}, ' ', 2)`, `string_split(${s}, '')`,
  `regexp_replace(${s}, '[^a-z]', '_', 'g')`, `regexp_extract(${s}, '(\\d+)', 1)`, `regexp_matches(${s}, '^\\s')`, `regexp_replace(${s}, '.', '<\\0>', 'g')`,
  `md5(${s})`, `sha256(${s})`, `ascii(${s})`, `unicode(${s})`, `strip_accents(${s})`, `${s} LIKE '%é%'`, `${s} ILIKE '%Ä%'`, `nfc_normalize(${s})`,
  `length_grapheme(${s})`, `repeat(${s}, 2)`, `printf('[%5s]', ${s})`, `format('{}:{}', ${s}, n)`, `octet_length(encode(${s}))`, `instr(${s}, 'l')`,
  `array_to_string(string_split(${s}, ' '), '+')`, `${s} < 'é'`, `ltrim(${s}, ' p')`, `translate(${s}, 'ae', 'AE')`, `to_base64(encode(${s}))`,
  // casts
  `TRY_CAST(${s} AS INTEGER)`, `TRY_CAST(${s} AS BIGINT)`, `TRY_CAST(${s} AS DOUBLE)`, `TRY_CAST(${s} AS DECIMAL(18,3))`, `TRY_CAST(${s} AS BOOLEAN)`,
  `TRY_CAST(${s} AS DATE)`, `TRY_CAST(${s} AS HUGEINT)`, `TRY_CAST(${s} AS UBIGINT)`, `TRY_CAST(${s} AS FLOAT)`, `TRY_CAST(${s} AS INTERVAL)`,
  `TRY_CAST(n AS BIGINT)`, `TRY_CAST(n AS INTEGER)`, `TRY_CAST(n AS HUGEINT)`, `TRY_CAST(n AS UBIGINT)`, `TRY_CAST(n AS DECIMAL(38,10))`, `TRY_CAST(n AS FLOAT)`,
  `TRY_CAST(TRY_CAST(n AS FLOAT) AS DECIMAL(38,10))`, `TRY_CAST(n AS DECIMAL(4,1))`, `CAST(n AS VARCHAR)`, `TRY_CAST(n AS VARCHAR)`, `CAST(${nd} AS VARCHAR)`,
  `TRY_CAST(CAST(ts AS VARCHAR) AS TIMESTAMPTZ)`, `TRY_CAST(CAST(ts AS VARCHAR) AS DATE)`, `TRY_CAST(CAST(ts AS VARCHAR) AS TIME)`, `CAST(ts AS VARCHAR)`,
  `TRY_CAST(o AS VARCHAR)`, `TRY_CAST(${oj} AS VARCHAR)`, `typeof(n)`, `typeof(o)`,
  // times
  ts, `date_trunc('hour', ${ts})`, `date_part('epoch', ${ts})`, `epoch_ms(${ts})`, `strftime(${ts}, '%Y-%m-%d %H:%M:%S.%f')`, `time_bucket(INTERVAL '15 minutes', ${ts})`,
  `time_bucket(INTERVAL '1 day', ${ts}, TIMESTAMP '2024-01-01 06:00:00')`, `date_diff('second', TIMESTAMP '2024-01-01', ${ts})`, `${ts} + INTERVAL 1 DAY`,
  `year(${ts})`, `dayofweek(${ts})`, `last_day(${ts})`, `try_strptime(CAST(ts AS VARCHAR), '%Y-%m-%d %H:%M:%S')`, `try_strptime(CAST(ts AS VARCHAR), '%Y-%m-%dT%H:%M:%S.%f%z')`,
  `make_date(year(${ts}), 2, 29)`, `isfinite(${ts})`, `CAST(${ts} AS DATE)`, `date_part('microseconds', ${ts})`, `strftime(${ts}, '%G-W%V %a %j')`,
  // json
  `json_extract(${oj}, '$.a')`, `${oj} ->> '$.a'`, `${oj} -> 'a'`, `json_type(${oj})`, `json_extract_string(${oj}, '$.a.b')`, `json_array_length(${oj})`,
  `json_keys(${oj})`, `json_valid(${s})`, `${oj} ->> '$.__proto__'`, `${oj} -> '$.constructor'`, `json_extract(${oj}, '$.x.__proto__')`, `json_extract(${oj}, '$.x.__proto__.y')`,
  `${oj} ->> '$.toString'`, `json_extract_string(${oj}, '$[1]')`, `json_extract(${oj}, '$.d.d.d.d')`, `json_type(${oj}, '$.a')`, `to_json(${s})`, `json_extract(${s}, '$')`,
  `to_json(n)`, `to_json(ts)`, `json_object('s', ${s}, 'n', n)`, `json_array(${s}, n)`, `${oj} = '{}'`, `json_exists(${oj}, '$.a')`,
  // struct / list
  `o`, `s`, `n`, `ts`, `o.a`, `o['a']`, `o.__proto__`, `o.x.__proto__`, `o.x`, `o[1]`, `len(o)`, `o.constructor`, `list_value(${s}, ${s})`, `[n, n]`, `{'k': ${s}, 'm': n}`,
  // case / coalesce / null
  `coalesce(${s}, CAST(ts AS VARCHAR), 'none')`, `CASE WHEN ${nd} > 0 THEN 'pos' WHEN ${nd} < 0 THEN 'neg' WHEN ${nd} = 0 THEN 'zero' ELSE 'null' END`,
  `nullif(${s}, '')`, `${s} IS NULL`, `${s} IS DISTINCT FROM ''`, `ifnull(n, -1)`, `CASE ${s} WHEN '' THEN 'empty' ELSE ${s} END`, `greatest(${s}, 'm')`,
  // arithmetic and math
  `n + 1`, `n * 2`, `n // 3`, `n % 7`, `-n`, `abs(n)`, `TRY_CAST(n AS HUGEINT) * 100000000000000000000`, `round(${nd}, 2)`, `TRY_CAST(n AS BIGINT) + 9223372036854775807`,
  `TRY_CAST(n AS INTEGER) * 2147483647`, `${nd} / 0`, `n / 3`, `exp(${nd})`, `ln(${nd})`, `pow(${nd}, 2)`, `sin(${nd})`, `sqrt(${nd})`, `log10(${nd})`, `atan2(${nd}, 1)`,
  `TRY_CAST(n AS DECIMAL(18,3)) * 1.5`, `CAST(n AS DOUBLE) = 0`, `sign(${nd})`, `floor(${nd})`, `n::VARCHAR || ''`, `n > 100`, `n = -0`, `cbrt(${nd})`, `${nd} ** 0.5`,
  `bit_count(TRY_CAST(n AS BIGINT))`, `TRY_CAST(n AS BIGINT) >> 1`, `xor(TRY_CAST(n AS BIGINT), 5)`, `factorial(TRY_CAST(n AS INTEGER) % 20)`, `gcd(TRY_CAST(n AS BIGINT), 6)`,
];
const AGGS = [
  `SELECT count(*) AS c, count(s) AS cs, count(n) AS cn, min(${s}) AS lo, max(${s}) AS hi FROM t`,
  `SELECT ${s} AS k, count(*) AS c FROM t GROUP BY ALL`,
  `SELECT sum(TRY_CAST(n AS HUGEINT)) AS h, avg(${nd}) AS a, min(n) AS mn, max(n) AS mx FROM t`,
  `SELECT time_bucket(INTERVAL '1 hour', ${ts}) AS w, count(*) AS c, string_agg(${s}, ',' ORDER BY ${s}) AS ss FROM t GROUP BY ALL`,
  `SELECT json_type(${oj}) AS k, count(*) AS c, list(id ORDER BY id) AS ids FROM t GROUP BY ALL`,
  `SELECT count(DISTINCT ${s}) AS d, bool_or(${s} = '') AS e, arg_max(id, ${s}) AS am FROM t`,
  `SELECT o AS k, count(*) AS c, min(id) AS first FROM t GROUP BY ALL`,
  `SELECT n AS k, count(*) AS c, max(id) AS last FROM t GROUP BY ALL`,
  `SELECT ts AS k, count(*) AS c FROM t GROUP BY ALL`,
  `SELECT count(DISTINCT n) AS dn, count(DISTINCT o) AS d_o, count(DISTINCT ${nd}) AS dd, min(n) AS lo, max(ts) AS hi, min(o) AS omin FROM t`,
  `SELECT ${s} AS k, list(n ORDER BY id) AS ns, sum(${nd}) AS total FROM t GROUP BY ALL`,
  `SELECT date_trunc('day', ${ts}) AS day, count(*) AS c, min(${s}) AS lo FROM t GROUP BY ALL`,
  `SELECT DISTINCT ${s} AS k FROM t`,
  `SELECT DISTINCT n AS k, o AS p FROM t`,
];
type Ty = "str" | "num" | "ts" | "json" | "bool";
/** Typed expressions composed up to `depth` deep from the templates above and these, seeded by `seed`. */
function composed(seed: number, root: Ty, depth: number): string {
  let state = seed >>> 0 || 1;
  const rnd = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / (1 << 24);
  };
  const pick = <V,>(a: readonly V[]): V => a[Math.floor(rnd() * a.length)]!;
  const leaves: Record<Ty, string[]> = {
    str: [s, s, "CAST(ts AS VARCHAR)", "CAST(n AS VARCHAR)", `${oj} ->> '$.a'`, "CAST(o AS VARCHAR)", "('e' || chr(769))", "'😀👍🏽'", "''", "' x '", "'İı'", "chr(0)", "'\u200f'"],
    num: ["TRY_CAST(n AS BIGINT)", "TRY_CAST(n AS HUGEINT)", nd, "TRY_CAST(n AS DECIMAL(18,3))", "TRY_CAST(n AS FLOAT)", "TRY_CAST(n AS UBIGINT)", "TRY_CAST(n AS INTEGER)", "id", "-1", "0", "9223372036854775807", "1e308", "0.1", "-0.0"],
    ts: [ts, ts, "TRY_CAST(CAST(ts AS VARCHAR) AS DATE)", "TIMESTAMP '2024-02-29 23:59:59.999999'", "TRY_CAST(CAST(ts AS VARCHAR) AS TIMESTAMPTZ)"],
    json: [oj, oj, "to_json(n)", `json_extract(${oj}, '$.x')`, "to_json(s)", "CAST('{\"__proto__\":{\"a\":1},\"a\":[]}' AS JSON)"],
    bool: ["(s IS NULL)", "(n IS NULL)", "(o IS NULL)", "true", "NULL::BOOLEAN"],
  };
  const gen = (ty: Ty, d: number): string => {
    if (d <= 0 || rnd() < 0.2) return pick(leaves[ty]);
    const g = (u: Ty): string => gen(u, d - 1);
    const forms: Record<Ty, (() => string)[]> = {
      str: [
        () => `upper(${g("str")})`, () => `lower(${g("str")})`, () => `reverse(${g("str")})`, () => `substr(${g("str")}, ${pick(["0", "1", "2", "-2", "-1"])}, ${pick(["1", "2", "3"])})`,
        () => `left(${g("str")}, ${pick(["1", "-1", "3"])})`, () => `right(${g("str")}, ${pick(["1", "-1", "3"])})`, () => `trim(${g("str")})`, () => `rtrim(${g("str")}, ${pick(["' '", "'x'", "chr(0)"])})`,
        () => `lpad(${g("str")}, ${pick(["0", "4", "9"])}, ${pick(["'·'", "'😀'", "'ab'"])})`, () => `replace(${g("str")}, ${g("str")}, ${pick(["'-'", "''"])})`,
        () => `regexp_replace(${g("str")}, ${pick(["'[^[:alpha:]]'", "'\\s+'", "'(.)(.)'", "'^.'", "'\\p{L}'", "'[\\x{0300}-\\x{036f}]'"])}, ${pick(["'_'", "'\\2\\1'", "''"])}, ${pick(["'g'", "''", "'i'"])})`,
        () => `regexp_extract(${g("str")}, ${pick(["'(\\d+)'", "'([a-z]+)\\s'", "'(.)'"])}, 1)`, () => `md5(${g("str")})`, () => `sha256(${g("str")})`, () => `${g("str")} || ${g(pick<Ty>(["str", "num", "ts", "bool", "json"]))}`,
        () => `concat_ws('|', ${g("str")}, ${g("num")}, ${g("ts")})`, () => `split_part(${g("str")}, ${pick(["' '", "''", "'é'"])}, ${pick(["1", "2", "-1"])})`, () => `CAST(${g(pick<Ty>(["num", "ts", "bool", "json"]))} AS VARCHAR)`,
        () => `strftime(${g("ts")}, '${pick(["%Y-%m-%d %H:%M:%S.%f", "%c", "%x %X", "%j|%U|%W|%V|%G", "%-d %-m %y %I %p", "%Z %z", "%s"])}')`, () => `json_extract_string(${g("json")}, '${pick(["$.a", "$[0]", "$.__proto__", "$.x.__proto__.y", "$.constructor", "$"])}')`,
        () => `json_type(${g("json")})`, () => `coalesce(${g("str")}, ${g("str")})`, () => `CASE WHEN ${g("bool")} THEN ${g("str")} ELSE ${g("str")} END`, () => `nullif(${g("str")}, '')`,
        () => `strip_accents(${g("str")})`, () => `printf('%-6s|%3d|%.3f', ${g("str")}, ${pick(["1", "-42"])}, ${g("num")})`, () => `format('{:>5}', ${g("str")})`, () => `array_to_string(string_split(${g("str")}, ''), ',')`,
        () => `translate(${g("str")}, 'eé', 'EÉ')`, () => `repeat(${g("str")}, ${pick(["0", "2"])})`, () => `to_base64(encode(${g("str")}))`, () => `greatest(${g("str")}, ${g("str")})`, () => `monthname(${g("ts")})`, () => `dayname(${g("ts")})`,
      ],
      num: [
        () => `(${g("num")} ${pick(["+", "-", "*", "//", "%", "/"])} ${g("num")})`, () => `abs(${g("num")})`, () => `-(${g("num")})`, () => `round(${g("num")}, ${pick(["0", "2", "-1", "26"])})`,
        () => `CAST(${g("num")} AS ${pick(["DOUBLE", "FLOAT", "BIGINT", "HUGEINT", "DECIMAL(38,10)", "DECIMAL(9,4)", "INTEGER", "UBIGINT", "SMALLINT"])})`,
        () => `TRY_CAST(${g(pick<Ty>(["num", "str", "json"]))} AS ${pick(["DOUBLE", "FLOAT", "BIGINT", "HUGEINT", "DECIMAL(38,10)", "DECIMAL(9,4)", "INTEGER", "UBIGINT", "UHUGEINT"])})`,
        () => `length(${g("str")})`, () => `strpos(${g("str")}, ${g("str")})`, () => `ascii(${g("str")})`, () => `unicode(${g("str")})`, () => `length_grapheme(${g("str")})`, () => `octet_length(encode(${g("str")}))`,
        () => `${pick(["exp", "ln", "log10", "log2", "sin", "cos", "tan", "atan", "sqrt", "cbrt", "sign", "floor", "ceil", "trunc", "degrees", "asin", "gamma", "lgamma"])}(${g("num")})`, () => `pow(${g("num")}, ${pick(["2", "0.5", "-1", "3"])})`,
        () => `date_part('${pick(["epoch", "year", "microseconds", "dow", "isodow", "week", "doy", "julian", "era", "century", "quarter"])}', ${g("ts")})`, () => `epoch_ms(${g("ts")})`, () => `date_diff('${pick(["second", "day", "month", "year", "week"])}', ${g("ts")}, ${g("ts")})`,
        () => `json_array_length(${g("json")})`, () => `coalesce(${g("num")}, ${g("num")})`, () => `CASE WHEN ${g("bool")} THEN ${g("num")} ELSE ${g("num")} END`, () => `greatest(${g("num")}, ${g("num")})`,
        () => `hash(${g("str")}) % 1000`, () => `bit_count(TRY_CAST(${g("num")} AS BIGINT))`, () => `(TRY_CAST(${g("num")} AS BIGINT) ${pick(["<<", ">>", "&", "|"])} ${pick(["1", "63", "3"])})`, () => `list_sum([${g("num")}, ${g("num")}])`,
      ],
      ts: [
        () => `date_trunc('${pick(["hour", "day", "week", "month", "quarter", "year", "millisecond"])}', ${g("ts")})`, () => `time_bucket(INTERVAL '${pick(["15 minutes", "1 day", "7 days", "1 month", "90 seconds"])}', ${g("ts")})`,
        () => `(${g("ts")} + INTERVAL '${pick(["1 day", "-1 month", "36 hours", "1 microsecond"])}')`, () => `try_strptime(${g("str")}, '${pick(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f%z", "%d/%m/%Y", "%Y-%m-%d"])}')`,
        () => `CAST(${g("ts")} AS DATE)`, () => `last_day(${g("ts")})`, () => `TRY_CAST(${g("str")} AS TIMESTAMP)`, () => `TRY_CAST(${g("str")} AS DATE)`, () => `make_timestamp(${pick(["2024", "0", "-1", "294247"])}, 2, 29, 23, 59, ${pick(["59.999999", "60", "0"])})`,
        () => `coalesce(${g("ts")}, TIMESTAMP '1970-01-01')`, () => `to_timestamp(${g("num")})`, () => `epoch_ms(TRY_CAST(${g("num")} AS BIGINT))`, () => `greatest(${g("ts")}, ${g("ts")})`,
      ],
      json: [
        () => `json_extract(${g("json")}, '${pick(["$.a", "$[1]", "$.x.__proto__", "$.__proto__", "$.d.d", "$.toString", "$[#-1]", "$.*"])}')`, () => `${g("json")} -> '${pick(["a", "__proto__", "constructor", "0"])}'`,
        () => `to_json(${g(pick<Ty>(["str", "num", "ts", "bool"]))})`, () => `json_object('k', ${g(pick<Ty>(["str", "num", "json"]))}, '__proto__', ${g("num")})`, () => `json_array(${g("str")}, ${g("num")})`,
        () => `to_json([${g("str")}, ${g("str")}])`, () => `to_json({'a': ${g("num")}, 'b': ${g("ts")}})`, () => `json_keys(${g("json")})::JSON`, () => `json_merge_patch(${g("json")}, '{"a":null,"z":1}')`,
      ],
      bool: [
        () => `(${g("str")} ${pick(["=", "<", "<>", "LIKE", "ILIKE", "NOT LIKE"])} ${pick([g("str"), "'%é%'", "'_'"])})`, () => `(${g("num")} ${pick(["=", "<", ">=", "<>", "IS DISTINCT FROM"])} ${g("num")})`,
        () => `regexp_matches(${g("str")}, '${pick(["^\\s", "\\d$", "(?i)é", "^.$", "\\p{Emoji}"])}')`, () => `(${g("ts")} ${pick(["<", "=", ">"])} ${g("ts")})`, () => `contains(${g("str")}, ${g("str")})`, () => `starts_with(${g("str")}, ${g("str")})`,
        () => `json_valid(${g("str")})`, () => `(${g("json")} = ${g("json")})`, () => `isfinite(${g("ts")})`, () => `TRY_CAST(${g("str")} AS BOOLEAN)`, () => `(${g("bool")} ${pick(["AND", "OR"])} ${g("bool")})`, () => `NOT ${g("bool")}`,
        () => `json_exists(${g("json")}, '$.a')`, () => `isnan(${g("num")})`, () => `isinf(${g("num")})`,
      ],
    };
    return pick(forms[ty])();
  };
  return gen(root, depth);
}

const query = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EXPRS).map((e) => `SELECT id, ${e} AS v FROM t`) },
  { weight: 6, arbitrary: fc.tuple(fc.integer(), fc.constantFrom<Ty>("str", "num", "ts", "json", "bool")).map(([seed, ty]) => `SELECT id, ${composed(seed, ty, 3)} AS v FROM t`) },
  { weight: 1, arbitrary: fc.constantFrom(...AGGS) },
  { weight: 1, arbitrary: fc.constantFrom(...EXPRS).map((e) => `SELECT id FROM t WHERE (${e}) IS NOT NULL`) },
);

/** Pinned schemas: what a user who declares the source's columns gets (the messiest values stay text / JSON). */
const PINNED: Schema[] = [
  [{ name: "id", type: "BIGINT" }, { name: "s", type: "VARCHAR" }, { name: "n", type: "JSON" }, { name: "ts", type: "VARCHAR" }, { name: "o", type: "JSON" }],
  [{ name: "id", type: "BIGINT" }, { name: "s", type: "VARCHAR" }, { name: "n", type: "DOUBLE" }, { name: "ts", type: "TIMESTAMP" }, { name: "o", type: "JSON" }],
  [{ name: "id", type: "BIGINT" }, { name: "s", type: "JSON" }, { name: "n", type: "FLOAT" }, { name: "ts", type: "TIMESTAMPTZ" }, { name: "o", type: "STRUCT(a JSON, x JSON)" }],
  [{ name: "id", type: "BIGINT" }, { name: "s", type: "VARCHAR" }, { name: "n", type: "HUGEINT" }, { name: "ts", type: "DATE" }, { name: "o", type: "MAP(VARCHAR, JSON)" }],
];

interface Outcome {
  kind: "agree" | "refused" | "unbindable" | "unreadable" | "differ";
  detail: string;
}

async function runOne(db: DuckDB, texts: string[], sql: string, schema: Schema | undefined): Promise<Outcome> {
  await db.run("DROP VIEW IF EXISTS result");
  // Events DuckDB's reader refuses (bad JSON, or a value that does not fit a pinned column) leave the
  // batch; each must be refused by the executor too: by its parser, or as a conversion dead letter.
  let kept = texts;
  const misfits: string[] = [];
  try {
    await loadJsonTexts(db, "t", texts, schema ? { schema } : {});
  } catch {
    kept = [];
    for (const text of texts) {
      try {
        await loadJsonTexts(db, "t", [text], schema ? { schema } : {});
        kept.push(text);
      } catch (error) {
        const detail = String(error instanceof Error ? error.message : error).split("\n")[0]!;
        try {
          parseEventJson(text);
        } catch {
          continue;
        }
        if (!schema) return { kind: "differ", detail: `DuckDB refuses ${text} (${detail}); the executor's parser reads it` };
        misfits.push(text);
      }
    }
    if (kept.length === 0 && !schema) return { kind: "unreadable", detail: "every event refused" };
    await loadJsonTexts(db, "t", kept, schema ? { schema } : {});
  }
  const c = { name: "fuzz11", sql, rows: [] };
  let plan;
  try {
    plan = compilePlan(await gatherCompileInputs(db, caseNotebook(c)));
  } catch (error) {
    const m = error instanceof Error ? error.message : String(error);
    if (/DuckDB cannot bind/.test(m)) return { kind: "unbindable", detail: m };
    if (error instanceof CompileError) return { kind: "refused", detail: m.split("\n")[0]! };
    return { kind: "differ", detail: `compile threw: ${m}` };
  }
  for (const text of misfits) {
    const ex = buildPipeline({ ...plan, pipelines: plan.pipelines.filter((p) => p.sink === "out") }, { library: defaultLibrary, mode: "dead-letter" });
    const out = ex.run({ source: "t", events: [parseEventJson(text)] });
    // (finish() is left out: an ungrouped aggregate answers one row over no events, as DuckDB does.)
    const written = (out.rows.out ?? []).length;
    if (written > 0 || !out.deadLetters.some((d) => /^field |^event is /.test(d.reason))) {
      return { kind: "differ", detail: `DuckDB's reader refuses ${text} under the pinned schema, but the executor ${written ? `wrote ${written} rows` : `made no conversion dead letter (${out.deadLetters.map((d) => d.reason).join("; ") || "none"})`}` };
    }
  }
  if (kept.length === 0) return { kind: "unreadable", detail: "every event refused by both" };
  const { answer: duck, schema: outSchema } = await duckdbAnswer(db, sql);
  let events: unknown[];
  try {
    events = kept.map((t) => parseEventJson(t));
  } catch (error) {
    return { kind: "differ", detail: `DuckDB reads the events, the executor's parser refuses: ${error instanceof Error ? error.message : error}` };
  }
  let mine: { ok: true; rows: Row[] } | { ok: false; error: string };
  try {
    const ex = buildPipeline({ ...plan, pipelines: plan.pipelines.filter((p) => p.sink === "out") }, { library: defaultLibrary, mode: "throw" });
    const rows = [...(ex.run({ source: "t", events }).rows.out ?? [])];
    rows.push(...(ex.finish().rows.out ?? []));
    mine = { ok: true, rows };
  } catch (error) {
    mine = { ok: false, error: error instanceof SqlError ? error.duckdbText : error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  if (!duck.ok && !mine.ok) {
    if (!errorsAgree(duck.error, mine.error)) return { kind: "differ", detail: `errors differ\n  DuckDB: ${duck.error.split("\n")[0]}\n  plan:   ${mine.error}` };
    // One failing event fails the batch on both sides and hides the others: each alone, then.
    if (kept.length > 1) {
      for (const text of kept) {
        const r = await runOne(db, [text], sql, schema);
        if (r.kind === "differ") return { kind: "differ", detail: `event ${text} alone: ${r.detail}` };
      }
    }
    return { kind: "agree", detail: "both fail" };
  }
  if (!duck.ok || !mine.ok) return { kind: "differ", detail: `DuckDB: ${duck.ok ? `${duck.rows.length} rows` : duck.error.split("\n")[0]}\n  plan:   ${mine.ok ? `${mine.rows.length} rows` : mine.error}` };
  const d = firstDifference(outSchema!, duck.rows, mine.rows);
  if (!d) return { kind: "agree", detail: "" };
  return { kind: "differ", detail: `first differing row: ${d.side === "duckdb" ? "DuckDB" : "the plan"} has ${showRow(d.row)}; the other has ${d.nearest ? showRow(d.nearest) : "no such row"}\n  DuckDB: ${duck.rows.slice(0, 6).map((r) => showRow(r)).join(" ")}\n  plan:   ${mine.rows.slice(0, 6).map((r) => showRow(r)).join(" ")}` };
}

/** Runs `batches` batches × `perBatch` queries from `seed`; returns the differences (deduplicated by query). */
async function fuzz(db: DuckDB, seed: number, batches: number, perBatch: number): Promise<{ differences: string[]; counts: Record<Outcome["kind"] | "bothFail", number> }> {
  const cases = fc.sample(fc.tuple(batch, fc.array(query, { minLength: perBatch, maxLength: perBatch }), fc.integer({ min: 0, max: PINNED.length })), { seed, numRuns: batches });
  const counts: Record<Outcome["kind"], number> = { agree: 0, refused: 0, unbindable: 0, unreadable: 0, differ: 0 };
  const differences: string[] = [];
  const seen = new Set<string>();
  let bothFail = 0;
  for (const [texts, queries, pin] of cases) {
    const schema = pin === PINNED.length ? undefined : PINNED[pin];
    for (const sql of queries) {
      const r = await runOne(db, texts, sql, schema);
      counts[r.kind]++;
      if (r.detail === "both fail") bothFail++;
      if (process.env.RUNNEL_FUZZ11_VERBOSE && r.kind !== "agree" && r.kind !== "differ") console.log(`${r.kind}: ${sql}\n  ${r.detail.slice(0, 300)}`);
      if (r.kind !== "differ" || seen.has(sql)) continue;
      seen.add(sql);
      differences.push(`seed ${seed}, schema ${schema ? JSON.stringify(schema.map((c) => c.type)) : "inferred"}\n  events: ${texts.join(" ")}\n  ${sql}\n  ${r.detail}`);
    }
  }
  return { differences, counts: { ...counts, bothFail } };
}

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("messy event texts through a sink cell give DuckDB's rows or DuckDB's error, or are refused at compile", async () => {
  const wanted = process.env.RUNNEL_FC_SEED ?? "20261206";
  const seed = wanted === "random" ? Date.now() % 2147483647 : Number(wanted);
  const batches = Number(process.env.RUNNEL_FUZZ11_BATCHES ?? 12);
  const { differences, counts } = await fuzz(db, seed, batches, 8);
  console.log(`fast-check seed ${seed} (replay with RUNNEL_FC_SEED=${seed}); ${JSON.stringify(counts)}\n${differences.slice(0, 6).join("\n\n")}`);
  expect(differences.slice(0, 3)).toEqual([]);
  // Most generated cells must compile and run, or the test proves little.
  expect(counts.agree).toBeGreaterThan((batches * 8) / 2);
}, 300_000);

