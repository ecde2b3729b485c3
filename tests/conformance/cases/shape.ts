/** unnest, lookup joins against static tables. */
import type { ConformanceCase } from "../case.ts";

const orders = [
  { id: 1, items: ["a", "b", "c"], qty: [1, 2], country: "FR" },
  { id: 2, items: [], qty: [5], country: "DE" },
  { id: 3, items: null, qty: null, country: null },
  { id: 4, items: ["x", null], qty: [], country: "XX" },
  { id: 5, items: ["y"], qty: [7, 8, 9], country: "FR" },
];
const countries = "SELECT * FROM (VALUES ('FR', 'France', 1), ('DE', 'Germany', 2), ('US', 'United States', NULL)) v(code, name, rank)";

const carts = [
  { id: 1, items: [{ sku: "A", qty: 2 }, { sku: "B", qty: null }], tags: ["x", null] },
  { id: 2, items: [], tags: null },
  { id: 3, items: null, tags: ["ü🦆"] },
  { id: 4, items: [{ sku: null, qty: 5 }], tags: [] },
];

export const cases: ConformanceCase[] = [
  { name: "list_transform reads each element's fields; NULL and empty lists; NULL elements", sql: "SELECT id, list_transform(items, x -> x.sku) AS skus, list_transform(items, x -> coalesce(x.qty, 0) * 2) AS doubled, array_transform(tags, t -> upper(t) || '!') AS loud FROM t", rows: carts },
  { name: "list_filter keeps elements whose condition is TRUE (NULL drops), and may read other columns", sql: "SELECT id, list_filter(items, x -> x.qty > id) AS big, filter(tags, t -> t IS NOT NULL) AS present, len(list_filter(items, x -> x.sku LIKE 'A%')) AS n_a FROM t", rows: carts },
  { name: "a lambda over an aggregate's result above a GROUP BY", sql: "SELECT id, list_transform(list(v), x -> x * 10) AS tens, list_filter(list(s), x -> x <> 'b') AS kept FROM t GROUP BY id", rows: [{ id: 1, v: 1, s: "a" }, { id: 1, v: null, s: "b" }, { id: 2, v: 3, s: null }] },
  { name: "a lambda in a WHERE clause and in a later cell", sql: "SELECT id, skus FROM s WHERE len(list_filter(skus, k -> k = 'A')) > 0", rows: carts, cells: { s: "SELECT id, list_transform(items, x -> x.sku) AS skus FROM t" } },
  { name: "unnest inside an expression: a struct field of each element, a function of it, two lists in parallel", sql: "SELECT id, unnest(items).sku AS sku, unnest(items).qty + 1 AS q1, upper(unnest(tags)) AS t, coalesce((unnest(items)).sku, '?') AS s FROM t WHERE id > 0", rows: carts },
  { name: "unnest in FROM (a lateral join) with an alias: one row per element, struct fields read through the alias", sql: "SELECT id, u.i.sku AS sku, i.qty AS qty FROM t AS o, unnest(o.items) AS u(i) WHERE id > 0", rows: carts },
  { name: "unnest in FROM with CROSS JOIN and no column alias; NULL and empty lists give no row", sql: "SELECT t.id, unnest AS tag FROM t CROSS JOIN unnest(t.tags)", rows: carts },
  { name: "SELECT * over a lateral unnest is the table's columns and then the element", sql: "SELECT * FROM t, unnest(tags) AS u(tag)", rows: carts },
  { name: "a lateral unnest feeding an aggregate", sql: "SELECT i.sku AS sku, count(*) AS n, sum(i.qty) AS q FROM t, unnest(items) AS x(i) GROUP BY ALL", rows: carts },
  {
    name: "an integer between 2^63 and 2^64 (DuckDB's inference cannot read it) is a HUGEINT column, exact end to end",
    sql: "SELECT id, id + 1 AS next, id::VARCHAR AS text, o.h AS h, v FROM t WHERE v IS NOT NULL",
    rows: [{ id: 12345678901234567890n, o: { h: 18446744073709551615n }, v: 1 }, { id: -1n, o: { h: 0n }, v: 2 }, { id: 9223372036854775808n, o: null, v: null }],
  },
  { name: "unnest makes one row per element", sql: "SELECT id, unnest(items) AS item FROM t", rows: orders },
  { name: "unnest skips rows whose list is NULL or empty", sql: "SELECT unnest(items) AS item FROM t", rows: orders },
  { name: "two unnests zip to the longer list", sql: "SELECT id, unnest(items) AS item, unnest(qty) AS q FROM t", rows: orders },
  { name: "unnest with a WHERE on the input", sql: "SELECT id, unnest(qty) AS q FROM t WHERE country = 'FR'", rows: orders },
  { name: "unnest of a list of structs, fields read downstream", sql: "SELECT r.k AS k, r.v AS v FROM exploded", rows: [{ recs: [{ k: "a", v: 1 }, { k: "b", v: 2 }] }, { recs: [{ k: "c", v: null }] }], cells: { exploded: "SELECT unnest(recs) AS r FROM t" } },
  { name: "unnest of a STRUCT spreads its fields into columns, as DuckDB", sql: "SELECT id, unnest({'a': id, 'b': country}) FROM t", rows: orders },
  { name: "unnest keeps the other columns", sql: "SELECT *, unnest(qty) AS q FROM t", rows: orders },
  { name: "an expression over an unnested value in a later cell", sql: "SELECT id, q * 10 AS q10 FROM u WHERE q > 1", rows: orders, cells: { u: "SELECT id, unnest(qty) AS q FROM t" } },
  { name: "unnest of a list computed from the row", sql: "SELECT id, unnest([id, id * 2]) AS v FROM t", rows: orders },
  { name: "a join against a VALUES cell", sql: "SELECT t.id, c.name FROM t JOIN countries c ON t.country = c.code", rows: orders, cells: { countries } },
  { name: "a LEFT JOIN keeps unmatched stream rows", sql: "SELECT t.id, c.name, c.rank FROM t LEFT JOIN countries c ON t.country = c.code", rows: orders, cells: { countries } },
  { name: "a join against an inline VALUES list", sql: "SELECT id, v.label FROM t JOIN (VALUES ('FR', 'fr'), ('DE', 'de')) v(code, label) ON t.country = v.code", rows: orders },
  { name: "SEMI JOIN keeps a stream row once when some table row matches (a table with the key twice adds no row; a NULL key matches nothing)", sql: "SELECT t.* FROM t SEMI JOIN (VALUES ('FR'), ('FR'), ('DE'), (NULL)) v(code) ON t.country = v.code", rows: orders },
  { name: "ANTI JOIN keeps the stream rows no table row matches, a NULL key among them", sql: "SELECT id, country FROM t ANTI JOIN countries c ON t.country = c.code", rows: orders, cells: { countries } },
  { name: "SEMI and ANTI JOIN with a residual condition and a second key", sql: "SELECT id FROM t SEMI JOIN countries c ON t.country = c.code AND c.rank >= t.id", rows: orders, cells: { countries } },
  { name: "SELECT * over a SEMI JOIN lists the stream's columns only", sql: "SELECT * FROM t SEMI JOIN countries c ON t.country = c.code", rows: orders, cells: { countries } },
  { name: "ANTI JOIN with a residual condition", sql: "SELECT id FROM t ANTI JOIN countries c ON t.country = c.code AND c.rank < 2", rows: orders, cells: { countries } },
  { name: "a SEMI JOIN with the static table on the left is refused", sql: "SELECT c.* FROM countries c SEMI JOIN t ON c.code = t.country", rows: orders, cells: { countries }, expect: "compile-error", message: "put the stream on the left" },
  { name: "a join with the static table first", sql: "SELECT c.name, t.id FROM countries c JOIN t ON c.code = t.country", rows: orders, cells: { countries } },
  { name: "a join with an extra condition", sql: "SELECT t.id, c.name FROM t JOIN countries c ON t.country = c.code AND t.id > 1", rows: orders, cells: { countries } },
  { name: "a join on an expression of the stream", sql: "SELECT t.id, c.name FROM t JOIN countries c ON upper(lower(t.country)) = c.code", rows: orders, cells: { countries } },
  { name: "a join on a non-equality condition", sql: "SELECT t.id, c.code FROM t JOIN countries c ON t.id <= c.rank", rows: orders, cells: { countries } },
  { name: "a join where the table has duplicate keys", sql: "SELECT t.id, d.v FROM t JOIN (VALUES ('FR', 1), ('FR', 2)) d(code, v) ON t.country = d.code", rows: orders },
  { name: "a join then a filter on a table column", sql: "SELECT t.id, c.name FROM t LEFT JOIN countries c ON t.country = c.code WHERE c.name IS NULL", rows: orders, cells: { countries } },
  { name: "a join then GROUP BY", sql: "SELECT c.name, count(*) AS n FROM t JOIN countries c ON t.country = c.code GROUP BY c.name", rows: orders, cells: { countries } },
  { name: "a join on integer keys of different widths", sql: "SELECT t.id, v.w FROM t JOIN (VALUES (1::BIGINT, 'one'), (5::BIGINT, 'five')) v(k, w) ON t.id = v.k", rows: orders },
  { name: "a star over a join lists both sides", sql: "SELECT * FROM t JOIN countries ON t.country = countries.code", rows: orders, cells: { countries } },
  { name: "two result columns with one name are refused for a sink", sql: "SELECT t.id, c.code AS id FROM t JOIN countries c ON t.country = c.code", rows: orders, cells: { countries }, expect: "compile-error", message: "two columns named id" },
];

cases.push(
  { name: "a join against a small CSV file read with read_csv", sql: "SELECT t.id, c.name, c.rank FROM t LEFT JOIN read_csv('tests/conformance/fixtures/countries.csv') c ON t.country = c.code", rows: orders },
  { name: "a join against a cell that reads a small CSV file", sql: "SELECT t.id, f.name FROM t JOIN files f ON t.country = f.code", rows: orders, cells: { files: "SELECT * FROM read_csv('tests/conformance/fixtures/countries.csv')" } },
);
