/**
 * The SQL of real streams, round two (2026-12-07): CDC envelopes, access logs, sensor readings and
 * orders with nested line items, over messy events. Two constructs that used to be refused:
 * an ordered-set aggregate ordered by an expression (`percentile_cont(0.95) WITHIN GROUP (ORDER BY
 * try_cast(latency AS DOUBLE))`), and a subquery over the event's own list (`(SELECT sum(x.qty *
 * x.price) FROM unnest(items) AS u(x))`, `EXISTS (SELECT 1 FROM unnest(items) AS u(x) WHERE ...)`,
 * `'gift' IN (SELECT unnest(tags))`), and a subquery looking the event up in a static table by
 * equalities (`(SELECT rate FROM fx WHERE fx.cur = t.currency)`).
 */
import type { ConformanceCase } from "../case.ts";

/** Access-log events: latency as a number, as text with a unit, NULL; status as a number and as text. */
const logs = [
  { host: "api-1", ts: "2026-12-06T10:00:00.123Z", latency: 12.5, status: 200, msg: "ok" },
  { host: "api-2", ts: "2026-12-06T10:00:59Z", latency: "1500ms", status: "503", msg: "upstream timeout: 🔥" },
  { host: "api-1", ts: "06/Dec/2026:10:01:30 +0000", latency: null, status: null, msg: null },
  { host: "api-1", ts: "2026-12-06T10:02:00Z", latency: 0, status: 304, msg: "" },
  { host: "api-3", ts: "2026-12-06T10:03:15.999999Z", latency: "2.25", status: "404", msg: "not found" },
  { host: "api-1", ts: "2026-12-06T10:04:10Z", latency: -1, status: 200, msg: "Ünïcode ✓" },
  { host: "api-2", ts: "2026-12-06T10:04:50Z", latency: 99.75, status: 200, msg: "slow" },
  { host: "api-1", ts: "2026-12-06T10:00:30Z", latency: 7, status: 200, msg: "late" },
];

/** Orders: line items with NULL fields, an empty list, a NULL list, NULL elements, unicode SKUs. */
const orders = [
  { order_id: "o-1", currency: "EUR", tags: ["gift", "prio"], items: [{ sku: "A-1", qty: 2, price: 1.5, color: "red" }, { sku: "B-2", qty: 1, price: 10, color: null }] },
  { order_id: "o-2", currency: "CNY", tags: [], items: [] },
  { order_id: "o-3", currency: null, tags: null, items: null },
  { order_id: "o-4", currency: "EUR", tags: ["gift", null], items: [{ sku: "A-1", qty: null, price: 1.5, color: null }, { sku: "Ç-9", qty: 3, price: null, color: "blü" }, { sku: null, qty: 1, price: 99.99, color: "red" }] },
  { order_id: "o-5", currency: "EUR", tags: ["prio"], items: [{ sku: "B-2", qty: 100000, price: 0.01, color: "red" }, null] },
  { order_id: "o-6", currency: "USD", tags: ["a", "a"], items: [{ sku: "A-1", qty: 2, price: 0.1, color: "red" }, { sku: "A-1", qty: 2, price: 0.2, color: "red" }] },
];

/** Lists beside a value to look for: NULL and empty lists, NULL elements, a JSON value that is a number or text. */
const lists = [
  { id: 1, v: "gift", n: 2, j: 1, tags: ["gift", "prio"], nums: [1, 2], items: [{ sku: "A", q: 1 }] },
  { id: 2, v: "x", n: null, j: "1.0", tags: ["gift", null], nums: [1, null], items: [{ sku: null, q: 2 }, { sku: "x", q: null }] },
  { id: 3, v: null, n: 1, j: null, tags: [], nums: [], items: [] },
  { id: 4, v: null, n: 5, j: 2, tags: ["a"], nums: [5], items: null },
  { id: 5, v: "a", n: 3, j: "2", tags: null, nums: null, items: [null] },
  { id: 6, v: "é", n: 1, j: 1.5, tags: ["é", "e"], nums: [1.5, 1], items: [{ sku: "é", q: 3 }] },
];

/** Lists of orders holding lists of items. */
const nestedOrders = [
  { id: 1, orders: [{ no: "A", items: [{ sku: "A", q: 1 }, { sku: "B", q: 2 }] }, { no: "B", items: [] }] },
  { id: 2, orders: [{ no: "C", items: [{ sku: "C", q: 1 }] }, { no: "A", items: null }] },
  { id: 3, orders: [] },
  { id: 4, orders: null },
];

/** A static price table as a notebook cell: a NULL key, an apostrophe, unicode, a key twice and a NULL price. */
const prices = { prices: "SELECT * FROM (VALUES ('A-1', 1.50, 'Apple', 'EUR'), ('B-2', 10.00, 'Bread', 'EUR'), ('Ç-9', 2.25, 'Ça''y', 'CNY'), ('A-1', 1.75, 'Apple v2', 'USD'), (NULL, 9.99, 'none', 'EUR'), ('D-4', NULL, 'Dates', NULL)) p(sku, list_price, title, cur)" };
const fx = { fx: "SELECT * FROM (VALUES ('EUR', 1.1), ('CNY', 0.14), ('USD', 1.0), (NULL, 9.9)) fx(cur, rate)" };
/** Line items, one per event: SKUs the table has once, twice, not at all, and NULL. */
const lines = [
  { id: 1, sku: "B-2", qty: 2, currency: "EUR" },
  { id: 2, sku: "Ç-9", qty: 1, currency: "CNY" },
  { id: 3, sku: "Z-0", qty: 5, currency: "GBP" },
  { id: 4, sku: null, qty: 1, currency: null },
  { id: 5, sku: "D-4", qty: 3, currency: "USD" },
  { id: 6, sku: "A-1", qty: 1, currency: "EUR" },
];

export const cases: ConformanceCase[] = [
  // An ordered-set aggregate's ORDER BY key is typed like an argument (it used to be "no type for expression operator_cast").
  { name: "sql14: percentile_cont(q) WITHIN GROUP (ORDER BY try_cast(...)) per minute, latency as a number, text and NULL", sql: "SELECT date_trunc('minute', TRY_CAST(ts AS TIMESTAMP)) AS minute, percentile_cont(0.95) WITHIN GROUP (ORDER BY try_cast(latency AS DOUBLE)) AS p95 FROM t GROUP BY ALL", rows: logs },
  { name: "sql14: percentile_disc and percentile_cont WITHIN GROUP (ORDER BY an expression), ascending and DESC, a list of quantiles", sql: "SELECT host, percentile_disc(0.5) WITHIN GROUP (ORDER BY length(msg)) AS p50_len, percentile_cont(0.25) WITHIN GROUP (ORDER BY try_cast(latency AS DOUBLE) DESC) AS p25_desc, percentile_disc([0.1, 0.9]) WITHIN GROUP (ORDER BY coalesce(try_cast(latency AS DOUBLE), 0) + 1) AS ps FROM t GROUP BY host", rows: logs },
  { name: "sql14: mode() WITHIN GROUP (ORDER BY an expression) takes the least of tied values", sql: "SELECT host, mode() WITHIN GROUP (ORDER BY upper(coalesce(msg, '?'))) AS m FROM t GROUP BY host", rows: logs },
  { name: "sql14: percentile_cont WITHIN GROUP (ORDER BY a JSON column cast) over numbers only", sql: "SELECT host, percentile_cont(0.5) WITHIN GROUP (ORDER BY latency::DOUBLE) AS p50 FROM t WHERE json_type(latency) <> 'VARCHAR' GROUP BY ALL", rows: logs },
  // Subqueries over the event's own list, answered per event as DuckDB answers them.
  { name: "sql14: EXISTS over the event's own list, with a WHERE on an element's field, NULL and empty lists, NULL elements", sql: "SELECT order_id, EXISTS (SELECT 1 FROM unnest(items) AS u(x) WHERE x.sku = 'A-1') AS has_a1, EXISTS (SELECT * FROM unnest(tags)) AS any_tag, EXISTS (SELECT 1 FROM unnest(items) AS u(x) WHERE x.qty > 1) AS big FROM t", rows: orders },
  { name: "sql14: NOT EXISTS over the event's own list in a WHERE", sql: "SELECT order_id FROM t WHERE NOT EXISTS (SELECT 1 FROM unnest(items) AS u(x) WHERE x.price IS NULL)", rows: orders },
  { name: "sql14: EXISTS over FROM (SELECT unnest(list) AS i)", sql: "SELECT order_id FROM t WHERE EXISTS (SELECT 1 FROM (SELECT unnest(items) AS i) WHERE i.sku = 'A-1')", rows: orders },
  { name: "sql14: a scalar subquery summing the event's own line items, NULL for no items", sql: "SELECT order_id, (SELECT sum(x.qty * x.price) FROM unnest(items) AS u(x)) AS total, (SELECT sum(u.x.qty) FROM unnest(items) AS u(x)) AS units FROM t", rows: orders },
  { name: "sql14: count(*), count(x), count(DISTINCT x) over the event's own list are 0, not NULL, for no items", sql: "SELECT order_id, (SELECT count(*) FROM unnest(items) AS u(x) WHERE x.price > 1) AS n, (SELECT count(*) FROM unnest(tags)) AS ntags, (SELECT count(x.qty) FROM unnest(items) AS u(x)) AS nq, (SELECT count(DISTINCT x.sku) FROM unnest(items) AS u(x)) AS skus FROM t", rows: orders },
  { name: "sql14: avg, min, max, string_agg, list and bool_or over the event's own list", sql: "SELECT order_id, (SELECT avg(x.price) FROM unnest(items) u(x)) AS a, (SELECT min(x.sku) FROM unnest(items) u(x)) AS mn, (SELECT max(x.qty) FROM unnest(items) u(x)) AS mx, (SELECT string_agg(x.sku, ',') FROM unnest(items) u(x)) AS skus, (SELECT list(x.sku) FROM unnest(items) u(x) WHERE x.qty IS NOT NULL) AS l, (SELECT bool_or(x.color = 'red') FROM unnest(items) u(x)) AS red FROM t", rows: orders },
  { name: "sql14: a subquery's aggregate wrapped, with a FILTER, and reading the outer row", sql: "SELECT order_id, (SELECT round(coalesce(sum(x.qty * x.price), 0), 2) FROM unnest(items) u(x)) AS t2, (SELECT sum(x.qty) FILTER (WHERE x.price < 5) FROM unnest(items) u(x)) AS cheap, (SELECT count(*) FROM unnest(tags) u(g) WHERE g <> coalesce(currency, '')) AS n, (SELECT sum(x.qty * len(order_id)) FROM unnest(items) u(x)) AS s FROM t", rows: orders },
  { name: "sql14: a subquery over the event's own list in a WHERE, a CTE and under an outer aggregate", sql: "WITH o AS (SELECT order_id, currency, (SELECT sum(x.qty * x.price) FROM unnest(items) u(x)) AS total FROM t WHERE (SELECT count(*) FROM unnest(items) u(x) WHERE x.price IS NULL) = 0) SELECT currency, sum(total) AS revenue, count(*) AS n FROM o GROUP BY ALL", rows: orders },
  { name: "sql14: the unnested column shadows an outer column of the same name, and an unaliased unnest is named unnest", sql: "SELECT order_id, (SELECT count(*) FROM unnest(tags) AS u(order_id) WHERE order_id = 'gift') AS n, (SELECT max(unnest) FROM unnest(tags)) AS m FROM t", rows: orders },
  { name: "sql14: v IN (SELECT unnest(list)) and NOT IN over the event's own list: NULL where DuckDB's IN is NULL, false for a NULL or empty list", sql: "SELECT id, 'gift' IN (SELECT unnest(tags)) AS gift, v IN (SELECT unnest(tags)) AS a, v NOT IN (SELECT unnest(tags)) AS b, n = ANY (SELECT unnest(nums)) AS c FROM t", rows: lists },
  { name: "sql14: a JSON value IN the event's own list of numbers compares as JSON, as DuckDB's subquery does", sql: "SELECT id, j IN (SELECT unnest(nums)) AS a, 1.5 IN (SELECT unnest(nums)) AS b FROM t", rows: lists },
  { name: "sql14: a JSON value IN the event's own list of text is refused (DuckDB's subquery compares them as text, list_contains as JSON)", sql: "SELECT id, j IN (SELECT unnest(tags)) AS a FROM t", rows: lists, expect: "compile-error", message: "cast the JSON side to VARCHAR" },
  { name: "sql14: a JSON value cast to VARCHAR IN the event's own list of text compares the texts", sql: "SELECT id, j::VARCHAR IN (SELECT unnest(tags)) AS a, tags[1] IN (SELECT unnest(list_value(j)::VARCHAR[])) AS b FROM t", rows: lists },
  { name: "sql14: v IN (SELECT e FROM unnest(list) AS u(x) WHERE ...) over the event's own list, in a select item and a WHERE", sql: "SELECT id, v IN (SELECT x.sku FROM unnest(items) AS u(x) WHERE x.q IS NOT NULL) AS a, upper(v) IN (SELECT upper(g) FROM unnest(tags) AS u(g)) AS b FROM t WHERE v NOT IN (SELECT unnest(tags)) OR v IS NULL", rows: lists },
  { name: "sql14: subqueries over the event's own list nested in each other, the inner one reading the outer element", sql: "SELECT id, EXISTS (SELECT 1 FROM unnest(orders) u(o) WHERE EXISTS (SELECT 1 FROM unnest(o.items) v(i) WHERE i.sku = o.no)) AS self_sku, (SELECT sum((SELECT sum(i.q) FROM unnest(o.items) v(i))) FROM unnest(orders) u(o)) AS q, (SELECT count(*) FROM unnest(orders) u(o) WHERE o.no IN (SELECT i.sku FROM unnest(o.items) v(i))) AS n FROM t", rows: nestedOrders },
  // A subquery looking the event up in a static table by equalities folds into a CASE over the table's rows.
  { name: "sql14: a scalar subquery looking the event up in a static cell, NULL for a missing or NULL key", sql: "SELECT id, (SELECT rate FROM fx WHERE fx.cur = t.currency) AS rate, (SELECT rate FROM fx WHERE cur = lower(currency)) AS none FROM t", rows: lines, cells: fx },
  { name: "sql14: a lookup with a filter on the static table, and with two keys", sql: "SELECT id, (SELECT title FROM prices p WHERE p.sku = t.sku AND p.list_price < 5 AND p.cur <> 'USD') AS cheap, (SELECT list_price FROM prices p WHERE p.sku = t.sku AND p.cur = t.currency) AS priced FROM t", rows: lines, cells: prices },
  { name: "sql14: an aggregate lookup: the aggregate over the key's rows, over no rows for a key the table lacks", sql: "SELECT id, (SELECT max(list_price) FROM prices p WHERE p.sku = t.sku) AS mx, (SELECT count(*) FROM prices p WHERE p.sku = t.sku) AS n, qty * (SELECT coalesce(min(list_price), 0) FROM prices p WHERE p.sku = t.sku) AS value FROM t", rows: lines, cells: prices },
  { name: "sql14: EXISTS and NOT EXISTS of a correlated static lookup, in a WHERE and a select item", sql: "SELECT id, EXISTS (SELECT 1 FROM fx WHERE fx.cur = t.currency AND fx.rate > 0.5) AS big FROM t WHERE NOT EXISTS (SELECT 1 FROM prices p WHERE p.sku = t.sku AND p.list_price IS NULL)", rows: lines, cells: { ...fx, ...prices } },
  { name: "sql14: a lookup in a VALUES list, inside an aggregate and compared in a WHERE", sql: "SELECT currency, sum(qty * (SELECT rate FROM (VALUES ('EUR', 1.1), ('CNY', 0.14)) x(cur, rate) WHERE x.cur = t.currency)) AS v FROM t WHERE (SELECT rate FROM (VALUES ('EUR', 1.1), ('CNY', 0.14)) x(cur, rate) WHERE x.cur = t.currency) > 0.1 GROUP BY ALL", rows: lines },
  { name: "sql14: a lookup of a key the static table holds twice is refused, naming the key", sql: "SELECT id, (SELECT list_price FROM prices p WHERE p.sku = t.sku) AS lp FROM t", rows: lines, cells: prices, expect: "compile-error", message: "looks up the key 'A-1', which the table holds more than once" },
  { name: "sql14: a lookup of text keys by a JSON value is refused (DuckDB casts the table's keys only for the events it joins)", sql: "SELECT id, (SELECT r FROM (VALUES ('EUR', 1), ('5', 2)) x(k, r) WHERE x.k = t.j) AS r FROM t", rows: lists, expect: "compile-error", message: "compared as JSON" },
  { name: "sql14: a lookup by a JSON value cast to the key's type, and of integer keys by a BIGINT column", sql: "SELECT id, (SELECT r FROM (VALUES ('1', 'one'), ('\"1.0\"', 'text')) x(k, r) WHERE x.k = t.j::VARCHAR) AS a, (SELECT r FROM (VALUES (1, 'one'), (2, 'two')) x(k, r) WHERE x.k = t.n) AS b FROM t", rows: lists },
  { name: "sql14: a lookup correlated by another comparison than = is refused", sql: "SELECT id, (SELECT max(rate) FROM fx WHERE fx.cur < t.currency) AS r FROM t", rows: lines, cells: fx, expect: "compile-error", message: "refers to the outer query's row" },
  { name: "sql14: list_reduce is refused with the list aggregates to write", sql: "SELECT id, list_reduce(nums, (a, b) -> a + b) AS s FROM t WHERE len(nums) > 0", rows: lists, expect: "compile-error", message: "list_sum(l)" },
  { name: "sql14: a subquery picking one element of the event's own list is refused with the list functions", sql: "SELECT order_id, (SELECT x.sku FROM unnest(items) u(x) WHERE x.price > 50) AS pricey FROM t", rows: orders, expect: "compile-error", message: "list_filter(l, x -> cond)" },
];
