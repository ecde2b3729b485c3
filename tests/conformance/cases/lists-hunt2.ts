/** Lists, structs and maps as webhook payloads bring them: found while hunting differences (round 2). */
import type { ConformanceCase } from "../case.ts";

// A MAP column (a pinned schema; from_json / CAST into MAP give the same values).
const maps = [
  { id: 1, m: { x: 1, y: 2 }, k: "x" },
  { id: 2, m: {}, k: "y" },
  { id: 3, m: null, k: null },
  { id: 4, m: { x: null, "a b": 3 }, k: "a b" },
  { id: 5, m: { X: 5 }, k: "x" },
];
const mapSchema = [{ name: "id", type: "BIGINT" }, { name: "m", type: "MAP(VARCHAR, BIGINT)" }, { name: "k", type: "VARCHAR" }];
const intMaps = [{ id: 1, m: { "1": "a", "20": "b" } }, { id: 2, m: null }, { id: 3, m: {} }];
const intMapSchema = [{ name: "id", type: "BIGINT" }, { name: "m", type: "MAP(INTEGER, VARCHAR)" }];

// List and struct text inside a VARCHAR (a payload field that carries `['a', 'b']` as a string).
const texts = [
  "[a'b'c]", "['a''b']", "[ \"x\"y ]", "[\\\"x\\\"]", "[ 'a' 'b' ]", "[' a ']", "[a\\'b, c]", "[a\\,b]", "[a\\\\b]",
  "['a\\nb']", "[n'ul'l]", "[ null ]", "['NULL']", "[x,'']", "['[1,2]', [3]]", "[['a,b'], [c]]", "[O'Brien, Smith]",
  "[\"a\", \"b c\"]", "[]", "[ ]", "[1'']",
].map((s, i) => ({ id: i, s }));
const structTexts = [
  "(1)", "()", "( 1 , NULL )", "(1, 2, 3)", "{A: 1}", "{b: x, a: 2}", "{B: 'x', a: 1}", "{a: 1, b: \"q\"r}", "{a:1,b:' x '}",
  "{'a': 1, b: it\\'s}", "(1, x\\'y)", "{a: 1, b: x\\,y}", "{\"a\" : 1}",
].map((s, i) => ({ id: i, s }));

// Slice bounds of other types than integers, and steps: backwards and zero.
const sliceRows = [
  { id: 1, l: [10, 20, 30, 40], s: "abcdef", f: 1.5, g: 2.5, h: -1.5 },
  { id: 2, l: [1], s: "x", f: 0.4, g: 0.6, h: 3.5 },
  { id: 3, l: [1, 2, 3, 4, 5], s: "abcde", f: 3.5, g: 0.5, h: null },
];
const steps = [
  [5, 1, -1], [5, 1, -2], [4, 2, -1], [2, 4, -1], [0, 0, -1], [-2, -4, -1], [10, -10, -1], [5, 1, -10], [3, 3, -1], [0, 2, -1],
  [4, 0, -1], [-10, 1, -1], [-5, 1, -1], [2, -10, -1], [1, 5, 3], [5, 1, null],
].map(([b, e, st], i) => ({ id: i, l: [1, 2, 3, 4, 5], b, e, st }));

// Lists of one element type meeting another (`||` casts both sides to the result's element type).
const concatRows = [
  { id: 1, l: [1, 2], s: ["a"], d: [1.25] },
  { id: 2, l: [], s: [], d: [] },
  { id: 3, l: null, s: null, d: null },
  { id: 4, l: [null, 3], s: ["ü", null], d: [null] },
];

export const cases: ConformanceCase[] = [
  { name: "lists-hunt2: list || list casts the elements to the result's type; a NULL side is NULL", sql: "SELECT id, l || [1.5] AS a, l || [9] AS b, [2.5] || l AS c, l || d AS e, s || ['z'] AS f, l || NULL AS g, list_concat(l, NULL) AS h, l || [9999999999] AS i FROM t", rows: concatRows },
  { name: "lists-hunt2: m[k] on a MAP is the value under k, NULL when absent", sql: "SELECT id, m['x'] AS x, m['zz'] AS z, m[k] AS mk, m[NULL] AS n FROM t", rows: maps, schema: mapSchema },
  { name: "lists-hunt2: map_extract, element_at, map_keys, map_values, map_entries, map_contains, cardinality", sql: "SELECT id, map_extract(m, 'x') AS a, element_at(m, k) AS b, map_extract_value(m, k) AS c, map_contains(m, 'x') AS d, map_keys(m) AS e, map_values(m) AS f, map_entries(m) AS g, cardinality(m) AS h, map_extract(m, NULL) AS i FROM t", rows: maps, schema: mapSchema },
  { name: "lists-hunt2: a MAP with INTEGER keys looked up by other number types", sql: "SELECT id, m[1] AS a, m[20::BIGINT] AS b, map_extract(m, 1.0) AS c, map_keys(m) AS d, map_contains(m, 20) AS e FROM t", rows: intMaps, schema: intMapSchema },
  { name: "lists-hunt2: unnest of map_keys", sql: "SELECT id, unnest(map_keys(m)) AS k FROM t", rows: maps, schema: mapSchema },
  { name: "lists-hunt2: VARCHAR to VARCHAR[] strips quotes anywhere in an element, a backslash escapes a quote", sql: "SELECT id, s, TRY_CAST(s AS VARCHAR[]) AS l, len(TRY_CAST(s AS VARCHAR[])) AS n FROM t", rows: texts },
  { name: "lists-hunt2: VARCHAR to INTEGER[] and VARCHAR[][] with quoted parts", sql: "SELECT id, s, TRY_CAST(s AS INTEGER[]) AS i, TRY_CAST(s AS VARCHAR[][]) AS ll FROM t", rows: texts },
  { name: "lists-hunt2: VARCHAR to STRUCT: positional with fewer values, keys matched exactly", sql: "SELECT id, s, TRY_CAST(s AS STRUCT(a INTEGER, b VARCHAR)) AS st FROM t", rows: structTexts },
  { name: "lists-hunt2: CAST of list text with a quote inside an element", sql: "SELECT id, CAST(s AS VARCHAR[]) AS l FROM t", rows: [{ id: 1, s: "[a'b'c, d]" }, { id: 2, s: "['it''s']" }, { id: 3, s: "[it\\'s]" }] },

  { name: "lists-hunt2: slice bounds that are DOUBLE (rounded half to even) or DECIMAL (half away from zero)", sql: "SELECT id, l[f:g] AS a, s[f:g] AS b, list_slice(l, h, g) AS c, l[f:] AS d, s[:g] AS e, array_slice(s, h, 10) AS k, l[1.5:2.5] AS m, s[0.5:1.5] AS n, l[f::FLOAT:g::FLOAT] AS o FROM t", rows: sliceRows },
  { name: "lists-hunt2: list_slice with a negative step walks backwards", sql: "SELECT id, list_slice(l, b, e, st) AS s, l[b: :st] AS f, l[ :e:st] AS g, l[:-1:-1] AS a, l[ : :-1] AS c FROM t", rows: steps },
  { name: "lists-hunt2: list_slice with a zero step is empty where the bounds take nothing", sql: "SELECT id, list_slice(l, b, e, 0) AS s FROM t", rows: [{ id: 1, l: [1, 2, 3, 4, 5], b: 10, e: 20 }, { id: 2, l: [1, 2, 3, 4, 5], b: 0, e: 0 }, { id: 3, l: [1, 2, 3, 4, 5], b: -1, e: -3 }, { id: 4, l: [], b: 1, e: 3 }, { id: 5, l: null, b: 1, e: 3 }, { id: 6, l: [1, 2, 3, 4, 5], b: 5, e: 1 }] },
  { name: "lists-hunt2: list_slice with a zero step over bounds that take something is DuckDB's error", sql: "SELECT id, list_slice(l, b, e, 0) AS s FROM t", rows: [{ id: 1, l: [1, 2, 3, 4, 5], b: 10, e: 20 }, { id: 2, l: [1, 2, 3, 4, 5], b: -3, e: -1 }], expect: "error" },
];
