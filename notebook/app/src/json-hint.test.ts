import { expect, test } from "vitest";
import { jsonFailureHint } from "./json-hint.ts";

const failure = (columns: { relation: string; column: string }[]) => ({ raw: "", prefix: 0, columns });

test("the hint names the JSON column written nearest to where DuckDB places the error", () => {
  const sql = "SELECT meta.ref AS r, qty + 1 AS more FROM orders";
  const hint = jsonFailureHint(failure([{ relation: "orders", column: "meta" }, { relation: "orders", column: "qty" }]), new Set(["orders"]), sql, sql.indexOf("+"));
  expect(hint).toBe(
    "qty is JSON here (so is meta): orders's events hold more than one kind of value in it (a number in some, text in others, say), so DuckDB reads it as JSON. " +
      "TRY_CAST(CAST(qty AS VARCHAR) AS DOUBLE) reads its numbers (NULL for the rest); qty->>'$' reads a text's characters.",
  );
});

test("a JSON column of a cell is said to be JSON in that cell, and a name that is not a bare word is quoted", () => {
  const hint = jsonFailureHint(failure([{ relation: "clean", column: "Unit Price" }]), new Set(["orders"]), 'SELECT "Unit Price" * 2 FROM clean', null);
  expect(hint).toBe(`Unit Price is JSON here: it is JSON in clean. TRY_CAST(CAST("Unit Price" AS VARCHAR) AS DOUBLE) reads its numbers (NULL for the rest); "Unit Price"->>'$' reads a text's characters.`);
});
