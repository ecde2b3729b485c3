/**
 * Messy real-world events (session 8): unicode, NULLs, huge numbers, malformed times, drifting
 * nested payloads, through SQL a data engineer writes against them.
 */
import type { ConformanceCase } from "../case.ts";

const people = [
  { u: "Zoë" }, { u: "e\u0301clair" }, { u: "𝔘𝔫𝔦" }, { u: "مرحبا بالعالم" }, { u: "a\u0000b" }, { u: "" }, { u: " spaced " },
  { u: "😀x👍🏽" }, { u: "ÅNGSTRÖM" }, { u: null }, { u: "straße" }, { u: "İstanbul" }, { u: "ǅemal" }, { u: "\u200Bzw" }, { u: "ﬁne" }, { u: "Ⅻ" },
];
const times = [
  "2024-02-29T12:00:00Z", "2024-02-30T00:00:00", "2024-03-01 24:00:00", "2024-03-01T05:45:00+05:45", "2024-06-30T23:59:60Z",
  "2024-03-01T10:00:00", "1709287200", "1709287200123", "2024-03-01T10:00:00.123456789Z", "2024-13-01", "", "2024-03-01T10:00:00-00:30",
  "2024-03-01T10:00:00+0545", "2024-03-01T10:00:00 UTC", "2024-03-01t10:00:00z", "20240301T100000Z", "2024-03-01T10:00Z", "2024-3-1 1:2:3",
  "  2024-03-01 10:00:00  ", "2024-03-01T10:00:00.5+01", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "-2024-01-01", "2024-03-01T10:00:00+14:00", "2024-03-01T10:00:00-12:00",
].map((t) => ({ t }));
const texts = [
  "42", " 42 ", "+42", "-0", "1e3", "1.0", "1,5", "0x1F", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
  "1e400", "-1e400", "NaN", "inf", "-Infinity", "", " ", "abc", "1_000", "00012", "1.", ".5", "-.5", "1e-400", "true", "T", "yes", "0", "1",
  "12:30", "24:00:00", "23:59:60", "1 day", "P1D", "2024-02-29", "1.2.3", "٣", "１２",
].map((s) => ({ s }));
const drift = [
  { p: { a: 1, b: { c: [1, 2] } } }, { p: { a: "x" } }, { p: {} }, { p: null }, {}, { p: { b: { c: [] } } }, { p: { b: { c: null, d: "z" } } },
  { p: { a: [1, { z: 2 }], extra: true } }, { p: { a: 1.5e300 } }, { p: { a: 123456789012345678901234567890n } }, { p: { a: -0.0 } }, { p: { a: { deep: { deeper: [null] } } } },
  { p: { "a.b": 1, "with space": "s", "ü": "ü", "": "empty key" } },
];

export const cases: ConformanceCase[] = [
  {
    name: "messy8: unicode text functions over combining marks, astral chars, RTL, NUL, ligatures and special casing agree",
    sql: `SELECT u, length(u) AS len, strlen(u) AS bytes, length_grapheme(u) AS graphemes, upper(u) AS up, lower(u) AS lo, reverse(u) AS rev,
      left(u, 2) AS l2, right(u, 2) AS r2, substring(u, 2, 3) AS sub, lpad(u, 8, '·') AS lp, rpad(u, 8, '😀') AS rp, strip_accents(u) AS sa,
      nfc_normalize(u) AS nfc, trim(u) AS tr, ascii(u) AS asc1, unicode(u) AS uc, instr(u, 'a') AS ia, position('ß' IN u) AS pos,
      contains(u, 'a') AS has_a, starts_with(u, 'e') AS sw, u LIKE '%a%' AS lk, u ILIKE '%STR%' AS ilk, repeat(u, 2) AS rep, md5(u) AS h,
      split_part(u, ' ', 2) AS sp, array_to_string(string_split(u, ''), '|') AS chars, translate(u, 'aeö', 'AE') AS tl, replace(u, 'a', '') AS rpl
    FROM t`,
    rows: people,
  },
  {
    name: "messy8: regexp functions over unicode text agree (classes, groups, global replace, split)",
    sql: `SELECT u, regexp_replace(u, '[^a-z]', '', 'g') AS ascii_only, regexp_replace(u, '\\s+', '_', 'g') AS us, regexp_extract(u, '(\\w+)', 1) AS w,
      regexp_matches(u, '^[A-Z]') AS cap, regexp_extract_all(u, '.') AS each_char, regexp_split_to_array(u, '[ a]') AS parts,
      regexp_replace(u, '(.)', '<\\1>', 'g') AS wrapped, regexp_matches(u, 'é') AS has_e_acute, regexp_full_match(u, '.*') AS any_full,
      regexp_replace(u, '\\p{L}', 'L', 'g') AS letters
    FROM t`,
    rows: people,
  },
  {
    name: "messy8: malformed times read by TRY_CAST as TIMESTAMP, TIMESTAMPTZ, DATE and TIME agree",
    sql: `SELECT t, TRY_CAST(t AS TIMESTAMP) AS ts, TRY_CAST(t AS TIMESTAMPTZ) AS tz, TRY_CAST(t AS DATE) AS d, TRY_CAST(t AS TIME) AS tm
    FROM t`,
    rows: times,
  },
  {
    name: "messy8: try_strptime with offsets, fractions, lower case and epoch formats agrees",
    sql: `SELECT t, try_strptime(t, '%Y-%m-%dT%H:%M:%S%z') AS iso_z, try_strptime(t, '%Y-%m-%dT%H:%M:%S') AS iso, try_strptime(t, '%Y-%m-%d %H:%M:%S') AS sp,
      try_strptime(t, '%Y-%m-%dT%H:%M:%S.%f%z') AS frac, try_strptime(t, '%Y%m%dT%H%M%SZ') AS compact,
      try_strptime(t, '%Y-%m-%dT%H:%M%z') AS hm, try_strptime(t, ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S']) AS either,
      try_strptime(t, '%Y-%m-%d') AS d_only, try_strptime(t, '%Y-%m-%dT%H:%M:%S %Z') AS named_zone
    FROM t`,
    rows: times,
  },
  {
    name: "messy8: epoch numbers as text (seconds or milliseconds by their digits) become times as DuckDB's",
    sql: `SELECT t, CASE WHEN regexp_matches(t, '^[0-9]{13}$') THEN epoch_ms(CAST(t AS BIGINT))
                      WHEN regexp_matches(t, '^[0-9]{10}$') THEN to_timestamp(CAST(t AS BIGINT))::TIMESTAMP END AS at,
      make_timestamp(TRY_CAST(t AS BIGINT) * 1000) AS mk, to_timestamp(TRY_CAST(t AS DOUBLE) / 1000) AS frac_s
    FROM t`,
    rows: times,
  },
  {
    name: "messy8: date_trunc, date_part, strftime and arithmetic over times read leniently agree",
    sql: `SELECT t, date_trunc('hour', TRY_CAST(t AS TIMESTAMP)) AS h, date_trunc('week', TRY_CAST(t AS TIMESTAMP)) AS wk, date_trunc('month', TRY_CAST(t AS DATE)) AS mo,
      date_part('epoch', TRY_CAST(t AS TIMESTAMP)) AS ep, extract(dow FROM TRY_CAST(t AS TIMESTAMP)) AS dow, extract(isodow FROM TRY_CAST(t AS DATE)) AS isodow,
      strftime(TRY_CAST(t AS TIMESTAMP), '%d/%m/%Y %H:%M:%S.%f %j %a %b') AS fmt, TRY_CAST(t AS TIMESTAMP) + INTERVAL 1 month AS plus_month,
      last_day(TRY_CAST(t AS DATE)) AS last, dayname(TRY_CAST(t AS DATE)) AS dn, epoch_ms(TRY_CAST(t AS TIMESTAMP)) AS ems,
      yearweek(TRY_CAST(t AS DATE)) AS yw, TRY_CAST(t AS TIMESTAMP)::DATE AS as_date, age(TIMESTAMP '2025-01-01', TRY_CAST(t AS TIMESTAMP)) AS age
    FROM t`,
    rows: times,
  },
  {
    name: "messy8: messy number texts cast with TRY_CAST to every numeric type agree",
    sql: `SELECT s, TRY_CAST(s AS TINYINT) AS i1, TRY_CAST(s AS INTEGER) AS i4, TRY_CAST(s AS BIGINT) AS i8, TRY_CAST(s AS HUGEINT) AS i16,
      TRY_CAST(s AS UBIGINT) AS u8, TRY_CAST(s AS UHUGEINT) AS u16, TRY_CAST(s AS DOUBLE) AS f8, TRY_CAST(s AS FLOAT) AS f4,
      TRY_CAST(s AS DECIMAL(18, 2)) AS dec, TRY_CAST(s AS DECIMAL(38, 10)) AS dec38, TRY_CAST(s AS DECIMAL(4, 1)) AS dec4,
      TRY_CAST(s AS BOOLEAN) AS b, TRY_CAST(s AS INTERVAL) AS iv, TRY_CAST(s AS TIME) AS tm, TRY_CAST(s AS DATE) AS d
    FROM t`,
    rows: texts,
  },
  {
    name: "messy8: drifting JSON payloads (number, text, object, missing) read by json_extract, ->>, json_type and json_keys agree",
    sql: `SELECT p, p->>'$.a' AS a_text, p->'$.a' AS a_json, json_type(p, '$.a') AS a_type, json_extract(p, '$.b.c[0]') AS c0,
      json_extract_string(p, '$.b.c[-1]') AS c_last, json_keys(p) AS keys, json_array_length(p, '$.b.c') AS c_len, json_valid(p::VARCHAR) AS ok,
      TRY_CAST(p->>'$.a' AS DOUBLE) AS a_num, json_extract(p, '$.a.deep.deeper') AS deeper, p->>'$."a.b"' AS dotted, p->>'$."with space"' AS spaced,
      json_exists(p, '$.b.d') AS has_d, json_extract(p, ['$.a', '$.extra']) AS many, p::VARCHAR AS txt
    FROM (SELECT CAST(p AS JSON) AS p FROM t)`,
    rows: drift,
  },
  {
    name: "messy8: a drifting payload read as a struct (missing keys NULL, a key's type varying per event read as JSON) agrees",
    sql: `SELECT p.a AS a, json_type(p.a) AS at, p.b.c AS c, list_sum(p.b.c) AS s, len(p.b.c) AS n, p.b.d AS d, coalesce(p.extra, false) AS x,
      p.a::VARCHAR AS a_text, TRY_CAST(p.a AS BIGINT) AS a_int, TRY_CAST(p.a AS DOUBLE) AS a_dbl, p IS NULL AS missing
    FROM t`,
    rows: drift.filter((r) => !("p" in r) || (r.p != null && !("a.b" in r.p))),
  },
  {
    name: "messy8: JSON text inside a text field (a Kafka envelope) read with ->>, json(), CAST to JSON and to a STRUCT agrees",
    sql: `SELECT body, body->>'$.user.id' AS uid, json(body)->'$.items' AS items, json_array_length(body, '$.items') AS n, json_valid(body) AS ok,
      TRY_CAST(body AS JSON) AS j, json_extract_string(body, '$.items[*].sku') AS skus, body->>'$.amount' AS amt, TRY_CAST(body->>'$.amount' AS DECIMAL(18, 2)) AS amt_dec,
      json_type(body, '$.amount') AS amt_type, json_extract(body, '$.user') AS user_json
    FROM t`,
    rows: [
      { body: '{"user":{"id":7},"items":[{"sku":"A"},{"sku":null}],"amount":12.5}' }, { body: '{"user":{"id":"7"},"items":[],"amount":"12,50"}' },
      { body: '{"user":null,"amount":1e400}' }, { body: null }, { body: '{"amount":123456789012345678901234567890}' },
      { body: '{"user":{"id":1},"user":{"id":2}}' }, { body: '[1,2,3]' }, { body: '"just text"' }, { body: '{"amount":-0.0,"items":[{"sku":"Zoë\\u0000"}]}' },
    ],
  },
  {
    name: "messy8: from_json and json_transform of drifting payloads into a fixed structure agree",
    sql: `SELECT body, from_json(body, '{"user":{"id":"BIGINT"},"amount":"DOUBLE","items":[{"sku":"VARCHAR"}]}') AS s,
      json_transform(body, '{"amount":"VARCHAR"}') AS a_text, json_transform(body, '{"user":"JSON"}') AS u
    FROM t`,
    rows: [
      { body: '{"user":{"id":7},"items":[{"sku":"A"},{"sku":null}],"amount":12.5}' }, { body: '{"user":{"id":"7"},"items":[],"amount":"12.50"}' },
      { body: '{"user":null,"amount":null}' }, { body: null }, { body: '{"amount":123456789012345678901234567890}' }, { body: '{"items":[{"sku":5}],"extra":{}}' },
    ],
  },
  {
    name: "messy8: aggregates over messy values (NULLs, unicode order, huge and negative numbers, empty groups) agree",
    sql: `SELECT k, count(*) AS n, count(v) AS nv, sum(v) AS s, avg(v) AS a, min(u) AS mn, max(u) AS mx, string_agg(u, ',' ORDER BY u) AS us,
      count(DISTINCT u) AS du, arg_max(u, v) AS top, list(v ORDER BY v NULLS FIRST) AS vs, bool_or(v < 0) AS neg, min(v) AS minv, max(v) AS maxv,
      sum(CAST(v AS DOUBLE)) AS sd
    FROM t GROUP BY k`,
    rows: [
      { k: "a", v: 9223372036854775807n, u: "Zoë" }, { k: "a", v: 9223372036854775807n, u: "zoe" }, { k: "a", v: -9223372036854775807n, u: "Åsa" },
      { k: null, v: null, u: null }, { k: null, v: 0, u: "" }, { k: "b", v: -1, u: "😀" }, { k: "b", v: null, u: "e\u0301" }, { k: "b", v: 2, u: "é" },
      { k: "ü", v: 1, u: "ß" }, { k: "ü", v: 1, u: "SS" }, { k: "", v: 5, u: "a\u0000b" }, { k: "", v: 5, u: "a" },
    ],
    schema: [{ name: "k", type: "VARCHAR" }, { name: "v", type: "BIGINT" }, { name: "u", type: "VARCHAR" }],
  },
  {
    name: "messy8: a top-level field drifting between number, text, object and list (read as JSON) is cast and compared as DuckDB's",
    sql: `SELECT v, TRY_CAST(v AS BIGINT) AS i, TRY_CAST(v AS DOUBLE) AS d, TRY_CAST(v AS VARCHAR) AS s, v::VARCHAR AS txt, json_type(v) AS ty,
      v = '1' AS eq_text, TRY_CAST(v AS BIGINT[]) AS l, TRY_CAST(v AS STRUCT(a BIGINT)) AS st, TRY_CAST(v AS BOOLEAN) AS b, coalesce(v->>'$.a', v->>'$') AS a
    FROM t`,
    rows: [{ v: 1 }, { v: "1" }, { v: 1.0 }, { v: "1.0" }, { v: { a: 1 } }, { v: [1, 2] }, { v: null }, { v: true }, { v: -0.0 }, { v: 1e300 }, { v: "" }, { v: [] }, { v: {} },
      { v: 18446744073709551616n }, { v: -9223372036854775808n }, { v: "ü" }],
  },
  {
    name: "messy8: lists with NULLs, empties and unicode through list functions a data engineer writes agree",
    sql: `SELECT l, list_sort(l) AS so, list_reverse_sort(l) AS rs, list_sort(list_distinct(l)) AS di, list_slice(l, 2, -1) AS sl, l[-1] AS last, l[2:] AS tail,
      array_to_string(l, ',') AS joined, list_contains(l, 'b') AS has_b, list_position(l, NULL) AS pnull, flatten([l, l]) AS fl, len(l) AS n,
      list_aggregate(l, 'string_agg', '-') AS agg, list_transform(l, x -> upper(x)) AS up, list_filter(l, x -> x <> '') AS ne, l = [] AS empty,
      list_concat(l, NULL) AS cn, list_has_any(l, ['a', NULL]) AS hany, array_length(l) AS al
    FROM t`,
    rows: [{ l: ["b", "a", null, "ü", "Z"] }, { l: [] }, { l: null }, { l: [null] }, { l: ["a,b", "", "😀"] }, { l: ["e\u0301", "é"] }],
    schema: [{ name: "l", type: "VARCHAR[]" }],
  },
  {
    name: "messy8: unnest of lists of structs with keys missing per event, and nested unnest of their lists, agrees",
    sql: `SELECT id, it.sku AS sku, it.qty AS qty, unnest(it.tags) AS tag FROM (SELECT id, unnest(items) AS it FROM t)`,
    rows: [
      { id: 1, items: [{ sku: "A", qty: 2, tags: ["x", null] }, { sku: "B", tags: [] }] }, { id: 2, items: [] }, { id: 3, items: null }, { id: 4 },
      { id: 5, items: [{ qty: 1, tags: null }, null, { sku: "Ω", qty: -1, tags: ["ü"] }] },
    ],
  },
  {
    name: "messy8: times in zones with odd offsets (+05:45, -03:30, +14) and named zones agree",
    sql: `SELECT t, TRY_CAST(t AS TIMESTAMPTZ) AT TIME ZONE 'Asia/Kathmandu' AS ktm, timezone('America/St_Johns', TRY_CAST(t AS TIMESTAMPTZ)) AS nfl,
      strftime(TRY_CAST(t AS TIMESTAMPTZ), '%Y-%m-%d %H:%M:%S %z') AS fmt, date_trunc('day', TRY_CAST(t AS TIMESTAMPTZ)) AS day_utc,
      TRY_CAST(t AS TIMESTAMPTZ)::DATE AS d, TRY_CAST(t AS TIMESTAMPTZ)::TIMESTAMP AS ts, extract(hour FROM TRY_CAST(t AS TIMESTAMPTZ)) AS h,
      TRY_CAST(TRY_CAST(t AS TIMESTAMP) AS TIMESTAMPTZ) AS as_tz
    FROM t`,
    rows: times,
  },
  {
    name: "messy8: CASE, coalesce, nullif and IN over NULLs, empty text and drifting case route events as DuckDB's",
    sql: `SELECT kind, CASE lower(trim(kind)) WHEN 'click' THEN 1 WHEN 'view' THEN 2 WHEN '' THEN 0 ELSE -1 END AS code,
      coalesce(nullif(trim(kind), ''), 'unknown') AS k, kind IN ('click', NULL) AS in_null, kind NOT IN ('view') AS not_in,
      CASE WHEN kind IS NULL THEN 'missing' WHEN kind = '' THEN 'empty' WHEN kind ~ '^\\s+$' THEN 'blank' ELSE 'set' END AS state,
      kind SIMILAR TO 'c.*' AS sim, kind GLOB 'C*' AS gl, ifnull(kind, 'x') AS ifn, concat_ws('/', kind, NULL, 'z') AS cw, concat(kind, NULL) AS cc, kind || NULL AS pipe
    FROM t`,
    rows: [{ kind: "click" }, { kind: "CLICK" }, { kind: " view" }, { kind: null }, { kind: "" }, { kind: "   " }, { kind: "\t" }, { kind: "buy" }, {}],
  },
  {
    name: "messy8: ->> over a text field that is empty or not JSON fails as DuckDB's",
    sql: "SELECT body->>'$.a' AS a FROM t", rows: [{ body: '{"a":1}' }, { body: "" }], expect: "error",
  },
  {
    name: "messy8: ->> over a text field that is not JSON fails as DuckDB's",
    sql: "SELECT body->>'$.a' AS a FROM t", rows: [{ body: "not json" }, { body: '{"a":1}' }], expect: "error",
  },
  {
    name: "messy8: first(x ORDER BY y DESC) (the latest status) is refused with the arg_max that says it, not 'drop the ORDER BY'",
    sql: "SELECT k, first(u ORDER BY v DESC) AS latest FROM t GROUP BY k",
    rows: [{ k: "a", u: "x", v: 1 }, { k: "a", u: "y", v: 2 }],
    expect: "compile-error", message: "arg_max_null(x, y) for first(x ORDER BY y DESC)",
  },
  {
    name: "messy8: last(x ORDER BY y) is refused with the arg_max that says it",
    sql: "SELECT k, last(u ORDER BY v) AS latest FROM t GROUP BY k",
    rows: [{ k: "a", u: "x", v: 1 }, { k: "a", u: "y", v: 2 }],
    expect: "compile-error", message: "arg_max_null(x, y) for last(x ORDER BY y)",
  },
  {
    name: "messy8: (guard) arg_max_null and arg_min_null, the rewrites of last and first, keep a NULL x at the chosen row as they do",
    sql: "SELECT k, arg_max_null(u, v) AS latest, arg_min_null(u, v) AS earliest FROM t GROUP BY k",
    rows: [{ k: "a", u: "x", v: 1 }, { k: "a", u: null, v: 2 }, { k: "b", u: null, v: 0 }, { k: "b", u: "w", v: 1 }, { k: "c", u: "q", v: null }],
  },
  {
    name: "messy8: (guard) arg_max, the rewrite the refusal suggests, agrees",
    sql: "SELECT k, arg_max(u, v) AS latest, arg_min(u, v) AS earliest FROM t GROUP BY k",
    rows: [{ k: "a", u: "x", v: 1 }, { k: "a", u: "y", v: 2 }, { k: "a", u: "z", v: null }, { k: "b", u: null, v: 3 }, { k: "b", u: "w", v: 1 }, { k: null, u: "q", v: null }],
  },
  {
    name: "messy8: json_group_array (DuckDB's macro, expanded as DuckDB expands it) agrees",
    sql: "SELECT k, json_group_array(v) AS vs FROM t GROUP BY k",
    rows: [{ k: 1, v: 1.5 }, { k: 1, v: null }],
  },
  {
    name: "messy8: (guard) to_json of list() over numbers, NULLs, unicode text and JSON payloads agrees",
    sql: "SELECT k, to_json(list(v)) AS vs, to_json(list(u)) AS us, to_json(list(p)) AS ps FROM t GROUP BY k",
    rows: [
      { k: 1, v: 1.5, u: "é\"", p: { a: [1, null] } }, { k: 1, v: null, u: null, p: null }, { k: 2, v: -0.0, u: "😀", p: {} },
      { k: 2, v: 1e300, u: "a\u0000b", p: { a: [] } }, { k: null, v: 3, u: "", p: { b: "x" } },
    ],
  },
];
