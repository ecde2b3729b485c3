import { describe, expect, it } from "vitest";
import { CellError, describeFailure, jsErrorLine } from "./cell-error.ts";
import { compileJs, instantiateJs, STATEMENTS_HINT } from "./js-cell.ts";

describe("compileJs", () => {
  it("finds what an expression cell references and runs it with those inputs", () => {
    const compiled = compileJs("#4", "Plot.barX(by_station, {x: \"entries\"}).length + offset");
    expect(compiled.references.sort()).toEqual(["Plot", "by_station", "offset"]);
    const run = instantiateJs(compiled);
    const plot = { barX: (rows: unknown[]) => rows };
    const args = compiled.references.map((name) => ({ Plot: plot, by_station: [1, 2, 3], offset: 10 })[name]);
    expect(run(...args)).toBe(13);
  });

  it("runs block cells, async cells and generators", async () => {
    expect(instantiateJs(compileJs("b", "{ const x = 2; return x * 21; }"))()).toBe(42);
    const awaited = compileJs("a", "await Promise.resolve(7)");
    expect(awaited.async).toBe(true);
    expect(await instantiateJs(awaited)()).toBe(7);
    const generator = compileJs("g", "{ yield 1; yield 2; }");
    expect([...(instantiateJs(generator)() as Iterable<number>)]).toEqual([1, 2]);
  });

  it("names the cell from `name = ...` when the fence has no id", () => {
    expect(compileJs("#1", "total = 1 + 2").name).toBe("total");
  });

  it("reports a syntax error with its line inside the cell", () => {
    let failure: unknown;
    try {
      compileJs("chart", "Plot.plot({\n  marks: [\n    Plot.dot(rows, {x: }),\n  ]\n})");
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CellError);
    expect((failure as CellError).line).toBe(3);
    expect((failure as CellError).cell).toBe("chart");
  });

  it("says a cell of several statements needs a block, at the place the statements really break", () => {
    const failureOf = (code: string) => {
      try {
        compileJs("c", code);
      } catch (error) {
        return error as CellError;
      }
      throw new Error("compiled");
    };
    const parses = failureOf("const n = by_station.length;\nn * 2");
    expect(parses.message).toBe(`SyntaxError: Unexpected token (line 1, column 1)\n${STATEMENTS_HINT}`);
    const broken = failureOf('const n = 1;\nPlot.dot(rows, {x: "a" y: "b"}).plot()');
    expect([broken.line, broken.column]).toEqual([2, 24]);
    expect(broken.message).toBe(`SyntaxError: Unexpected token (line 2, column 24)\n${STATEMENTS_HINT}`);
    // One unfinished expression is not taken for statements.
    const open = failureOf("Plot.plot({marks: []}");
    expect(open.message).toBe("SyntaxError: Unexpected end of input (line 1, column 22)");
    expect(open.line).toBe(1);
  });

  it("points a thrown error at the cell's line", () => {
    const run = instantiateJs(compileJs("t", "{\n  const a = 1;\n  throw new Error('boom ' + a);\n}"));
    let thrown: Error | null = null;
    try {
      run();
    } catch (error) {
      thrown = error as Error;
    }
    expect(jsErrorLine(thrown!)).toBe(3);
  });
});

describe("describeFailure", () => {
  it("tells a cell's own error from waiting on a failed input", () => {
    const own = new CellError("by_station", "Parser Error: syntax error", 8);
    expect(describeFailure("by_station", own, () => true)).toBe(own);
    const upstream = Object.assign(new Error("Parser Error: syntax error"), { name: "RuntimeError", input: "by_station" });
    expect(describeFailure("#4", upstream, (name) => name === "by_station").waitingOn).toBe("by_station");
    const unknown = Object.assign(new Error("nope is not defined"), { name: "RuntimeError", input: "nope" });
    expect(describeFailure("#4", unknown, () => false).waitingOn).toBeNull();
  });
});
