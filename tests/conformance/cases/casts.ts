/** CAST, ::, TRY_CAST and failures; arithmetic types and overflow. */
import type { ConformanceCase } from "../case.ts";

const mixed = [
  { s: "12", i: 7, d: 2.5, b: true },
  { s: " 42 ", i: -3, d: -0.5, b: false },
  { s: "1e3", i: 0, d: 12345.678, b: null },
  { s: null, i: null, d: null, b: null },
];

const infinities = [{ ts: "infinity" }, { ts: "-infinity" }, { ts: "2024-03-10 12:34:56.789" }, { ts: null }];
// As text: read_json's own timestamp detection reads 'infinity' with a format, as 1900-01-01.
const asText = [{ name: "ts", type: "VARCHAR" }];

export const cases: ConformanceCase[] = [
  {
    name: "infinite timestamps and dates: dayname, monthname, last_day, epoch*, date_diff are NULL; ± an interval or days stays infinite; isinf/isfinite; AT TIME ZONE keeps them",
    sql: "SELECT ts, dayname(t) AS a, monthname(d) AS b, last_day(t) AS c, epoch_ms(t) AS e1, epoch(d) AS e2, epoch_us(z) AS e3, date_diff('day', t, TIMESTAMP '2024-01-01') AS f, t + INTERVAL 1 MONTH AS g, d - INTERVAL 1 DAY AS h, d + 3 AS i, z + INTERVAL 1 HOUR AS j, isinf(t) AS k, isfinite(d) AS l, t AT TIME ZONE 'America/New_York' AS m, timezone('UTC', z) AS n FROM (SELECT ts, TRY_CAST(ts AS TIMESTAMP) AS t, TRY_CAST(ts AS DATE) AS d, TRY_CAST(ts AS TIMESTAMPTZ) AS z FROM t)",
    rows: infinities,
    schema: asText,
  },
  { name: "'inf' (any case, nothing after it) is infinity as a DATE or TIMESTAMP, as DuckDB reads it", sql: "SELECT s, TRY_CAST(s AS DATE) AS d, TRY_CAST(s AS TIMESTAMP) AS t FROM t", rows: [{ s: "inf" }, { s: "-INF" }, { s: " inf" }, { s: "inf " }, { s: "infinit" }, { s: "infinity " }], schema: [{ name: "s", type: "VARCHAR" }] },
  { name: "a TIMESTAMP or DATE moved past DuckDB's range by an interval or days fails with its error", sql: "SELECT TRY_CAST(ts AS TIMESTAMP) + INTERVAL 1 YEAR AS a FROM t", rows: [{ ts: "2024-01-01" }, { ts: "294247-01-10 04:00:54" }], schema: asText, expect: "error" },
  { name: "a DATE plus days past DuckDB's range fails with its error", sql: "SELECT TRY_CAST(ts AS DATE) + 1 AS a FROM t", rows: [{ ts: "2024-01-01" }, { ts: "5881580-07-10" }], schema: asText, expect: "error" },
  { name: "a TIMESTAMP moved near DuckDB's range edge by an interval stays in it", sql: "SELECT TRY_CAST(ts AS TIMESTAMP) - INTERVAL 1 MICROSECOND AS a, TRY_CAST(ts AS DATE) - 1 AS b FROM t", rows: [{ ts: "294247-01-10 04:00:54.775806" }, { ts: "5881580-07-10" }], schema: asText },
  { name: "strftime of a year BC: %y drops the sign, %G writes DuckDB's last four digits of an unsigned year", sql: "SELECT strftime(make_date(y, 3, 15), '%y|%-y|%G|%Y|%V') AS s FROM t", rows: [{ y: -43 }, { y: -9000 }, { y: 12345 }, { y: 2024 }, { y: 5 }], schema: [{ name: "y", type: "INTEGER" }] },
  { name: "INTERVAL × DECIMAL takes the DECIMAL as a DOUBLE (DuckDB's overload)", sql: "SELECT INTERVAL '1 month 3 days 5 hours' * d AS a, d * INTERVAL 1 HOUR AS b, INTERVAL 90 MINUTE * 1.5 AS c FROM t", rows: [{ d: "1.5" }, { d: "0.1" }, { d: "-2.25" }, { d: null }], schema: [{ name: "d", type: "DECIMAL(6,2)" }] },
  { name: "subtracting an infinite timestamp fails with DuckDB's error", sql: "SELECT TRY_CAST(ts AS TIMESTAMP) - TIMESTAMP '2024-01-01' AS v FROM t", rows: infinities, schema: asText, expect: "error" },
  { name: "an infinite TIMESTAMP cast to TIME fails with DuckDB's error", sql: "SELECT CAST(TRY_CAST(ts AS TIMESTAMP) AS TIME) AS v FROM t", rows: infinities, schema: asText, expect: "error" },
  { name: "a TIMESTAMPTZ cast to TIME is DuckDB's Conversion Error (no such cast)", sql: "SELECT CAST(TRY_CAST(ts AS TIMESTAMPTZ) AS TIME) AS v FROM t", rows: infinities.slice(2), schema: asText, expect: "error" },
  {
    name: "VARCHAR to BLOB: ASCII and \\xHH escapes; non-ASCII text or a bad escape is NULL under TRY_CAST",
    sql: "SELECT s, TRY_CAST(s AS BLOB) AS b, octet_length(TRY_CAST(s AS BLOB)) AS n FROM t",
    rows: [{ s: "abc" }, { s: "a\\x41\\xfF" }, { s: "é" }, { s: "a\\x4" }, { s: "a\\xZZ" }, { s: "a\\X41" }, { s: "" }, { s: null }],
  },
  { name: "VARCHAR with a non-ASCII character cast to BLOB fails with DuckDB's Conversion Error", sql: "SELECT CAST(s AS BLOB) AS b FROM t", rows: [{ s: "ok" }, { s: "straße" }], expect: "error" },
  { name: "TRY_CAST into a LIST or STRUCT is element by element and field by field: a value that does not convert is NULL where it stands", sql: "SELECT TRY_CAST([s, '7', NULL] AS INTEGER[]) AS l, TRY_CAST({'a': s, 'b': '2'} AS STRUCT(a INTEGER, b INTEGER)) AS st, TRY_CAST([[s], ['8']] AS INTEGER[][]) AS ll, TRY_CAST('[1, ' || s || ']' AS INTEGER[]) AS txt, TRY_CAST('[{a: 1}, {a: ' || s || '}]' AS STRUCT(a INTEGER)[]) AS sts FROM t", rows: [{ s: "12" }, { s: "x" }, { s: "" }, { s: "a,b" }, { s: "quote'd" }, { s: "J}x" }, { s: null }, { s: "[3]" }] },
  { name: "numeric literals in exponent form are DOUBLE: their value and type survive constant folding, named as DuckDB names them", sql: "SELECT i, 2.5e-3 AS a, -2.5e-3 * i AS b, 1e3 + i AS c, 1.5E+2, 0.1e1 + 0.2 AS e, 1e300 * 10 AS f FROM t", rows: mixed },
  { name: "make_timestamp of a day its month does not have fails with DuckDB's Conversion Error", sql: "SELECT make_timestamp(2024, 2, i, 0, 0, 0) AS v FROM t", rows: [{ i: 30 }], schema: [{ name: "i", type: "INTEGER" }], expect: "error" },
  { name: "substring past DuckDB's 32-bit offset fails with its Out of Range Error", sql: "SELECT substr(s, i) AS v FROM t", rows: [{ s: "abc", i: 4294967296n }], schema: [{ name: "s", type: "VARCHAR" }, { name: "i", type: "BIGINT" }], expect: "error" },
  { name: "left past DuckDB's 32-bit length fails with its Out of Range Error", sql: "SELECT left(s, i) AS v FROM t", rows: [{ s: "abc", i: 9223372036854775807n }], schema: [{ name: "s", type: "VARCHAR" }, { name: "i", type: "BIGINT" }], expect: "error" },
  { name: "format() prints a DECIMAL as the DOUBLE DuckDB hands to fmt", sql: "SELECT format('{}|{}|{}', CAST(i AS DECIMAL(10,3)), floor(greatest(99.999, i)), CAST(i AS DECIMAL(30,2))) AS v FROM t", rows: [{ i: 5 }, { i: -12 }, { i: null }], schema: [{ name: "i", type: "BIGINT" }] },
  { name: "TIMESTAMP - DATE casts the DATE to a TIMESTAMP (an INTERVAL), either way round", sql: "SELECT ts - CAST(ts AS DATE) - INTERVAL 1 HOUR AS a, CAST(ts AS DATE) - ts AS b, ts - date_trunc('decade', ts) AS c FROM t", rows: [{ ts: "2024-01-02 10:00:00" }, { ts: "1969-12-31 23:59:59.5" }, { ts: null }], schema: [{ name: "ts", type: "TIMESTAMP" }] },
  { name: "round(integer, negative digits) wraps as DuckDB's C++ does near the type's limits", sql: "SELECT b, round(b, -1) AS r1, round(b, -2) AS r2, round(b, -18) AS r18, round(b, -19) AS r19, round(CAST(b % 2147483648 AS INTEGER), -1) AS i1, round(CAST(b % 128 AS TINYINT), -1) AS t1 FROM t", rows: [{ b: 9223372036854775807n }, { b: -9223372036854775808n }, { b: 9223372036854775801n }, { b: 2147483647n }, { b: 127n }, { b: -15n }, { b: null }], schema: [{ name: "b", type: "BIGINT" }] },
  { name: "to_timestamp past 2^63 microseconds fails with DuckDB's Conversion Error; down to -2^63 it answers", sql: "SELECT x, to_timestamp(x) AS v FROM t", rows: [{ x: 9223372036855 }], schema: [{ name: "x", type: "DOUBLE" }], expect: "error" },
  { name: "to_timestamp near its lower bound", sql: "SELECT x, to_timestamp(x) AS v FROM t", rows: [{ x: -9223372022401 }, { x: -9223372036854.775 }, { x: 1700000000.5 }], schema: [{ name: "x", type: "DOUBLE" }] },
  { name: "round(DECIMAL(w,s), d) with -d at least w - s is DuckDB's constant 0, on NULL rows too", sql: "SELECT x, round(x, -1) AS a, round(x, -3) AS b, round(round(TRY_CAST(x AS DECIMAL(5,4)), -1), 1) AS c FROM t", rows: [{ x: "7.50" }, { x: null }, { x: "5555.25" }, { x: "-9999.99" }], schema: [{ name: "x", type: "DECIMAL(6,2)" }] },
  { name: "the JSON functions over a STRUCT (a webhook payload): DuckDB casts it to JSON first", sql: "SELECT json_extract_string(p, '$.a') AS a, p ->> 'b' AS b, p -> '$.a' AS ja, json_keys(p) AS k, json_extract_string(p, ['$.a', '$.b']) AS ab, json_type(p) AS t, json_exists(p, '$.c') AS e FROM t", rows: [{ p: { a: "x1", b: 1 } }, { p: null }, { p: { a: "Zoë \"q\"", b: null } }], schema: [{ name: "p", type: "STRUCT(a VARCHAR, b BIGINT)" }] },
  { name: "substring of an ASCII column past its ends clamps as DuckDB's ASCII path does", sql: "SELECT s, substr(s, 100, -1) AS a, substring(s, -4294967296, 2) AS b, substr(s, 5, -3) AS c FROM t", rows: [{ s: "v" }, { s: "hello" }, { s: "" }, { s: null }], schema: [{ name: "s", type: "VARCHAR" }] },
  { name: "CAST string to INTEGER", sql: "SELECT s, CAST(s AS INTEGER) AS v FROM t WHERE s <> '1e3'", rows: mixed },
  { name: ":: casts like CAST", sql: "SELECT i::VARCHAR AS a, d::INTEGER AS b, b::INTEGER AS c FROM t", rows: mixed },
  { name: "TRY_CAST gives NULL on failure", sql: "SELECT s, TRY_CAST(s AS INTEGER) AS v FROM t", rows: mixed },
  { name: "a failing CAST fails the query like DuckDB", sql: "SELECT CAST(s AS INTEGER) AS v FROM t", rows: [{ s: "nope" }], expect: "error" },
  { name: "CAST double to integer rounds half to even", sql: "SELECT d, CAST(d AS INTEGER) AS v, CAST(d AS BIGINT) AS w FROM t", rows: [{ d: 0.5 }, { d: 1.5 }, { d: 2.5 }, { d: -2.5 }, { d: 2.4999 }] },
  { name: "CAST out of range fails", sql: "SELECT CAST(d AS TINYINT) AS v FROM t", rows: [{ d: 300 }], expect: "error" },
  { name: "CAST to DECIMAL", sql: "SELECT d, CAST(d AS DECIMAL(10,2)) AS v FROM t", rows: [{ d: 1.005 }, { d: -2.675 }, { d: 123.456 }] },
  { name: "CAST string to DOUBLE", sql: "SELECT s, CAST(s AS DOUBLE) AS v FROM t", rows: [{ s: "1.5" }, { s: "-1e-3" }, { s: "NaN" }, { s: "inf" }, { s: "  7 " }] },
  { name: "CAST string to BOOLEAN", sql: "SELECT s, TRY_CAST(s AS BOOLEAN) AS v FROM t", rows: [{ s: "true" }, { s: "F" }, { s: "yes" }, { s: "0" }, { s: "maybe" }] },
  { name: "CAST string to TIMESTAMP", sql: "SELECT s, TRY_CAST(s AS TIMESTAMP) AS v FROM t", rows: [{ s: "2026-11-22 10:00:00" }, { s: "2026-11-22T10:00:00Z" }, { s: "2026-11-22" }, { s: "2026-13-01" }, { s: "x" }] },
  { name: "CAST string to DATE", sql: "SELECT s, TRY_CAST(s AS DATE) AS v FROM t", rows: [{ s: "2024-02-29" }, { s: "2023-02-29" }, { s: "0001-01-01" }, { s: "" }] },
  { name: "CAST timestamp to DATE and VARCHAR", sql: "SELECT CAST(ts AS DATE) AS d, CAST(ts AS VARCHAR) AS s FROM t", rows: [{ ts: "2026-11-22 10:00:00" }, { ts: "1969-12-31 23:59:59" }] },
  { name: "CAST numbers to VARCHAR", sql: "SELECT CAST(i AS VARCHAR) AS a, CAST(d AS VARCHAR) AS b FROM t", rows: mixed },
  { name: "CAST a failing timestamp fails like DuckDB", sql: "SELECT CAST(s AS TIMESTAMP) AS v FROM t", rows: [{ s: "not a time" }], expect: "error" },
  { name: "integer + integer stays INTEGER", sql: "SELECT i + i AS v, i - 1 AS w, i * 3 AS x FROM t", rows: mixed },
  { name: "integer overflow fails like DuckDB", sql: "SELECT a + a AS v FROM t", rows: [{ a: 2147483647 }], schema: [{ name: "a", type: "INTEGER" }], expect: "error" },
  { name: "BIGINT overflow fails like DuckDB", sql: "SELECT a * 2 AS v FROM t", rows: [{ a: 9223372036854775807n }], schema: [{ name: "a", type: "BIGINT" }], expect: "error" },
  { name: "/ gives DOUBLE", sql: "SELECT i / 2 AS v, 1 / 2 AS half FROM t", rows: mixed },
  { name: "// is integer division", sql: "SELECT i // 2 AS v FROM t", rows: mixed },
  { name: "division by zero gives NULL", sql: "SELECT i / 0 AS a, i // 0 AS b, i % 0 AS c FROM t", rows: mixed },
  { name: "% keeps the sign of the dividend", sql: "SELECT i % 4 AS v FROM t", rows: [{ i: 7 }, { i: -7 }, { i: 0 }] },
  { name: "integer and double arithmetic gives DOUBLE", sql: "SELECT i + d AS a, i * d AS b FROM t", rows: mixed },
  { name: "decimal literals keep DECIMAL", sql: "SELECT i + 1.5 AS a, 0.1 + 0.2 AS b FROM t", rows: mixed },
  { name: "unary minus", sql: "SELECT -i AS a, -d AS b FROM t", rows: mixed },
  { name: "double arithmetic with NaN and infinity", sql: "SELECT d * 2 AS a, d - d AS b FROM t", rows: [{ d: "NaN" }, { d: "Infinity" }, { d: 1.5 }], schema: [{ name: "d", type: "DOUBLE" }] },
  { name: "timestamp minus timestamp is an INTERVAL", sql: "SELECT b - a AS gap FROM t", rows: [{ a: "2026-11-22 10:00:00", b: "2026-11-23 11:30:00" }] },
  { name: "timestamp plus an INTERVAL", sql: "SELECT a + INTERVAL 90 minutes AS later, a - INTERVAL 1 day AS before FROM t", rows: [{ a: "2026-11-22 10:00:00" }, { a: "2024-02-29 23:00:00" }] },
  { name: "date plus integer days", sql: "SELECT d + 1 AS next, d - 365 AS ago FROM t", rows: [{ d: "2024-02-28" }, { d: "2024-12-31" }] },
  { name: "constant folding of literal arithmetic", sql: "SELECT i, 2 * 3 + 1 AS seven, 'a' || 'b' AS ab FROM t", rows: mixed },
  { name: "string concatenation with ||", sql: "SELECT s || '/' || i AS v FROM t", rows: mixed },
];

cases.push(
  { name: "UUID columns read from JSON text", sql: "SELECT u FROM t", rows: [{ u: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11" }, { u: "{a0eebc999c0b4ef8bb6d6bb9bd380a11}" }, { u: null }], schema: [{ name: "u", type: "UUID" }] },
  { name: "TRY_CAST text to UUID gives NULL for text that is not one", sql: "SELECT s, TRY_CAST(s AS UUID) AS u FROM t", rows: [{ s: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" }, { s: "not-a-uuid" }, { s: "a0eebc99" }] },
  { name: "CAST text to UUID fails like DuckDB for text that is not one", sql: "SELECT CAST(s AS UUID) AS u FROM t", rows: [{ s: "not-a-uuid" }], expect: "error" },
);
