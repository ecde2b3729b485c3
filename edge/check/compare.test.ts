import { expect, test } from "vitest";
import { showRow } from "./compare.ts";

test("a differing row shows dates, times and intervals as DuckDB prints them, not as the numbers held inside", () => {
  const schema = [
    { name: "day", type: "DATE" },
    { name: "at", type: "TIMESTAMP" },
    { name: "n", type: "BIGINT" },
    { name: "s", type: "VARCHAR" },
  ];
  expect(showRow({ day: 20793, at: 1_796_515_200_123_456n, n: 20793n, s: "2026" }, schema)).toBe('{ day: 2026-12-06, at: 2026-12-06 00:00:00.123456, n: 20793, s: "2026" }');
  expect(showRow({ day: null }, schema)).toBe("{ day: NULL }");
});
