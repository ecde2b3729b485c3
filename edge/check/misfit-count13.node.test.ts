import { describe, expect, test } from "vitest";
import { caseNotebook } from "../../tests/conformance/runner.ts";
import { defaultLibrary } from "../exec/library.ts";
import { checkNotebook } from "./check.node.ts";

describe("checkNotebook misfits", () => {
  test("a sink cell counting every event without GROUP BY agrees on events DuckDB's reader rejects (its one row over nothing is no row of theirs)", async () => {
    const sample = [{ id: "a", n: 1 }, { id: "b", n: 2 }];
    const notebook = caseNotebook({ name: "count", sql: "SELECT count(*) AS events FROM t", rows: sample });
    const report = await checkNotebook(notebook, { samples: { t: sample }, library: defaultLibrary, random: { batches: 1, size: 5, seed: 1 } });
    const misfits = report.steps.find((s) => s.step === "misfits");
    expect(misfits?.detail).toMatch(/^\d+ rejected by DuckDB and dead letters in the plan/);
    expect(report.agree).toBe(true);
  });
});
