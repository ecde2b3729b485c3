/** GROUP BY over a time bucket (tumbling windows), per-flush GROUP BY, aggregates, HAVING. */
import type { ConformanceCase } from "../case.ts";

const readings = [
  { station: "A", ts: "2026-11-22 10:00:05", n: 3, x: 1.5, user: "u1" },
  { station: "A", ts: "2026-11-22 10:00:59", n: 4, x: 2.25, user: "u2" },
  { station: "B", ts: "2026-11-22 10:00:30", n: null, x: null, user: "u1" },
  { station: "A", ts: "2026-11-22 10:01:00", n: 10, x: -1, user: "u1" },
  { station: null, ts: "2026-11-22 10:02:10", n: 7, x: 0.1, user: null },
  { station: "B", ts: "2026-11-22 11:30:00", n: 2147483647, x: 1e300, user: "u3" },
  { station: "B", ts: "2026-11-22 11:30:01", n: 2147483647, x: 1e300, user: "u3" },
  { station: "C", ts: "2026-11-23 00:00:00", n: -5, x: 0.2, user: "u2" },
  { station: "A", ts: "2026-12-01 00:00:00", n: 0, x: 0.3, user: "u4" },
];

const bucket = "time_bucket(INTERVAL 1 minute, ts)";

/** Ties, NULL args and NULL values, empty text, unicode and a group of NULLs only, in arrival order. */
const events = [
  { k: "a", v: 10, s: "x", b: true, ts: "2026-11-22 10:00:01" },
  { k: "a", v: 10, s: null, b: null, ts: "2026-11-22 10:00:02" },
  { k: "a", v: null, s: "ü🦆", b: false, ts: "2026-11-22 10:00:03" },
  { k: "a", v: 3, s: "", b: true, ts: "2026-11-22 10:00:04" },
  { k: "b", v: null, s: null, b: null, ts: "2026-11-22 10:00:05" },
  { k: "c", v: -1, s: "q", b: true, ts: "2026-11-22 10:01:00" },
  { k: null, v: 7, s: "n", b: false, ts: "2026-11-22 10:02:00" },
];

/** Values with ties, NULLs, NaN and infinities, big integers and unicode, for the quantiles and mode. */
const quantileRows = [
  { k: "a", v: 1, x: 0.5, s: "b", ts: "2026-11-22 10:00:00.000001" },
  { k: "a", v: 2, x: 2.5, s: "a", ts: "2026-11-22 10:00:07" },
  { k: "a", v: 4, x: null, s: "a", ts: "2026-11-22 10:00:09.5" },
  { k: "a", v: null, x: -3, s: "b", ts: "2026-11-22 10:00:40" },
  { k: "a", v: 4, x: 1e300, s: "ü", ts: "2026-11-22 10:00:41" },
  { k: "b", v: -7, x: "NaN", s: "🦆", ts: "2026-11-22 10:01:00" },
  { k: "b", v: 9007199254740993, x: "Infinity", s: null, ts: "2026-11-22 10:01:30" },
  { k: "b", v: 0, x: "-Infinity", s: "🦆", ts: "2026-11-22 10:01:31" },
  { k: "c", v: null, x: null, s: null, ts: "2026-11-22 10:02:00" },
  { k: "d", v: 5, x: -0.0, s: "z", ts: "2026-11-22 10:03:00" },
  { k: "d", v: 6, x: 0.0, s: "y", ts: "2026-11-22 10:03:01" },
  { k: "d", v: 7, x: 0.1, s: "x", ts: "2026-11-22 10:03:02" },
];

const quantileSchema = [
  { name: "k", type: "VARCHAR" }, { name: "v", type: "BIGINT" }, { name: "x", type: "DOUBLE" }, { name: "s", type: "VARCHAR" }, { name: "ts", type: "TIMESTAMP" },
];

export const cases: ConformanceCase[] = [
  { name: "arg_max / arg_min: first row on ties, rows with a NULL arg or value skipped; max_by, min_by", sql: "SELECT k, arg_max(s, v) AS hi, arg_min(s, v) AS lo, max_by(s, v) AS hi2, min_by(ts, v) AS lo_ts FROM t GROUP BY k", rows: events },
  { name: "arg_max_null keeps a NULL arg; arg_min_null", sql: "SELECT k, arg_max_null(s, v) AS hi, arg_min_null(b, v) AS lo FROM t GROUP BY k", rows: events },
  { name: "bool_and, bool_or and count_if skip NULLs (a group of NULLs gives NULL)", sql: "SELECT k, bool_and(b) AS all_b, bool_or(b) AS any_b, count_if(b) AS n_b, countif(v > 5) AS big FROM t GROUP BY k", rows: events },
  { name: "string_agg, listagg, group_concat in arrival order; NULLs skipped; empty text kept", sql: "SELECT k, string_agg(s, ' | ') AS joined, listagg(s) AS commas, group_concat(s, '') AS glued FROM t GROUP BY k", rows: events },
  { name: "list and array_agg keep NULLs in arrival order; list(DISTINCT)", sql: "SELECT k, list(v) AS vs, array_agg(s) AS ss, list(DISTINCT v) AS dv FROM t GROUP BY k", rows: events },
  { name: "first and last keep NULLs, any_value skips them", sql: "SELECT k, first(s) AS f, last(s) AS l, arbitrary(v) AS a, any_value(s) AS av FROM t GROUP BY k", rows: events },
  { name: "string_agg and list ordered by the aggregated value itself (ASC, DESC, NULLS FIRST, DISTINCT)", sql: "SELECT k, string_agg(s, '|' ORDER BY s) AS up, string_agg(s ORDER BY s DESC) AS down, string_agg(DISTINCT s, ',' ORDER BY s) AS once, list(v ORDER BY v DESC NULLS FIRST) AS vs, list(s ORDER BY s) AS ss FROM t GROUP BY k", rows: events },
  { name: "string_agg ordered by another column is refused (DuckDB's order among equal keys is not fixed)", sql: "SELECT k, string_agg(s, ',' ORDER BY v) AS x FROM t GROUP BY k", rows: events, expect: "compile-error", message: "order by the aggregated value itself" },
  { name: "the new aggregates in a one-minute window", sql: "SELECT k, time_bucket(INTERVAL 1 minute, ts) AS m, arg_max(s, ts) AS newest, string_agg(s, ',') AS ss, list(v) AS vs, bool_or(b) AS any_b FROM t GROUP BY ALL", rows: events },
  { name: "the new aggregates over no rows (no GROUP BY)", sql: "SELECT arg_max(s, v) AS a, string_agg(s, ',') AS s, list(v) AS l, bool_and(b) AS b, count_if(b) AS c, first(s) AS f FROM t WHERE v > 1000", rows: events },
  { name: "median, quantile_cont and quantile_disc of integers (DOUBLE, interpolated) and of DOUBLE with NaN and infinities", sql: "SELECT k, median(v) AS med, quantile_cont(v, 0.25) AS q1, quantile_disc(v, 0.75) AS q3, quantile(v, 0.5) AS qd, median(x) AS mx, quantile_cont(x, 0.9) AS x90, quantile_disc(x, 0.1) AS x10 FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema },
  { name: "quantiles as lists, in the order asked; a DOUBLE quantile; a negative quantile counts from the top", sql: "SELECT k, quantile_cont(v, [0.9, 0.1, 0.5]) AS qs, quantile_disc(v, [0.5, 0.0, 1.0]) AS ds, quantile_disc(v, 0.3::DOUBLE) AS d3, quantile_cont(x, -0.25) AS top, quantile_disc(v, -0.6) AS dtop FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema },
  { name: "percentile_cont / percentile_disc WITHIN GROUP (ORDER BY x [DESC])", sql: "SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY v DESC) AS p90d, percentile_cont(0.3) WITHIN GROUP (ORDER BY x DESC) AS p30d FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema },
  { name: "median of timestamps and dates (TIMESTAMP, rounded to the microsecond), of text (discrete), of a DECIMAL (truncated)", sql: "SELECT k, median(ts) AS mts, quantile_cont(ts, 0.3) AS q3ts, median(ts::DATE) AS mday, median(s) AS ms, quantile_disc(s, 0.9) AS s90, median((v % 1000)::DECIMAL(9,2) / 3) AS mdec, quantile_cont(v::FLOAT, 0.37) AS mf FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema },
  { name: "mode: the most frequent value, the first seen on ties, NULLs skipped; mode() WITHIN GROUP", sql: "SELECT k, mode(v) AS mv, mode(s) AS ms, mode() WITHIN GROUP (ORDER BY x) AS mx, mode() WITHIN GROUP (ORDER BY s DESC) AS msd FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema },
  { name: "quantiles per one-minute window, and over no rows", sql: "SELECT time_bucket(INTERVAL 1 minute, ts) AS m, median(v) AS med, quantile_cont(x, 0.95) AS p95, mode(s) AS top FROM t GROUP BY ALL", rows: quantileRows, schema: quantileSchema },
  { name: "quantiles over no rows give NULL", sql: "SELECT median(v) AS m, quantile_cont(v, [0.5]) AS l, quantile_disc(s, 0.5) AS d, mode(v) AS o FROM t WHERE v > 10000", rows: quantileRows, schema: quantileSchema },
  { name: "stddev, stddev_pop, variance, var_pop of integers, DOUBLE and DECIMAL (NULL for one value where DuckDB gives NULL)", sql: "SELECT k, stddev(v) AS sd, stddev_pop(v) AS sdp, variance(x) FILTER (WHERE abs(x) < 1e6) AS vx, var_pop(x) FILTER (WHERE abs(x) < 1e6) AS vpx, var_samp(v::DECIMAL(20,2) / 7) AS vd, stddev_samp(v) FILTER (WHERE v < 100) AS sdf FROM t WHERE k <> 'b' GROUP BY k", rows: quantileRows, schema: quantileSchema },
  { name: "stddev over an infinity is DuckDB's out-of-range error", sql: "SELECT k, stddev(x) AS sd FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema, expect: "error" },
  { name: "stddev and var_pop per one-minute window", sql: "SELECT time_bucket(INTERVAL 1 minute, ts) AS m, stddev(v) AS sd, var_pop(v) AS vp FROM t WHERE k <> 'b' GROUP BY ALL", rows: quantileRows, schema: quantileSchema },
  { name: "DOUBLE literals written with an exponent (1e6, -2e3, 1e0) in projections, filters and FILTER clauses", sql: "SELECT k, v / 1e6 AS mv, x * -2e3 AS kx, v > 1e0 AS big, round(x, 0) + 1e2 AS r, count(*) FILTER (WHERE x < 1e6) OVER () IS NULL AS never FROM t WHERE v < 1e15", rows: quantileRows, schema: quantileSchema, expect: "compile-error", message: "OVER" },
  { name: "DOUBLE literals written with an exponent (1e6, -2e3, 1e0) compile", sql: "SELECT k, v / 1e6 AS mv, x * -2e3 AS kx, v > 1e0 AS big, round(x, 0) + 1e2 AS r FROM t WHERE v < 1e15", rows: quantileRows, schema: quantileSchema },
  { name: "median of an INTERVAL is refused with a cast to write", sql: "SELECT k, median(ts - TIMESTAMP '2026-01-01') AS m FROM t GROUP BY k", rows: quantileRows, schema: quantileSchema, expect: "compile-error", message: "quantile_disc" },
  { name: "string_agg of a number is refused with a cast to write", sql: "SELECT k, string_agg(v, ',') AS s FROM t GROUP BY k", rows: events, expect: "compile-error", message: "string_agg(x::VARCHAR, ',')" },
  { name: "arg_max with a count (the top-n form) is refused", sql: "SELECT k, arg_max(s, v, 2) AS top FROM t GROUP BY k", rows: events, expect: "compile-error", message: "with 3 arguments" },
  { name: "count(*) per station and minute", sql: `SELECT station, ${bucket} AS minute, count(*) AS c FROM t GROUP BY ALL`, rows: readings },
  { name: "count(x) skips NULLs", sql: `SELECT station, ${bucket} AS minute, count(n) AS c FROM t GROUP BY ALL`, rows: readings },
  { name: "sum of INTEGER is HUGEINT and does not overflow", sql: `SELECT station, time_bucket(INTERVAL 1 hour, ts) AS hour, sum(n) AS total FROM t GROUP BY ALL`, rows: readings },
  { name: "sum of DOUBLE", sql: `SELECT station, ${bucket} AS minute, sum(x) AS total FROM t GROUP BY ALL`, rows: readings },
  { name: "avg of INTEGER is DOUBLE", sql: `SELECT station, ${bucket} AS minute, avg(n) AS mean FROM t GROUP BY ALL`, rows: readings },
  { name: "avg of DOUBLE", sql: `SELECT station, time_bucket(INTERVAL 1 day, ts) AS day, avg(x) AS mean FROM t GROUP BY ALL`, rows: readings },
  { name: "min and max of integers", sql: `SELECT station, ${bucket} AS minute, min(n) AS lo, max(n) AS hi FROM t GROUP BY ALL`, rows: readings },
  { name: "min and max of strings", sql: `SELECT time_bucket(INTERVAL 1 day, ts) AS day, min(user) AS lo, max(user) AS hi FROM t GROUP BY ALL`, rows: readings },
  { name: "min and max of timestamps", sql: `SELECT station, time_bucket(INTERVAL 1 day, ts) AS day, min(ts) AS first, max(ts) AS last FROM t GROUP BY ALL`, rows: readings },
  { name: "count(DISTINCT x)", sql: `SELECT time_bucket(INTERVAL 1 day, ts) AS day, count(DISTINCT user) AS users FROM t GROUP BY ALL`, rows: readings },
  { name: "sum(DISTINCT x)", sql: `SELECT time_bucket(INTERVAL 1 day, ts) AS day, sum(DISTINCT n) AS s FROM t GROUP BY ALL`, rows: readings },
  { name: "any_value picks a non-NULL value of a single-valued group", sql: `SELECT station, ${bucket} AS minute, any_value(station) AS s FROM t GROUP BY ALL`, rows: readings },
  { name: "GROUP BY a list of expressions", sql: `SELECT station, ${bucket} AS minute, count(*) AS c FROM t GROUP BY station, ${bucket}`, rows: readings },
  { name: "GROUP BY positions", sql: `SELECT station, ${bucket} AS minute, count(*) AS c FROM t GROUP BY 1, 2`, rows: readings },
  { name: "GROUP BY an alias", sql: `SELECT station, ${bucket} AS minute, count(*) AS c FROM t GROUP BY station, minute`, rows: readings },
  { name: "date_trunc('minute', ts) as the window", sql: "SELECT station, date_trunc('minute', ts) AS minute, count(*) AS c FROM t GROUP BY ALL", rows: readings },
  { name: "date_trunc('hour', ts) as the window", sql: "SELECT date_trunc('hour', ts) AS hour, sum(n) AS s FROM t GROUP BY ALL", rows: readings },
  { name: "date_trunc('day', ts) as the window", sql: "SELECT date_trunc('day', ts) AS day, count(*) AS c FROM t GROUP BY ALL", rows: readings },
  { name: "date_trunc('month', ts) as the window", sql: "SELECT date_trunc('month', ts) AS month, count(*) AS c FROM t GROUP BY ALL", rows: readings },
  { name: "a 15-minute time_bucket", sql: "SELECT time_bucket(INTERVAL 15 minutes, ts) AS q, count(*) AS c FROM t GROUP BY ALL", rows: readings },
  { name: "a 7-day time_bucket", sql: "SELECT time_bucket(INTERVAL 7 days, ts) AS w, count(*) AS c FROM t GROUP BY ALL", rows: readings },
  { name: "a 1-month time_bucket", sql: "SELECT time_bucket(INTERVAL 1 month, ts) AS m, count(*) AS c FROM t GROUP BY ALL", rows: readings },
  { name: "expressions over aggregates", sql: `SELECT station, ${bucket} AS minute, sum(n) * 2 AS twice, max(n) - min(n) AS spread, count(*) + 1 AS c1 FROM t GROUP BY ALL`, rows: readings },
  { name: "an aggregate of an expression", sql: `SELECT station, ${bucket} AS minute, sum(n * 2 + 1) AS s, max(upper(user)) AS u FROM t GROUP BY ALL`, rows: readings },
  { name: "expressions over group keys", sql: `SELECT lower(station) AS s, ${bucket} AS minute, count(*) AS c FROM t GROUP BY ALL`, rows: readings },
  { name: "a key used both bare and in an expression", sql: `SELECT station, coalesce(station, '?') AS label, ${bucket} AS minute, count(*) AS c FROM t GROUP BY station, minute`, rows: readings },
  { name: "HAVING filters groups", sql: `SELECT station, ${bucket} AS minute, count(*) AS c FROM t GROUP BY ALL HAVING count(*) > 1`, rows: readings },
  { name: "HAVING on an aggregate not in the select list", sql: `SELECT station, ${bucket} AS minute FROM t GROUP BY ALL HAVING sum(n) > 5`, rows: readings },
  { name: "FILTER (WHERE ...) on an aggregate", sql: `SELECT station, ${bucket} AS minute, count(*) FILTER (WHERE n > 3) AS big FROM t GROUP BY ALL`, rows: readings },
  { name: "GROUP BY with WHERE", sql: `SELECT station, ${bucket} AS minute, count(*) AS c FROM t WHERE n IS NOT NULL GROUP BY ALL`, rows: readings },
  { name: "a windowed GROUP BY over a UNION ALL cell: one watermark, every branch's rows in the window", sql: "SELECT station, time_bucket(INTERVAL 1 minute, ts) AS m, count(*) AS c, sum(n) AS s FROM both_ GROUP BY ALL", rows: readings, cells: { both_: "SELECT station, ts, n FROM t UNION ALL SELECT station, ts, n * 10 FROM t WHERE n > 2" } },
  { name: "GROUP BY over a cell", sql: "SELECT station, time_bucket(INTERVAL 1 minute, ts) AS minute, sum(n) AS s FROM clean GROUP BY ALL", rows: readings, cells: { clean: "SELECT station, ts, n FROM t WHERE station IS NOT NULL" } },
  { name: "GROUP BY without a time bucket aggregates per flush", sql: "SELECT station, count(*) AS c, sum(n) AS s FROM t GROUP BY station", rows: readings },
  { name: "a global aggregate without GROUP BY", sql: "SELECT count(*) AS c, sum(n) AS s, avg(x) AS a FROM t", rows: readings },
  { name: "sum of BIGINT is HUGEINT", sql: "SELECT time_bucket(INTERVAL 1 day, ts) AS day, sum(b) AS s FROM t GROUP BY ALL", rows: [{ ts: "2026-11-22 10:00:00", b: 9007199254740993n }, { ts: "2026-11-22 10:00:00", b: 9007199254740993n }] },
  { name: "sum of DECIMAL keeps the scale", sql: "SELECT time_bucket(INTERVAL 1 day, ts) AS day, sum(d) AS s, avg(d) AS a, min(d) AS lo FROM t GROUP BY ALL", rows: [{ ts: "2026-11-22 10:00:00", d: "1.25" }, { ts: "2026-11-22 11:00:00", d: "-3.50" }], schema: [{ name: "ts", type: "TIMESTAMP" }, { name: "d", type: "DECIMAL(9,2)" }] },
  { name: "count over an all-NULL group", sql: `SELECT ${bucket} AS minute, count(n) AS c, sum(n) AS s, min(n) AS m FROM t GROUP BY ALL`, rows: [{ ts: "2026-11-22 10:00:00", n: null }, { ts: "2026-11-22 10:00:01", n: null }], schema: [{ name: "ts", type: "TIMESTAMP" }, { name: "n", type: "INTEGER" }] },
  { name: "a NULL event time groups into a NULL window", sql: `SELECT ${bucket} AS minute, count(*) AS c FROM t GROUP BY ALL`, rows: [{ ts: null }, { ts: "2026-11-22 10:00:00" }], schema: [{ name: "ts", type: "TIMESTAMP" }] },
  { name: "group keys treat NaN as one value", sql: "SELECT x, count(*) AS c FROM t GROUP BY x", rows: [{ x: "NaN" }, { x: "NaN" }, { x: 1 }, { x: -0.0 }, { x: 0.0 }], schema: [{ name: "x", type: "DOUBLE" }] },
  { name: "avg of doubles uses DuckDB's summation", sql: "SELECT count(*) AS c, avg(x) AS a, sum(x) AS s FROM t", rows: [{ x: 0.1 }, { x: 0.2 }, { x: 0.3 }, { x: 1e-17 }, { x: 1e16 }] },
  { name: "min and max of booleans", sql: "SELECT min(p) AS lo, max(p) AS hi FROM t", rows: [{ p: true }, { p: false }, { p: null }] },
  { name: "TIMESTAMPTZ windows", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS h, count(*) AS c FROM t GROUP BY ALL", rows: [{ ts: "2026-11-22 10:30:00+02" }, { ts: "2026-11-22 08:10:00+00" }], schema: [{ name: "ts", type: "TIMESTAMP WITH TIME ZONE" }] },
];

cases.push(
  { name: "a window over a time-bucket column computed in an earlier cell", sql: "SELECT station, m, count(*) AS c, sum(n) AS s FROM bucketed GROUP BY ALL", rows: readings, cells: { bucketed: "SELECT station, time_bucket(INTERVAL 5 minutes, ts) AS m, n FROM t" } },
  { name: "a window over a date_trunc column computed in a CTE", sql: "WITH d AS (SELECT date_trunc('hour', ts) AS h, x FROM t) SELECT h, avg(x) AS a FROM d GROUP BY h", rows: readings },
);
