/** Windows and group keys over messy streams (helper "agg7", 2026-12-06): odd keys, far times, aggregate states. */
import type { ConformanceCase } from "../case.ts";

const S = (pairs: [string, string][]) => pairs.map(([name, type]) => ({ name, type }));

const oddDoubles = [{ k: "NaN" }, { k: "-0.0" }, { k: "0" }, { k: "nan" }, { k: "-nan" }, { k: "inf" }, { k: "-inf" }, { k: null }, { k: "1e308" }];
const times = [
  { ts: "0001-01-01 00:00:00", v: 1 }, { ts: "0001-01-01 00:00:01", v: 2 }, { ts: "1969-12-31 23:59:59.999999", v: 3 }, { ts: "1970-01-01 00:00:00", v: 4 },
  { ts: "1899-07-14 12:30:00", v: 5 }, { ts: "9999-12-31 23:59:59.999999", v: 6 }, { ts: null, v: 7 }, { ts: "2026-12-06 10:00:00", v: 8 }, { ts: "2026-12-06 10:00:00", v: 9 },
  { ts: "1969-01-01 00:00:00", v: 10 }, { ts: "1600-02-29 01:02:03", v: 11 },
];
const tS = S([["ts", "TIMESTAMP"], ["v", "BIGINT"]]);
/** Without the NULL time: DuckDB 1.4.3's statistics over a stored table key date_trunc's NULL group INT64_MIN (ARCHITECTURE.md, the check's known differences). */
const knownTimes = times.filter((r) => r.ts !== null);

export const cases: ConformanceCase[] = [
  { name: "window-hunt: NaN, -0.0 and 0.0 as group keys", sql: "SELECT CAST(k AS DOUBLE) AS d, count(*) AS n FROM t GROUP BY ALL", rows: oddDoubles },
  { name: "window-hunt: NaN and -0.0 as group keys beside a time window", sql: "SELECT time_bucket(INTERVAL 1 second, TIMESTAMP '2026-01-01') AS w, CAST(k AS DOUBLE) AS d, count(*) AS n FROM t GROUP BY ALL", rows: oddDoubles },
  { name: "window-hunt: count(DISTINCT) of NaN, -0.0, 0.0 and NULL", sql: "SELECT count(DISTINCT CAST(k AS DOUBLE)) AS n, sum(DISTINCT CAST(k AS DOUBLE)) AS s, list(DISTINCT CAST(k AS DOUBLE) ORDER BY CAST(k AS DOUBLE)) AS l FROM t", rows: oddDoubles },
  { name: "window-hunt: min and max of doubles with NaN and infinities", sql: "SELECT min(CAST(k AS DOUBLE)) AS lo, max(CAST(k AS DOUBLE)) AS hi, arg_min(k, CAST(k AS DOUBLE)) AS alo, arg_max(k, CAST(k AS DOUBLE)) AS ahi, sum(CAST(k AS DOUBLE)) AS s FROM t", rows: oddDoubles },
  { name: "window-hunt: -0.0 and 0.0 as keys, which one is shown", sql: "SELECT CAST(k AS DOUBLE)::VARCHAR AS txt, count(*) AS n FROM t GROUP BY CAST(k AS DOUBLE)", rows: [{ k: "-0.0" }, { k: "0" }], expect: "same" },
  { name: "window-hunt: NFC and NFD, ß and SS, trailing spaces are different keys", sql: "SELECT k, upper(k) AS u, count(*) AS n FROM t GROUP BY ALL", rows: [{ k: "é" }, { k: "e\u0301" }, { k: "ß" }, { k: "SS" }, { k: "ss" }, { k: "a " }, { k: "a" }, { k: "a  " }, { k: "" }, { k: null }] },
  { name: "window-hunt: upper() as the key merges what it maps together", sql: "SELECT upper(k) AS u, count(*) AS n, list(k ORDER BY k) AS ks FROM t GROUP BY ALL", rows: [{ k: "é" }, { k: "É" }, { k: "ß" }, { k: "SS" }, { k: "ǅ" }, { k: "ǆ" }, { k: "ﬀ" }, { k: "ı" }, { k: "i" }] },
  { name: "window-hunt: min and max of text compare by UTF-8 bytes, not UTF-16 units", sql: "SELECT min(k) AS lo, max(k) AS hi, arg_max(n, k) AS a, list(k ORDER BY k) AS l, string_agg(k, '|' ORDER BY k DESC) AS s FROM t", rows: [{ k: "\uffff", n: 1 }, { k: "😀", n: 2 }, { k: "\ue000", n: 3 }, { k: "z", n: 4 }] },
  { name: "window-hunt: huge integer keys (UBIGINT past 2^63, HUGEINT)", sql: "SELECT CAST(k AS UBIGINT) AS u, CAST(k AS HUGEINT) AS h, count(*) AS n FROM t GROUP BY ALL", rows: [{ k: "18446744073709551615" }, { k: "18446744073709551615" }, { k: "9223372036854775808" }, { k: "9223372036854775807" }, { k: "0" }] },
  { name: "window-hunt: list and struct keys", sql: "SELECT l, s, count(*) AS n FROM t GROUP BY ALL", rows: [{ l: [1, 2], s: { a: 1 } }, { l: [1, 2], s: { a: 1 } }, { l: [1, null], s: { a: null } }, { l: [], s: null }, { l: null, s: { a: 2 } }, { l: [2, 1], s: { a: 1 } }] },
  { name: "window-hunt: list keys holding -0.0 and NaN", sql: "SELECT [CAST(k AS DOUBLE)] AS l, count(*) AS n FROM t GROUP BY ALL", rows: oddDoubles, expect: "same" },
  { name: "window-hunt: ROLLUP is refused with a message", sql: "SELECT k, count(*) AS n FROM t GROUP BY ROLLUP (k)", rows: [{ k: 1 }], expect: "compile-error", message: "GROUPING SETS" },
  { name: "window-hunt: CUBE is refused with a message", sql: "SELECT k, count(*) AS n FROM t GROUP BY CUBE (k)", rows: [{ k: 1 }], expect: "compile-error", message: "GROUPING SETS" },
  { name: "window-hunt: GROUPING SETS is refused with a message", sql: "SELECT k, count(*) AS n FROM t GROUP BY GROUPING SETS ((k), ())", rows: [{ k: 1 }], expect: "compile-error", message: "GROUPING SETS" },
  { name: "window-hunt: FILTER, DISTINCT and HAVING per window", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS h, count(*) FILTER (WHERE v > 3) AS big, count(DISTINCT v % 2) AS parities, sum(DISTINCT v) AS s FROM t GROUP BY ALL HAVING count(*) > 1 OR max(v) > 7", rows: times, schema: tS },
  { name: "window-hunt: time_bucket of one day, far past and far future", sql: "SELECT time_bucket(INTERVAL 1 day, ts) AS d, count(*) AS n, sum(v) AS s FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: time_bucket of one second, far past and far future", sql: "SELECT time_bucket(INTERVAL 1 second, ts) AS d, count(*) AS n, sum(v) AS s FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: time_bucket of 7 days and of 90 minutes before 1970", sql: "SELECT time_bucket(INTERVAL 7 days, ts) AS w, time_bucket(INTERVAL 90 minutes, ts) AS m, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: time_bucket of a month and a year before 1970 and in year 1", sql: "SELECT time_bucket(INTERVAL 1 month, ts) AS m, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: time_bucket of a year", sql: "SELECT time_bucket(INTERVAL 1 year, ts) AS y, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: date_trunc of each part, far times", sql: "SELECT date_trunc('week', ts) AS w, date_trunc('quarter', ts) AS q, date_trunc('year', ts) AS y, date_trunc('decade', ts) AS dec, date_trunc('millennium', ts) AS mil, count(*) AS n FROM t GROUP BY ALL", rows: knownTimes, schema: tS },
  { name: "window-hunt: date_trunc of a second and a millisecond before 1970", sql: "SELECT date_trunc('second', ts) AS s, date_trunc('millisecond', ts) AS ms, count(*) AS n FROM t GROUP BY ALL", rows: knownTimes, schema: tS },
  { name: "window-hunt: malformed and NULL event times form the NULL bucket", sql: "SELECT time_bucket(INTERVAL 1 minute, TRY_CAST(ts AS TIMESTAMP)) AS m, count(*) AS n, list(ts ORDER BY ts NULLS FIRST) AS raw FROM t GROUP BY ALL", rows: [{ ts: "2026-12-06T10:00:00Z" }, { ts: "yesterday" }, { ts: "2026-13-01 00:00" }, { ts: null }, { ts: "" }, { ts: "2026-02-29 00:00:00" }, { ts: "2026-12-06 10:00:59.999999" }, { ts: "2026-12-06 10:01:00" }] },
  { name: "window-hunt: infinite timestamps as event times", sql: "SELECT time_bucket(INTERVAL 1 hour, TRY_CAST(ts AS TIMESTAMP)) AS m, count(*) AS n FROM t GROUP BY ALL", rows: [{ ts: "infinity" }, { ts: "-infinity" }, { ts: "2026-01-01 00:00:00" }], expect: "same" },
  { name: "window-hunt: date_trunc of infinite timestamps", sql: "SELECT date_trunc('hour', TRY_CAST(ts AS TIMESTAMP)) AS m, count(*) AS n FROM t GROUP BY ALL", rows: [{ ts: "infinity" }, { ts: "-infinity" }, { ts: "2026-01-01 00:00:00" }], expect: "same" },
  { name: "window-hunt: a TIMESTAMPTZ window of one day over far times", sql: "SELECT time_bucket(INTERVAL 1 day, CAST(ts AS TIMESTAMPTZ)) AS d, min(CAST(ts AS TIMESTAMPTZ)) AS lo, max(CAST(ts AS TIMESTAMPTZ)) AS hi, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: a zoned window in Berlin over far times", sql: "SELECT time_bucket(INTERVAL 1 day, CAST(ts AS TIMESTAMPTZ), 'Europe/Berlin') AS d, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: a TIMESTAMP_NS bucket is refused, naming TIMESTAMP", sql: "SELECT time_bucket(INTERVAL 1 hour, CAST(ts AS TIMESTAMP_NS)) AS a, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS, expect: "compile-error", message: "cast to TIMESTAMP instead" },
  { name: "window-hunt: a DATE bucketed by a week", sql: "SELECT time_bucket(INTERVAL 7 days, CAST(ts AS DATE)) AS a, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
];

const big = [{ k: "a", v: 9223372036854775807n }, { k: "a", v: 9223372036854775807n }, { k: "a", v: 9223372036854775806n }, { k: "b", v: -9223372036854775808n }, { k: "b", v: -9223372036854775807n }, { k: "c", v: null }];
const bigS = S([["k", "VARCHAR"], ["v", "BIGINT"]]);
cases.push(
  { name: "window-hunt: sum of BIGINTs near 2^63 is a HUGEINT; avg near 2^63", sql: "SELECT k, sum(v) AS s, avg(v) AS a, avg(v)::VARCHAR AS at, sum(v)::VARCHAR AS st, min(v) AS lo, max(v) AS hi, count(v) AS c FROM t GROUP BY k", rows: big, schema: bigS },
  { name: "window-hunt: sum of DECIMAL(18,2) past 18 digits is a DECIMAL(38,2)", sql: "SELECT k, sum(CAST(v AS DECIMAL(18,2))) AS s, sum(CAST(v AS DECIMAL(18,2)))::VARCHAR AS st, avg(CAST(v AS DECIMAL(18,2)))::VARCHAR AS a FROM t GROUP BY k", rows: [{ k: "a", v: "9999999999999999.99" }, { k: "a", v: "9999999999999999.99" }, { k: "a", v: "0.01" }, { k: "b", v: "-9999999999999999.99" }, { k: "b", v: "-0.01" }], schema: S([["k", "VARCHAR"], ["v", "VARCHAR"]]) },
  { name: "window-hunt: string_agg and list with ORDER BY, DISTINCT and FILTER", sql: "SELECT k, string_agg(s, ',' ORDER BY s DESC) AS a, list(s ORDER BY s DESC NULLS LAST) AS l, string_agg(DISTINCT s, '' ORDER BY s) AS d, list(n) FILTER (WHERE s IS NOT NULL) AS f FROM t GROUP BY k", rows: [{ k: 1, s: "b", n: 1 }, { k: 1, s: "a", n: 1 }, { k: 1, s: null, n: 2 }, { k: 1, s: "b", n: 3 }, { k: 2, s: null, n: 1 }] },
  { name: "window-hunt: arg_max and arg_min with ties keep the first (no top-n)", sql: "SELECT k, arg_max(s, n) AS amax, arg_min(s, n) AS amin, max_by(s, n) AS mb, min_by(n, s) AS nb, arg_max_null(s, n) AS an, arg_min_null(s, n) AS ann FROM t GROUP BY k", rows: [{ k: 1, s: "first", n: 5 }, { k: 1, s: "second", n: 5 }, { k: 1, s: "low1", n: 1 }, { k: 1, s: "low2", n: 1 }, { k: 2, s: null, n: 5 }, { k: 2, s: "x", n: 5 }, { k: 3, s: "x", n: null }] },
  { name: "window-hunt: count(DISTINCT) over NULLs, bool_and/or, stddev of one row, first/last", sql: "SELECT k, count(DISTINCT s) AS cd, count(s) AS c, count(*) AS n, bool_and(b) AS ba, bool_or(b) AS bo, stddev(n) AS sd, stddev_pop(n) AS sp, var_samp(n) AS vs, first(s) AS f, last(s) AS l, any_value(s) AS av FROM t GROUP BY k", rows: [{ k: 1, s: null, b: null, n: 1 }, { k: 1, s: null, b: true, n: null }, { k: 2, s: "x", b: false, n: 3 }, { k: 3, s: null, b: null, n: null }] },
  { name: "window-hunt: approx_count_distinct is refused with the exact function to write", sql: "SELECT approx_count_distinct(k) AS n FROM t", rows: [{ k: 1 }], expect: "compile-error", message: "count(DISTINCT" },
  { name: "window-hunt: min and max of timestamps with zones", sql: "SELECT min(CAST(s AS TIMESTAMPTZ)) AS lo, max(CAST(s AS TIMESTAMPTZ)) AS hi, arg_min(s, CAST(s AS TIMESTAMPTZ)) AS first_s FROM t", rows: [{ s: "2026-01-01 00:30:00+01" }, { s: "2025-12-31 23:30:00+00" }, { s: "2025-12-31 23:30:00-00:30" }, { s: "0001-01-01 00:00:00+14" }] },
  { name: "window-hunt: quantiles, median and mode per window", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS h, median(v) AS m, quantile_disc(v, 0.5) AS q, mode(v) AS mo, quantile_cont(v, [0.1, 0.9]) AS qs FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: mode with ties keeps DuckDB's pick", sql: "SELECT mode(v) AS mo, mode(s) AS ms FROM t", rows: [{ v: 2, s: "b" }, { v: 1, s: "a" }, { v: 1, s: "b" }, { v: 2, s: "a" }] },
  { name: "window-hunt: sum and avg of doubles, fsum, product", sql: "SELECT sum(v) AS s, avg(v) AS a, fsum(v) AS f, product(v) AS p, sumkahan(v) AS k FROM t", rows: [{ v: 1e16 }, { v: 1 }, { v: -1e16 }, { v: 1 }, { v: 0.1 }] },
  { name: "window-hunt: bit_and, bit_or, bit_xor, bool over empty FILTER", sql: "SELECT bit_and(v) AS a, bit_or(v) AS o, bit_xor(v) AS x, bool_and(v > 0) FILTER (WHERE v > 100) AS none, count(*) FILTER (WHERE v > 100) AS zero, sum(v) FILTER (WHERE v > 100) AS nul FROM t", rows: [{ v: 6 }, { v: 3 }, { v: null }] },
  { name: "window-hunt: min and max of lists and structs", sql: "SELECT min(l) AS lo, max(l) AS hi, min(s) AS slo, max(s) AS shi FROM t", rows: [{ l: [1, 2], s: { a: 1, b: "x" } }, { l: [1, null], s: { a: null, b: "y" } }, { l: [1], s: { a: 1, b: null } }, { l: [], s: null }, { l: null, s: { a: 0, b: "z" } }] },
);

const zeros = [{ x: -0.0, v: 1 }, { x: 0.0, v: 2 }, { x: "NaN", v: 3 }, { x: "NaN", v: 4 }, { x: 1, v: 5 }, { x: null, v: 6 }];
const zerosS = S([["x", "DOUBLE"], ["v", "INTEGER"]]);
cases.push(
  { name: "window-hunt: mode over -0.0, 0.0 and NaNs", sql: "SELECT mode(x) AS m, mode(x::VARCHAR) AS mv FROM t", rows: zeros, schema: zerosS },
  { name: "window-hunt: mode over NaNs and a value seen once", sql: "SELECT mode(x) AS m FROM t", rows: [{ x: "NaN" }, { x: 1 }, { x: "NaN" }], schema: S([["x", "DOUBLE"]]) },
  { name: "window-hunt: median and quantiles over -0.0, 0.0 and NaN", sql: "SELECT median(x) AS m, quantile_disc(x, 0.9) AS q9, quantile_disc(x, 0.1) AS q1, quantile_cont(x, 0.5) AS qc FROM t", rows: zeros, schema: zerosS },
  { name: "window-hunt: min, max, first, arg_min over 0.0 then -0.0", sql: "SELECT min(x)::VARCHAR AS lo, max(x)::VARCHAR AS hi, arg_min(v, x) AS am, arg_max(v, x) AS ax, min(v) FILTER (WHERE x = 0) AS f FROM t", rows: [{ x: 0.0, v: 1 }, { x: -0.0, v: 2 }], schema: zerosS },
  { name: "window-hunt: avg and sum of doubles that overflow", sql: "SELECT avg(x) AS a, sum(x) AS s FROM t", rows: [{ x: 1e308 }, { x: 1e308 }], schema: S([["x", "DOUBLE"]]), expect: "same" },
  { name: "window-hunt: sum and avg of FLOAT", sql: "SELECT sum(x) AS s, avg(x) AS a, min(x) AS lo FROM t", rows: [{ x: 0.1 }, { x: 0.2 }, { x: 16777217 }], schema: S([["x", "FLOAT"]]) },
  { name: "window-hunt: aggregates of constants and GROUP BY an ordinal", sql: "SELECT x > 0 AS pos, count(1) AS c, sum(1) AS s, sum(DISTINCT 1) AS d, count(DISTINCT 1) AS cd, max('z') AS z FROM t GROUP BY 1", rows: zeros, schema: zerosS },
  { name: "window-hunt: count(DISTINCT) with FILTER", sql: "SELECT count(DISTINCT x) FILTER (WHERE v > 1) AS c, sum(DISTINCT v) FILTER (WHERE x IS NOT NULL) AS s, list(DISTINCT v ORDER BY v DESC) FILTER (WHERE v % 2 = 0) AS l FROM t", rows: zeros, schema: zerosS },
  { name: "window-hunt: a window whose bucket is not selected", sql: "SELECT count(*) AS n, sum(v) AS s FROM t GROUP BY time_bucket(INTERVAL 1 day, ts)", rows: times, schema: tS },
  { name: "window-hunt: a window's rows filtered after the aggregate", sql: "SELECT h, n FROM (SELECT time_bucket(INTERVAL 1 hour, ts) AS h, count(*) AS n FROM t GROUP BY ALL) WHERE n > 1 OR h IS NULL", rows: times, schema: tS },
  { name: "window-hunt: a day rollup over an hourly window", sql: "SELECT date_trunc('day', h) AS d, sum(n) AS n FROM (SELECT time_bucket(INTERVAL 1 hour, ts) AS h, count(*) AS n FROM t GROUP BY ALL) GROUP BY ALL", rows: times, schema: tS, expect: "compile-error", message: "GROUP BY over the result of another GROUP BY" },
  { name: "window-hunt: a GROUP BY over a cell that groups is refused too", sql: "SELECT n, count(*) AS windows FROM hourly GROUP BY n", cells: { hourly: "SELECT time_bucket(INTERVAL 1 hour, ts) AS h, count(*) AS n FROM t GROUP BY ALL" }, rows: times, schema: tS, expect: "compile-error", message: "publish the inner query as a sink of its own" },
  { name: "window-hunt: two buckets of one time as keys", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS h, date_trunc('day', ts) AS d, count(*) AS n FROM t GROUP BY ALL", rows: knownTimes, schema: tS },
  { name: "window-hunt: buckets of two different times", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS h, time_bucket(INTERVAL 1 hour, ts2) AS h2, count(*) AS n FROM t GROUP BY ALL", rows: [{ ts: "2026-01-01 10:00:00", ts2: "2026-01-02 10:00:00" }, { ts: "2026-01-01 10:30:00", ts2: "2025-01-02 10:00:00" }, { ts: "2026-01-01 11:00:00", ts2: null }], schema: S([["ts", "TIMESTAMP"], ["ts2", "TIMESTAMP"]]) },
  { name: "window-hunt: a bucket of the maximum TIMESTAMP", sql: "SELECT time_bucket(INTERVAL 1 day, ts) AS d, date_trunc('hour', ts) AS h, count(*) AS n FROM t GROUP BY ALL", rows: [{ ts: "294247-01-10 04:00:54.775806" }, { ts: "290309-12-22 (BC) 00:00:00" }, { ts: "2026-01-01 00:00:00" }], schema: S([["ts", "TIMESTAMP"]]), expect: "same" },
  { name: "window-hunt: HAVING with an aggregate that is not selected, over a window", sql: "SELECT time_bucket(INTERVAL 1 day, ts) AS d FROM t GROUP BY ALL HAVING sum(v) > 5 AND count(DISTINCT v) >= 1", rows: times, schema: tS },
  { name: "window-hunt: stddev and var of one row and of equal rows", sql: "SELECT k, stddev(v) AS s, stddev_pop(v) AS p, variance(v) AS va, var_pop(v) AS vp, covar_pop(v, v) AS cp, corr(v, v) AS c FROM t GROUP BY k", rows: [{ k: 1, v: 5 }, { k: 2, v: 3 }, { k: 2, v: 3 }, { k: 3, v: null }] },
  { name: "window-hunt: string_agg with a NULL separator and an empty one", sql: "SELECT string_agg(s, NULL) AS a, string_agg(s, '') AS b, string_agg(DISTINCT s, '-' ORDER BY s DESC) AS c FROM t", rows: [{ s: "b" }, { s: "a" }, { s: null }, { s: "b" }] },
  { name: "window-hunt: bool_and and bool_or of text casts", sql: "SELECT bool_and(CAST(s AS BOOLEAN)) AS a, bool_or(CAST(s AS BOOLEAN)) AS o FROM t", rows: [{ s: "yes" }, { s: "f" }, { s: null }, { s: "TRUE" }] },
);

const epochs = [{ e: 1764000000.0000005 }, { e: 1764000059.9999996 }, { e: 1764000060 }, { e: -0.0000005 }, { e: -1.5 }, { e: null }, { e: 1764000000123.4567 }];
cases.push(
  { name: "window-hunt: a zero-width time_bucket fails as DuckDB fails", sql: "SELECT time_bucket(INTERVAL 0 seconds, ts) AS w, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS, expect: "same" },
  { name: "window-hunt: a negative-width time_bucket fails as DuckDB fails", sql: "SELECT time_bucket(INTERVAL '-1 hour', ts) AS w, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS, expect: "same" },
  { name: "window-hunt: a width of months and days is refused", sql: "SELECT time_bucket(INTERVAL '1 month 1 day', ts) AS w, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS, expect: "compile-error", message: "use a width in months, or in days and smaller units" },
  { name: "window-hunt: a width of a day and two hours", sql: "SELECT time_bucket(INTERVAL '1 day 2 hours', ts) AS w, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS, expect: "same" },
  { name: "window-hunt: date_trunc to an ISO year is refused as a window, naming the parts that are", sql: "SELECT date_trunc('isoyear', ts) AS iy, count(*) AS n FROM t GROUP BY ALL", rows: knownTimes, schema: tS, expect: "compile-error", message: "truncate to microsecond, millisecond, second, minute, hour, day, week, month, quarter, year, decade, century or millennium" },
  { name: "window-hunt: date_trunc to microseconds and milliseconds", sql: "SELECT date_trunc('microseconds', ts) AS us, date_trunc('ms', ts) AS ms, count(*) AS n FROM t GROUP BY ALL", rows: knownTimes, schema: tS },
  { name: "window-hunt: a window over to_timestamp of epoch seconds with a fraction", sql: "SELECT time_bucket(INTERVAL 1 minute, to_timestamp(e)) AS m, count(*) AS n, min(to_timestamp(e)) AS lo FROM t GROUP BY ALL", rows: epochs.filter((r) => r.e === null || r.e < 1e10), schema: S([["e", "DOUBLE"]]) },
  { name: "window-hunt: a window over epoch_ms of a double", sql: "SELECT time_bucket(INTERVAL 1 second, epoch_ms(CAST(e AS BIGINT))) AS s, count(*) AS n FROM t GROUP BY ALL", rows: epochs, schema: S([["e", "DOUBLE"]]), expect: "same" },
  { name: "window-hunt: a window over make_timestamp of microseconds", sql: "SELECT date_trunc('minute', make_timestamp(CAST(e * 1000000 AS BIGINT))) AS m, count(*) AS n FROM t WHERE e IS NOT NULL AND e < 1e10 GROUP BY ALL", rows: epochs, schema: S([["e", "DOUBLE"]]) },
  { name: "window-hunt: a window of a DATE column by month and by week", sql: "SELECT date_trunc('month', d) AS m, time_bucket(INTERVAL 1 week, d) AS w, count(*) AS n FROM t GROUP BY ALL", rows: [{ d: "0001-01-01" }, { d: "1969-12-31" }, { d: "1970-01-01" }, { d: "2026-12-06" }, { d: "9999-12-31" }], schema: S([["d", "DATE"]]) },
  { name: "window-hunt: a window over TIMESTAMPTZ text with offsets, bucketed by an hour", sql: "SELECT time_bucket(INTERVAL 1 hour, TRY_CAST(s AS TIMESTAMPTZ)) AS h, count(*) AS n FROM t GROUP BY ALL", rows: [{ s: "2026-12-06 10:59:59.999999+00" }, { s: "2026-12-06 11:00:00+01" }, { s: "2026-12-06 10:30:00-00:30" }, { s: "2026-12-06T10:00:00Z" }, { s: "2026-12-06 10:00:00 Europe/Berlin" }, { s: "not a time" }] },
  { name: "window-hunt: a window over a timestamp parsed with strptime and a zone", sql: "SELECT time_bucket(INTERVAL 15 minutes, try_strptime(s, '%d/%m/%Y %H:%M:%S %z')) AS q, count(*) AS n FROM t GROUP BY ALL", rows: [{ s: "06/12/2026 10:14:59 +0000" }, { s: "06/12/2026 11:15:00 +0100" }, { s: "31/02/2026 10:00:00 +0000" }, { s: null }] },
);

const intervals = [{ i: "1 month" }, { i: "30 days" }, { i: "720 hours" }, { i: "1 day" }, { i: "24 hours" }, { i: null }];
const iS = S([["i", "INTERVAL"]]);
cases.push(
  { name: "window-hunt: INTERVAL keys that DuckDB counts equal (1 month, 30 days, 720 hours)", sql: "SELECT count(*) AS n FROM t GROUP BY i", rows: intervals, schema: iS },
  { name: "window-hunt: lists of NaN and of NULL are different keys", sql: "SELECT [x] AS l, count(*) AS n FROM t GROUP BY ALL", rows: [{ x: "NaN" }, { x: null }, { x: "NaN" }, { x: "-0.0" }, { x: "0" }], schema: S([["x", "DOUBLE"]]), expect: "same" },
);

// Nested INTERVALs as GROUP BY / DISTINCT keys: `valueKey` (functions/compare.ts) normalises every
// INTERVAL in a key, so `[INTERVAL 1 month]` and `[INTERVAL 30 days]` are one group, as in DuckDB.
cases.push(
  { name: "window-hunt: lists of INTERVALs as keys", sql: "SELECT count(*) AS n FROM t GROUP BY [i]", rows: intervals, schema: iS },
  { name: "window-hunt: structs of INTERVALs as keys", sql: "SELECT count(*) AS n FROM t GROUP BY {'a': i}", rows: intervals, schema: iS },
  { name: "window-hunt: count(DISTINCT) of INTERVALs and of lists of them", sql: "SELECT count(DISTINCT i) AS a, count(DISTINCT [i]) AS b FROM t", rows: intervals, schema: iS },
);

cases.push(
  { name: "window-hunt: list ORDER BY over 0.0 and -0.0", sql: "SELECT list(x ORDER BY x)::VARCHAR AS a, list(x ORDER BY x DESC)::VARCHAR AS d, list(DISTINCT x ORDER BY x)::VARCHAR AS u FROM t", rows: [{ x: 0.0 }, { x: -0.0 }, { x: 1 }, { x: -0.0 }, { x: "NaN" }, { x: null }], schema: S([["x", "DOUBLE"]]) },
  { name: "window-hunt: approx_quantile is refused with the exact function to write", sql: "SELECT approx_quantile(v, 0.5) AS q FROM t", rows: [{ v: 1 }], expect: "compile-error", message: "quantile" },
  { name: "window-hunt: reservoir_quantile is refused", sql: "SELECT reservoir_quantile(v, 0.5) AS q FROM t", rows: [{ v: 1 }], expect: "compile-error", message: "approximate aggregate" },
  { name: "window-hunt: histogram is refused with the list of supported aggregates", sql: "SELECT histogram(v) AS h FROM t", rows: [{ v: 1 }], expect: "compile-error", message: "unsupported aggregate histogram()" },
  { name: "window-hunt: a window function is refused", sql: "SELECT v, sum(v) OVER (ORDER BY v) AS s FROM t", rows: [{ v: 1 }], expect: "compile-error", message: "window function" },
  { name: "window-hunt: QUALIFY is refused", sql: "SELECT k, count(*) AS n FROM t GROUP BY k QUALIFY row_number() OVER (ORDER BY n) = 1", rows: [{ k: 1 }], expect: "compile-error" },
);

cases.push(
  { name: "window-hunt: GROUP BY CAST(ts AS DATE) (per flushed file, not a window), far times included", sql: "SELECT CAST(ts AS DATE) AS d, ts::DATE AS d2, count(*) AS n, sum(v) AS s FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: CAST of a TIMESTAMPTZ AS DATE is the UTC day", sql: "SELECT CAST(TRY_CAST(s AS TIMESTAMPTZ) AS DATE) AS d, count(*) AS n FROM t GROUP BY ALL", rows: [{ s: "2026-12-06 23:30:00-02" }, { s: "2026-12-07 00:30:00+02" }, { s: "2026-12-06 00:00:00+00" }, { s: "x" }, { s: "1969-12-31 23:59:59.999999+00" }] },
  { name: "window-hunt: CAST of a Berlin wall time AS DATE is the Berlin day", sql: "SELECT CAST(TRY_CAST(s AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin' AS DATE) AS d, count(*) AS n FROM t GROUP BY ALL", rows: [{ s: "2026-12-06 23:30:00+00" }, { s: "2026-12-06 22:59:59+00" }, { s: "2026-03-29 00:30:00+00" }, { s: null }] },
  { name: "window-hunt: time_bucket and date_trunc of a DATE (no windows)", sql: "SELECT time_bucket(INTERVAL 7 days, CAST(ts AS DATE), DATE '2000-01-01') AS w, date_trunc('month', CAST(ts AS DATE)) AS m, count(*) AS n FROM t GROUP BY ALL", rows: times, schema: tS },
  { name: "window-hunt: a day computed upstream with ::DATE as a key", sql: "SELECT d, count(*) AS n FROM days GROUP BY ALL", cells: { days: "SELECT ts::DATE AS d, v FROM t WHERE v > 1" }, rows: times, schema: tS },
);

const oldZoned = [{ s: "1500-03-01 10:00:00+00" }, { s: "1582-10-04 23:59:59+00" }, { s: "1582-10-15 00:00:00+00" }, { s: "2026-12-06 10:00:00+00" }];
cases.push(
  { name: "window-hunt: a TIMESTAMPTZ month window before the Gregorian calendar", sql: "SELECT date_trunc('month', CAST(s AS TIMESTAMPTZ)) AS m, count(*) AS n FROM t GROUP BY ALL", rows: oldZoned, expect: "same" },
  { name: "window-hunt: a TIMESTAMPTZ day window before the Gregorian calendar", sql: "SELECT date_trunc('day', CAST(s AS TIMESTAMPTZ)) AS d, time_bucket(INTERVAL 1 day, CAST(s AS TIMESTAMPTZ)) AS b, count(*) AS n FROM t GROUP BY ALL", rows: oldZoned, expect: "same" },
  { name: "window-hunt: a TIMESTAMPTZ cast to DATE before the Gregorian calendar", sql: "SELECT CAST(CAST(s AS TIMESTAMPTZ) AS DATE) AS d, count(*) AS n FROM t GROUP BY ALL", rows: oldZoned, expect: "same" },
);

cases.push(
  { name: "window-hunt: UUID keys written in capitals, braces and plain", sql: "SELECT CAST(u AS UUID) AS id, count(*) AS n FROM t GROUP BY ALL", rows: [{ u: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11" }, { u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" }, { u: "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}" }, { u: "a0eebc999c0b4ef8bb6d6bb9bd380a11" }] },
  { name: "window-hunt: BLOB and TIME keys", sql: "SELECT CAST(b AS BLOB) AS bl, CAST(tm AS TIME) AS tm, count(*) AS n FROM t GROUP BY ALL", rows: [{ b: "\\x00\\xFF", tm: "23:59:59.999999" }, { b: "\\x00\\xff", tm: "23:59:59.999999" }, { b: "", tm: "00:00:00" }, { b: null, tm: "24:00:00" }], expect: "same" },
  { name: "window-hunt: DECIMAL keys of one value at different scales", sql: "SELECT CAST(d AS DECIMAL(10,2)) AS k, count(*) AS n, sum(CAST(d AS DECIMAL(10,4))) AS s FROM t GROUP BY ALL", rows: [{ d: "1.5" }, { d: "1.50" }, { d: "1.499" }, { d: "-0.00" }, { d: "0" }] },
);
