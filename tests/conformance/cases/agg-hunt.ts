/** Aggregation over messy streams (helper "agg", 2026-12-05): time buckets, lateness, DISTINCT, FILTER, HAVING, big sums, quantiles, odd group keys. */
import type { ConformanceCase } from "../case.ts";

const dec = [{ y: "-3.5" }, { y: "-0.000001" }, { y: "2.5" }, { y: "999999999999.999999" }, { y: null }];
const decSchema = [{ name: "y", type: "DECIMAL(18,6)" }];

export const cases: ConformanceCase[] = [
  { name: "quantile_cont of a DECIMAL keeps the lower value exact and truncates the step", sql: "SELECT quantile_cont(y, 0.3)::VARCHAR AS a, quantile_cont(y, 0.26)::VARCHAR AS b, quantile_cont(y, -0.26)::VARCHAR AS c, median(y)::VARCHAR AS m, quantile_cont(y, [0.1, 0.9])::VARCHAR AS l FROM t", rows: dec, schema: decSchema },
  { name: "quantile_cont of a DECIMAL near 10^12 with six decimals", sql: "SELECT quantile_cont(y, 0.3)::VARCHAR AS a, median(y)::VARCHAR AS m, quantile_cont(y, 0.75)::VARCHAR AS b FROM t", rows: [{ y: "999999999999.999991" }, { y: "999999999999.999999" }, { y: "999999999999.999993" }, { y: "999999999999.999998" }], schema: decSchema },
  { name: "quantile_cont of DECIMAL(4,1) and DECIMAL(9,1) (16- and 32-bit values) adds the truncated step to the lower value too", sql: "SELECT quantile_cont(CAST(y AS DECIMAL(4,1)), 0.26)::VARCHAR AS a, quantile_cont(CAST(y AS DECIMAL(9,1)), 0.26)::VARCHAR AS b, median(CAST(y AS DECIMAL(4,1)))::VARCHAR AS m FROM t", rows: [{ y: "-1.0" }, { y: "0.0" }], schema: [{ name: "y", type: "VARCHAR" }] },
  { name: "quantile_cont of small DECIMALs truncates toward zero in both directions", sql: "SELECT k, quantile_cont(y, 0.26)::VARCHAR AS b, quantile_cont(y, -0.26)::VARCHAR AS c, quantile_cont(y, 0.75)::VARCHAR AS e FROM t GROUP BY k", rows: [{ k: 1, y: "0" }, { k: 1, y: "0.00001" }, { k: 2, y: "-0.00001" }, { k: 2, y: "0" }], schema: [{ name: "k", type: "INTEGER" }, ...decSchema] },
];

/** 4,099 rows of 64 and 65 whose mean, 262589/4099, lies within 2^-64 of a midpoint between two doubles: DuckDB's long double division rounds it twice. */
const nearMidpoint = Array.from({ length: 4099 }, (_, i) => ({ k: i % 2 === 0 ? "x" : "x", v: i < 253 ? 65 : 64 }));

cases.push(
  { name: "avg of INTEGER, BIGINT, TINYINT, unsigned and HUGEINT divides in long double (rounded twice), SMALLINT and DOUBLE in double", sql: "SELECT avg(v)::VARCHAR AS b, avg(CAST(v AS INTEGER))::VARCHAR AS i, avg(CAST(v AS TINYINT))::VARCHAR AS ti, avg(CAST(v AS SMALLINT))::VARCHAR AS si, avg(CAST(v AS UINTEGER))::VARCHAR AS ui, avg(CAST(v AS UBIGINT))::VARCHAR AS ub, avg(CAST(v AS HUGEINT))::VARCHAR AS h, avg(CAST(v AS DOUBLE))::VARCHAR AS d, avg(CAST(v AS UHUGEINT))::VARCHAR AS uh FROM t", rows: nearMidpoint, schema: [{ name: "k", type: "VARCHAR" }, { name: "v", type: "BIGINT" }] },
  { name: "avg of DECIMAL: 16-bit ones in double, wider ones in long double", sql: "SELECT avg(CAST(v AS DECIMAL(4,0)))::VARCHAR AS d4, avg(CAST(v AS DECIMAL(5,0)))::VARCHAR AS d5, avg(CAST(v / 10 AS DECIMAL(4,1)))::VARCHAR AS e4, avg(CAST(v / 10 AS DECIMAL(9,1)))::VARCHAR AS e9, avg(CAST(v AS DECIMAL(18,0)))::VARCHAR AS d18, avg(CAST(v AS DECIMAL(38,0)))::VARCHAR AS d38 FROM t GROUP BY k", rows: nearMidpoint, schema: [{ name: "k", type: "VARCHAR" }, { name: "v", type: "BIGINT" }] },
  { name: "avg of a DECIMAL(38,10) past 2^64 rounds the HUGEINT sum to a long double first", sql: "SELECT avg(d)::VARCHAR AS a, avg(d) AS ad, sum(d)::VARCHAR AS s FROM t", rows: [{ d: "12345678901234567890.0123456789" }, { d: "0.0000000001" }, { d: "-3" }], schema: [{ name: "d", type: "DECIMAL(38,10)" }] },
  { name: "avg of one HUGEINT just past a midpoint between doubles (2^100 + 2^47 + 2^37)", sql: "SELECT avg(h)::VARCHAR AS a, avg(-h)::VARCHAR AS b FROM t", rows: [{ h: "1267650600228229542371630514176" }], schema: [{ name: "h", type: "HUGEINT" }] },
  { name: "avg of UHUGEINT sums doubles, as DuckDB binds it to avg(DOUBLE)", sql: "SELECT avg(u)::VARCHAR AS a FROM t", rows: [{ u: "340282366920938463463374607431768211455" }, { u: "1" }, { u: "170141183460469231731687303715884105727" }], schema: [{ name: "u", type: "UHUGEINT" }] },
);

const tz = [
  { k: "a", t: "2026-01-01 00:00:00+00" }, { k: "a", t: "2026-01-02 00:00:01+00" }, { k: "b", t: "2026-01-01 10:00:00.000001+02" }, { k: "b", t: "2026-01-01 10:00:00+02" }, { k: "b", t: "2026-01-01 11:00:00.000002+02" }, { k: "b", t: null },
];
cases.push(
  { name: "median and quantile_cont of TIMESTAMPTZ interpolate, as for TIMESTAMP", sql: "SELECT k, median(t) AS m, quantile_cont(t, 0.3) AS q, quantile_cont(t, [0.25, 0.75]) AS l, quantile_disc(t, 0.5) AS d FROM t GROUP BY k", rows: tz, schema: [{ name: "k", type: "VARCHAR" }, { name: "t", type: "TIMESTAMP WITH TIME ZONE" }] },
  { name: "median of TIMESTAMPTZ per one-hour window", sql: "SELECT time_bucket(INTERVAL 1 hour, t) AS h, median(t) AS m, count(*) AS n FROM t GROUP BY ALL", rows: tz, schema: [{ name: "k", type: "VARCHAR" }, { name: "t", type: "TIMESTAMP WITH TIME ZONE" }] },
);

const durations = [
  { k: "a", t1: "2026-01-01 00:00:00", t2: "2026-01-01 01:00:00.000001" }, { k: "a", t1: "2026-01-01 00:00:00", t2: "2026-01-03 00:00:00" }, { k: "a", t1: "2026-01-02 00:00:00", t2: "2026-01-01 23:59:59" },
  { k: "b", t1: "2026-01-31 00:00:00", t2: null }, { k: "b", t1: "2026-01-31 10:00:00", t2: "2026-01-31 09:00:00" }, { k: "c", t1: null, t2: null },
];
const durS = [{ name: "k", type: "VARCHAR" }, { name: "t1", type: "TIMESTAMP" }, { name: "t2", type: "TIMESTAMP" }];
cases.push(
  { name: "avg of a duration (TIMESTAMP - TIMESTAMP, an INTERVAL) per group", sql: "SELECT k, avg(t2 - t1) AS a, min(t2 - t1) AS lo, max(t2 - t1) AS hi FROM t GROUP BY k", rows: durations, schema: durS },
  { name: "avg of INTERVALs carries month and day remainders down as 30 days and 24 hours", sql: "SELECT avg(i) AS a, avg(-i) AS n FROM t", rows: [{ i: "1 month" }, { i: "1 day" }, { i: "1 second" }], schema: [{ name: "i", type: "INTERVAL" }] },
  { name: "avg of INTERVAL months past INT32 is DuckDB's overflow error", sql: "SELECT avg(i) AS a FROM t", rows: [{ i: "2147483647 months" }, { i: "1 month" }], schema: [{ name: "i", type: "INTERVAL" }], expect: "error" },
  { name: "avg of TIMESTAMP, TIMESTAMPTZ and TIME is a TIMESTAMP / TIMESTAMPTZ / TIME (microseconds, a remainder over half rounds up, a negative one truncates)", sql: "SELECT k, avg(t1) AS a, avg(CAST(t1 AS TIMESTAMPTZ)) AS z, avg(CAST(t1 AS TIME)) AS tm, avg(t1 - INTERVAL 60 years) AS old FROM t GROUP BY k", rows: [...durations, { k: "d", t1: "2026-01-01 00:00:00.000001", t2: null }, { k: "d", t1: "2026-01-01 00:00:00.000002", t2: null }, { k: "d", t1: "2026-01-01 00:00:00.000002", t2: null }, { k: "e", t1: "1969-12-31 23:59:59.999999", t2: null }, { k: "e", t1: "1969-12-31 23:59:59.999998", t2: null }, { k: "e", t1: "1969-12-31 23:59:59.999998", t2: null }, { k: "e", t1: "1969-12-31 23:59:59.999998", t2: null }], schema: durS },
  { name: "avg of DATE is a TIMESTAMP", sql: "SELECT k, avg(CAST(t1 AS DATE)) AS a FROM t GROUP BY k", rows: durations, schema: durS },
  { name: "avg of TIMESTAMP per one-day window", sql: "SELECT time_bucket(INTERVAL 1 day, t1) AS d, avg(t1) AS a, avg(t2 - t1) AS dur FROM t GROUP BY ALL", rows: durations, schema: durS },
  { name: "sum of UHUGEINT is a DOUBLE (DuckDB binds sum(DOUBLE))", sql: "SELECT sum(h)::VARCHAR AS s, sum(h) AS d FROM t", rows: [{ h: "340282366920938463463374607431768211455" }, { h: "1" }, { h: "18446744073709551617" }], schema: [{ name: "h", type: "UHUGEINT" }] },
  { name: "sum of HUGEINT past its limit is DuckDB's overflow error, naming the operands", sql: "SELECT sum(h) AS s FROM t", rows: [{ h: "170141183460469231731687303715884105727" }, { h: "1" }, { h: "-1" }], schema: [{ name: "h", type: "HUGEINT" }], expect: "error" },
);

const aliased = [{ k: "a", v: 1 }, { k: "a", v: 2 }, { k: "b", v: 3 }, { k: null, v: 4 }];
cases.push(
  { name: "agg-hunt: HAVING names a select item by its alias", sql: "SELECT k, count(*) AS n FROM t GROUP BY k HAVING n > 1", rows: aliased },
  { name: "agg-hunt: HAVING over two aliases and a grouped key's alias", sql: "SELECT k AS key, count(*) AS n, sum(v) AS s FROM t GROUP BY k HAVING n + s > 3 AND key IS NOT NULL", rows: aliased },
);

const shiftedReadings = [{ ts: "2026-01-01 10:05:00", n: 1 }, { ts: "2026-01-01 10:20:00", n: 2 }, { ts: "2026-01-01 11:14:00", n: 3 }, { ts: "2026-01-01 11:16:00", n: 4 }, { ts: null, n: 5 }];
cases.push(
  { name: "agg-hunt: a window of time_bucket with an offset", sql: "SELECT time_bucket(INTERVAL 1 hour, CAST(ts AS TIMESTAMP), INTERVAL 15 minutes) AS h, count(*) AS c, sum(n) AS s FROM t GROUP BY ALL", rows: shiftedReadings },
  { name: "agg-hunt: a window of time_bucket with an origin", sql: "SELECT time_bucket(INTERVAL 1 hour, CAST(ts AS TIMESTAMP), TIMESTAMP '2000-01-01 00:07:00') AS h, count(*) AS c FROM t GROUP BY ALL", rows: shiftedReadings },
);
