/** Webhook-shaped nested JSON (GitHub, Stripe, Shopify, Segment): found while hunting differences. */
import type { ConformanceCase } from "../case.ts";

const hooks = [
  { id: "e1", payload: { user: { login: "alice", id: 1, site_admin: false }, commits: [{ sha: "a1", msg: "fix \"quoted\"", author: { nm: "A", email: "a@x" } }, { sha: "a2", msg: "feat\nline", author: { nm: "B", email: null } }], labels: ["bug", "ui"], meta: { "a.b": 1, "with space": "s", "ü": "uml", deep: { deeper: [1, 2, { z: true }] } }, amount: 100, extra: {} }, tags: [] },
  { id: "e2", payload: { user: { login: "bob", id: 2 }, commits: [], labels: [], meta: { "a.b": 2 }, amount: "12.50", extra: { x: 1 } }, tags: ["a", null] },
  { id: "e3", payload: { user: "ghost", commits: null, labels: null, meta: null, amount: null }, tags: null },
  { id: "e4", payload: { user: { login: "carol", id: 3, site_admin: true }, commits: [{ sha: "c1", msg: "x", author: { nm: "C" } }], labels: ["ops"], meta: { "a.b": 3.5, deep: { deeper: [] } }, amount: 7.25 }, tags: ["b"] },
  { id: "e5", payload: {}, tags: [1, "two", { three: 3 }, [4], null, 1.5, true] },
  { id: "e6" },
];

export const cases: ConformanceCase[] = [
  { name: "nested-hunt: ->> and -> on a JSON field and on a STRUCT", sql: "SELECT id, payload.user->>'login' AS l, payload.user->'id' AS i, payload->>'amount' AS a, payload->'meta'->>'a.b' AS ab, payload->'meta'->'deep'->'deeper'->2 AS z FROM t", rows: hooks },
  { name: "nested-hunt: json paths with quoted keys, wildcards and indexes", sql: "SELECT id, json_extract(payload, '$.meta.\"a.b\"') AS ab, json_extract_string(payload, '$.meta.\"with space\"') AS sp, json_extract(payload, '$.commits[*].sha') AS shas, json_extract_string(payload, '$.commits[#-1].author.nm') AS last_nm, json_value(payload, '$.labels[0]') AS l0, json_value(payload, '$.meta') AS meta_v FROM t", rows: hooks },
  { name: "nested-hunt: list functions over lists of structs", sql: "SELECT id, len(payload.commits) AS n, payload.commits[1].sha AS first_sha, payload.commits[-1].author.nm AS last_nm, list_extract(payload.labels, 2) AS l2, payload.labels[5] AS l5, list_contains(payload.labels, 'bug') AS bug, array_length(payload.labels) AS al, payload.labels[1:1] AS sl FROM t", rows: hooks },
  { name: "nested-hunt: unnest of a list of structs with fields selected after", sql: "SELECT id, c.sha AS sha, c.author.nm AS who, c.author.email AS email FROM (SELECT id, unnest(payload.commits) AS c FROM t)", rows: hooks },
  { name: "nested-hunt: unnest of a JSON[] of mixed types", sql: "SELECT id, unnest(tags) AS tag FROM t", rows: hooks },
  { name: "nested-hunt: unnest of a JSON[] with ->> and json_type on each element", sql: "SELECT id, json_type(x) AS ty, x->>'three' AS three, x->>'$' AS whole, CAST(x AS VARCHAR) AS txt FROM (SELECT id, unnest(tags) AS x FROM t)", rows: hooks },
  { name: "nested-hunt: CAST of nested parts to VARCHAR", sql: "SELECT id, CAST(payload AS VARCHAR) AS p, CAST(payload.commits AS VARCHAR) AS c, CAST(payload.meta AS VARCHAR) AS m, CAST(tags AS VARCHAR) AS t, payload.user::VARCHAR AS u FROM t", rows: hooks },
  { name: "nested-hunt: CAST of nested parts to JSON and to_json", sql: "SELECT id, CAST(payload AS JSON) AS p, to_json(payload.commits) AS c, payload.meta::JSON AS m, to_json(tags) AS t, to_json(payload.extra) AS e FROM t", rows: hooks },
  { name: "nested-hunt: COALESCE across shapes", sql: "SELECT id, coalesce(payload.user->>'login', payload.user->>'$', 'nobody') AS who, coalesce(payload.commits[1].author.email, payload.commits[1].author.nm, '?') AS c, coalesce(CAST(payload.amount AS VARCHAR), 'none') AS a FROM t", rows: hooks },
  { name: "nested-hunt: GROUP BY nested fields", sql: "SELECT payload.user->>'login' AS login, payload.meta.\"a.b\" AS ab, count(*) AS n, list(id) AS ids FROM t GROUP BY ALL", rows: hooks },
  { name: "nested-hunt: GROUP BY a STRUCT, a LIST and a JSON value", sql: "SELECT payload.extra AS e, payload.labels AS l, payload.user AS u, count(*) AS n FROM t GROUP BY ALL", rows: hooks },
  { name: "nested-hunt: CAST JSON to numbers and text", sql: "SELECT id, TRY_CAST(payload.amount AS DOUBLE) AS d, TRY_CAST(payload.amount AS DECIMAL(10,2)) AS dec, payload.amount::VARCHAR AS v, json_extract_string(payload, '$.amount') AS s, TRY_CAST(payload->'amount' AS INTEGER) AS i FROM t", rows: hooks },
  { name: "nested-hunt: JSON null versus SQL NULL", sql: "SELECT id, payload->'meta' AS m, payload->>'meta' AS ms, (payload->'meta') IS NULL AS mnull, payload.commits[2].author->'email' AS e, json_type(payload->'meta') AS ty FROM t", rows: hooks },
  { name: "nested-hunt: struct and list columns written whole", sql: "SELECT id, payload.extra AS extra, payload.labels AS labels, tags, {'login': payload.user->>'login', 'n': len(payload.commits)} AS s, [payload.amount, payload.user] AS js FROM t", rows: hooks },
  { name: "nested-hunt: list_transform over struct fields", sql: "SELECT id, list_transform(payload.commits, c -> c.author.nm) AS names, list_filter(tags, x -> json_type(x) = 'VARCHAR') AS strs FROM t", rows: hooks },
];
const mixedTags = [{ id: 1, tags: ["a", { b: 1 }, [2, 3], 1.5] }, { id: 2, tags: [] }, { id: 3, tags: null }, { id: 4, tags: [true, "x y"] }];
const mixedTagsWithNull = [...mixedTags, { id: 5, tags: ["a", null] }];
cases.push(
  { name: "nested-hunt: CAST of a JSON[] to JSON is its VARCHAR text, as DuckDB casts it", sql: "SELECT id, CAST(tags AS JSON) AS j, tags::JSON::VARCHAR AS v FROM t", rows: mixedTags },
  { name: "nested-hunt: CAST of a JSON[] holding a NULL to JSON", sql: "SELECT id, CAST(tags AS JSON) AS j FROM t", rows: mixedTagsWithNull },
  { name: "nested-hunt: -> and ->> on a JSON[] column", sql: "SELECT id, tags->0 AS a, tags->>'$[1]' AS b, json_array_length(tags) AS n FROM t", rows: mixedTags, expect: "same" },
  { name: "nested-hunt: -> on a JSON[] column holding a NULL", sql: "SELECT id, tags->>0 AS a FROM t", rows: mixedTagsWithNull, expect: "same" },
);
cases.push(
  { name: "nested-hunt: json_object and json_array of a JSON[] write it as JSON", sql: "SELECT id, json_object('t', tags) AS o, json_array(tags, id) AS a, to_json(tags) AS j FROM t", rows: mixedTagsWithNull },
  { name: "nested-hunt: a DECIMAL wider than 15 digits is written into JSON as its text, a narrower one as a double", sql: "SELECT id, to_json(CAST(amount AS DECIMAL(18,2))) AS wide, to_json(CAST(amount AS DECIMAL(9,2))) AS narrow, CAST({'a': CAST(amount AS DECIMAL(20,4))} AS JSON) AS s, json_object('k', sum_ok) AS o FROM (SELECT id, amount, CAST(amount AS DECIMAL(38,3)) AS sum_ok FROM t)", rows: [{ id: 1, amount: 1.1 }, { id: 2, amount: -0.5 }, { id: 3, amount: 12 }, { id: 4, amount: null }, { id: 5, amount: 123456.789 }] },
);
// Keys named like what every JavaScript object inherits: an event without them has them NULL, not Object's.
const inheritedNames: unknown[] = [
  { id: 1, constructor: "Ferrari", valueOf: 1, s: { constructor: "c", toString: 5, hasOwnProperty: true, a: 2 } },
  { id: 2, s: { a: 3 } },
  { id: 3, constructor: null, s: {} },
];
cases.push(
  { name: "nested-hunt: fields named constructor, toString, valueOf missing from an event are NULL", sql: "SELECT id, \"constructor\", \"valueOf\", s, s.\"constructor\" AS c, s.toString AS ts, CAST(s AS JSON) AS j FROM t", rows: inheritedNames },
);
cases.push(
  { name: "nested-hunt: struct_extract by a name in another case that every object inherits", sql: "SELECT id, struct_extract(s, 'constructor') AS a, s['tostring'] AS b FROM t", rows: [{ id: 1, s: { Constructor: "x", toString: 2 } }, { id: 2, s: { Constructor: null, toString: null } }] },
);
// `user` holds an object in some events and a string in others: DuckDB types it JSON, and dot access is json_extract.
const shapes = [
  { id: 1, user: { login: "alice", id: 7, tags: ["a", "b"], "Mixed Case": 1 } },
  { id: 2, user: "ghost" },
  { id: 3, user: { login: null, id: "8" } },
  { id: 4, user: null },
  { id: 5, user: { login: "bob", id: 9.5, tags: [] } },
  { id: 6 },
  { id: 7, user: [1, 2] },
  { id: 8, user: 42 },
];
cases.push(
  { name: "nested-hunt: dot access into a JSON field compared, grouped and cast", sql: "SELECT id, user.login AS l, user.login = '\"alice\"' AS eq_json, user.login::VARCHAR AS lv, user.id::VARCHAR AS iv, TRY_CAST(user.id AS DOUBLE) AS idd, user.tags AS tags, user.\"Mixed Case\" AS mc FROM t", rows: shapes },
  { name: "nested-hunt: ->> over a JSON field of several shapes in WHERE and GROUP BY", sql: "SELECT user->>'login' AS l, count(*) AS n, count(user) AS nu, list(id ORDER BY id) AS ids FROM t WHERE coalesce(user->>'login', '') <> 'zed' GROUP BY ALL", rows: shapes },
  { name: "nested-hunt: json_type, json_array_length and json_keys of a field of several shapes", sql: "SELECT id, json_type(user) AS ty, json_array_length(user) AS n, json_keys(user) AS k, json_exists(user, '$.login') AS has_login, json_value(user, '$.id') AS v FROM t", rows: shapes },
  { name: "nested-hunt: list access and unnest on a JSON field that is sometimes an array", sql: "SELECT id, user->0 AS first, user->>'$[1]' AS second, json_extract(user, '$.tags[0]') AS t0 FROM t", rows: shapes },
  { name: "nested-hunt: CAST of a JSON field to a STRUCT and a LIST, strict and TRY", sql: "SELECT id, TRY_CAST(user AS STRUCT(login VARCHAR, id DOUBLE)) AS s, TRY_CAST(user AS INTEGER[]) AS l, json_transform(user, '{\"login\": \"VARCHAR\"}') AS jt FROM t", rows: shapes },
  { name: "nested-hunt: json_extract with a list of paths", sql: "SELECT id, json_extract(user, ['$.login', '$.id']) AS two, json_extract_string(user, ['login', 'nope']) AS s2 FROM t", rows: shapes },
);
cases.push(
  { name: "nested-hunt: bracket access on STRUCTs with dotted, spaced and unicode keys", sql: "SELECT id, payload['meta']['a.b'] AS ab, payload.meta['with space'] AS sp, payload['meta']['ü'] AS u, payload['labels'][1] AS l1, payload['commits'][-1]['sha'] AS last_sha FROM t", rows: hooks },
  { name: "nested-hunt: bracket access on a JSON field", sql: "SELECT id, user['login'] AS l, user[0] AS first, user[-1] AS last, user['login'] = '\"alice\"' AS is_alice, user[1:2] AS chars, array_extract(user, 1) AS ch FROM t", rows: shapes },
  { name: "nested-hunt: list slices and list functions on struct lists", sql: "SELECT id, payload.commits[1:1] AS head, payload.commits[2:] AS rest, list_reverse(payload.labels) AS rev, list_sort(payload.labels) AS sorted, array_to_string(payload.labels, ',') AS joined, list_concat(payload.labels, ['x']) AS more FROM t", rows: hooks },
);
// A JSON field holding an array of objects, exploded the ways a data engineer does it.
const jsonArrays = [
  { id: 1, items: [{ sku: "A", qty: 2, price: "9.99" }, { sku: "B", qty: null }, "stray", 5] },
  { id: 2, items: "not an array" },
  { id: 3, items: [] },
  { id: 4, items: null },
  { id: 5, items: { sku: "obj" } },
  { id: 6, items: [{ sku: "C", qty: 1.5, extra: { deep: [1] } }] },
];
cases.push(
  { name: "nested-hunt: unnest of json_extract with a wildcard path", sql: "SELECT id, unnest(json_extract(items, '$[*].sku')) AS sku FROM t", rows: jsonArrays },
  { name: "nested-hunt: unnest of a JSON array cast to JSON[] (TRY_CAST)", sql: "SELECT id, unnest(TRY_CAST(items AS JSON[])) AS it FROM t", rows: jsonArrays },
  { name: "nested-hunt: unnest of from_json into a list of structs, fields selected after", sql: "SELECT id, x.sku AS sku, x.qty AS qty FROM (SELECT id, unnest(from_json(items, '[{\"sku\": \"VARCHAR\", \"qty\": \"DOUBLE\"}]')) AS x FROM t)", rows: jsonArrays },
  { name: "nested-hunt: unnest of json_extract wildcard then ->> on each element", sql: "SELECT id, e->>'sku' AS sku, (e->>'qty')::DOUBLE AS q, json_type(e) AS ty FROM (SELECT id, unnest(json_extract(items, '$[*]')) AS e FROM t)", rows: jsonArrays },
  { name: "nested-hunt: CAST of a JSON array of mixed values to JSON[] is strict", sql: "SELECT id, CAST(items AS JSON[]) AS l FROM t", rows: jsonArrays, expect: "same" },
  { name: "nested-hunt: json_array_length and list functions over json_extract results", sql: "SELECT id, json_array_length(items) AS n, len(json_extract(items, '$[*]')) AS m, list_contains(json_extract_string(items, '$[*].sku'), 'A') AS has_a FROM t", rows: jsonArrays },
);
cases.push(
  { name: "nested-hunt: a JSON field compared with text in WHERE (the text is cast to JSON)", sql: "SELECT id FROM t WHERE user.login = '\"alice\"' OR user = '\"ghost\"' OR (user->'id') = '8'", rows: shapes, expect: "same" },
  { name: "nested-hunt: a JSON field compared with a bare word", sql: "SELECT id, user.login = 'alice' AS eq FROM t", rows: shapes, expect: "same" },
  { name: "nested-hunt: a JSON field compared with a number and IN a list", sql: "SELECT id, user = 42 AS n42, user.id IN ('7', '9.5') AS known, user.id > 5 AS big FROM t", rows: shapes, expect: "same" },
);
// A payload that arrives as JSON text inside a string (Kafka Connect, Segment's `context` as a string).
const stringified = [
  { id: 1, payload: "{\"a\": 1, \"b\": {\"c\": [1, 2]}, \"s\": \"x\"}" },
  { id: 2, payload: "[1, 2, 3]" },
  { id: 3, payload: "  {\"a\" : null}  " },
  { id: 4, payload: "" },
  { id: 5, payload: "not json" },
  { id: 6, payload: null },
  { id: 7, payload: "{\"a\": 1,}" },
  { id: 8, payload: "{\"a\": NaN}" },
  { id: 9, payload: "\"just a string\"" },
];
cases.push(
  { name: "nested-hunt: JSON functions over JSON text in a VARCHAR, guarded by json_valid", sql: "SELECT id, json_valid(payload) AS ok, CASE WHEN json_valid(payload) THEN payload->>'a' END AS a, CASE WHEN json_valid(payload) THEN json_extract(payload, '$.b.c[1]') END AS c1, CASE WHEN json_valid(payload) THEN json_type(payload) END AS ty FROM t", rows: stringified },
  { name: "nested-hunt: JSON text in a VARCHAR filtered by json_valid then extracted", sql: "SELECT id, payload->>'$.s' AS s, payload::JSON AS j, json(payload) AS minified FROM t WHERE json_valid(payload)", rows: stringified },
  { name: "nested-hunt: ->> over invalid JSON text fails like DuckDB", sql: "SELECT id, payload->>'a' AS a FROM t", rows: stringified, expect: "error" },
  { name: "nested-hunt: TRY_CAST of JSON text to JSON is NULL where it does not parse", sql: "SELECT id, TRY_CAST(payload AS JSON) AS j, TRY_CAST(payload AS JSON)->>'a' AS a FROM t", rows: stringified },
);
cases.push(
  {
    name: "nested-hunt: GROUP BY nested keys holding -0.0, NaN, NULL elements and empty lists",
    sql: "SELECT s, l, count(*) AS n FROM t GROUP BY ALL",
    rows: [
      { s: { a: 0.5, b: "x" }, l: [1.5, null] }, { s: { a: 0.5, b: "x" }, l: [1.5, null] }, { s: { a: -0.0, b: null }, l: [] }, { s: { a: 0.0, b: null }, l: [] },
      { s: null, l: null }, { s: { a: null, b: null }, l: [null] }, { s: {}, l: [0.0] }, { s: { a: 1e300, b: "x" }, l: [-0.0] },
    ],
    schema: [{ name: "s", type: "STRUCT(a DOUBLE, b VARCHAR)" }, { name: "l", type: "DOUBLE[]" }],
  },
  {
    name: "nested-hunt: count(DISTINCT) and list(DISTINCT) of nested values",
    sql: "SELECT count(DISTINCT s) AS ds, count(DISTINCT l) AS dl, count(DISTINCT j) AS dj FROM t",
    rows: [{ s: { a: 1 }, l: [1], j: { x: 1 } }, { s: { a: 1 }, l: [1], j: "x" }, { s: { a: 2 }, l: [], j: { x: 1 } }, { s: null, l: null, j: null }, { s: { a: null }, l: [null], j: [1] }],
  },
);
cases.push(
  { name: "nested-hunt: list functions over a JSON[] of mixed values", sql: "SELECT id, list_contains(tags, '\"a\"') AS has_a, list_position(tags, '1.5') AS p, array_to_string(tags, '|') AS joined, list_sort(tags) AS sorted, list_sort(list_distinct(tags)) AS dn, tags[1] AS t1, list_transform(tags, x -> json_type(x)) AS types FROM t", rows: mixedTagsWithNull },
  { name: "nested-hunt: list_contains of a bare word in a JSON[]", sql: "SELECT id, list_contains(tags, 'a') AS has_a FROM t", rows: mixedTagsWithNull, expect: "same" },
  { name: "nested-hunt: unnest of a JSON[] with a JSON null element and GROUP BY json_type", sql: "SELECT json_type(x) AS ty, count(*) AS n, count(x) AS nx FROM (SELECT unnest(tags) AS x FROM t) GROUP BY ALL", rows: [{ tags: [1, null, "x", { a: null }, [null]] }, { tags: [null] }] },
);
cases.push(
  { name: "nested-hunt: list_string_agg and list_aggregate(string_agg) over lists that are not text", sql: "SELECT id, list_string_agg(payload.commits) AS commits, list_aggregate(amounts, 'string_agg', '|') AS amounts, array_to_string(amounts, '|') AS a2, list_string_agg(tags) AS tags FROM t", rows: hooks.map((h, i) => ({ ...h, amounts: i % 2 ? [1.0, null, -0.0, 2.5] : null })) },
);
cases.push(
  { name: "nested-hunt: COALESCE of a JSON[] and a JSON value (the list is cast to JSON implicitly)", sql: "SELECT id, coalesce(tags, other) AS c, coalesce(other, tags) AS d FROM t", rows: [{ id: 1, tags: ["a", { b: 1 }], other: { x: 1 } }, { id: 2, tags: null, other: "s" }, { id: 3, tags: [1, "2"], other: null }], expect: "same" },
  { name: "nested-hunt: COALESCE of a STRUCT and a JSON value", sql: "SELECT id, coalesce(s, j) AS c FROM t", rows: [{ id: 1, s: { a: 1, b: "x" }, j: [1] }, { id: 2, s: null, j: "s" }, { id: 3, s: { a: null, b: null }, j: { k: 1 } }] },
);
cases.push(
  { name: "nested-hunt: CAST of a JSON[] to VARCHAR[]", sql: "SELECT id, CAST(tags AS VARCHAR[]) AS v, list_transform(tags, x -> json_extract_string(x, '$')) AS u FROM t", rows: mixedTagsWithNull, expect: "same" },
  { name: "nested-hunt: CAST of a STRUCT holding JSON to a STRUCT holding VARCHAR", sql: "SELECT id, CAST(payload.meta AS STRUCT(\"a.b\" VARCHAR, \"with space\" VARCHAR, \"ü\" VARCHAR, deep VARCHAR)) AS m FROM t", rows: hooks },
);
const lenientDoc = [{ j: '{"a":"7.0","b":"1.5","c":"abc","d":"+3","e":" 4 ","f":"1","g":2.5,"h":"1e2","i":"0x1F","k":"y"}' }, { j: '{"a":null,"f":"no"}' }];
cases.push(
  { name: "nested-hunt: from_json reads a JSON string into a number or BOOLEAN as CAST reads text", sql: `SELECT from_json(j, '{"a":"INTEGER","b":"INTEGER","c":"INTEGER","d":"INTEGER","e":"INTEGER","f":"BOOLEAN","g":"INTEGER","h":"INTEGER","i":"BIGINT","k":"BOOLEAN"}') AS r FROM t`, rows: lenientDoc },
  { name: "nested-hunt: json_transform into DOUBLE, DECIMAL, FLOAT and HUGEINT from JSON strings", sql: `SELECT json_transform(j, '{"a":"DOUBLE","b":"DECIMAL(4,1)","d":"FLOAT","e":"DOUBLE","h":"HUGEINT"}') AS r FROM t`, rows: lenientDoc },
  { name: "nested-hunt: TRY_CAST of JSON to a STRUCT reads its strings strictly", sql: "SELECT TRY_CAST(CAST(j AS JSON) AS STRUCT(a INTEGER, f BOOLEAN)) AS r FROM t", rows: lenientDoc },
);
const stamped = [{ ts: "2024-01-01 10:00:00", d: "2024-01-02", s: "a'b", n: 1.5 }];
cases.push(
  { name: "nested-hunt: a STRUCT's timestamps, times and intervals are quoted in its text, its dates are not", sql: "SELECT CAST({'t': CAST(ts AS TIMESTAMP), 'd': CAST(d AS DATE), 'i': CAST(ts AS TIMESTAMP) - CAST(d AS TIMESTAMP), 'tm': CAST(CAST(ts AS TIMESTAMP) AS TIME), 'tz': CAST(ts AS TIMESTAMPTZ), 'u': '00000000-0000-0000-0000-000000000001'::UUID, 'b': 'x'::BLOB, 'dec': 1.50, 'f': n::FLOAT, 'bo': true, 's': s, 'e': '', 'nul': NULL} AS VARCHAR) AS v FROM t", rows: stamped },
  { name: "nested-hunt: lists of timestamps, dates and structs of timestamps as text", sql: "SELECT CAST([CAST(ts AS TIMESTAMP)] AS VARCHAR) AS v, CAST([CAST(d AS DATE)] AS VARCHAR) AS w, CAST([{'k': CAST(ts AS TIMESTAMP)}] AS VARCHAR) AS x FROM t", rows: stamped },
  { name: "nested-hunt: scalars of every kind inside a list's text", sql: "SELECT CAST([DATE '0001-01-01' - 1] AS VARCHAR) a, CAST(['x'::BLOB, '\\x00a'::BLOB, 'a b'::BLOB, 'a''b'::BLOB] AS VARCHAR) b, CAST([INTERVAL 1 day, INTERVAL 3 month] AS VARCHAR) c, CAST([1.5::DOUBLE, -0.0::DOUBLE, 'nan'::DOUBLE, 'inf'::DOUBLE, 1e300::DOUBLE] AS VARCHAR) d, CAST(['infinity'::DATE, '-infinity'::TIMESTAMP] AS VARCHAR) e, CAST([TIMESTAMPTZ '2024-01-01 10:00:00+00'] AS VARCHAR) g, CAST({'a': [TIME '10:00:00']} AS VARCHAR) h, CAST([-1.50, 2.00] AS VARCHAR) i, CAST([1::HUGEINT, -2::TINYINT] AS VARCHAR) k FROM t", rows: stamped },
);
cases.push({ name: "nested-hunt: a UUID cast to BLOB is its 16 bytes", sql: "SELECT CAST(u AS BLOB) AS b, hex(CAST(u AS BLOB)) AS h FROM t", rows: [{ u: "0123e456-89ab-cdef-0123-456789abcdef" }, { u: "00000000-0000-0000-0000-000000000000" }, { u: null }], schema: [{ name: "u", type: "UUID" }] });
cases.push({ name: "nested-hunt: 16 bytes cast to UUID, other lengths NULL under TRY_CAST", sql: "SELECT CAST(CAST(u AS BLOB) AS UUID) AS b, TRY_CAST('\\x01\\x02'::BLOB AS UUID) AS c FROM t", rows: [{ u: "0123e456-89ab-cdef-0123-456789abcdef" }, { u: null }], schema: [{ name: "u", type: "UUID" }] });
