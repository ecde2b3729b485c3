/**
 * Webhook objects whose keys are SQL keywords (`name`, `type`, `object`, `value`), capitalised
 * (`Email`) or empty: DuckDB quotes a keyword field in type text in any case and leaves capitals
 * bare, and the compiler compares its own type text with DuckDB's.
 */
import type { ConformanceCase } from "../case.ts";

const pushes = [
  { id: 1, s: { inner: { name: "x", type: 1 } }, commits: [{ sha: "a1", author: { name: "Ada", Email: "ada@x" } }, { sha: "b2", author: { name: "Bo", Email: null } }] },
  { id: 2, s: { inner: { name: null, type: 2 } }, commits: [] },
  { id: 3, s: null, commits: null },
];

export const cases: ConformanceCase[] = [
  { name: "a struct with keyword-named fields selected whole", sql: "SELECT s.inner AS i FROM t", rows: pushes },
  { name: "a list element's struct with a capitalised field", sql: "SELECT id, commits[1].author AS c FROM t", rows: pushes },
  { name: "a lateral unnest's struct with keyword fields", sql: "SELECT id, c.author AS a FROM t, unnest(commits) AS u(c)", rows: pushes },
  { name: "a lambda over structs with keyword fields", sql: "SELECT id, list_transform(commits, c -> c.author) AS authors FROM t", rows: pushes },
  { name: "a field of an unnested struct", sql: "SELECT id, unnest(commits).author AS a FROM t", rows: pushes },
  { name: "an object with an empty key", sql: "SELECT id, payload FROM t", rows: [{ id: 1, payload: { a: 1, "": "empty" } }, { id: 2, payload: { a: 2, "": null } }] },
  { name: "Stripe-like objects whose every level has an object field", sql: "SELECT data.object AS o, data.object.object AS kind FROM t", rows: [{ data: { object: { id: "ch_1", object: "charge", amount: 100 } } }, { data: { object: { id: "ch_2", object: "charge", amount: null } } }] },
];

/** Two address objects whose keys differ in order and in set: DuckDB casts one to the other by field name. */
const addresses = [
  { id: 1, billing: { city: "Paris", zip: "75001", company: "ACME" }, shipping: { city: "NYC", zip: "10001", phone: "555" } },
  { id: 2, billing: { city: "Lyon", zip: "69001", company: "Initech" }, shipping: null },
  { id: 3, billing: null, shipping: { zip: "1", city: "Z", phone: null } },
];
const swapped = [{ id: 1, billing: { city: "Paris", zip: "75001" }, shipping: { zip: "10001", city: "NYC" } }, { id: 2, billing: { city: "Lyon", zip: "69001" }, shipping: null }];

cases.push(
  { name: "coalesce of two structs with different fields keeps each value under its name", sql: "SELECT id, coalesce(shipping, billing) AS addr FROM t", rows: addresses },
  { name: "coalesce of two structs whose fields come in another order", sql: "SELECT id, coalesce(shipping, billing) AS addr FROM t", rows: swapped },
  { name: "CASE over struct literals with their fields in another order", sql: "SELECT id, CASE WHEN id > 1 THEN {'a': id, 'b': 'p'} ELSE {'b': 'q', 'a': id * 10} END AS s FROM t", rows: addresses },
  { name: "a list of two structs with different fields", sql: "SELECT id, [billing, shipping] AS l FROM t", rows: addresses },
  { name: "UNION ALL of two struct columns with different fields", sql: "SELECT billing AS s FROM t UNION ALL SELECT shipping FROM t", rows: addresses },
  { name: "CAST of a struct to one naming its fields in another case and order", sql: "SELECT id, CAST(billing AS STRUCT(zip VARCHAR, City VARCHAR, country VARCHAR)) AS s FROM t", rows: addresses },
  { name: "TRY_CAST of a struct field by field, by name", sql: "SELECT id, TRY_CAST(billing AS STRUCT(zip INTEGER, city VARCHAR)) AS s FROM t", rows: addresses },
);
