/**
 * Messy webhook and Kafka payloads written through notebooks a data engineer would write, found by
 * the messy hunt (2026-12-06): each case failed before its fix. Floats are compared as text
 * (`::VARCHAR`), because the last digit is what the lake keeps and the float tolerance hides it.
 */
import type { ConformanceCase } from "../case.ts";

/** Payment amounts in cents, near 2^53 and past it, and money with five decimals of every width. */
const cents = [{ a: 9007199254740993n }, { a: -9007199254740993n }, { a: 123456789012345678n }, { a: 199n }, { a: null }];
const money: { d: string }[] = [];
let x = 987654321n;
for (let i = 0; i < 300; i++) {
  x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 63n;
  const m = [10n ** 6n, 10n ** 9n, 10n ** 12n, 10n ** 15n, 10n ** 16n, 2n ** 53n, 10n ** 17n, 10n ** 18n, 10n ** 20n, 10n ** 30n][i % 10]!;
  const s = ((x * (x + 7n)) % m).toString().padStart(6, "0");
  money.push({ d: (i % 2 ? "-" : "") + s.slice(0, -5) + "." + s.slice(-5) });
}
/** 128-bit integers: small negative ones (DuckDB's special case) and ones past 2^64. */
const huge: { h: bigint }[] = [];
for (let i = 0; i < 120; i++) {
  x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
  const u = (x * (x + 7n) * (x + 3n)) % [2n ** 54n, 2n ** 60n, 2n ** 64n, 2n ** 70n, 2n ** 90n, 2n ** 126n][i % 6]!;
  huge.push({ h: i % 2 ? -u : u });
}

/** Names a dedup job compares: transposed, accented, CJK, emoji, empty, one long run. */
const names = ["martha", "marhta", "dixon", "dicksonx", "", "a", "ab", "ba", "ca", "abc", "éa", "aé", "straße", "strasse", "Zoë", "Zoe", "李雷", "雷李", "👋🏽", "👋", "crate", "trace", "abcdefgh", "abcdefxy", "Acme Corp.", "ACME Corporation", "acme corp", "a".repeat(70) + "b", "b" + "a".repeat(70), null];
const fuzzyPairs: { a: string | null; b: string | null }[] = [];
for (const a of names) for (const b of names) fuzzyPairs.push({ a, b });
let seed = 7;
const draw = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const word = (): string => Array.from({ length: Math.floor(draw() * 12) }, () => "abcde"[Math.floor(draw() * 5)]).join("");
for (let i = 0; i < 300; i++) fuzzyPairs.push({ a: word(), b: word() });

export const cases: ConformanceCase[] = [
  {
    name: "messy: a DECIMAL past 2^53 divided by an integer is DuckDB's DOUBLE of it divided (integer part + fraction), not the nearest",
    sql: "SELECT a, (CAST(a AS DECIMAL(38,2)) / 100)::VARCHAR AS d38, (CAST(a AS DECIMAL(18,2)) / 100)::VARCHAR AS d18, (CAST(a AS DECIMAL(38,2)) / 7)::VARCHAR AS s7 FROM t WHERE a IS NULL OR abs(a) < 10000000000000000",
    rows: cents, schema: [{ name: "a", type: "BIGINT" }],
  },
  {
    name: "messy: DECIMAL to DOUBLE, by CAST, `/`, a DOUBLE operand, sqrt and round, agrees to the last digit at every width",
    sql: "SELECT d, CAST(d AS DOUBLE)::VARCHAR AS c, (d / 3)::VARCHAR AS q, (d * 1.5::DOUBLE)::VARCHAR AS m, sqrt(abs(d))::VARCHAR AS r, round(d / 7, 3)::VARCHAR AS n FROM t",
    rows: money, schema: [{ name: "d", type: "DECIMAL(38,5)" }],
  },
  {
    name: "messy: HUGEINT and UHUGEINT to DOUBLE convert half by half as DuckDB does (a small negative HUGEINT too)",
    sql: "SELECT h, CAST(h AS DOUBLE)::VARCHAR AS c, (h / 3)::VARCHAR AS q, (h * 1.5::DOUBLE)::VARCHAR AS m, CAST(abs(h) AS UHUGEINT)::DOUBLE::VARCHAR AS u, (CAST(abs(h) AS UHUGEINT) / 3)::VARCHAR AS uq FROM t",
    rows: huge, schema: [{ name: "h", type: "HUGEINT" }],
  },
  {
    name: "messy: try_strptime with a list mixing formats with and without %z is refused (DuckDB carries an earlier row's offset over)",
    sql: "SELECT try_strptime(ts, ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S']) AS m FROM t",
    rows: [{ ts: "2024-01-01T05:30:00+05:30" }, { ts: "2024-01-01 10:00:00" }, { ts: "2024-02-30 10:00:00" }],
    expect: "compile-error", message: "mixing some with %z or %Z and some without",
  },
  {
    name: "messy: (guard) the rewrite the refusal suggests, one try_strptime per kind of format, agrees",
    sql: "SELECT coalesce(try_strptime(ts, '%Y-%m-%dT%H:%M:%S%z'), try_strptime(ts, '%Y-%m-%d %H:%M:%S')) AS m, try_strptime(ts, ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S']) AS plain FROM t",
    rows: [{ ts: "2024-01-01T05:30:00+05:30" }, { ts: "2024-01-01 10:00:00" }, { ts: "2024-02-30 10:00:00" }, { ts: "2024-01-01T00:00:00-0800" }, { ts: null }],
  },
  {
    name: "messy: DECIMAL to FLOAT is computed in FLOAT as DuckDB's (16777217.50 is 16777216), by CAST and as a FLOAT operand",
    sql: "SELECT d, CAST(d AS FLOAT)::VARCHAR AS f, (d * 1.5::FLOAT)::VARCHAR AS m, CAST(CAST(d AS DECIMAL(18,2)) AS FLOAT)::VARCHAR AS f18 FROM t",
    rows: [{ d: "16777217.50" }, { d: "90071992547409.93" }, { d: "2.34" }, { d: "-0.10" }, { d: "-33554435.75" }, { d: null }],
    schema: [{ name: "d", type: "DECIMAL(38,2)" }],
  },
  {
    name: "messy: a BIGINT past 2^53 to FLOAT is rounded once (2^60 + 2^36 + 1 rounds up), HUGEINT through its DOUBLE",
    sql: "SELECT b, CAST(b AS FLOAT)::VARCHAR AS f, CAST(b AS UBIGINT)::FLOAT::VARCHAR AS u, CAST(b AS HUGEINT)::FLOAT::VARCHAR AS h, CAST(-b + 1152921573326323713 - 285637201 AS HUGEINT)::FLOAT::VARCHAR AS small FROM t",
    rows: [{ b: 1152921573326323713n }, { b: 1152921504606846977n }, { b: 9007199254740993n }],
    schema: [{ name: "b", type: "BIGINT" }],
  },
  {
    name: "messy: an aggregate's argument is computed for the rows its FILTER drops too, and fails there as DuckDB's",
    sql: "SELECT k, sum(CAST(ts AS BIGINT)) FILTER (WHERE ts LIKE '1%') AS a FROM t GROUP BY k",
    rows: [{ ts: "1704067200000", k: "a" }, { ts: "yesterday", k: "a" }, { ts: null, k: "b" }, { ts: "17", k: "b" }],
    expect: "error",
  },
  {
    name: "messy: a FILTER condition computes every operand of its AND, as DuckDB's projection below the aggregate does",
    sql: "SELECT time_bucket(INTERVAL 1 minute, TIMESTAMP '2024-01-01') AS w, count(*) FILTER (WHERE ts LIKE '1%' AND CAST(ts AS BIGINT) > 5) AS n FROM t GROUP BY ALL",
    rows: [{ ts: "1704067200000", k: "a" }, { ts: "yesterday", k: "a" }],
    expect: "error",
  },
  {
    name: "messy: (guard) FILTERed aggregates over computed arguments answer as before where nothing fails",
    sql: "SELECT k, sum(TRY_CAST(ts AS BIGINT)) FILTER (WHERE ts LIKE '1%') AS a, count(*) FILTER (WHERE ts LIKE '1%' AND TRY_CAST(ts AS BIGINT) > 5) AS n, max(upper(k)) FILTER (WHERE ts IS NULL) AS m, count(DISTINCT lower(ts)) FILTER (WHERE ts <> '') AS d, sum(CASE WHEN ts LIKE '1%' THEN CAST(ts AS BIGINT) END) AS s, string_agg(ts, ',') FILTER (WHERE k = 'a') AS l FROM t GROUP BY k",
    rows: [{ ts: "1704067200000", k: "a" }, { ts: "yesterday", k: "a" }, { ts: null, k: "b" }, { ts: "17", k: "b" }, { ts: "", k: "b" }],
  },
  {
    name: "messy: fuzzy matching of names (jaro_similarity, jaro_winkler_similarity with and without a cutoff, damerau_levenshtein) over bytes, as DuckDB's",
    sql: "SELECT a, b, jaro_similarity(a, b)::VARCHAR AS j, jaro_winkler_similarity(a, b)::VARCHAR AS jw, jaro_similarity(a, b, 0.8) AS jc, jaro_winkler_similarity(a, b, 0.9) AS jwc, damerau_levenshtein(a, b) AS dl FROM t",
    rows: fuzzyPairs,
  },
  {
    name: "messy: unhex and from_hex read hex payloads (either case, an odd count's first digit alone)",
    sql: "SELECT s, unhex(s) AS u, from_hex(s) AS f, hex(unhex(s)) AS h FROM t",
    rows: ["4142", "414", "", "ff00", "e282ac", "aB", null, "0", "deadBEEF"].map((s) => ({ s })),
  },
  { name: "messy: unhex of a text that is not hex fails as DuckDB's", sql: "SELECT unhex(s) AS u FROM t", rows: [{ s: "41g2" }], expect: "error" },
  {
    name: "messy: list_distinct and list_unique keep every NaN of a DOUBLE or FLOAT list apart (DuckDB's hash set of raw numbers), but not inside nested elements",
    sql: "SELECT list_sort(list_distinct(l)) AS d, list_unique(l) AS u, list_unique(CAST(l AS FLOAT[])) AS uf, list_sort(list_distinct(m)) AS dm, list_unique(m) AS um FROM t",
    rows: [{ l: [NaN, NaN, 1.0], m: [[1.0, NaN], [1.0, NaN]] }, { l: [-0, 0, NaN], m: [] }, { l: [NaN], m: null }, { l: [0, -0], m: null }, { l: null, m: [[NaN], [NaN], [0]] }],
    schema: [{ name: "l", type: "DOUBLE[]" }, { name: "m", type: "DOUBLE[][]" }],
  },
  {
    name: "messy: COLLATE NOCASE is refused at its own line (DuckDB gives the COLLATE node no place; its operand has one)",
    sql: "SELECT\n  s,\n  s COLLATE NOCASE = 'straße' AS same\nFROM t",
    rows: [{ s: "STRASSE" }], expect: "compile-error", message: "line 3): compare lower(x)",
  },
  {
    name: "messy: typeof() names each value's type as DuckDB prints it, a NULL's too (routing payloads by shape)",
    sql: "SELECT i, typeof(n) AS a, typeof(d) AS b, typeof(s) AS c, typeof(l) AS e, typeof(st) AS f, typeof(j) AS g, typeof(big) AS h, typeof(CAST(t AS TIMESTAMPTZ)) AS k, typeof(CAST(d AS DECIMAL(18,3))) AS m, typeof(n + 1) AS o, typeof(NULL) AS p, typeof(st.\"b c\") AS q, typeof({'x': n, 'y': s}) AS u FROM t",
    rows: [
      { i: 1, n: 5, d: 1.5, s: "x", l: [1, 2], st: { a: 1, order: "x", "b c": [1.5] }, j: { k: [1, "a"] }, big: 12345678901234567890n, t: "2024-01-01" },
      { i: 2, n: null, d: null, s: null, l: null, st: null, j: "str", big: null, t: null },
    ],
  },
];
