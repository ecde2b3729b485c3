import type { ConformanceCase } from "../case.ts";

// Found by edge/exec/messy-events-fuzz11.node.test.ts (messy event texts against DuckDB), one case per fix.
const floats = [{ f: 0.1 }, { f: -0.1 }, { f: 123456.7 }, { f: 3e-9 }, { f: 1.1 }, { f: null }, { f: 0.29 }];
const floatSchema = [{ name: "f", type: "FLOAT" }];

export const cases: ConformanceCase[] = [
  { name: "a FLOAT cast to DECIMAL(38,10) is DuckDB's value (0.1 stays 0.1000000000, not 0.1000000015)", sql: "SELECT f, CAST(f AS DECIMAL(38,10)) AS d FROM t", rows: floats, schema: floatSchema },
  { name: "a FLOAT cast to DECIMAL(18,10), DECIMAL(38,20) and DECIMAL(4,3) is DuckDB's value", sql: "SELECT f, TRY_CAST(f AS DECIMAL(18,10)) AS a, TRY_CAST(f AS DECIMAL(38,20)) AS b, TRY_CAST(f AS DECIMAL(4,3)) AS c FROM t", rows: floats, schema: floatSchema },
  { name: "a FLOAT past a DECIMAL's width fails the cast as in DuckDB", sql: "SELECT CAST(f * 1e9 AS DECIMAL(9,0)) AS d FROM t", rows: [{ f: 0.999999999 }], schema: floatSchema, expect: "same" },
  { name: "a DOUBLE cast to DECIMAL(38,26), DECIMAL(38,29), DECIMAL(38,34) and DECIMAL(38,36) scales by the exact power of ten", sql: "SELECT x, TRY_CAST(x AS DECIMAL(38,26)) AS a, TRY_CAST(x / 1000 AS DECIMAL(38,29)) AS b, TRY_CAST(x / 10000 AS DECIMAL(38,34)) AS c, TRY_CAST(x / 100 AS DECIMAL(38,36)) AS e FROM t", rows: [{ x: 1 }, { x: 0.5 }, { x: -3 }, { x: 0.01 }], schema: [{ name: "x", type: "DOUBLE" }] },
];

// substring's start before the text: DuckDB clamps it first (the ASCII path) only where statistics prove
// the text ASCII, i.e. a column of ASCII values; a function's result or a constant takes the other path.
const short = [{ s: "x" }, { s: "é" }, { s: "ab" }, { s: "v" }, { s: null }, { s: "" }];
const ascii = [{ s: "x" }, { s: "ab" }, { s: "v" }, { s: "xyz" }];
cases.push(
  { name: "substr of a function's result from before its start is DuckDB's '' (regexp_replace, one-letter text)", sql: "SELECT s, substr(regexp_replace(s, '[^a-z]', '_', 'g'), -2, 1) AS v FROM t", rows: short },
  { name: "substr of lower() of an all-ASCII column from before its start is '' as in DuckDB", sql: "SELECT s, substr(lower(s), -3, 2) AS a, substring(trim(s), 100, -1) AS b, substr(s || '', -2, 1) AS c FROM t", rows: ascii },
  { name: "substr of an all-ASCII column from before its start keeps DuckDB's clamped answer", sql: "SELECT s, substr(s, -2, 1) AS a, substr(CASE WHEN s <> '' THEN s END, -3, 2) AS b, substr(coalesce(s, 'q'), -2, 1) AS c FROM t", rows: ascii },
  { name: "substr of a constant and of a number's text from before the start is '' as in DuckDB", sql: "SELECT substr('_', -2, 1) AS a, substr(CAST(length(s) AS VARCHAR), -2, 1) AS b FROM t", rows: ascii },
  // DuckDB passes a column's statistics through nullif, a list built of columns and an element taken from it.
  { name: "substr of nullif(column) and of a list's element made from a column keeps DuckDB's clamped answer", sql: "SELECT s, substr(nullif(s, 'q'), -2, 1) AS a, substr(l[1], -2, 1) AS b FROM (SELECT s, [s] AS l FROM t)", rows: ascii },
);

// A JSON number past FLOAT's range: DuckDB reads it as a DOUBLE and TRY_CAST to FLOAT is NULL (CAST fails);
// a JSON text "1e308" or a number past DOUBLE's range is infinity.
const bigJson = [{ id: 1, j: 1e308 }, { id: 2, j: -1e39 }, { id: 3, j: 3.5e38 }, { id: 4, j: "1e308" }, { id: 5, j: 5e-324 }, { id: 6, j: 7 }, { id: 7, j: null }];
cases.push(
  { name: "TRY_CAST of a JSON number past FLOAT's range to FLOAT is NULL as in DuckDB", sql: "SELECT id, TRY_CAST(j AS FLOAT) AS f FROM t", rows: bigJson, schema: [{ name: "id", type: "BIGINT" }, { name: "j", type: "JSON" }] },
  { name: "CAST of a JSON number past FLOAT's range to FLOAT fails as in DuckDB", sql: "SELECT id, CAST(j AS FLOAT) AS f FROM t", rows: [{ id: 1, j: 1e308 }], schema: [{ name: "id", type: "BIGINT" }, { name: "j", type: "JSON" }], expect: "error" },
);
cases.push({ name: "a JSON integer past FLOAT's range is infinity as a FLOAT, as in DuckDB", sql: "SELECT TRY_CAST(j AS FLOAT) AS f, CAST(j AS FLOAT) AS g FROM t", rows: [{ j: 10n ** 39n }, { j: 18446744073709551617n }, { j: -(10n ** 40n) }], schema: [{ name: "j", type: "JSON" }] });

// round / trunc of a DOUBLE to 26, 29, 34 or 36 digits multiply by 10^d as libm's pow gives it (the nearest
// double); the text shows the last bit, and trunc a whole digit (trunc(1.2345e-20, 26) was 1.234499e-20).
const tiny = [{ x: 1.2345e-20 }, { x: 0.1 }, { x: 3.3333333333e-25 }, { x: 123.456 }, { x: 7e-30 }, { x: 1e30 }, { x: 5.55e35 }, { x: null }];
cases.push({
  name: "round and trunc of a DOUBLE to 26 to 36 digits print DuckDB's text",
  sql: "SELECT x, round(x, 26)::VARCHAR AS a, round(x, 29)::VARCHAR AS b, round(x, 34)::VARCHAR AS c, round(x, 36)::VARCHAR AS d, round(x, -26)::VARCHAR AS e, round(x, -29)::VARCHAR AS f, trunc(x, 26)::VARCHAR AS h, trunc(x, -29)::VARCHAR AS i, trunc(x, 36)::VARCHAR AS j FROM t",
  rows: tiny,
  schema: [{ name: "x", type: "DOUBLE" }],
});
cases.push(
  { name: "substr of a CTE's computed column from before its start is '' as in DuckDB, of its passed-on column clamped", sql: "WITH x AS (SELECT lower(s) AS v, s FROM t) SELECT v, substr(v, -3, 2) AS a, substr(s, -3, 2) AS b FROM x", rows: ascii },
  { name: "substr of a subquery's computed column from before its start is '' as in DuckDB", sql: "SELECT v, substr(v, -3, 2) AS a FROM (SELECT s || '' AS v FROM t)", rows: ascii },
  { name: "substr of another cell's computed column from before its start is '' as in DuckDB", sql: "SELECT v, substr(v, -3, 2) AS a FROM prep", rows: ascii, cells: { prep: "SELECT trim(s) AS v FROM t" } },
  { name: "substr of a GROUP BY key computed by a function, after the aggregate, is '' as in DuckDB", sql: "SELECT k, substr(k, -3, 2) AS a, c FROM (SELECT lower(s) AS k, count(*) AS c FROM t GROUP BY ALL)", rows: ascii },
);

// A DATE past TIMESTAMP's range (after 294247-01-10) made a TIMESTAMP: DuckDB fails (TRY_CAST is NULL), the
// executor wrote microseconds past 64 bits. TIMESTAMPTZ fails with an Invalid Input Error, under TRY_CAST too.
const farDays = [{ d: "294247-01-31" }, { d: "294247-01-10" }, { d: "2024-02-29" }, { d: null }];
const dateSchema = [{ name: "d", type: "DATE" }];
cases.push(
  { name: "TRY_CAST of a DATE past TIMESTAMP's range to TIMESTAMP is NULL as in DuckDB", sql: "SELECT d, TRY_CAST(d AS TIMESTAMP) AS t FROM t", rows: farDays, schema: dateSchema },
  { name: "CAST of a DATE past TIMESTAMP's range to TIMESTAMP fails as in DuckDB", sql: "SELECT d, CAST(d AS TIMESTAMP) AS t FROM t", rows: farDays, schema: dateSchema, expect: "error" },
  { name: "coalesce of a DATE past TIMESTAMP's range with a TIMESTAMP fails as in DuckDB", sql: "SELECT d, coalesce(last_day(d), TIMESTAMP '1970-01-01') AS t FROM t", rows: farDays, schema: dateSchema, expect: "error" },
  { name: "comparing a DATE past TIMESTAMP's range with a TIMESTAMP fails as in DuckDB", sql: "SELECT d, d < TIMESTAMP '1970-01-01' AS t FROM t", rows: farDays, schema: dateSchema, expect: "error" },
  { name: "a DATE past TIMESTAMP's range cast to TIMESTAMPTZ fails with DuckDB's Invalid Input Error, under TRY_CAST too", sql: "SELECT d, TRY_CAST(d AS TIMESTAMPTZ) AS t FROM t", rows: farDays, schema: dateSchema, expect: "error" },
  { name: "a DATE at the end of TIMESTAMP's range still casts", sql: "SELECT d, CAST(d AS TIMESTAMP) AS t, CAST(d AS TIMESTAMPTZ) AS z FROM t", rows: [{ d: "294247-01-10" }, { d: "290308-12-22 (BC)" }, { d: "infinity" }, { d: "-infinity" }], schema: dateSchema },
);
cases.push({ name: "a DATE past TIMESTAMP's range minus a TIMESTAMP fails as in DuckDB", sql: "SELECT d, d - TIMESTAMP '2024-01-01' AS t FROM t", rows: farDays, schema: dateSchema, expect: "error" });
