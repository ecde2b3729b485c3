import { expect, test } from "vitest";
import { splitEdges } from "./result-table.ts";

// The split of a text value into its edge whitespace and the rest is the one the regular expression
// ^(\s*)([\s\S]*?)(\s*)$ made, in linear time: that expression took 14 s on a value with 100,000 spaces inside.
const EDGES = /^(\s*)([\s\S]*?)(\s*)$/;
test("splitEdges splits as ^(\\s*)([\\s\\S]*?)(\\s*)$ did", () => {
  for (const text of ["", " ", "  ada ", "ada", "\t\nx y\u00a0", "\u3000", "a  b", " \r\n", "x\u2028", "\ufeffx\ufeff"]) {
    const [, a = "", b = "", c = ""] = EDGES.exec(text) ?? [];
    expect(splitEdges(text)).toEqual([a, b, c]);
  }
});

test("a value with 100,000 spaces inside is split at once", () => {
  const text = `x${" ".repeat(100_000)}y`;
  expect(splitEdges(`  ${text} `)).toEqual(["  ", text, " "]);
});
