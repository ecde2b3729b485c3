import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { decodeGolden, goldenCalls } from "./golden.ts";
import { duck, expected, lit } from "./oracle.node.ts";

const fixture = new URL("./fixtures/golden.json", import.meta.url);

describe("golden answers for runtimes without DuckDB", () => {
  it("fixtures/golden.json holds exactly what DuckDB answers today", async () => {
    const cases = decodeGolden(await readFile(fixture, "utf8"));
    expect(cases.map((c) => c.sql)).toEqual(goldenCalls.map((c) => c.sql(c.args.map((a, i) => lit(a, c.argTypes[i]!)))));
    for (const c of cases) {
      const d = await duck(c.sql);
      expect(c.expected, c.sql).toEqual(expected(d));
      if (d.ok) expect(c.resultType, c.sql).toBe(d.type);
    }
  });
});
