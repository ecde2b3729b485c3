import type { ConformanceCase } from "../case.ts";

// JSON objects whose keys vary (Stripe metadata, Segment properties), read into a MAP.
const P = [
  { id: 1, p: { x: 1, y: 2 } },
  { id: 2, p: "s" },
  { id: 3, p: null },
  { id: 4, p: { x: null, "a b": 3 } },
  { id: 5, p: {} },
  { id: 6, p: [1, 2] },
  { id: 7, p: 3 },
];
const M = [
  { id: 1, p: { plan: "pro", seats: 3, trial: true, tags: ["a", "b"], extra: { k: 1 }, none: null } },
  { id: 2, p: { seats: "4", ratio: 1.5, bad: "x", big: 1e3, neg: -0, "a.b": 1 } },
  { id: 3, p: { m: { k: "v" } } },
  { id: 4, p: { m: { k: 1, j: true, n: null, o: { z: 1 } } } },
  { id: 5, p: { m: [1] } },
  { id: 6, p: null },
];
const K = [
  { id: 1, p: { "1": 10, " 2": 20, "+3": 30, "0x10": 40, "04": 50, "1.5": 60 } },
  { id: 2, p: { "7": 1, "-8": 2 } },
];

export const cases: ConformanceCase[] = [
  { name: "from_json into MAP(VARCHAR, JSON) keeps every key's JSON", sql: `SELECT id, from_json(p, '"MAP(VARCHAR, JSON)"') AS a FROM t`, rows: M },
  { name: "from_json into MAP(VARCHAR, JSON) then a key", sql: `SELECT id, from_json(p, '"MAP(VARCHAR, JSON)"')['seats'] AS a, from_json(p, '"MAP(VARCHAR, JSON)"')['nope'] AS b FROM t`, rows: M },
  { name: "from_json into MAP(VARCHAR, VARCHAR)", sql: `SELECT id, from_json(p, '"MAP(VARCHAR, VARCHAR)"') AS a FROM t`, rows: M },
  { name: "from_json into MAP(VARCHAR, BIGINT): values that do not fit are NULL", sql: `SELECT id, from_json(p, '"MAP(VARCHAR, BIGINT)"') AS a FROM t`, rows: M },
  { name: "from_json into MAP(VARCHAR, DOUBLE) and BOOLEAN", sql: `SELECT id, from_json(p, '"MAP(VARCHAR, DOUBLE)"') AS a, from_json(p, '"MAP(VARCHAR, BOOLEAN)"') AS b FROM t`, rows: M },
  { name: "from_json: a MAP field of a struct", sql: `SELECT id, from_json(p, '{"m": "MAP(VARCHAR, VARCHAR)"}') AS a FROM t`, rows: M },
  { name: "from_json: non-objects into a MAP are NULL", sql: `SELECT id, from_json(p, '"MAP(VARCHAR, BIGINT)"') AS a FROM t`, rows: P },
  { name: "json_transform into a MAP", sql: `SELECT id, json_transform(p, '"MAP(VARCHAR, INTEGER)"') AS a FROM t`, rows: P },
  { name: "from_json: a list of maps", sql: `SELECT from_json('[{"a":1},{"b":2}, 3, null]', '["MAP(VARCHAR, INTEGER)"]') AS a FROM t`, rows: [{ id: 1 }] },
  { name: "from_json: map of structs and of lists", sql: `SELECT from_json('{"a":{"x":1},"b":{"y":2}}', '"MAP(VARCHAR, STRUCT(x INT))"') AS a, from_json('{"a":[1,2],"b":"q"}', '"MAP(VARCHAR, INT[])"') AS b FROM t`, rows: [{ id: 1 }] },
  { name: "from_json: integer map keys read as CAST reads text", sql: `SELECT id, from_json(p, '"MAP(INTEGER, BIGINT)"') AS a FROM t`, rows: K },
  { name: "from_json: an empty key", sql: `SELECT from_json('{"":1, " ": 2}', '"MAP(VARCHAR, BIGINT)"') AS a FROM t`, rows: [{ id: 1 }] },
  { name: "from_json: duplicate keys are kept", sql: `SELECT from_json('{"a":1,"a":2}', '"MAP(VARCHAR, BIGINT)"') AS a FROM t`, rows: [{ id: 1 }] },
  { name: "CAST(json AS MAP)", sql: "SELECT id, CAST(p AS MAP(VARCHAR, BIGINT)) AS m FROM t WHERE id IN (1, 3, 4, 5)", rows: P },
  { name: "CAST(json AS MAP) of a string fails as DuckDB", sql: "SELECT id, CAST(p AS MAP(VARCHAR, BIGINT)) AS m FROM t WHERE id = 2", rows: P, expect: "error" },
  { name: "CAST(json AS MAP) of an array fails as DuckDB", sql: "SELECT id, CAST(p AS MAP(VARCHAR, BIGINT)) AS m FROM t WHERE id = 6", rows: P, expect: "error" },
  { name: "CAST(json AS MAP) of a value that does not fit fails", sql: `SELECT CAST('{"a":"x","b":"y"}'::JSON AS MAP(VARCHAR, BIGINT)) AS m FROM t`, rows: [{ id: 1 }], expect: "error" },
  { name: "CAST(json AS MAP) reads number strings and rounds reals", sql: `SELECT CAST('{"a":1.5,"b":"2"}'::JSON AS MAP(VARCHAR, BIGINT)) AS m, CAST('{"a":{"b":1}, "c": "x"}'::JSON AS MAP(VARCHAR, JSON)) AS j FROM t`, rows: [{ id: 1 }] },
  { name: "CAST(json AS MAP(INTEGER, ...)) with keys that do not fit fails", sql: `SELECT CAST('{"x":1,"1":2}'::JSON AS MAP(INTEGER, BIGINT)) AS m FROM t`, rows: [{ id: 1 }], expect: "error" },
  { name: "TRY_CAST(json AS MAP)", sql: "SELECT id, TRY_CAST(p AS MAP(VARCHAR, BIGINT)) AS m, TRY_CAST(p AS MAP(VARCHAR, BIGINT))['x'] AS x FROM t", rows: P },
  { name: "TRY_CAST(json AS MAP) keeps a key error", sql: `SELECT TRY_CAST('{"x":1,"1":2}'::JSON AS MAP(INTEGER, BIGINT)) AS m FROM t`, rows: [{ id: 1 }], expect: "error" },
  { name: "TRY_CAST(json AS a struct of a MAP)", sql: `SELECT TRY_CAST('{"m":{"a":"x", "b": 2}}'::JSON AS STRUCT(m MAP(VARCHAR,BIGINT))) AS a, TRY_CAST('{"m":[1]}'::JSON AS STRUCT(m MAP(VARCHAR,BIGINT))) AS b FROM t`, rows: [{ id: 1 }] },
  { name: "TRY_CAST(json AS a list of MAPs)", sql: `SELECT TRY_CAST('[{"a":1}, 3]'::JSON AS MAP(VARCHAR, BIGINT)[]) AS a FROM t`, rows: [{ id: 1 }] },
  // VARCHAR → MAP: DuckDB's {k=v} text.
  { name: "VARCHAR to MAP", sql: "SELECT id, CAST(s AS MAP(VARCHAR, INTEGER)) AS m FROM t", rows: [{ id: 1, s: "{a=1, b=2}" }, { id: 2, s: "  { }  " }, { id: 3, s: "{a=NULL, 'NULL'=1}" }, { id: 4, s: "{ a = 1 , \"c=d\" = 2 }" }, { id: 5, s: "{'a''b'=1}" }] },
  { name: "VARCHAR to MAP(VARCHAR, VARCHAR) splits at the first '='", sql: "SELECT id, CAST(s AS MAP(VARCHAR, VARCHAR)) AS m FROM t", rows: [{ id: 1, s: "{a=1=2, b==c, c=, =d}" }, { id: 2, s: "{a='x,y', b=[1,2], c={b=1}, (a)=1}" }, { id: 3, s: "{a=1 2, a b=1, x=b)c, y=b:c}" }] },
  { name: "VARCHAR to nested MAPs", sql: "SELECT CAST('{1=[1,2], 2=[]}' AS MAP(INTEGER, INTEGER[])) AS a, CAST('{a={b=1}}' AS MAP(VARCHAR, MAP(VARCHAR, INTEGER))) AS b, CAST('[{a=1}, {b=2}]' AS MAP(VARCHAR, INTEGER)[]) AS c, CAST('{m: {a=1}}' AS STRUCT(m MAP(VARCHAR, INTEGER))) AS d FROM t", rows: [{ id: 1 }] },
  { name: "TRY_CAST VARCHAR to MAP", sql: "SELECT id, TRY_CAST(s AS MAP(INTEGER, INTEGER)) AS m FROM t", rows: [{ id: 1, s: "{1=x, 2=2}" }, { id: 2, s: "{x=1, 2=2}" }, { id: 3, s: "{a=1,}" }, { id: 4, s: "{NULL=1}" }, { id: 5, s: "[1=2]" }, { id: 6, s: '{"a":1}' }] },
  { name: "VARCHAR to MAP: bad text fails as DuckDB", sql: "SELECT CAST(s AS MAP(VARCHAR, INTEGER)) AS m FROM t", rows: [{ s: "{a}" }], expect: "error" },
  { name: "VARCHAR to MAP: a JSON object is not map text", sql: "SELECT CAST(s AS MAP(VARCHAR, INTEGER)) AS m FROM t", rows: [{ s: '{"a":1}' }], expect: "error" },
  { name: "VARCHAR to MAP: a value that does not convert fails", sql: "SELECT CAST(s AS MAP(VARCHAR, INTEGER)) AS m FROM t", rows: [{ s: "{a=x}" }], expect: "error" },
  { name: "VARCHAR to MAP: duplicate keys fail", sql: "SELECT CAST(s AS MAP(VARCHAR, INTEGER)) AS m FROM t", rows: [{ s: "{a=1, a=2}" }], expect: "error" },
  { name: "TRY_CAST VARCHAR to MAP: duplicate keys still fail", sql: "SELECT TRY_CAST(s AS MAP(INTEGER, INTEGER)) AS m FROM t", rows: [{ s: "{1=1, 01=2}" }], expect: "error" },
  { name: "VARCHAR to MAP: keys run to '=', commas included", sql: "SELECT id, TRY_CAST(s AS MAP(VARCHAR, VARCHAR)) AS m FROM t", rows: [{ id: 1, s: "{a=1, b, c=2}" }, { id: 2, s: "{,a=2}" }, { id: 3, s: "{a=1,  ,b=2}" }, { id: 4, s: "{a=1, b}" }, { id: 5, s: "{a'='b=1}" }, { id: 6, s: "{[a,b]=1}" }] },
  { name: "VARCHAR to MAP: an unmatched ']' is text", sql: "SELECT id, TRY_CAST(s AS MAP(VARCHAR, VARCHAR)) AS m, TRY_CAST(s AS MAP(VARCHAR, INTEGER)) AS n FROM t", rows: [{ id: 1, s: "{a=]}" }, { id: 2, s: "{a=x]y, b=1}" }] },
  { name: "VARCHAR to STRUCT: an unmatched ']' is text", sql: "SELECT id, TRY_CAST(s AS STRUCT(a VARCHAR, b INTEGER)) AS m FROM t", rows: [{ id: 1, s: "{a: x]y, b: 1}" }, { id: 2, s: "(], 2)" }, { id: 3, s: "{a: [x]]}" }] },
  { name: "VARCHAR to MAP: text is read before values are cast", sql: "SELECT CAST(s AS MAP(VARCHAR, INTEGER)) AS m FROM t", rows: [{ s: "{a=x\\,y}" }], expect: "error" },
  // A STRUCT (what read_json infers for an object whose keys repeat) cast to a MAP.
  { name: "STRUCT to MAP: every field is an entry", sql: "SELECT id, TRY_CAST(p AS MAP(VARCHAR, DOUBLE)) AS a, CAST(p AS MAP(VARCHAR, VARCHAR)) AS b, CAST(p AS MAP(VARCHAR, JSON)) AS c FROM t", rows: [{ id: 1, p: { price: 9.99, qty: "2" } }, { id: 2, p: { price: "free", note: null } }, { id: 3, p: null }, { id: 4, p: { "a b": 1e3, n: { x: [1] } } }] },
  { name: "STRUCT to MAP: a value that does not convert fails", sql: "SELECT CAST(p AS MAP(VARCHAR, INTEGER)) AS a FROM t", rows: [{ p: { a: 1, b: "x" } }], expect: "error" },
  { name: "STRUCT to MAP: constants and integer keys", sql: "SELECT CAST({'a': 1.5, 'b': '2'} AS MAP(VARCHAR, INT)) AS a, CAST({'1': 1, '2': 2} AS MAP(INT, INT)) AS b, CAST([{'a': 1}] AS MAP(VARCHAR, INT)[]) AS c FROM t", rows: [{ id: 1 }] },
  { name: "MAP to MAP casts keys and values", sql: "SELECT id, CAST(from_json(p, '\"MAP(VARCHAR, INTEGER)\"') AS MAP(VARCHAR, DOUBLE)) AS a, TRY_CAST(from_json(p, '\"MAP(VARCHAR, VARCHAR)\"') AS MAP(VARCHAR, INTEGER)) AS b FROM t", rows: [{ id: 1, p: { a: 1, b: "x", c: null } }, { id: 2, p: {} }] },
];
