/** Aggregates over messy values (helper agg9, 2026-12-06). */
import type { ConformanceCase } from "../case.ts";

const S = (cols: Record<string, string>) => Object.entries(cols).map(([name, type]) => ({ name, type }));
const nfc = "caf\u00e9", nfd = "cafe\u0301";
const texts = [{ k: nfc, v: 1 }, { k: nfd, v: 2 }, { k: "Z", v: 3 }, { k: "a", v: 4 }, { k: "\u00e9", v: 5 }, { k: "\uD83D\uDE00", v: 6 }, { k: "\uFF21", v: 7 }, { k: "", v: 8 }, { k: null, v: 9 }];
const ts = S({ k: "VARCHAR", v: "INTEGER" });
export const cases: ConformanceCase[] = [
  { name: "agg9: NFC and NFD keys are two groups", sql: "SELECT k, count(*) AS n, sum(v) AS s FROM t GROUP BY k", rows: texts, schema: ts },
  { name: "agg9: min/max/string_agg ORDER BY of unicode text", sql: "SELECT min(k) AS lo, max(k) AS hi, string_agg(k, '|' ORDER BY k) AS o, string_agg(k, '|' ORDER BY k DESC) AS od, list(k ORDER BY k) AS l, arg_max(v, k) AS am, arg_min(k, v) AS an FROM t", rows: texts, schema: ts },
  { name: "agg9: count(DISTINCT) of unicode-equal-looking text", sql: "SELECT count(DISTINCT k) AS d, count(DISTINCT lower(k)) AS dl, count(DISTINCT nfc_normalize(k)) AS dn FROM t", rows: texts, schema: ts },
  { name: "agg9: mode / first / last / any_value of text", sql: "SELECT mode(k) AS m, first(k) AS f, last(k) AS l, any_value(k) AS a FROM t", rows: texts, schema: ts },
  { name: "agg9: sum/avg of DOUBLE with NaN and inf per group", sql: "SELECT k, sum(x) AS s, avg(x) AS a, min(x) AS lo, max(x) AS hi, count(DISTINCT x) AS d, list(DISTINCT x ORDER BY x) AS l FROM t GROUP BY k", rows: [{ k: 1, x: "NaN" }, { k: 1, x: 1 }, { k: 2, x: "Infinity" }, { k: 2, x: "-Infinity" }, { k: 3, x: "Infinity" }, { k: 3, x: 2 }, { k: 4, x: -0.0 }, { k: 4, x: 0 }, { k: 5, x: "-0.0" }, { k: 6, x: "NaN" }, { k: 6, x: "-NaN" }], schema: S({ k: "INTEGER", x: "DOUBLE" }) },
  { name: "agg9: sum of -0.0 alone, min/max of -0.0 and 0.0", sql: "SELECT k, sum(x)::VARCHAR AS s, min(x)::VARCHAR AS lo, max(x)::VARCHAR AS hi, first(x)::VARCHAR AS f, avg(x)::VARCHAR AS a, arg_max(k, x) AS am FROM t GROUP BY k", rows: [{ k: 1, x: "-0.0" }, { k: 2, x: "-0.0" }, { k: 2, x: "0.0" }, { k: 3, x: "0.0" }, { k: 3, x: "-0.0" }], schema: S({ k: "INTEGER", x: "DOUBLE" }) },
  { name: "agg9: sum of BIGINT past 2^63 and avg of huge values", sql: "SELECT sum(b) AS s, avg(b) AS a, sum(b)::VARCHAR AS st, sum(b) / count(*) AS q, min(b) AS lo, max(b) AS hi FROM t", rows: [{ b: 9223372036854775807n }, { b: 9223372036854775807n }, { b: 9223372036854775807n }, { b: -9223372036854775808n }], schema: S({ b: "BIGINT" }) },
  { name: "agg9: sum of UBIGINT and of INTEGER with FILTER", sql: "SELECT sum(u) AS s, sum(u) FILTER (WHERE u > 10) AS f, count(*) FILTER (WHERE u IS NULL) AS nn, sum(i) FILTER (WHERE i < 0) AS neg FROM t", rows: [{ u: 18446744073709551615n, i: -2147483648 }, { u: 18446744073709551615n, i: -2147483648 }, { u: null, i: 5 }], schema: S({ u: "UBIGINT", i: "INTEGER" }) },
  { name: "agg9: GROUP BY a STRUCT and a LIST with NULL fields and NaN", sql: "SELECT s, l, count(*) AS n FROM t GROUP BY ALL", rows: [{ s: { a: null, b: "x" }, l: [1.0, null] }, { s: { a: null, b: "x" }, l: [1.0, null] }, { s: null, l: null }, { s: { a: "NaN", b: null }, l: ["NaN"] }, { s: { a: "NaN", b: null }, l: ["-0.0"] }, { s: { a: "-0.0", b: null }, l: [0.0] }], schema: S({ s: "STRUCT(a DOUBLE, b VARCHAR)", l: "DOUBLE[]" }) },
  { name: "agg9: arg_max ties keep the first row; arg_max of NaN", sql: "SELECT arg_max(k, x) AS a, arg_min(k, x) AS b, arg_max(k, y) AS c, max(y) AS my, min(y) AS ny FROM t", rows: [{ k: "p", x: 1, y: 1 }, { k: "q", x: 1, y: "NaN" }, { k: "r", x: 0, y: "NaN" }, { k: "s", x: 0, y: 2 }], schema: S({ k: "VARCHAR", x: "INTEGER", y: "DOUBLE" }) },
  { name: "agg9: HAVING on a FILTERed aggregate and on count(DISTINCT)", sql: "SELECT k, count(DISTINCT v) AS d FROM t GROUP BY k HAVING count(*) FILTER (WHERE v > 1) >= 1 AND count(DISTINCT v) > 0", rows: texts, schema: ts },
  { name: "agg9: string_agg with a NULL separator row and DISTINCT", sql: "SELECT string_agg(DISTINCT k, ',') AS d, string_agg(k, NULL) AS n, count(DISTINCT (k, v)) AS p FROM t", rows: texts, schema: ts },
  { name: "agg9: min/max of a LIST and a STRUCT", sql: "SELECT min(l) AS lo, max(l) AS hi, min(s) AS slo, max(s) AS shi FROM t", rows: [{ s: { a: null, b: "x" }, l: [1.0, null] }, { s: { a: 1, b: "x" }, l: [1.0] }, { s: null, l: [] }, { s: { a: "NaN", b: null }, l: ["NaN"] }, { s: { a: "-0.0", b: null }, l: [null] }], schema: S({ s: "STRUCT(a DOUBLE, b VARCHAR)", l: "DOUBLE[]" }) },
];

const mixed = [{ k: "b", v: 2, x: "-0.0" }, { k: "a", v: 2, x: "0.0" }, { k: null, v: 1, x: "NaN" }, { k: "c", v: null, x: "NaN" }, { k: "a", v: 3, x: null }, { k: "\u00e9", v: -1, x: "Infinity" }];
const mixedS = S({ k: "VARCHAR", v: "INTEGER", x: "DOUBLE" });
cases.push(
  { name: "agg9: sum/avg DISTINCT of doubles with -0.0, 0.0, NaN", sql: "SELECT sum(DISTINCT x)::VARCHAR AS s, avg(DISTINCT x)::VARCHAR AS a, count(DISTINCT x) AS n, list(DISTINCT x)::VARCHAR AS l FROM t", rows: mixed, schema: mixedS },
  { name: "agg9: FILTER whose predicate is NULL, DISTINCT with FILTER", sql: "SELECT count(*) FILTER (WHERE v > 1) AS a, count(DISTINCT k) FILTER (WHERE x > 0) AS b, sum(v) FILTER (WHERE k = 'a') AS c, max(k) FILTER (WHERE x IS NULL) AS d FROM t", rows: mixed, schema: mixedS },
  { name: "agg9: min_by/max_by and first ordered", sql: "SELECT min_by(k, x) AS a, max_by(k, x) AS b, arg_min_null(k, v) AS g FROM t", rows: mixed, schema: mixedS },
  { name: "agg9: mode of doubles -0.0 vs 0.0 and NaN", sql: "SELECT mode(x)::VARCHAR AS m, entropy(x) AS e FROM t", rows: mixed, schema: mixedS },
  { name: "agg9: string_agg DISTINCT ordered", sql: "SELECT string_agg(DISTINCT k, '|' ORDER BY k DESC) AS s, list(DISTINCT k ORDER BY k DESC NULLS LAST) AS l FROM t", rows: mixed, schema: mixedS },
  { name: "agg9: group by a double key -0.0 first then 0.0, shown value", sql: "SELECT x::VARCHAR AS xs, count(*) AS n FROM t GROUP BY x", rows: mixed, schema: mixedS },
  { name: "agg9: sum of FLOAT and avg of FLOAT", sql: "SELECT sum(CAST(x AS FLOAT))::VARCHAR AS s, avg(CAST(v AS FLOAT))::VARCHAR AS a, sum(CAST(v AS FLOAT) / 3)::VARCHAR AS t FROM t", rows: mixed, schema: mixedS },
  { name: "agg9: bool_and over text cast and count_if of NULL", sql: "SELECT bool_and(v > 0) AS a, bool_or(x > 0) AS b, count_if(x > 0) AS c, count_if(NULL) AS d FROM t", rows: mixed, schema: mixedS },
);
cases.push(
);
/** Webhook-like payloads: a STRUCT user, a JSON extra, and a top-level column named like a field. */
const hooks = [
  { payload: { user: { id: 7, login: "Zoë" }, n: 1 }, extra: '{"tier": "gold", "x": [1]}', a: 100, s: { a: 1, b: "x" } },
  { payload: { user: { id: 7, login: "Zoë" }, n: 2 }, extra: '{"tier": "gold", "x": [1]}', a: 200, s: { a: 1, b: "x" } },
  { payload: { user: { id: 8, login: "zoe\u0308" }, n: 3 }, extra: '{"tier": null}', a: 100, s: { a: null, b: null } },
  { payload: { user: null, n: 4 }, extra: null, a: null, s: null },
];
const hookS = S({ payload: "STRUCT(\"user\" STRUCT(id INTEGER, login VARCHAR), n INTEGER)", extra: "JSON", a: "INTEGER", s: "STRUCT(a INTEGER, b VARCHAR)" });
cases.push(
  { name: "agg9: a field of a grouped STRUCT is read through the key (s.a under GROUP BY s)", sql: "SELECT s, s.a AS sa, s.b AS sb, count(*) AS n FROM t GROUP BY s", rows: hooks, schema: hookS },
  { name: "agg9: s.a under GROUP BY s, a is the struct's field, not the column a", sql: "SELECT s.a AS field, a AS col, count(*) AS n FROM t GROUP BY s, a", rows: hooks, schema: hookS },
  { name: "agg9: payload.user.id and .login under GROUP BY payload.user, in HAVING too", sql: "SELECT payload.user.id AS id, payload.user.login AS login, sum(payload.n) AS total FROM t GROUP BY payload.user HAVING payload.user.id IS NOT NULL OR count(*) > 0", rows: hooks, schema: hookS },
  { name: "agg9: a qualified struct field under a grouped key", sql: "SELECT t.payload.user.login AS login, count(*) AS n FROM t GROUP BY t.payload", rows: hooks, schema: hookS },
  { name: "agg9: a JSON key's field under GROUP BY the JSON column", sql: "SELECT extra.tier AS tier, extra AS e, count(*) AS n FROM t GROUP BY extra", rows: hooks, schema: hookS },
  { name: "agg9: a field of an ungrouped STRUCT is still refused", sql: "SELECT s.b AS b, count(*) AS n FROM t GROUP BY s.a", rows: hooks, schema: hookS, expect: "compile-error", message: "must appear in the GROUP BY" },
  { name: "agg9: a field of a grouped STRUCT beside a time window", sql: "SELECT time_bucket(INTERVAL 1 hour, TIMESTAMP '2026-01-01 10:00:00') AS w, payload.user AS u, payload.user.login AS login, count(*) AS n FROM t GROUP BY ALL", rows: hooks, schema: hookS },
);
const cased = [{ k: "A", v: 1 }, { k: "a", v: 2 }, { k: "B", v: 3 }, { k: null, v: 4 }, { k: "b", v: null }];
cases.push(
  { name: "agg9: GROUP BY an alias that shadows a column groups by the column", sql: "SELECT lower(k) AS k, count(*) AS n FROM t GROUP BY k", rows: cased },
  { name: "agg9: GROUP BY an ordinal and an alias", sql: "SELECT lower(k) AS lk, v > 1 AS big, count(*) AS n FROM t GROUP BY 1, big", rows: cased },
  { name: "agg9: a key expression used inside another expression", sql: "SELECT upper(k) || '!' AS u, coalesce(upper(k), '?') AS c, count(*) AS n FROM t GROUP BY upper(k)", rows: cased },
  { name: "agg9: struct field names in another case", sql: "SELECT S.A AS a, count(*) AS n FROM t GROUP BY s", rows: hooks, schema: hookS },
  { name: "agg9: HAVING on a struct field of a key and an aggregate of another field", sql: "SELECT s, max(payload.user.id) AS m FROM t GROUP BY s HAVING s.b IS NOT NULL", rows: hooks, schema: hookS },
);
const oddTypes = [
  { b: true, i: "1 day 02:00:00", u: "00000000-0000-0000-0000-00000000000a", bl: "\\xFF", j: '{"a": 1}', ut: 255, h: "170141183460469231731687303715884105727", d: "1.5" },
  { b: false, i: "-3 months", u: "ffffffff-0000-0000-0000-000000000000", bl: "A", j: "[1, 2]", ut: 1, h: "-170141183460469231731687303715884105728", d: "-0.25" },
  { b: null, i: null, u: null, bl: null, j: null, ut: null, h: null, d: null },
  { b: true, i: "1 month -30 days", u: "7fffffff-0000-0000-0000-000000000000", bl: "\\x00", j: '"x"', ut: 0, h: "1", d: "0.00" },
];
const oddS = S({ b: "BOOLEAN", i: "INTERVAL", u: "UUID", bl: "BLOB", j: "JSON", ut: "UTINYINT", h: "HUGEINT", d: "DECIMAL(4,2)" });
cases.push(
  { name: "agg9: sum/min/max of BOOLEAN, INTERVAL, UUID, BLOB, JSON", sql: "SELECT sum(b) AS sb, min(b) AS nb, max(i) AS mi, min(i) AS ni, min(u) AS nu, max(u) AS mu, max(bl) AS mb, min(bl) AS nbl, max(j) AS mj, min(j) AS nj FROM t", rows: oddTypes, schema: oddS },
  { name: "agg9: sum/avg/product of UTINYINT, HUGEINT, DECIMAL(4,2)", sql: "SELECT sum(ut) AS su, avg(ut) AS au, product(ut) AS pu, bit_xor(ut) AS xu, min(h) AS nh, max(h) AS mh, avg(h) AS ah, sum(d) AS sd, avg(d) AS ad, product(d) AS pd FROM t", rows: oddTypes, schema: oddS },
  { name: "agg9: count(DISTINCT) and list(DISTINCT) of INTERVALs equal as intervals", sql: "SELECT count(DISTINCT i) AS n, mode(i) AS m, count(DISTINCT j) AS nj FROM t", rows: [...oddTypes, { ...oddTypes[0], i: "26:00:00" }, { ...oddTypes[0], i: "1 day 2 hours" }], schema: oddS },
);
const times = [{ ts: "2026-12-06 10:00:00", k: "a" }, { ts: "2026-12-06 10:59:59.999999", k: "b" }, { ts: "infinity", k: "a" }, { ts: "2026-12-06 11:00:00", k: "a" }, { ts: "-infinity", k: "b" }, { ts: null, k: "a" }, { ts: "9999-12-31 23:59:59", k: "c" }];
cases.push(
  { name: "agg9: a window key grouped but not selected, with infinite and NULL times", sql: "SELECT k, count(*) AS n FROM t GROUP BY time_bucket(INTERVAL 1 hour, CAST(ts AS TIMESTAMP)), k", rows: times },
  { name: "agg9: infinite and NULL times in day windows of a zone and in date_trunc", sql: "SELECT time_bucket(INTERVAL 1 day, CAST(ts AS TIMESTAMPTZ), 'America/New_York') AS d, date_trunc('month', CAST(ts AS TIMESTAMP)) AS m, count(*) AS n FROM t GROUP BY ALL", rows: times },
  { name: "agg9: infinite times in a wall-time window", sql: "SELECT date_trunc('hour', CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin') AS h, count(*) AS n, min(k) AS k FROM t GROUP BY ALL", rows: times },
);
