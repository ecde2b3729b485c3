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
