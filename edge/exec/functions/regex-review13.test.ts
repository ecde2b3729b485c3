/**
 * review13 (found while reviewing the linear regex engine; older than it): an optional group whose body
 * prefers the empty match (`(?:S*?)?`, `(?:|S)?`) takes one round that matches nothing in RE2, so
 * DuckDB's match is ''; V8 refuses an empty round of a quantified group and backtracks into the body,
 * matching 'S'. Such patterns run on V8's engine, so the pipeline wrote 'S' where the notebook showed ''.
 * The linear engines answer as RE2 does (see `forcedLinearRegExp`).
 */
import { expect, it } from "vitest";
import { callBoth } from "./call.node.ts";

it("review13: an optional group whose body prefers the empty match answers as RE2 does", async () => {
  for (const p of ["(?:S*?)?", "(?:|S)?", "(?:(?:^S)*?)?"]) {
    for (const t of ["S", "SSx"]) {
      const r = await callBoth("regexp_extract", [t, p, 0], ["VARCHAR", "VARCHAR", "INTEGER"]);
      expect(r.ours, r.sql).toEqual(r.theirs);
    }
  }
});
