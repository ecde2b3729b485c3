/**
 * Every scalar function of the library at least once, over rows with NULLs,
 * unicode, empty text, negative and huge numbers, malformed times and nested
 * values; the expected answers come from DuckDB at test time.
 */
import type { ConformanceCase } from "../case.ts";

const rows = [
  { s: "Hello, World", u: "Ünïcode 🦆 straße", n: 7, m: -3, x: 2.5, y: -0.5, ts: "2026-11-22T05:06:07.123Z", d: "2024-02-29", l: [3, 1, 2], j: '{"a": {"b": [1, "two", null]}, "n": 12345678901234567890}', t: " \tpadded\t " },
  { s: "", u: "", n: 0, m: 0, x: 0, y: 1e300, ts: "1970-01-01 00:00:00", d: "1970-01-01", l: [], j: "[]", t: "" },
  { s: null, u: null, n: null, m: null, x: null, y: null, ts: null, d: null, l: null, j: null, t: null },
  { s: "a,b,,c", u: "ÀÉÎ ǅ ß", n: -2147483648, m: 9, x: -1e-7, y: 3.75, ts: "not a time", d: "2023-12-31", l: [null, 5], j: '{"a": 1}', t: "x" },
  { s: "192.168.10.77", u: "日本語テキスト", n: 123456, m: 2, x: 1234.5678, y: -2.5, ts: "2024-03-10 23:59:59.999999", d: "0001-01-01", l: [7], j: "not json", t: "  two  words  " },
];

const schema = [
  { name: "s", type: "VARCHAR" }, { name: "u", type: "VARCHAR" }, { name: "n", type: "INTEGER" }, { name: "m", type: "INTEGER" },
  { name: "x", type: "DOUBLE" }, { name: "y", type: "DOUBLE" }, { name: "ts", type: "VARCHAR" }, { name: "d", type: "DATE" },
  { name: "l", type: "INTEGER[]" }, { name: "j", type: "VARCHAR" }, { name: "t", type: "VARCHAR" },
];

const calls: [string, string][] = [
  ["abs, sign", "abs(m), sign(m), abs(y)"],
  ["round, floor, ceil, trunc", "round(x, 1), round(y), floor(x), ceil(x), ceiling(y), trunc(x)"],
  ["add, subtract, multiply, divide, mod as functions", "add(n, m), subtract(n, m), multiply(m, 3), divide(x, 2), mod(m, 2)"],
  ["pow, power, sqrt, exp, ln, log10, log2", "pow(x, 2), power(2, m), sqrt(abs(x)), exp(y / 1e300), ln(abs(x) + 1), log10(abs(x) + 1), log2(abs(x) + 1)"],
  ["greatest, least, nullif", "greatest(n, m, 1), least(x, y), nullif(m, 0)"],
  ["nullif, list_contains and list literals compare and hold values in their common type (DOUBLE beside DECIMAL literals, INTEGER beside DOUBLE)", "nullif(x, 2.5), nullif(n, 7.0), nullif(y, 0), list_contains([2.5, 0.1], x), list_contains(l, 2.0), contains([1.5, 3.75], y), [x, 1.5], [n, 0.25], [1.5, 2], list_contains(l, m)"],
  ["greatest and least cast every argument to the common type (a DECIMAL literal beside a DOUBLE, an INTEGER beside a DOUBLE)", "greatest(x, 1.5), least(y, 2.25), greatest(m, 0.5), least(n, 2.5, x), greatest(1.5, 2, 0.25)"],
  ["length and its aliases", "length(u), char_length(u), character_length(s), strlen(u)"],
  ["lower, upper, lcase, ucase", "lower(u), upper(u), lcase(s), ucase(s)"],
  ["trim, ltrim, rtrim", "trim(t), ltrim(t), rtrim(t), trim(s, 'Hd')"],
  ["substring, substr, left, right", "substring(u, 2, 3), substr(s, -3), left(u, 4), right(u, 2)"],
  ["concat, concat_ws", "concat(s, '-', n), concat_ws('/', s, u, NULL)"],
  ["split_part, string_split, str_split, string_to_array", "split_part(s, ',', 2), string_split(s, ','), str_split(s, ','), string_to_array(s, ',')"],
  ["starts_with, prefix, ends_with, suffix, contains", "starts_with(s, 'He'), prefix(u, 'Ü'), ends_with(s, 'ld'), suffix(s, 'c'), contains(u, 'ß')"],
  ["strpos, instr, position", "strpos(s, 'o'), instr(u, '🦆'), position('b' IN s)"],
  ["lpad, rpad, repeat, reverse", "lpad(u, 8, '*'), rpad(s, 3, '.'), repeat(s, 2), reverse(u)"],
  ["ascii, chr", "ascii(u), chr(65 + abs(m))"],
  ["md5, sha256", "md5(s), md5(u), sha256(u), sha256(s)"],
  ["translate, replace", "translate(s, 'lo', '01'), replace(u, 'ß', 'ss')"],
  ["regexp_matches, regexp_full_match via SIMILAR TO", "regexp_matches(s, '[0-9]+'), s SIMILAR TO '[0-9.]+'"],
  ["regexp_extract, regexp_replace", "regexp_extract(s, '([0-9]+)\\.([0-9]+)', 2), regexp_replace(s, '[aeiou]', '_', 'g'), regexp_replace(u, '^(.)', '<\\1>')"],
  ["string_split_regex, str_split_regex, regexp_split_to_array", "string_split_regex(s, '[,.]'), str_split_regex(t, '\\s+'), regexp_split_to_array(s, ',+')"],
  ["LIKE / ILIKE with ESCAPE", "s LIKE 'H%!,%' ESCAPE '!', u ILIKE '%STRASSE%', s NOT LIKE '%,,%', u NOT ILIKE 'ü%'"],
  ["GLOB", "s GLOB 'H*', s GLOB '*.*.*'"],
  ["json_extract, json_extract_string, ->>", "json_extract(j, '$.a.b[1]'), json_extract_string(j, '$.a.b[0]'), j ->> '$.n', j ->> 'a'"],
  ["-> (a single arrow outside a lambda function is json_extract)", "j -> '$.a', j -> 'a' -> 'b', j -> '$.n', (j -> 'a') ->> 'b', (j -> '$.a') IS NULL"],
  ["json_keys", "json_keys(j), json_keys(j, '$.a')"],
  ["list_sort, list_reverse_sort, array_sort", "list_sort(l), list_sort(l, 'DESC'), list_sort(l, 'asc', 'NULLS FIRST'), list_reverse_sort(l), array_sort(string_split(s, ','))"],
  ["regexp_extract_all", "regexp_extract_all(s, '[a-z]+'), regexp_extract_all(s, '([0-9])([0-9])', 2), regexp_extract_all(u, '\\w'), regexp_extract_all(t, 'x*'), regexp_extract_all(u, '.')"],
  ["json_extract_path, json_extract_path_text", "json_extract_path(j, 'a'), json_extract_path_text(j, '$.n')"],
  ["json_valid, json_array_length, json_type", "json_valid(j), json_array_length(j, '$.a.b'), json_type(j)"],
  ["to_json", "to_json(l), to_json(s)"],
  ["list_extract, array_extract, list_element, [] indexing", "list_extract(l, 1), array_extract(l, -1), list_element(l, 2), l[1]"],
  ["len, array_length", "len(l), array_length(l)"],
  ["list_contains, array_contains, list_has", "list_contains(l, 1), array_contains(l, 5), list_has(l, NULL)"],
  ["list_value, list_pack, struct_pack", "list_value(n, m), list_pack(s), struct_pack(k := s, v := n)"],
  ["date_trunc, datetrunc, date_part, datepart", "date_trunc('month', d), datetrunc('year', d), date_part('dow', d), datepart('doy', d)"],
  ["year, month, day, quarter, week, dayofweek, dayofyear", "year(d), month(d), day(d), quarter(d), week(d), dayofweek(d), dayofyear(d)"],
  ["hour, minute, second of a timestamp", "hour(TRY_CAST(ts AS TIMESTAMP)), minute(TRY_CAST(ts AS TIMESTAMP)), second(TRY_CAST(ts AS TIMESTAMP))"],
  ["epoch, epoch_ms, epoch_us", "epoch(TRY_CAST(ts AS TIMESTAMP)), epoch_ms(TRY_CAST(ts AS TIMESTAMP)), epoch_us(TRY_CAST(ts AS TIMESTAMP)), epoch_ms(n)"],
  ["to_timestamp, make_date, make_timestamp", "to_timestamp(n), make_date(2024, abs(m) % 12 + 1, 28), make_timestamp(2024, 1, 2, 3, 4, x)"],
  ["strftime, strptime, try_strptime", "strftime(d, '%d/%m/%Y %A'), try_strptime(ts, '%Y-%m-%dT%H:%M:%S.%gZ'), strftime(TRY_CAST(ts AS TIMESTAMP), '%Y-%j %H:%M')"],
  ["to_years … to_microseconds", "to_years(m), to_months(m), to_weeks(m), to_days(n), to_hours(m), to_minutes(m), to_seconds(x), to_milliseconds(m), to_microseconds(n)"],
  ["date_diff, datediff, dayname, monthname, last_day", "date_diff('day', d, DATE '2024-03-01'), datediff('month', d, DATE '2025-01-15'), dayname(d), monthname(d), last_day(d)"],
  ["make_timestamp with seconds out of range fails as DuckDB does", "make_timestamp(2024, 1, 2, 3, 4, x * 1000)"],
  ["time_bucket over a parsed time", "time_bucket(INTERVAL 15 minutes, TRY_CAST(ts AS TIMESTAMP)), time_bucket(INTERVAL 1 month, d)"],
];

export const cases: ConformanceCase[] = [
  ...calls.map(([name, exprs]) => ({ name: `functions: ${name}`, sql: `SELECT ${exprs} FROM t`, rows, schema, expect: "same" as const })),
  {
    name: "functions: a HUGEINT past 10^37 plus a DECIMAL fails as DuckDB's cast of it to the result's DECIMAL does (a Conversion Error, not an overflow)",
    sql: "SELECT CAST(n AS HUGEINT) * 100000000000000000000000000000000 + 0.5 AS v FROM t WHERE n = 123456",
    rows,
    schema,
    expect: "error" as const,
    message: "Conversion Error",
  },
  {
    name: "functions: json_keys on the rows that hold JSON",
    sql: "SELECT json_keys(j) AS k, json_keys(j, '$.a') AS ka, json_keys(j, '$.nope') AS kn FROM t WHERE json_valid(j)",
    rows,
    schema,
    expect: "rows" as const,
  },
  {
    name: "functions: -> on the rows that hold JSON, in a filter and a projection",
    sql: "SELECT j -> '$.a' AS a, j -> 'a' -> 'b' -> 1 AS b1 FROM t WHERE json_valid(j) AND (j -> '$.a') IS NOT NULL",
    rows,
    schema,
    expect: "rows" as const,
  },
];
