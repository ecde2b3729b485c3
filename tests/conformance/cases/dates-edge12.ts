import type { ConformanceCase } from "../case.ts";

// Dates and times on messy values, found by edge/exec/functions/dates-fuzz12.node.test.ts and by
// hand. A DATE reaches 5877641 BC to 5881580; a TIMESTAMP only 290309-12-22 BC to 294247-01-10, and
// DuckDB answers for a DATE past that only where it stays in days.
const far = [{ d: "300000-01-05", e: "2024-01-01" }, { d: "2024-03-31", e: "-290309-01-01" }, { d: null, e: "2024-01-01" }];
const farSql = (x: string) => `SELECT ${x} AS r FROM (SELECT CAST(d AS DATE) AS d, CAST(e AS DATE) AS e, TIMESTAMP '2024-01-01 10:00' AS ts, TIMESTAMPTZ '2024-01-01 10:00:00+00' AS tz FROM t)`;
const bc = [{ b: "0044-03-15 (BC)" }, { b: "0001-06-01 (BC)" }, { b: "1001-06-01 (BC)" }, { b: "0005-06-01" }, { b: "2024-07-01 10:00" }, { b: null }];
const bcSql = (x: string) => `SELECT ${x} AS r FROM (SELECT CAST(b AS TIMESTAMPTZ) AS b FROM t)`;
const monthEnds = [{ d: "2024-01-31", ts: "2024-03-31 10:00:00" }, { d: "2024-02-29", ts: "2024-05-31 23:59:59.999999" }, { d: "0001-12-31", ts: "0001-01-01 00:00:00" }, { d: "-0044-03-15", ts: "1969-12-31 23:00:00" }];
const tbSql = (x: string) => `SELECT ${x} AS r FROM (SELECT CAST(d AS DATE) AS d, CAST(ts AS TIMESTAMP) AS ts, CAST(ts || '+00' AS TIMESTAMPTZ) AS tz FROM t)`;

export const cases: ConformanceCase[] = [
  // A DATE past 294247: days answer, microseconds fail (was: every one answered).
  { name: "date_diff in days of a DATE past 294247 answers as DuckDB (DATE overload)", sql: farSql("date_diff('day', d, e)"), rows: far },
  { name: "date_diff in hours of two DATEs past 294247 answers as DuckDB", sql: farSql("date_diff('hour', d, e)"), rows: far },
  { name: "date_sub in days of a DATE past 294247 fails as DuckDB", sql: farSql("date_sub('day', d, e)"), rows: far, expect: "error" },
  { name: "date_sub in months of a DATE past 294247 fails as DuckDB", sql: farSql("date_sub('month', d, e)"), rows: far, expect: "error" },
  { name: "date_sub of a DATE past 294247 beside a TIMESTAMPTZ fails with ICU's Invalid Input Error", sql: farSql("date_sub('day', d, tz)"), rows: far, expect: "error" },
  { name: "age of a DATE past 294247 fails as DuckDB", sql: farSql("age(d, e)"), rows: far, expect: "error" },
  { name: "age of a DATE past 294247 beside a TIMESTAMPTZ fails with ICU's Invalid Input Error", sql: farSql("age(tz, d)"), rows: far, expect: "error" },
  { name: "date_trunc to the month and week of a DATE past 294247 answers as DuckDB", sql: farSql("[date_trunc('month', d), date_trunc('week', d), date_trunc('isoyear', d)]"), rows: far },
  { name: "date_trunc to the hour of a DATE past 294247 fails as DuckDB", sql: farSql("date_trunc('hour', d)"), rows: far, expect: "error" },
  { name: "time_bucket by days of a DATE past 294247 fails as DuckDB", sql: farSql("time_bucket(INTERVAL 1 day, d)"), rows: far, expect: "error" },
  { name: "time_bucket by days with a DATE origin past 294247 fails as DuckDB", sql: farSql("time_bucket(INTERVAL 2 day, e, d)"), rows: far, expect: "error" },
  { name: "time_bucket by months of a DATE past 294247 answers as DuckDB, with an origin or an offset", sql: farSql("[time_bucket(INTERVAL 1 month, d), time_bucket(INTERVAL 1 month, d, DATE '2000-01-01'), time_bucket(INTERVAL 1 month, d, INTERVAL 1 day), time_bucket(INTERVAL 1 month, e, d)]"), rows: far },
  { name: "time_bucket of a TIMESTAMP with a DATE origin past 294247 fails even by months", sql: farSql("time_bucket(INTERVAL 1 month, ts, d)"), rows: far, expect: "error" },
  { name: "epoch_us of a DATE past 294247 fails as DuckDB, epoch_ms answers", sql: farSql("epoch_us(d)"), rows: far, expect: "error" },
  { name: "a DATE past 294247 AT TIME ZONE fails as DuckDB's cast to TIMESTAMP", sql: farSql("d AT TIME ZONE 'America/New_York'"), rows: far, expect: "error" },
  // time_bucket's offset is calendar arithmetic (was: a month of 30 days, and a DATE's offset in hours).
  { name: "time_bucket by months with an offset of a month moves by calendar months", sql: tbSql("[time_bucket(INTERVAL 1 month, ts, INTERVAL '1 month'), time_bucket(INTERVAL 2 month, ts, INTERVAL '-1 month'), time_bucket(INTERVAL 1 month, tz, INTERVAL '1 month')]"), rows: monthEnds },
  { name: "time_bucket by days with an offset of a month moves by calendar months", sql: tbSql("[time_bucket(INTERVAL 1 day, ts, INTERVAL '1 month'), time_bucket(INTERVAL 7 day, ts, INTERVAL '-1 month'), time_bucket(INTERVAL 1 day, tz, INTERVAL '1 month')]"), rows: monthEnds },
  { name: "time_bucket by months of a DATE counts an offset's hours in whole days", sql: tbSql("[time_bucket(INTERVAL 1 month, d, INTERVAL '-1 hour'), time_bucket(INTERVAL 1 month, d, INTERVAL '4 days 23 hours'), time_bucket(INTERVAL 1 month, d, INTERVAL '-25 hours'), time_bucket(INTERVAL 1 month, d, INTERVAL '1 month')]"), rows: monthEnds },
  { name: "time_bucket with an infinite origin is NULL", sql: tbSql("[time_bucket(INTERVAL 1 day, ts, TIMESTAMP 'infinity'), time_bucket(INTERVAL 1 month, d, DATE '-infinity')]"), rows: monthEnds },
  { name: "time_bucket by days within hours of TIMESTAMP's first instant overflows as DuckDB", sql: "SELECT time_bucket(INTERVAL 7 day, CAST(a AS TIMESTAMP)) AS r FROM t", rows: [{ a: "290309-12-22 (BC) 01:00:00" }], expect: "error" },
  { name: "time_bucket by hours of a TIMESTAMPTZ near its first instant overflows, by days it answers (ICU counts days)", sql: "SELECT time_bucket(INTERVAL 5 hour, CAST(a AS TIMESTAMPTZ)) IS NULL AS h, time_bucket(INTERVAL 1 day, CAST(b AS TIMESTAMPTZ)) AS d FROM t", rows: [{ a: "2024-01-01 00:00:00+00", b: "290308-12-30 (BC) 01:00:00+00" }] },
  { name: "time_bucket by hours of a TIMESTAMPTZ within hours of its first instant fails as DuckDB", sql: "SELECT time_bucket(INTERVAL 5 hour, CAST(a AS TIMESTAMPTZ)) AS r FROM t", rows: [{ a: "290309-12-22 (BC) 05:00:00+00" }], expect: "error" },
  { name: "time_bucket by months or years of a TIMESTAMP in the range's first month fails as DuckDB (its bucket starts before the range)", sql: "SELECT time_bucket(INTERVAL 1 year, CAST(a AS TIMESTAMP)) AS r FROM t", rows: [{ a: "290309-12-25 (BC) 01:00:00" }], expect: "error" },
  { name: "date_sub of a DATE and a TIMESTAMPTZ across the whole range answers in weeks (ICU counts no microseconds)", sql: "SELECT date_sub('week', CAST(a AS DATE), CAST(b AS TIMESTAMPTZ)) AS r FROM t", rows: [{ a: "290309-12-22 (BC)", b: "1986-01-01 00:10:00+05:45" }] },
  { name: "date_sub of TIMESTAMPs from one end of the range to the other overflows as DuckDB", sql: "SELECT date_sub('day', CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP)) AS r FROM t", rows: [{ a: "9999-12-31", b: "290309-12-22 (BC)" }], expect: "error" },
  // Over a TIMESTAMPTZ, DuckDB's ICU calendar names a year BC by its era (44 BC is 44, not -43).
  { name: "year and decade of a TIMESTAMPTZ before year 1 are ICU's years of the era", sql: bcSql("[year(b), decade(b), century(b), millennium(b), era(b), date_part('year', b)]"), rows: bc },
  { name: "date_trunc of a TIMESTAMPTZ before year 1 to the decade, century and millennium cuts the year of the era", sql: bcSql("[date_trunc('decade', b), date_trunc('century', b), date_trunc('millennium', b), date_trunc('year', b)]"), rows: bc },
  { name: "date_sub in months and years of TIMESTAMPTZ before 1582 answers (ICU's calendar is Gregorian there too)", sql: "SELECT [date_sub('month', CAST(a AS TIMESTAMPTZ), CAST(b AS TIMESTAMPTZ)), date_sub('year', CAST(a AS TIMESTAMPTZ), CAST(b AS TIMESTAMPTZ)), date_sub('quarter', CAST(b AS TIMESTAMPTZ), CAST(a AS TIMESTAMPTZ))] AS r FROM t", rows: [{ a: "0044-03-15 (BC)", b: "2024-01-05 10:00" }, { a: "1000-01-31", b: "1000-02-28" }, { a: "1582-09-30", b: "1582-10-31" }] },
  { name: "age of a TIMESTAMPTZ and an infinity measures to the infinity's instant, as ICU does", sql: "SELECT age(CAST(a AS TIMESTAMPTZ), CAST(b AS TIMESTAMPTZ)) AS r FROM t", rows: [{ a: "2024-01-05 10:00", b: "infinity" }, { a: "infinity", b: "-infinity" }, { a: "-infinity", b: "2024-01-05" }] },
  { name: "age of TIMESTAMPs with an infinity stays NULL", sql: "SELECT age(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP)) AS r FROM t", rows: [{ a: "2024-01-05 10:00", b: "infinity" }] },
  // try_strptime keeps 'infinity' and 'epoch' when a format names a zone (ICU's strptime); without one it reads 1900-01-01.
  { name: "try_strptime with %Z reads infinity, -infinity and epoch as DuckDB's ICU does", sql: "SELECT [try_strptime(s, '%Y-%m-%d %H:%M:%S %Z'), try_strptime(s, ['%Y-%m-%d %Z', '%Y-%m-%d %H:%M:%S %Z'])] AS r, try_strptime(s, '%Y-%m-%d') AS plain FROM t", rows: [{ s: "infinity" }, { s: " -infinity " }, { s: "epoch" }, { s: "2024-01-05 10:00:00 Europe/Berlin" }] },
  // AT TIME ZONE near the ends of TIMESTAMP's range.
  { name: "AT TIME ZONE past the end of TIMESTAMP's range fails as DuckDB, both ways", sql: "SELECT CAST(a AS TIMESTAMP) AT TIME ZONE 'EST' AS r FROM t", rows: [{ a: "294247-01-10 00:00:00" }], expect: "error" },
  { name: "a TIMESTAMPTZ whose wall time is past TIMESTAMP's range fails AT TIME ZONE as DuckDB", sql: "SELECT CAST(a AS TIMESTAMPTZ) AT TIME ZONE 'Asia/Kathmandu' AS r FROM t", rows: [{ a: "294247-01-10 00:00:00+00" }], expect: "error" },
  { name: "AT TIME ZONE near year 294247 rounds to ICU's double milliseconds", sql: "SELECT CAST(a AS TIMESTAMP) AT TIME ZONE z AS r FROM t", rows: [{ a: "294246-06-01 12:00:00.123456", z: "Asia/Kathmandu" }, { a: "294247-01-09 10:00:00.001", z: "EST" }, { a: "290000-01-01 00:00:00.003", z: "Europe/Berlin" }] },
];
