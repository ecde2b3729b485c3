import type { ConformanceCase } from "../case.ts";

// Time fields as messy feeds send them, found by edge/exec/functions/dates-fuzz14.node.test.ts and
// by hand; DuckDB answers at test time.
const text = (xs: string[]) => xs.map((s) => ({ s }));
const V = [{ name: "s", type: "VARCHAR" }];
const offsets = ["+05:30:15", "+053015", "+05:30:", "+05:", "+0530:15", "+05:3015", "+0530:", "+05:30:1", "+05:30:99", "-05:30:15", "+2400"];

export const cases: ConformanceCase[] = [
  // make_timestamp's seconds: whole seconds truncated in 0..60 (rounded outside), the fraction's
  // microseconds rounded half away from zero, then the time checked (was: Math.round and no check).
  { name: "make_timestamp of -0.0000005 seconds fails as DuckDB (0 s and -1 µs)", sql: "SELECT make_timestamp(2024, 1, 1, 0, 0, CAST(s AS DOUBLE)) AS r FROM t", rows: text(["-0.0000005"]), schema: V, expect: "error" },
  { name: "make_timestamp of 60.9999995 seconds fails as DuckDB (rounded to 61 s)", sql: "SELECT make_timestamp(2024, 1, 1, 23, 59, CAST(s AS DOUBLE)) AS r FROM t", rows: text(["60.9999995"]), schema: V, expect: "error" },
  { name: "make_timestamp rounds a half microsecond of the seconds as DuckDB", sql: "SELECT make_timestamp(2024, 1, 1, 0, 0, CAST(s AS DOUBLE)) AS r FROM t", rows: text(["59.9999995", "0.0000025", "0.0000015", "-0.0000004", "12.3456785", "1.0000005", "60.5", "4.0000125", "0.5000005"]), schema: V },
  // A UTC offset's seconds follow only ':MM', and only after a colon, which is taken alone too.
  { name: "a text's UTC offset with seconds is read as DuckDB reads it, cast to TIMESTAMPTZ", sql: "SELECT CAST(TRY_CAST(s AS TIMESTAMPTZ) AS VARCHAR) AS r FROM t", rows: text(offsets.map((z) => `2024-01-05 10:00:00${z}`)), schema: V },
  { name: "strptime %z reads a UTC offset's seconds as DuckDB does", sql: "SELECT try_strptime(s, '%Y-%m-%d %H:%M:%S%z') AS r, try_strptime(s, '%Y-%m-%d %H:%M:%S%z%S') AS then_seconds, try_strptime(s, '%Y-%m-%d %H:%M:%S%z:%S') AS then_colon FROM t", rows: text(offsets.map((z) => `2024-01-05 10:00:00${z}`)), schema: V },
  { name: "strptime %z then %-S reads +240059 as +24:00 and 59 seconds", sql: "SELECT try_strptime(s, '%b,%z%-S') AS r FROM t", rows: text(["Jan,+240059 ", "Jan,+24:00:59"]), schema: V },
  { name: "strptime of an offset +05:30: with its colon taken answers", sql: "SELECT strptime(s, '%Y-%m-%d %H:%M:%S%z') AS r FROM t", rows: text(["2024-01-05 10:00:00+05:30:", "2024-01-05 10:00:00+05:"]), schema: V },
  // Interval text past a field's range: DuckDB's errors are thrown by its parser, so TRY_CAST raises
  // them too (was NULL, or an interval past 64 bits); the fields' own ends answer (was NULL).
  { name: "TRY_CAST of interval text past 32-bit days fails as DuckDB (Invalid Input)", sql: "SELECT TRY_CAST(s AS INTERVAL) AS r FROM t", rows: text(["2147483648 days"]), schema: V, expect: "error" },
  { name: "TRY_CAST of interval text whose days add past 32 bits fails as DuckDB (Out of Range)", sql: "SELECT TRY_CAST(s AS INTERVAL) AS r FROM t", rows: text(["2147483647 days 1 day"]), schema: V, expect: "error" },
  { name: "TRY_CAST of interval text of years past 32-bit months fails as DuckDB", sql: "SELECT TRY_CAST(s AS INTERVAL) AS r FROM t", rows: text(["178956971 years"]), schema: V, expect: "error" },
  { name: "TRY_CAST of interval text with a number past BIGINT fails as DuckDB", sql: "SELECT TRY_CAST(s AS INTERVAL) AS r FROM t", rows: text(["9223372036854775808 microseconds"]), schema: V, expect: "error" },
  { name: "TRY_CAST of interval text of bare seconds past 64-bit microseconds fails as DuckDB, whatever follows", sql: "SELECT TRY_CAST(s AS INTERVAL) AS r FROM t", rows: text(["-9223372036854775807 1000000000:00:00"]), schema: V, expect: "error" },
  { name: "TRY_CAST of interval text of hours past 64-bit microseconds fails as DuckDB", sql: "SELECT TRY_CAST(s AS INTERVAL) AS r FROM t", rows: text(["2562047789 hours"]), schema: V, expect: "error" },
  { name: "interval text at the fields' own ends answers as DuckDB", sql: "SELECT CAST(TRY_CAST(s AS INTERVAL) AS VARCHAR) AS r FROM t", rows: text(["-2147483648 months", "-2147483648 days", "-2147483648.5 days", "-2147483648 days ago", "-2147483648 months ago", "9223372036854775807 microseconds", "-9223372036854775807 us -1 us", "2562047788 hours", "9223372036854775.5 ms", "2147483647.5 days", "1 day -", "-", "9223372036854775808", "-9223372036854775808", "1 day 99999999999999999999"]), schema: V },
  { name: "interval text of a time reads hours of at most nine digits, as DuckDB", sql: "SELECT CAST(TRY_CAST(s AS INTERVAL) AS VARCHAR) AS r FROM t", rows: text(["999999999:59:59.999999", "1000000000:00:00", "0000000001:00:00", "2562047787:00:00", "-999999999:00:00", "9223372036854775807 us 1:00:00"]), schema: V },
  // epoch_ms of an INTERVAL counts each field in milliseconds, the microseconds truncated alone (was: the whole in µs, then / 1000).
  { name: "epoch_ms of an interval whose fields differ in sign truncates its microseconds alone, as DuckDB", sql: "SELECT epoch_ms(CAST(i AS INTERVAL) - INTERVAL '1 microsecond') AS a, epoch_ms(-CAST(i AS INTERVAL) + INTERVAL '1500 microseconds') AS b, epoch_ms(CAST(i AS INTERVAL)) AS c FROM t", rows: [{ i: "1 day" }, { i: "1 month" }, { i: "-2147483647 months" }, { i: "2147483647 months 2147483647 days" }], schema: [{ name: "i", type: "VARCHAR" }] },
  // 'Factory', the one zone of DuckDB's 638 that the runtime's Intl does not name, is UTC (was Unknown TimeZone).
  { name: "the zone Factory is UTC, as DuckDB's ICU has it", sql: "SELECT CAST(CAST(a AS TIMESTAMP) AT TIME ZONE 'Factory' AS VARCHAR) AS a, CAST(CAST(a || '+00' AS TIMESTAMPTZ) AT TIME ZONE 'factory' AS VARCHAR) AS b, CAST(CAST(a || ' Factory' AS TIMESTAMPTZ) AS VARCHAR) AS c, time_bucket(INTERVAL 1 day, CAST(a || '+00' AS TIMESTAMPTZ), 'Factory') AS d FROM t", rows: [{ a: "2024-07-01 10:00:00" }, { a: "1800-07-01 10:00:00" }], schema: [{ name: "a", type: "VARCHAR" }] },
  { name: "ICU's zone Etc/Unknown is UTC, spelled so only, as DuckDB has it", sql: "SELECT CAST(TIMESTAMP '2024-07-03 10:00:00' AT TIME ZONE z AS VARCHAR) AS r FROM t", rows: [{ z: "Etc/Unknown" }], schema: [{ name: "z", type: "VARCHAR" }] },
  { name: "a zone etc/unknown in lower case is unknown, as DuckDB has it", sql: "SELECT CAST(TIMESTAMP '2024-07-03 10:00:00' AT TIME ZONE z AS VARCHAR) AS r FROM t", rows: [{ z: "etc/unknown" }], schema: [{ name: "z", type: "VARCHAR" }], expect: "error" },
  // date_diff (extra.ts): a DATE past TIMESTAMP's range, weeks wrapping in 32 bits, microseconds past 64 bits.
  { name: "date_diff of a DATE past 294247 beside a TIMESTAMP fails as DuckDB's binder cast", sql: "SELECT date_diff('day', CAST(d AS DATE), CAST(e AS TIMESTAMP)) AS r FROM t", rows: [{ d: "300000-01-05", e: null }], expect: "error" },
  { name: "date_diff in microseconds of a DATE past 294247 fails as DuckDB", sql: "SELECT date_diff('us', CAST(d AS DATE), CAST(e AS DATE)) AS r FROM t", rows: [{ d: "2024-01-01", e: "400000-01-01" }], expect: "error" },
  { name: "date_diff in weeks of DATEs 2^31 days apart wraps as DuckDB", sql: "SELECT date_diff('week', CAST(d AS DATE), CAST(e AS DATE)) AS r FROM t", rows: [{ d: "5000000-01-01", e: "-5000000-01-01" }] },
  { name: "date_diff in microseconds of TIMESTAMPs across the range overflows as DuckDB", sql: "SELECT date_diff('us', CAST(d AS TIMESTAMP), CAST(e AS TIMESTAMP)) AS r FROM t", rows: [{ d: "200000-01-01", e: "-100000-01-01" }], expect: "error" },
  { name: "date_diff in microseconds of DATEs across the range wraps as DuckDB", sql: "SELECT date_diff('us', CAST(d AS DATE), CAST(e AS DATE)) AS r FROM t", rows: [{ d: "294247-01-10", e: "-290308-12-22" }] },
  // %n: strptime's nanoseconds make a TIMESTAMP_NS, which a pipeline does not hold (every event was a dead letter); strftime's is six digits and stray bytes.
  { name: "strptime with %n is refused at publish, with the cast that reads nanosecond text", sql: "SELECT strptime(s, '%Y-%m-%dT%H:%M:%S.%nZ')::TIMESTAMP AS r FROM t", rows: text(["2024-01-05T10:00:00.123456789Z"]), schema: V, expect: "compile-error", message: "CAST(x AS TIMESTAMP) reads '2024-01-05T10:00:00.123456789Z'" },
  { name: "strftime with %n is refused at publish, with %f to write", sql: "SELECT strftime(CAST(s AS TIMESTAMP), '%H:%M:%S.%n') AS r FROM t", rows: text(["2024-01-05 10:00:00.123456"]), schema: V, expect: "compile-error", message: "write %f for the microseconds" },
];
