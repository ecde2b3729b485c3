import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "./open.node.ts";
import { queryRows } from "./query-rows.node.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

// node-api builds a struct's value by assignment, so a field named __proto__ set the object's
// prototype and was not one of its keys: the check saw DuckDB's {x: {constructor: 1}} against the
// plan's {x: {__proto__: …, constructor: 1}} and refused a notebook whose events carry such a key.
test("a STRUCT field named __proto__ is one of the row's own fields, at the top, nested and in a list", async () => {
  const { rows } = await queryRows(db, `SELECT {'x': {'__proto__': {'y': 'z'}, 'constructor': 1}} AS o, [{'__proto__': 1}, NULL] AS l, NULL::STRUCT(a INT) AS n, 7 AS k`);
  const o = rows[0]!["o"] as { x: Record<string, unknown> };
  expect(Object.keys(o.x)).toEqual(["__proto__", "constructor"]);
  expect(Object.getOwnPropertyDescriptor(o.x, "__proto__")?.value).toEqual({ y: "z" });
  expect(Object.getPrototypeOf(o.x)).toBe(Object.prototype);
  const l = rows[0]!["l"] as (Record<string, unknown> | null)[];
  expect(l.length).toBe(2);
  expect(Object.getOwnPropertyDescriptor(l[0]!, "__proto__")?.value).toBe(1);
  expect(l[1]).toBeNull();
  expect(rows[0]!["n"]).toBeNull();
  expect(rows[0]!["k"]).toBe(7);
});
