/**
 * Numbers and time in messy feeds, found by the numtime hunt (2026-12-05): each case failed
 * before its fix, except those marked (guard) and a few members of the per-type and
 * per-specifier families, which keep a fixed neighbour honest.
 */
import type { ConformanceCase } from "../case.ts";
import { JsonReal } from "../../../edge/duckdb/lossless-json.ts";

const text = [{ name: "s", type: "VARCHAR" }];
const big = [{ name: "b", type: "BIGINT" }];
const texts = (values: (string | null)[]) => values.map((s) => ({ s }));
/** A JSON number written exactly as `literal` (`1e2`, `-0.0`, `NaN`). */
const real = (literal: string) => new JsonReal(Number(literal), literal);

// Durations between two event times: `b - a` is an INTERVAL.
const spans = {
  rows: [
    { a: "2026-03-01 10:00:00", b: "2026-03-01 10:00:01.5" },
    { a: "2026-03-03 12:30:00", b: "2026-03-01 10:00:00" },
    { a: "2024-02-29 00:00:00", b: "2025-03-01 23:59:59.999999" },
    { a: null, b: "2026-01-01 00:00:00" },
  ],
  schema: [{ name: "a", type: "TIMESTAMP" }, { name: "b", type: "TIMESTAMP" }],
};

const mkSchema = [{ name: "y", type: "BIGINT" }, { name: "mo", type: "BIGINT" }, { name: "d", type: "BIGINT" }, { name: "h", type: "BIGINT" }, { name: "mi", type: "BIGINT" }, { name: "sec", type: "DOUBLE" }];
const mk = (y: number, mo: number, d: number, h: number, mi: number, sec: number) => ({ y, mo, d, h, mi, sec });

const jsonSchema = [{ name: "j", type: "JSON" }];
const jsonStrings = ["1.5", " 42 ", "+12", "012", "-012", "00", "+0", "-0", "-00", "-0 ", " 7", "7 ", "1.0", "1e3", "1e-3", "1_000", "0x1F", "-0x10", "0b11", "inf", "NaN", ".5", "5.", "1.5e1", "1772359200.5", "true", "t", "f", "yes", "no", "TRUE", "y", "n", "1", "0", "2", "on", ""];
const jsonNumbers: unknown[] = [2.5, 3.5, -2.5, 255.5, 256.4, -0.4, 0.5, 127.5, -128.5, 9.995, 1234.565, 0.125, 1772359200.5, real("1e2"), real("2.5e0"), real("25e-1"), real("-0.0"), real("1.0"), real("9223372036854775807.5"), real("1e19"), real("1e300"), real("1e400"), real("NaN"), real("-Infinity"), 18446744073709551615n, 18446744073709551616n, -9223372036854775808n, -9223372036854775809n, 170141183460469231731687303715884105728n, 99999999999999999999n, 7, -7, 0, null];

const ivFractions = ["0.5 weeks", "1.5 weeks", "0.1 weeks", "-0.5 weeks", "0.1234567 weeks", "0.999999 weeks", "1.9 weeks", "0.5 weeks ago", "0.1234565 days", "0.123456789 days", "0.5 months", "0.01 months", "0.123456789 months", "0.034 months", "0.99 months ago", "12.5 months", "0.55 years", "0.123456789 years", "1.5 decades", "0.051 decades", "0.0051 centuries", "0.00051 millennium", "0.55 quarters", "2.75 quarters", "0.999999 quarters", "-0.55 quarters", "0.123456789 hours", "0.1234567 minutes", "1.123456789 seconds", "0.1234566 seconds", "0.0000015 seconds", "-0.1234565 seconds", "1.1234567 ms", "0.9999999 ms", "0.0015 ms", "0.5 us", "2.5 us", "0.4999999 us", "-0.5 us", "1.5 week 2.5 days", "1.1234567", "-1.5", "0.0000005", null];

const specifiers = ["yrs", "mons", "dec", "decs", "cent", "c", "mil", "millenniums", "millenium", "usec", "useconds", "msec", "mseconds", "sec", "secs", "min", "mins", "hr", "hrs", "epoch", "dow", "weekday", "isodow", "weekofyear", "doy", "dayofyear", "julian", "era", "timezone", "Hour", "ns", "nanosecond", "foo", ""];

export const cases: ConformanceCase[] = [
  // epoch_ms(BIGINT): milliseconds × 1000 in 64 bits.
  { name: "epoch_ms of a BIGINT past 64-bit microseconds fails with DuckDB's Conversion Error", sql: "SELECT epoch_ms(b) AS v FROM t", rows: [{ b: 1n }, { b: -9223372036854776n }], schema: big, expect: "error" },
  { name: "epoch_ms of a BIGINT at the 64-bit microsecond edges (guard)", sql: "SELECT b, epoch_ms(b) AS v FROM t", rows: [{ b: 9223372036854775n }, { b: -9223372036854775n }, { b: 0n }, { b: -1n }, { b: null }], schema: big },

  // Durations: date_part / extract / epoch* / hour() ... of an INTERVAL, and of a TIME.
  {
    name: "parts of a duration (TIMESTAMP - TIMESTAMP) as DuckDB takes them from an INTERVAL: epoch with 30-day months, hours from the microseconds",
    sql: "SELECT extract(epoch FROM b - a) AS e, date_part('epoch', a - b) AS e2, epoch(b - a) AS e3, epoch_ms(b - a) AS ms, epoch_us(a - b) AS us, epoch_ns(b - a) AS ns, hour(b - a) AS h, minute(a - b) AS mi, second(b - a) AS s, millisecond(b - a) AS msec, microsecond(a - b) AS usec, nanosecond(b - a) AS nsec, day(a - b) AS d, century(a - b) AS c, date_part(['day', 'hour', 'epoch'], a - b) AS parts FROM t",
    ...spans,
  },
  {
    name: "calendar parts of an age() INTERVAL: years, months, quarter and decade from its months",
    sql: "SELECT age(a, b) AS g, year(age(a, b)) AS y, month(age(b, a)) AS m, quarter(age(a, b)) AS q, decade(age(a, b)) AS dc, extract(year FROM age(b, a)) AS y2, epoch(age(a, b)) AS e FROM t",
    ...spans,
  },
  {
    name: "parts of a TIME: epoch, epoch_ms and the clock fields",
    sql: "SELECT epoch(CAST(b AS TIME)) AS e, epoch_ms(CAST(b AS TIME)) AS ms, epoch_us(CAST(b AS TIME)) AS us, hour(CAST(b AS TIME)) AS h, extract(second FROM CAST(b AS TIME)) AS s, millisecond(CAST(b AS TIME)) AS msec, nanosecond(CAST(b AS TIME)) AS ns, date_part('timezone', CAST(b AS TIME)) AS tz FROM t",
    ...spans,
  },
  {
    name: "epoch_us and epoch_ns of an INTERVAL past 64 bits fail with DuckDB's Conversion Error",
    sql: "SELECT epoch_ns(to_days(n)) AS v FROM t",
    rows: [{ n: 1 }, { n: 200000 }],
    schema: [{ name: "n", type: "INTEGER" }],
    expect: "error",
  },
  { name: "a calendar part of an INTERVAL that has none (dow) is DuckDB's Not implemented Error", sql: "SELECT date_part(s, INTERVAL 1 DAY) AS v FROM t", rows: [{ s: "day" }, { s: "dow" }], schema: text, expect: "error" },

  // make_timestamp / make_date: DuckDB's INT32 casts and range checks.
  { name: "make_timestamp of the infinities' microseconds fails with DuckDB's Conversion Error", sql: "SELECT make_timestamp(b) AS v FROM t", rows: [{ b: 1n }, { b: 9223372036854775807n }], schema: big, expect: "error" },
  { name: "make_timestamp of microseconds next to the infinities (guard)", sql: "SELECT make_timestamp(b) AS v FROM t", rows: [{ b: 9223372036854775806n }, { b: -9223372036854775806n }, { b: 0n }, { b: null }], schema: big },
  ...[mk(300000, 1, 1, 0, 0, 0), mk(294247, 1, 10, 4, 0, 54.775807), mk(-290308, 12, 21, 19, 59, 5.224194), mk(2024, 1, 1, 0, 0, 2147483648), mk(2024, 1, 1, 0, 0, 1e300), mk(5000000000, 1, 1, 0, 0, 0)].map((r) => ({
    name: `make_timestamp(${Object.values(r).join(", ")}) fails as DuckDB fails it (timestamp range, INT32 parts)`,
    sql: "SELECT make_timestamp(y, mo, d, h, mi, sec) AS v FROM t",
    rows: [r],
    schema: mkSchema,
    expect: "error" as const,
  })),
  { name: "make_timestamp at the edges of DuckDB's range and with rounded seconds (guard)", sql: "SELECT make_timestamp(y, mo, d, h, mi, sec) AS v FROM t", rows: [mk(294247, 1, 10, 4, 0, 54.775806), mk(-290308, 12, 22, 0, 0, 0), mk(2024, 1, 1, 0, 0, 59.9999999), mk(2024, 1, 1, 0, 0, 59.5), mk(2024, 1, 1, 23, 59, 60)], schema: mkSchema },
  ...[[5000000000, 1, 1], [2024, 1, 5000000000], [2147483647, 1, 1], [-2147483648, 1, 1], [5881580, 7, 11], [-5877641, 6, 24]].map(([y, mo, d]) => ({
    name: `make_date(${y}, ${mo}, ${d}) fails as DuckDB fails it (INT32 parts, DATE range)`,
    sql: "SELECT make_date(y, mo, d) AS v FROM t",
    rows: [{ y, mo, d }],
    schema: mkSchema.slice(0, 3),
    expect: "error" as const,
  })),
  { name: "make_date at the edges of DuckDB's DATE range (guard)", sql: "SELECT make_date(y, mo, d) AS v FROM t", rows: [{ y: 5881580, mo: 7, d: 10 }, { y: -5877641, mo: 6, d: 25 }, { y: 0, mo: 2, d: 29 }], schema: mkSchema.slice(0, 3) },

  // DECIMAL from text: DuckDB reads the digits before the point against width - scale.
  {
    name: "text to DECIMAL: the digits before the point must fit width minus scale before an exponent applies ('1e-3' is no DECIMAL(4,4))",
    sql: "SELECT s, TRY_CAST(s AS DECIMAL(4,4)) AS a, TRY_CAST(s AS DECIMAL(18,18)) AS b, TRY_CAST(s AS DECIMAL(4,2)) AS c, TRY_CAST(s AS DECIMAL(5,2)) AS d, TRY_CAST(s AS DECIMAL(3,2)) AS e, TRY_CAST(s AS DECIMAL(2,0)) AS f FROM t",
    rows: texts(["1e-3", "0.1e0", "123e-2", "0012e-1", "12e-2", "-12e-2", "1e1", "1e2", "99.995", "0.001", "-0.005", " 42 ", "4.2e1", null]),
    schema: text,
  },

  // TIMESTAMPTZ text naming its zone.
  {
    name: "a timestamp text naming its time zone is read in that zone as TIMESTAMPTZ; an unknown name (a stray 'BC') is NULL under TRY_CAST",
    sql: "SELECT s, TRY_CAST(s AS TIMESTAMPTZ) AS v, TRY_CAST(s AS TIMESTAMP) AS w FROM t",
    rows: texts(["2026-07-01 10:00:00 Europe/Berlin", "2026-01-01 10:00:00 europe/berlin", "2026-07-01 10:00:00 PST", "2026-07-01 10:00:00 EST", "2026-07-01 10:00:00 CET", "2026-03-29 02:30:00 Europe/Berlin", "2026-10-25 02:30:00 Europe/Berlin", "2026-11-01 01:30:00.25 America/New_York", "2026-07-01T10:00:00 Asia/Kolkata", "2026-07-01 10:00:00 Etc/GMT+5", "0044-03-15 12:00:00 BC", "2026-07-01 10:00:00 Mars/Base", "2026-07-01 10:00:00 AEST", "2026-07-01 10:00:00 Z", "2026-07-01 10:00 Europe/Berlin", "1500-01-01 00:00:00 Europe/Berlin", "1890-01-01 00:00:00 Europe/Amsterdam", "2026-07-01 10:00:00 UTC", "2026-07-01 10:00:00+02", "2026-07-01 10:00:00 GB", "infinity", null]),
    schema: text,
  },
  { name: "CAST of a timestamp text naming an unknown time zone fails with DuckDB's Conversion Error", sql: "SELECT CAST(s AS TIMESTAMPTZ) AS v FROM t", rows: texts(["2026-07-01 10:00:00 Europe/Berlin", "2026-07-01 10:00:00 BC"]), schema: text, expect: "error" },

  // strptime's %Z.
  {
    name: "try_strptime's %Z reads the wall time in a named zone (ICU's names, any case); an unknown name is NULL",
    sql: "SELECT s, try_strptime(s, '%Y-%m-%d %H:%M:%S %Z') AS v FROM t",
    rows: texts(["2026-03-01 10:00:00 UTC", "2026-03-01 10:00:00 GMT", "2026-03-01 10:00:00 Z", "2026-07-01 10:00:00 Europe/Berlin", "2026-07-01 10:00:00 PST", "2026-07-01 10:00:00 Mars/X", "2026-07-01 10:00:00 EST5EDT", "2026-07-01 10:00:00 +02", "2026-03-29 02:30:00 Europe/Berlin", "2026-10-25 02:30:00 europe/berlin", "1890-06-01 12:00:00 Europe/Amsterdam", "2026-07-01 10:00:00 Asia/Kolkata", null]),
    schema: text,
  },
  { name: "strptime with %z and %Z: the offset decides, the zone name is not applied again", sql: "SELECT s, strptime(s, '%Y-%m-%d %H:%M:%S %z %Z') AS v FROM t", rows: texts(["2026-07-01 10:00:00 +0000 Europe/Berlin", "2026-07-01 10:00:00 -0300 Asia/Tokyo"]), schema: text },
  { name: "strptime's %Z with an unknown zone name fails as DuckDB fails it (guard)", sql: "SELECT strptime(s, '%Y-%m-%d %H:%M:%S %Z') AS v FROM t", rows: texts(["2026-07-01 10:00:00 Europe/Berlin", "2026-07-01 10:00:00 Mars/X"]), schema: text, expect: "error" },

  // gcd / lcm at INT64's minimum.
  {
    name: "gcd and lcm follow DuckDB's remainder loop at INT64's minimum: gcd(MIN, 3) is 1, gcd(MIN, -1) is 1",
    sql: "SELECT a, b, gcd(a, b) AS g, gcd(b, a) AS g2 FROM t",
    rows: [[-9223372036854775808n, 3n], [-9223372036854775808n, -1n], [-1n, -9223372036854775808n], [-9223372036854775808n, 6n], [-9223372036854775807n, 9223372036854775807n], [6n, -4n], [0n, -5n]].map(([a, b]) => ({ a, b })),
    schema: [{ name: "a", type: "BIGINT" }, { name: "b", type: "BIGINT" }],
  },
  { name: "gcd(MIN, 0) overflows in abs as DuckDB's does (guard)", sql: "SELECT gcd(a, b) AS g FROM t", rows: [{ a: 4n, b: 6n }, { a: -9223372036854775808n, b: 0n }], schema: [{ name: "a", type: "BIGINT" }, { name: "b", type: "BIGINT" }], expect: "error" },
  { name: "lcm(MIN, -1) is DuckDB's out-of-range error (guard)", sql: "SELECT lcm(a, b) AS l FROM t", rows: [{ a: -9223372036854775808n, b: -1n }], schema: [{ name: "a", type: "BIGINT" }, { name: "b", type: "BIGINT" }], expect: "error" },

  // Unsigned negation.
  {
    name: "unary minus of an unsigned integer wraps around as DuckDB's does",
    sql: "SELECT u, -u AS a, -CAST(u % 256 AS UTINYINT) AS b, -CAST(u % 65536 AS USMALLINT) AS c, -CAST(u % 4294967296 AS UINTEGER) AS d, -CAST(u AS UHUGEINT) AS e FROM t",
    rows: [{ u: 18446744073709551615n }, { u: 0 }, { u: 5 }, { u: 9223372036854775808n }, { u: null }],
    schema: [{ name: "u", type: "UBIGINT" }],
  },

  // JSON values into numbers (payload->'amount' and the like).
  ...["BIGINT", "UTINYINT", "UBIGINT", "HUGEINT", "UHUGEINT", "DOUBLE", "FLOAT", "DECIMAL(6,2)", "BOOLEAN"].map((type) => ({
    name: `a JSON string into ${type} is cast strictly, as DuckDB's JSON reader does ('"1.5"' is no integer, '"+1"' no DOUBLE, '"1"' no BOOLEAN)`,
    sql: `SELECT j, TRY_CAST(j AS ${type}) AS v FROM t`,
    rows: jsonStrings.map((j) => ({ j })),
    schema: jsonSchema,
  })),
  ...["BIGINT", "INTEGER", "UTINYINT", "UBIGINT", "HUGEINT", "UHUGEINT", "DECIMAL(4,0)", "DECIMAL(6,2)", "DECIMAL(38,0)", "DOUBLE", "BOOLEAN", "INTEGER[]", "DECIMAL(6,2)[]"].map((type) => ({
    name: `a JSON number into ${type}: a real goes through DOUBLE (2.5 is 2, 9.995 is 9.99), an integer keeps every digit`,
    sql: `SELECT TRY_CAST(j AS ${type}) AS v FROM t`,
    rows: jsonNumbers.map((j) => ({ j: type.endsWith("[]") && j !== null ? [j] : j })),
    schema: jsonSchema,
  })),
  {
    name: "numbers inside a JSON payload cast as the notebook casts them: payload->'qty' 2.5 as INTEGER is 2",
    sql: "SELECT TRY_CAST(p->'amount' AS DECIMAL(6,2)) AS amount, TRY_CAST(p->'qty' AS INTEGER) AS qty, TRY_CAST(p->'ok' AS BOOLEAN) AS ok, TRY_CAST(json_extract(p, '$.ts') AS BIGINT) AS ts, TRY_CAST(p->>'amount' AS DECIMAL(6,2)) AS txt FROM t",
    rows: [{ p: { amount: 9.995, qty: 2.5, ok: "1", ts: 1772359200.5 } }, { p: "n/a" }, { p: { amount: "12.345", qty: "3", ok: "yes", ts: "1772359200" } }, { p: { amount: 1234.565, qty: 3.5, ok: 1, ts: real("1e400") } }],
    schema: [{ name: "p", type: "JSON" }],
  },
  { name: "CAST of a JSON string that is no strict number fails with DuckDB's Conversion Error", sql: "SELECT CAST(j AS BIGINT) AS v FROM t", rows: [{ j: "7" }, { j: "1.5" }], schema: jsonSchema, expect: "error" },
  { name: "CAST of a JSON 1e400 into BOOLEAN fails with DuckDB's Conversion Error", sql: "SELECT CAST(j AS BOOLEAN) AS v FROM t", rows: [{ j: 1 }, { j: real("1e400") }], schema: jsonSchema, expect: "error" },

  // DOUBLE / FLOAT into UHUGEINT round first.
  { name: "a negative fraction into UHUGEINT is 0 when it rounds to 0, as DuckDB rounds first", sql: "SELECT d, TRY_CAST(d AS UHUGEINT) AS a, TRY_CAST(CAST(d AS FLOAT) AS UHUGEINT) AS b, TRY_CAST(d AS UBIGINT) AS c FROM t", rows: [-0.4, -0.5, -0.6, -1.5, -0.0, 0.5, 2.5, null].map((d) => ({ d })), schema: [{ name: "d", type: "DOUBLE" }] },

  // julian, and date_part of an infinity as a list.
  {
    name: "julian() and date_part('julian') give the Julian Day with the day's fraction, as DuckDB",
    sql: "SELECT ts, julian(ts) AS a, date_part('julian', ts) AS b, julian(CAST(ts AS DATE)) AS c, date_part(['julian', 'year'], ts) AS d, julian(CAST(ts AS TIMESTAMPTZ)) AS e FROM t",
    rows: [{ ts: "2026-03-01 10:17:23.456789" }, { ts: "1969-12-31 23:59:59.999999" }, { ts: "0001-01-01 00:00:00" }, { ts: "1970-01-01 12:00:00" }, { ts: "infinity" }, { ts: null }, { ts: "2000-02-29 06:00:00" }, { ts: "1582-10-15 00:00:00" }],
    schema: [{ name: "ts", type: "TIMESTAMP" }],
  },

  // FLOAT arithmetic and printing.
  {
    name: "FLOAT with a DECIMAL or another FLOAT is computed in FLOAT (both operands narrowed), round(FLOAT) is a FLOAT, FLOAT's largest value prints as DuckDB prints it",
    sql: "SELECT f, f - 0.1 AS a, f % 0.1 AS b, f * 1.5 AS c, round(f, 2) AS d, round(f) AS e, f::VARCHAR AS g, f || '' AS h, {'a': f}::VARCHAR AS i FROM t",
    rows: [0.1, 0.2, 1e-7, 123456789.123, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -0.0, 16777217, 2.5, null].map((f) => ({ f })),
    schema: [{ name: "f", type: "FLOAT" }],
  },

  // INTERVAL text.
  {
    name: "fractions in interval text: six digits kept, weeks split into days and time, months and quarters into 30-day days, years and longer into whole months",
    sql: "SELECT s, TRY_CAST(s AS INTERVAL) AS v, TRY_CAST(s AS INTERVAL)::VARCHAR AS t FROM t",
    rows: texts(ivFractions),
    schema: text,
  },
  {
    name: "interval text: a leading '@' is skipped, minutes and seconds past 59 are no time",
    sql: "SELECT s, TRY_CAST(s AS INTERVAL) AS v FROM t",
    rows: texts(["@ 1 day", "@1 day", " @ 1 day", "@", "@@ 1 day", "@ 01:00:00", "@ -1 day", "00:00:60", "00:60:00", "00:99", "00:60", "1 day 00:00:60", "00:00:60.5", "-00:00:60", "00:59:59.999", "100:00:00", "00:0:5", null]),
    schema: text,
  },

  // to_* interval builders.
  ...[["to_years", 178956971n], ["to_years", -178956971n], ["to_years", 2147483648n], ["to_quarters", 715827883n], ["to_decades", 17895698n], ["to_centuries", 1789570n], ["to_millennia", 178957n], ["to_weeks", 306783379n], ["to_days", 2147483648n], ["to_months", 2147483648n], ["to_hours", 2562047789n], ["to_minutes", -153722867281n]].map(([f, b]) => ({
    name: `${String(f)}(${String(b)}) fails as DuckDB fails it (the interval's field, or INT32)`,
    sql: `SELECT ${String(f)}(b) AS v FROM t`,
    rows: [{ b }],
    schema: big,
    expect: "error" as const,
  })),
  ...["9223372036854.775807", "9223372036855", "nan", "inf", "-inf", "1e300"].map((x) => ({ name: `to_seconds(${x}) fails with DuckDB's Out of Range Error`, sql: "SELECT to_seconds(CAST(s AS DOUBLE)) AS v FROM t", rows: [{ s: "1.5" }, { s: x }], schema: text, expect: "error" as const })),
  {
    name: "to_seconds and to_milliseconds round to the microsecond with ties to even; to_quarters, to_decades, to_centuries, to_millennia build months",
    sql: "SELECT x, to_seconds(x) AS s, to_milliseconds(x) AS ms FROM t",
    rows: [2.5e-6, 1.5e-6, -1.5e-6, -2.5e-6, 0.5e-6, 3.5e-6, 0.0025, 0.0015, -0.0025, 9223372036854, -9223372036854.775808, null].map((x) => ({ x })),
    schema: [{ name: "x", type: "DOUBLE" }],
  },
  {
    name: "to_seconds and to_milliseconds of a BIGINT multiply it as a DOUBLE, as DuckDB's only overload does",
    sql: "SELECT e, to_seconds(e) AS s, to_milliseconds(e) AS ms, TIMESTAMP 'epoch' + to_seconds(e) AS t FROM t",
    rows: [1772359200123n, 1772359200n, 9007199254743n, -9007199254741n, null].map((e) => ({ e })),
    schema: [{ name: "e", type: "BIGINT" }],
  },
  {
    name: "to_quarters, to_decades, to_centuries and to_millennia build months; to_years at INT32's edge",
    sql: "SELECT n, to_quarters(n) AS q, to_decades(n) AS dc, to_centuries(n) AS c, to_millennia(n) AS m, to_years(n * 10000000) AS y FROM t",
    rows: [3, -1, 0, 17, null].map((n) => ({ n })),
    schema: [{ name: "n", type: "INTEGER" }],
  },

  // TIME ± INTERVAL, DATE + TIME.
  {
    name: "TIME ± INTERVAL goes around the clock with the interval's microseconds only; DATE + TIME is a TIMESTAMP",
    sql: "SELECT d, t, t + CAST(s AS INTERVAL) AS a, t - CAST(s AS INTERVAL) AS b, CAST(s AS INTERVAL) + t AS c, d + t AS e, t + d AS f FROM t",
    rows: [{ d: "2026-03-01", t: "10:00:00", s: "1 hour" }, { d: "2026-03-01", t: "23:30:00", s: "1 hour" }, { d: "2024-02-29", t: "00:30:00", s: "-1 hour" }, { d: "2026-03-01", t: "24:00:00", s: "0 seconds" }, { d: "infinity", t: "10:00:00", s: "1 month 2 days 3 hours" }, { d: "-infinity", t: "00:00:00", s: "-25 hours" }, { d: "0044-03-15 (BC)", t: "10:00:00", s: "240000 hours 1 microsecond" }, { d: "-290308-12-22", t: "00:00:00", s: "-9223372036854775807 microseconds" }, { d: null, t: "10:00:00", s: null }],
    schema: [{ name: "d", type: "DATE" }, { name: "t", type: "TIME" }, { name: "s", type: "VARCHAR" }],
  },
  { name: "DATE + TIME past DuckDB's timestamp range fails with its Out of Range Error", sql: "SELECT d + t AS e FROM t", rows: [{ d: "2026-03-01", t: "10:00:00" }, { d: "5881580-07-09", t: "10:00:00" }], schema: [{ name: "d", type: "DATE" }, { name: "t", type: "TIME" }], expect: "error" },

  // Date part specifiers: DuckDB's aliases, and what date_trunc makes of the day's parts.
  ...specifiers.map((w) => ({
    name: `date_trunc and date_part with the specifier '${w}' chosen per row, as DuckDB resolves it`,
    sql: "SELECT w, date_trunc(w, ts) AS a, date_trunc(w, CAST(ts AS DATE)) AS b, date_trunc(w, CAST(ts AS TIMESTAMPTZ)) AS c FROM t",
    rows: [{ ts: "2026-03-01 10:17:23.456789", w }],
    schema: [{ name: "ts", type: "TIMESTAMP" }, { name: "w", type: "VARCHAR" }],
    expect: "same" as const,
  })),
  ...specifiers.map((w) => ({
    name: `date_part with the specifier '${w}' chosen per row, as DuckDB resolves it`,
    sql: "SELECT w, date_part(w, ts) AS a, date_part(w, CAST(ts AS DATE)) AS b FROM t",
    rows: [{ ts: "2026-03-01 10:17:23.456789", w }],
    schema: [{ name: "ts", type: "TIMESTAMP" }, { name: "w", type: "VARCHAR" }],
    expect: "same" as const,
  })),
  { name: "date_part and date_trunc with constant aliases DuckDB accepts (hrs, mons, usec, dec)", sql: "SELECT date_part('hrs', ts) AS a, date_part('mons', ts) AS b, date_part('usec', ts) AS c, date_trunc('dec', ts) AS d, date_trunc('msec', ts) AS e, date_trunc('dow', ts) AS f, date_trunc('epoch', ts) AS g FROM t", rows: [{ ts: "2026-03-01 10:17:23.456789" }, { ts: null }], schema: [{ name: "ts", type: "TIMESTAMP" }] },

  // 0x / 0b integer text.
  {
    name: "0x / 0b integer text takes '_' between digits and spaces before it, none after, as DuckDB reads it (text and JSON strings)",
    sql: "SELECT s, TRY_CAST(s AS INTEGER) AS a, TRY_CAST(s AS UBIGINT) AS b, TRY_CAST(s AS HUGEINT) AS c, TRY_CAST(to_json(s) AS BIGINT) AS d, TRY_CAST(to_json(s) AS UTINYINT) AS e FROM t",
    rows: texts(["0x1_F", "0X1f ", " 0x1F", "0b1_1", "0x_1F", "0x1F_", "0x1__F", "0x1F x", "-0x1F", "0xFF", "0x100", "0x", null]),
    schema: text,
  },

  // Broad guards over the hunt's areas (these agreed before and after; kept so they stay so).
  {
    name: "integer arithmetic at the 64-bit limits: // and % with negatives and zero, unsigned and mixed operands (guard)",
    sql: "SELECT a // b AS q, a % b AS r, a / b AS f, fdiv(a, b) AS fd, fmod(a, b) AS fm, u // 2 AS uq, u % 7 AS ur, abs(i) AS ai, sign(a) AS sg, i // 0 AS z1, i % 0 AS z2 FROM t",
    rows: [{ a: -7n, b: 2n, i: -7, u: 7n }, { a: 7n, b: -2n, i: 2147483647, u: 18446744073709551615n }, { a: -7n, b: -2n, i: -2147483647, u: 0n }, { a: 7n, b: 0n, i: 0, u: 9223372036854775808n }, { a: null, b: 0n, i: null, u: null }],
    schema: [{ name: "a", type: "BIGINT" }, { name: "b", type: "BIGINT" }, { name: "i", type: "INTEGER" }, { name: "u", type: "UBIGINT" }],
  },
  {
    name: "sums and averages of huge integers: HUGEINT sums, exact averages (guard)",
    sql: "SELECT g, sum(h) AS sh, avg(h) AS ah, sum(u) AS su, avg(u) AS au, sum(b) AS sb, avg(b) AS ab, min(h) AS mn, max(u) AS mx FROM t GROUP BY g",
    rows: [{ h: 170141183460469231731687303715884105727n, u: 18446744073709551615n, b: 9223372036854775807n, g: "x" }, { h: -170141183460469231731687303715884105727n, u: 18446744073709551615n, b: 9223372036854775807n, g: "x" }, { h: -5n, u: 1n, b: -1n, g: "y" }, { h: null, u: null, b: null, g: "y" }],
    schema: [{ name: "h", type: "HUGEINT" }, { name: "u", type: "UBIGINT" }, { name: "b", type: "BIGINT" }, { name: "g", type: "VARCHAR" }],
  },
  {
    name: "DECIMAL arithmetic, rounding and sums with negatives (guard)",
    sql: "SELECT x, x * w AS a, x / 3 AS b, x // 2 AS c, x % 2 AS d, round(x, 1) AS e, round(y, -3) AS f, round_even(w, 1) AS g, ceil(z) AS h, floor(w) AS i, CAST(x AS INTEGER) AS j, CAST(w AS DECIMAL(10,0)) AS k, CAST(x AS DOUBLE) AS l FROM t",
    rows: [{ x: "12345678.99", y: "999999999999.999999", z: "9999999999999999999999999999.9999999999", w: "9.995" }, { x: "-0.05", y: "-0.000001", z: "-0.0000000001", w: "-0.005" }, { x: "2.50", y: "2.5", z: "2.5", w: "2.5" }, { x: "-2.50", y: "-3.5", z: "-0.5", w: "0.5" }, { x: null, y: null, z: null, w: null }],
    schema: [{ name: "x", type: "DECIMAL(10,2)" }, { name: "y", type: "DECIMAL(18,6)" }, { name: "z", type: "DECIMAL(38,10)" }, { name: "w", type: "DECIMAL(4,3)" }],
  },
  {
    name: "negative zero through rounding, casts and text (guard)",
    sql: "SELECT d, d::VARCHAR AS a, round(d) AS b, ceil(d)::VARCHAR AS c, round(d, 1)::VARCHAR AS e, trunc(d)::VARCHAR AS f, (-d)::VARCHAR AS h, abs(d)::VARCHAR AS i, signbit(d) AS k, d::DECIMAL(4,1)::VARCHAR AS l, d::INTEGER AS m, to_json(d) AS n, d::FLOAT::VARCHAR AS q, (d // 1)::VARCHAR AS t2 FROM t",
    rows: [-0.0, -0.4, -0.5, 0.0, -1e-320, null].map((d) => ({ d })),
    schema: [{ name: "d", type: "DOUBLE" }],
  },
  {
    name: "epoch seconds and milliseconds as BIGINT into timestamps and day partitions (guard)",
    sql: "SELECT e, to_timestamp(e) AS a, to_timestamp(e / 1000) AS b, epoch_ms(e) AS c, make_timestamp(e) AS d, CAST(to_timestamp(e) AS DATE) AS day, date_trunc('day', to_timestamp(e)) AS f, TIMESTAMP 'epoch' + to_seconds(e) AS g, to_timestamp(e) AT TIME ZONE 'America/New_York' AS h FROM t",
    rows: [1772359200, 1772359200123, -1, 0, 253402300799, -62135596800, null].map((e) => ({ e })),
    schema: [{ name: "e", type: "BIGINT" }],
  },
  {
    name: "timestamp texts in many shapes as TIMESTAMP, TIMESTAMPTZ, DATE and TIME (guard)",
    sql: "SELECT s, TRY_CAST(s AS TIMESTAMP) AS a, TRY_CAST(s AS TIMESTAMPTZ) AS b, TRY_CAST(s AS DATE) AS c, TRY_CAST(s AS TIME) AS d FROM t",
    rows: texts(["2026-03-01T10:00:00Z", "2026-03-01T10:00:00.123Z", "2026-03-01T10:00:00+05:30", "2026-03-01T10:00:00-0800", "2026-03-01T10:00Z", "2026-03-01T10:00", "2026-03-01 10:00", "2026-03-01", "2026-3-1", "2026-03-01T10:00:00.123456789Z", "2026-02-28T23:59:60Z", "2026-02-30", "2024-02-29T00:00:00", "2026-13-01", "9999-12-31T23:59:59.999999", "10000-01-01", "-0001-01-01", "0001-01-01 BC", "2026-03-01 24:00:00", "2026-03-01 24:00:01", "2026/03/01 10:00:00", "20260301T100000Z", "  2026-03-01 10:00:00  ", "2026-03-01 10:00:00 UTC", "1772359200", "", "infinity", "epoch", "2026-03-01T10:00:00Z junk", null]),
    schema: text,
  },
  {
    name: "%T is %H:%M:%S in strftime and strptime, as DuckDB reads it",
    sql: "SELECT ts, strftime(ts, '%T') AS a, strftime(ts, 'at %T on %Y-%m-%d') AS b, try_strptime(strftime(ts, '%Y-%m-%d %T'), '%Y-%m-%d %T') AS c, try_strptime('10:17:23', '%T') AS d FROM t",
    rows: [{ ts: "2026-03-01 10:17:23.456789" }, { ts: "0044-03-15 (BC) 00:00:00" }, { ts: null }],
    schema: [{ name: "ts", type: "TIMESTAMP" }],
  },
];

const diffRows = [
  { a: "1999-12-31 23:59:59.5", b: "2125-03-01 00:00:01" }, { a: "2000-06-01", b: "2001-06-01" }, { a: "2020-12-31", b: "2021-01-04" },
  { a: "2024-01-08", b: "2024-01-01" }, { a: "2009-12-31 12:00", b: "2010-01-01 01:00" }, { a: "0005-06-01", b: "2026-01-01" },
];
const diffParts = ["decade", "decades", "century", "centuries", "millennium", "millennia", "isoyear", "dayofweek", "dayofyear", "weekday", "weekofyear", "yearweek", "mons", "mins", "sec", "msec", "usec", "hr", "dec", "epoch", "week", "doy", "julian", "dow", "isodow", "Year", "QUARTER"];
cases.push(
  { name: "numtime: date_diff of timestamps by every part name DuckDB takes (year-like parts truncate the year)", sql: `SELECT ${diffParts.map((p, i) => `date_diff('${p}', CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP)) AS p${i}`).join(", ")} FROM t`, rows: diffRows },
  { name: "numtime: date_diff of dates by every part name DuckDB takes", sql: `SELECT ${diffParts.map((p, i) => `date_diff('${p}', CAST(a AS DATE), CAST(b AS DATE)) AS p${i}`).join(", ")} FROM t`, rows: diffRows },
  { name: "numtime: date_diff by era is DuckDB's not-implemented error", sql: "SELECT date_diff('era', CAST(a AS DATE), CAST(b AS DATE)) AS x FROM t", rows: diffRows, expect: "error" },
);
cases.push({ name: "numtime: format() prints a FLOAT as the double it widens to", sql: "SELECT format('{} {}', CAST(x AS FLOAT), x) AS f FROM t", rows: [{ x: 0.1 }, { x: 1.5 }, { x: 3.4028234663852886e38 }, { x: -0.0 }] });

/** time_bucket in a time zone, across the hours the clocks skip and repeat (Berlin, New York, Lord Howe's half hour). */
const zoned = ["2026-03-29 00:30:00+00", "2026-03-29 01:30:00+00", "2026-03-29 00:59:59+00", "2026-10-25 00:30:00+00", "2026-10-25 01:30:00+00", "2026-10-25 00:59:00+00", "2026-03-31 23:30:00+00", "2026-11-01 05:30:00+00", "2026-11-01 06:30:00+00", "2026-03-08 07:30:00+00", null].map((ts) => ({ ts }));
const bucketWidths = ["INTERVAL 1 hour", "INTERVAL 30 minutes", "INTERVAL 1 day", "INTERVAL 7 days", "INTERVAL 1 month", "INTERVAL 3 months"];
for (const zone of ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]) {
  cases.push({ name: `numtime: time_bucket(width, TIMESTAMPTZ, '${zone}') buckets the wall time there`, sql: `SELECT ${bucketWidths.map((w, i) => `time_bucket(${w}, CAST(ts AS TIMESTAMPTZ), '${zone}') AS b${i}`).join(", ")} FROM t`, rows: zoned });
}
