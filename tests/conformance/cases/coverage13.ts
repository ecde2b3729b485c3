/**
 * The SQL of dbt staging models and streaming jobs, as a data engineer writes it over messy events
 * (the coverage hunt of 2026-12-07): constructs that were refused and now publish, and refusals
 * that now say why and what to write instead.
 */
import type { ConformanceCase } from "../case.ts";

/** Webhook deliveries with retries (the same event twice), NULLs, padding and mixed case. */
const deliveries = [
  { id: "e1", ts: "2026-11-22 10:00:05", user: " Alice@Example.COM ", country: "us", amount: 12.5, tags: ["a", "b"] },
  { id: "e1", ts: "2026-11-22 10:00:05", user: " Alice@Example.COM ", country: "us", amount: 12.5, tags: ["a", "b"] },
  { id: "e2", ts: "2026-11-22 10:00:59", user: "bob@example.com", country: null, amount: null, tags: [] },
  { id: "e2", ts: "2026-11-22 10:00:59", user: "bob@example.com", country: null, amount: null, tags: [] },
  { id: "e3", ts: "2026-11-22 10:01:30", user: null, country: "fr", amount: -0.0, tags: null },
  { id: "e4", ts: "2026-11-22 10:01:31", user: null, country: "fr", amount: 0.0, tags: ["a", null] },
  { id: "e5", ts: "2026-11-22 11:15:00", user: "carol@EXAMPLE.com", country: "de", amount: 1e300, tags: ["a", null] },
  { id: "e5", ts: "2026-11-22 11:15:00", user: "carol@example.com ", country: "de", amount: 1e300, tags: ["a", null] },
  { id: null, ts: null, user: null, country: null, amount: null, tags: null },
  { id: null, ts: null, user: null, country: null, amount: null, tags: null },
];
const schema = [
  { name: "id", type: "VARCHAR" }, { name: "ts", type: "TIMESTAMP" }, { name: "user", type: "VARCHAR" },
  { name: "country", type: "VARCHAR" }, { name: "amount", type: "DOUBLE" }, { name: "tags", type: "VARCHAR[]" },
];

/** Orders with a struct, a list of structs (NULL elements, empty and NULL lists) and a nested struct with a list. */
const orders = [
  { id: 1, props: { plan: "pro", seats: 5 }, items: [{ sku: "A", qty: 2 }, null, { sku: "B", qty: null }], lines: [{ sku: "A", price: { amount: 1.5, cur: "EUR" }, tags: ["x"] }], tags: ["t1", "t2", "t3"] },
  { id: 2, props: null, items: [], lines: [], tags: ["t1"] },
  { id: 3, props: { plan: null, seats: null }, items: null, lines: null, tags: null },
  { id: 4, props: { plan: "free", seats: 0 }, items: [{ sku: "C", qty: 1 }], lines: [{ sku: null, price: null, tags: null }, { sku: "D", price: { amount: null, cur: "USD" }, tags: [] }], tags: [] },
];
const orderSchema = [
  { name: "id", type: "INTEGER" }, { name: "props", type: "STRUCT(plan VARCHAR, seats INTEGER)" }, { name: "items", type: "STRUCT(sku VARCHAR, qty INTEGER)[]" },
  { name: "lines", type: "STRUCT(sku VARCHAR, price STRUCT(amount DOUBLE, cur VARCHAR), tags VARCHAR[])[]" }, { name: "tags", type: "VARCHAR[]" },
];

export const cases: ConformanceCase[] = [
  // SELECT DISTINCT is a GROUP BY of its items: per flushed file, or per window with a time bucket.
  { name: "coverage: SELECT DISTINCT of cleaned columns drops retried deliveries (NULLs are one row)", sql: "SELECT DISTINCT id, lower(trim(\"user\")) AS email, country FROM t", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT over a time bucket dedupes per window", sql: "SELECT DISTINCT time_bucket(INTERVAL 1 hour, ts) AS hr, id, tags FROM t", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT with a constant item and a WHERE", sql: "SELECT DISTINCT 'v1' AS version, country, amount FROM t WHERE id IS NOT NULL", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT in a CTE read by the sink cell", sql: "WITH d AS (SELECT DISTINCT id, date_trunc('minute', ts) AS m FROM t) SELECT id, m, m + INTERVAL 1 minute AS until FROM d WHERE id IS NOT NULL", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT * and * EXCLUDE are the distinct rows of those columns", sql: "SELECT DISTINCT * EXCLUDE (tags) FROM t", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT * of every column, lists included", sql: "SELECT DISTINCT * FROM t", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT COLUMNS('regex')", sql: "SELECT DISTINCT COLUMNS('^(id|country)$') FROM t", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT * REPLACE is refused with the columns to name", sql: "SELECT DISTINCT * REPLACE (upper(id) AS id) FROM t", rows: deliveries, schema, expect: "compile-error", message: "name the columns: SELECT DISTINCT a, b" },
  { name: "coverage: SELECT DISTINCT of an item naming an earlier item's alias, and GROUP BY ALL so", sql: "SELECT DISTINCT lower(trim(\"user\")) AS e, split_part(e, '@', 2) AS domain FROM t", rows: deliveries, schema },
  { name: "coverage: GROUP BY ALL of an item naming an earlier item's alias", sql: "SELECT lower(trim(\"user\")) AS e, split_part(e, '@', 2) AS domain, count(*) AS n FROM t GROUP BY ALL", rows: deliveries, schema },
  { name: "coverage: an alias that is also an input column reads the column, in DISTINCT as in DuckDB", sql: "SELECT DISTINCT upper(country) AS country, lower(country) AS lc FROM t", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT with an unnest is refused with the CTE to write", sql: "SELECT DISTINCT id, unnest(tags) AS tag FROM t", rows: deliveries, schema, expect: "compile-error", message: "unnest in a CTE first" },
  { name: "coverage: (guard) the CTE the DISTINCT-with-unnest refusal suggests", sql: "WITH x AS (SELECT id, unnest(tags) AS tag FROM t) SELECT DISTINCT id, tag FROM x", rows: deliveries, schema },
  { name: "coverage: SELECT DISTINCT in a branch of UNION ALL is refused naming the DISTINCT", sql: "SELECT DISTINCT id FROM t WHERE amount > 0 UNION ALL SELECT id FROM t WHERE amount <= 0", rows: deliveries, schema, expect: "compile-error", message: "SELECT DISTINCT (a GROUP BY) in a branch of UNION ALL" },
  { name: "coverage: SELECT DISTINCT ON is refused with arg_max by event time to write instead", sql: "SELECT DISTINCT ON (id) id, \"user\" FROM t", rows: deliveries, schema, expect: "compile-error", message: "arg_max(x, ts)" },
  { name: "coverage: SELECT DISTINCT beside GROUP BY is refused with drop DISTINCT", sql: "SELECT DISTINCT country, count(*) AS n FROM t GROUP BY country", rows: deliveries, schema, expect: "compile-error", message: "drop DISTINCT" },
  // The query's own time: refused as what it is, not as an unknown column.
  { name: "coverage: current_timestamp is refused as the query's time, with the event's time to keep", sql: "SELECT id,\n  current_timestamp AS loaded_at\nFROM t", rows: deliveries, schema, expect: "compile-error", message: "the query time current_timestamp in cell result (conformance/coverage: current_timestamp is refused as the query's time, with the event's time to keep line 2): the notebook's query time is not a time the pipeline has" },
  { name: "coverage: current_date is refused as the query's time", sql: "SELECT id, current_date AS d FROM t", rows: deliveries, schema, expect: "compile-error", message: "the query time current_date" },
  { name: "coverage: today() is refused as the query's time", sql: "SELECT id, today() AS d FROM t", rows: deliveries, schema, expect: "compile-error", message: "keep the event's own time" },
  { name: "coverage: a column named current_date is a column, not the query time", sql: "SELECT \"current_date\" AS d FROM t", rows: [{ current_date: "2026-11-22" }] },
  // Window functions: what to write instead for the usual reasons.
  { name: "coverage: QUALIFY row_number() for dedupe is refused at its line with arg_max to write instead", sql: "SELECT id, ts\nFROM t\nQUALIFY row_number() OVER (PARTITION BY id ORDER BY ts DESC) = 1", rows: deliveries, schema, expect: "compile-error", message: "unsupported QUALIFY on row_number() OVER (...) in cell result (conformance/coverage: QUALIFY row_number() for dedupe is refused at its line with arg_max to write instead line 3): QUALIFY filters on window functions: a stream has no whole-table order; to keep one row per key (the latest), write SELECT k, arg_max(x, ts)" },
  { name: "coverage: lag() is refused with what a pipeline keeps instead", sql: "SELECT id, lag(amount) OVER (PARTITION BY id ORDER BY ts) AS prev FROM t", rows: deliveries, schema, expect: "compile-error", message: "keeps no earlier event of a key" },
  // MAPs built from row values: MAP {'k': col}, map(keys, values), map_from_entries.
  { name: "coverage: MAP {'k': col} of row values, then read by key and as keys/values", sql: "SELECT id, MAP {'amount': amount, 'zero': 0} AS m, MAP {country: id}[country] AS back, map_keys(MAP {'a': amount}) AS k FROM t WHERE country IS NOT NULL", rows: deliveries, schema },
  { name: "coverage: map(keys, values) of lists from the event, NULL lists give NULL", sql: "SELECT id, map(tags, list_transform(tags, x -> length(x))) AS m FROM t WHERE NOT list_contains(coalesce(tags, []), NULL)", rows: deliveries, schema },
  { name: "coverage: map() with a NULL key fails like DuckDB", sql: "SELECT map(tags, tags) AS m FROM t WHERE id = 'e4'", rows: deliveries, schema, expect: "error" },
  { name: "coverage: map() with a repeated key fails like DuckDB (-0.0 and 0.0 are one key)", sql: "SELECT map([amount, -amount], [1, 2]) AS m FROM t WHERE id = 'e3'", rows: deliveries, schema, expect: "error" },
  { name: "coverage: map() of lists that do not align fails like DuckDB", sql: "SELECT map(tags, [1]) AS m FROM t WHERE id = 'e1'", rows: deliveries, schema, expect: "error" },
  { name: "coverage: map() keys are cast to the MAP's key type", sql: "SELECT map([1, amount], ['x', id]) AS m FROM t WHERE id IN ('e1', 'e5')", rows: deliveries, schema },
  { name: "coverage: map_from_entries of (key, value) tuples and of named structs", sql: "SELECT id, map_from_entries([(country, amount), ('n', NULL)]) AS m, map_from_entries([{'k': id, 'v': tags}])[id] AS t2 FROM t WHERE country <> 'n'", rows: deliveries, schema },
  { name: "coverage: map_from_entries with a NULL key fails like DuckDB", sql: "SELECT map_from_entries([(country, 1)]) AS m FROM t", rows: deliveries, schema, expect: "error" },
  { name: "coverage: map_from_entries with a NULL entry fails like DuckDB", sql: "SELECT map_from_entries([CASE WHEN id = 'nope' THEN {'k': id, 'v': 1} END]) AS m FROM t WHERE id = 'e3'", rows: deliveries, schema, expect: "error" },
  { name: "coverage: map_from_entries with a repeated NaN key fails like DuckDB", sql: "SELECT map_from_entries([('nan'::DOUBLE, id), (amount / 0 * 0, id)]) AS m FROM t WHERE id = 'e1'", rows: deliveries, schema, expect: "error" },
  { name: "coverage: map_from_entries of a NULL list is NULL", sql: "SELECT id, map_from_entries(CASE WHEN id = 'e1' THEN [{'k': id, 'v': amount}] END) AS m FROM t", rows: deliveries, schema },
  // COLUMNS(...) inside an expression: one column per match, named as DuckDB names them.
  { name: "coverage: max(COLUMNS('regex')) per key gives one column per match, named by the column", sql: "SELECT country, max(COLUMNS('^(amount|ts)$')), count(*) AS n FROM t GROUP BY country", rows: deliveries, schema },
  { name: "coverage: round(COLUMNS([...]) / 3, 2) and COLUMNS(lambda) * 2 in a projection", sql: "SELECT round(COLUMNS(['amount']) / 3, 2), COLUMNS(c -> c LIKE 'us%') || '!', coalesce(COLUMNS('^(id|country)$'), '?') FROM t", rows: deliveries, schema },
  { name: "coverage: an aggregate of COLUMNS per time window, with GROUP BY ALL", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS hr, sum(COLUMNS('^amount$')), count(DISTINCT COLUMNS(['id', 'country'])) FROM t GROUP BY ALL", rows: deliveries, schema },
  { name: "coverage: COLUMNS inside an expression over a join names each side's columns", sql: "SELECT t.id, upper(COLUMNS('^(country|region)$')) FROM t LEFT JOIN (VALUES ('fr', 'eu'), ('us', 'na')) r(code, region) ON t.country = r.code", rows: deliveries, schema },
  { name: "coverage: two COLUMNS in one expression are still refused with what to write", sql: "SELECT COLUMNS('^amount$') + COLUMNS('^amount$') AS x FROM t", rows: deliveries, schema, expect: "compile-error", message: "write each column's expression" },
  // A field of a JSON value written with a dot: json_extract, as DuckDB binds it (was a per-row "Could not find key" error).
  { name: "coverage: (text::JSON).field and .field.field read JSON as DuckDB does, missing keys NULL", sql: "SELECT raw, (raw::JSON).a AS a, (raw::JSON).b.c AS c, (raw::JSON).\"a.b\" AS dotted, ((raw::JSON).arr)[0] AS first FROM t", rows: [{ raw: '{"a":1,"b":{"c":"x"},"arr":[1,2],"a.b":true}' }, { raw: '{"a":"2","b":null}' }, { raw: '[1,2]' }, { raw: '"s"' }, { raw: null }, { raw: '{"A":1}' }], schema: [{ name: "raw", type: "VARCHAR" }] },
  { name: "coverage: a JSON column's field read through a cast-free dot and in a WHERE", sql: "SELECT (j).kind AS kind, (j).n AS n FROM t WHERE (j).kind IS NOT NULL", rows: [{ j: { kind: "a", n: 1 } }, { j: { n: 2 } }, { j: { kind: null } }, { j: null }], schema: [{ name: "j", type: "JSON" }] },
  { name: "coverage: histogram() is refused with count(*) per value to write instead", sql: "SELECT country, histogram(id) AS h FROM t GROUP BY country", rows: deliveries, schema, expect: "compile-error", message: "SELECT x, count(*) AS n FROM s GROUP BY x" },
  { name: "coverage: a JSON object per group written as to_json(map_from_entries(list(...)))", sql: "SELECT country, to_json(map_from_entries(list({'k': id, 'v': amount}))) AS j FROM t WHERE country = 'fr' GROUP BY country", rows: deliveries, schema },
  // unnest that spreads a STRUCT's fields into columns.
  { name: "coverage: unnest(struct) spreads its fields into columns named by them (a NULL struct gives NULLs)", sql: "SELECT id, unnest(props) AS ignored FROM t", rows: orders, schema: orderSchema },
  { name: "coverage: unnest(list of structs, recursive := true) gives a row per element with its fields as columns", sql: "SELECT id, unnest(items, recursive := true) FROM t", rows: orders, schema: orderSchema },
  { name: "coverage: recursive unnest spreads a nested struct's fields too, a list field stays a list, beside another unnest", sql: "SELECT id, unnest(lines, recursive := true), unnest(tags) AS tag FROM t", rows: orders, schema: orderSchema },
  { name: "coverage: unnest(struct) without recursive keeps a nested struct a struct", sql: "SELECT unnest(lines[1]), id FROM t WHERE len(lines) > 0", rows: orders, schema: orderSchema },
  { name: "coverage: unnest(list of structs) with recursive := false stays a column of structs", sql: "SELECT id, unnest(items, recursive := false) FROM t", rows: orders, schema: orderSchema },
  { name: "coverage: unnest(list of values, recursive := true) is a plain unnest", sql: "SELECT id, unnest(tags, recursive := true) AS tag FROM t", rows: orders, schema: orderSchema },
  { name: "coverage: unnest with max_depth is still refused by name", sql: "SELECT id, unnest(lines, max_depth := 2) FROM t", rows: orders, schema: orderSchema, expect: "compile-error", message: "unnest" },
  // DuckDB's macros, expanded as DuckDB expands them; the column keeps the call's name.
  { name: "coverage: weighted_avg and wavg per group (NULL values and weights, zero weights), named as DuckDB names them", sql: "SELECT k, weighted_avg(v, w), wavg(v, w) AS w2 FROM t GROUP BY ALL", rows: [{ k: "a", v: 1.5, w: 2 }, { k: "a", v: null, w: 5 }, { k: "a", v: 4, w: null }, { k: "b", v: 3, w: 0 }, { k: "b", v: -1, w: 0 }, { k: "c", v: null, w: null }, { k: "d", v: 2, w: -1 }, { k: "d", v: 2, w: 1 }], schema: [{ name: "k", type: "VARCHAR" }, { name: "v", type: "DOUBLE" }, { name: "w", type: "INTEGER" }] },
  { name: "coverage: json_group_array and json_group_object per time window, NULLs, unicode and nested values", sql: "SELECT time_bucket(INTERVAL 1 hour, ts) AS hr, json_group_array(\"user\") AS users, json_group_object(id, tags) AS by_id, json_group_array(amount) AS amounts FROM t GROUP BY ALL", rows: [...deliveries, { id: "é\"🦆", ts: "2026-11-22 11:20:00", user: "ü\n", country: "x", amount: 1e-7, tags: ["\u0000"] }], schema },
  { name: "coverage: regexp_split_to_table is unnest of string_split_regex, named as DuckDB names it", sql: "SELECT id, regexp_split_to_table(coalesce(\"user\", ''), '[@.]') FROM t", rows: deliveries, schema },
  { name: "coverage: array_pop_back, array_pop_front, pg_typeof and map_contains_value in a projection and a WHERE", sql: "SELECT id, array_pop_back(tags) AS front, array_pop_front(tags) AS back, pg_typeof(amount) AS ty, map_contains_value(MAP {'c': country}, 'fr') AS fr FROM t WHERE len(array_pop_front(tags)) > 0 OR tags IS NULL", rows: deliveries, schema },
  { name: "coverage: geomean per group (a zero or a negative value fails or answers as in DuckDB)", sql: "SELECT country, geomean(abs(amount) + 1) AS g, geometric_mean(2.0) AS two FROM t GROUP BY country", rows: deliveries.filter((r) => r.amount !== 1e300), schema },
  { name: "coverage: a macro call in a CTE keeps the name DuckDB gives the call, for the query reading it", sql: "WITH x AS (SELECT country, weighted_avg(amount, 2), pg_typeof(id) FROM t GROUP BY ALL) SELECT country, \"weighted_avg(amount, 2)\" AS w, \"pg_typeof(id)\" AS ty FROM x", rows: deliveries, schema },
  { name: "coverage: a macro call beside * in a CTE keeps its name too", sql: "WITH x AS (SELECT * EXCLUDE (tags), pg_typeof(amount) FROM t) SELECT id, \"pg_typeof(amount)\" AS ty FROM x", rows: deliveries, schema },
];
