import { describe, expect, it } from "vitest";
import { scalars } from "./index.ts";

const ctx = { argTypes: ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"], resultType: "VARCHAR" };

/**
 * Inside workerd: a pattern V8's backtracking takes exponential time on runs on the linear engine
 * (pike.ts) within a Worker's CPU limit, with DuckDB's answers (checked against DuckDB in
 * redos12.test.ts).
 */
describe("a regular expression that would backtrack exponentially, inside workerd", () => {
  it("answers at once over the odd event", () => {
    const odd = `${"a".repeat(5000)}!`;
    expect(scalars.regexp_matches!([odd, "^(a+)+$"], ctx)).toBe(false);
    expect(scalars.regexp_matches!(["a".repeat(5000), "^(a+)+$"], ctx)).toBe(true);
    expect(scalars.regexp_matches!([`${"foo bar ".repeat(600)}!`, "^(\\w+\\s?)*$"], ctx)).toBe(false);
    expect(scalars.regexp_replace!(["aab aab", "(a|aa)+", "<\\0>", "g"], ctx)).toBe("<aa>b <aa>b");
    expect(scalars.regexp_extract!(["me@mail.example.com", "^([a-zA-Z0-9_.-])+@(([a-zA-Z0-9-])+\\.)+([a-zA-Z0-9]{2,4})+$", 2], ctx)).toBe("example.");
  });
});
