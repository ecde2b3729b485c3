import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { compilePlan } from "../../edge/compile/compile.ts";
import { gatherCompileInputs } from "../../edge/compile/inputs.node.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compareDataset, download, startEdge } from "./harness.ts";

/**
 * A webhook that posts CSV, as spreadsheets and old systems export it: codes with leading zeros,
 * dates day-first, booleans as T/F, quoted commas, empty fields, NaN. DuckDB's read_csv types and
 * reads the file; the notebook's sample and the Worker must give exactly what it gives.
 */
const NOTEBOOK = `---
title: CSV webhook
sources:
  ev:
    webhook: { signature: none }
    format: csv
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT id, code, day, day + INTERVAL 1 DAY AS next_day, seen, ok, amount * 2 AS twice, upper(name) AS name_u, note
FROM ev
\`\`\`
`;

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const HEADER_COMMA = "id,code,day,seen,ok,amount,name,note";
const recordWith = (i: number, delimiter: string): string =>
  [
    i,
    ["007", "12", "0042", "9"][i % 4],
    `${String((i % 28) + 1).padStart(2, "0")}/${String((i % 12) + 1).padStart(2, "0")}/2024`,
    `2024-03-${String((i % 28) + 1).padStart(2, "0")} 10:${String(i % 60).padStart(2, "0")}:00`,
    ["T", "F", "", "t"][i % 4],
    ["1.5", "", "NaN", "7", "-0", "1e3"][i % 6],
    ['"Zoë, the 1st"', "bob", '"say ""hi"""', ""][i % 4],
    ["", "x", '""', "ü"][i % 4],
  ].join(delimiter);

// `;` as spreadsheets in many locales export CSV: the Worker and the gateway's decoder sniff it from the header, as read_csv does.
for (const delimiter of [",", ";"]) {
  test(`CSV posted to the Worker lands in R2 as DuckDB's read_csv types and reads it (delimiter ${JSON.stringify(delimiter)})`, async () => {
    const HEADER = HEADER_COMMA.replaceAll(",", delimiter);
    const record = (i: number) => recordWith(i, delimiter);
    const { notebook, issues } = parseNotebook(NOTEBOOK, "csv.md");
    expect(issues).toEqual([]);
    const first = [HEADER, ...Array.from({ length: 60 }, (_, i) => record(i))].join("\n");
    const second = [HEADER, ...Array.from({ length: 40 }, (_, i) => record(60 + i))].join("\r\n");
    const dir = mkdtempSync(join(tmpdir(), "runnel-csv-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "posted.csv");
    writeFileSync(file, `${first}\n${second.split("\r\n").slice(1).join("\n")}\n`);
    const db = await openDuckDB({ threads: 1 });
    try {
      // The sample as the gateway types it, from the decoded records.
      const events = [...decodePayload(first, "csv", 0), ...decodePayload(second, "csv", 0)].map((e) => (e.ok ? e.value : null));
      await loadEvents(db, "ev", events, { format: "csv" });
      const plan = compilePlan(await gatherCompileInputs(db, notebook));
      // DuckDB's own reading of the same records, sniffed by read_csv: the reference.
      await db.run(`CREATE OR REPLACE TABLE ev AS SELECT * FROM read_csv('${file}', sample_size = -1)`);
      expect(plan.sources.ev!.schema.map((c) => `${c.name} ${c.type}`)).toEqual(
        (await db.read("DESCRIBE ev")).getRowObjectsJS().map((r) => `${String(r.column_name)} ${String(r.column_type)}`),
      );
      expect(plan.sources.ev!.schema.find((c) => c.name === "day")).toEqual({ name: "day", type: "DATE", format: "%d/%m/%Y" });
      const edge = await startEdge({ name: "csv", plan, notebook });
      cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
      cleanup.push(() => edge.dispose());
      expect((await edge.post("ev", first, { "content-type": "text/csv" })).status).toBe(202);
      expect((await edge.post("ev", second, { "content-type": "text/csv" })).status).toBe(202);
      expect((await edge.flush()).status).toBe(200);
      await download(await edge.r2(), "", join(dir, "r2"));
      const cell = notebook.cells.find((c) => c.sink === "out")!;
      const r = await compareDataset(db, { sql: cell.code, glob: `${dir}/r2/out/**/*.parquet`, plan, sink: "out" });
      expect(r).toEqual({ expected: 100, got: 100, missing: 0, extra: 0 });
      const codes = (await db.read(`SELECT code, day::VARCHAR, ok FROM read_parquet('${dir}/r2/out/**/*.parquet') WHERE id = 0`)).getRows();
      expect(codes).toEqual([["007", "2024-01-01", true]]);
    } finally {
      db.close();
    }
  });
}
