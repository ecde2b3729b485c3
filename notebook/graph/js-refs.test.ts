import { describe, expect, test } from "vitest";
import { jsRefs } from "./js-refs.ts";

describe("JavaScript references from Observable's parser", () => {
  test("an expression cell reads free names and not JavaScript globals", () => {
    expect(jsRefs("Plot.barY(per_minute, {x: Math.max(1, n)}).plot()")).toEqual({
      defines: [],
      references: [
        { name: "Plot", offset: 0 },
        { name: "per_minute", offset: 10 },
        { name: "n", offset: 38 },
      ],
      error: null,
    });
  });

  test("`name = expr` defines name", () => {
    expect(jsRefs("total = rows.length").defines).toEqual([{ name: "total", offset: 0 }]);
  });

  test("viewof defines both the view and its value", () => {
    expect(jsRefs("viewof n = Inputs.range([0, 9])").defines).toEqual([
      { name: "viewof n", offset: 0 },
      { name: "n", offset: 7 },
    ]);
  });

  test("names declared inside a block are not references", () => {
    expect(jsRefs("{ const a = 1; return a + b; }").references).toEqual([{ name: "b", offset: 26 }]);
  });

  test("a syntax error has the parser's message and offset", () => {
    expect(jsRefs("x = (")).toEqual({ defines: [], references: [], error: { message: "Unexpected end of input", offset: 5 } });
  });
});
