import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeQuery } from "./describe.node.ts";
import { castReadableSchema } from "./detected-times.node.ts";
import { loadEvents } from "./load-events.node.ts";
import { type DuckDB, openDuckDB } from "./open.node.ts";
import { queryRows } from "./query-rows.node.ts";

let db: DuckDB;
let dir: string;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  dir = await mkdtemp(join(tmpdir(), "runnel-renamed-times-"));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe("castReadableSchema finds a column DuckDB renamed for case", () => {
  test("a European date under `A` beside `a` (DuckDB's column A_1) is text, read under its key", async () => {
    const file = join(dir, "events.ndjson");
    await writeFile(file, '{"a":"x","A":"25-12-2024"}\n{"a":"y","A":"26-12-2024"}\n');
    // DuckDB's own naming: the second spelling of a key is `A_1`.
    const described = await describeQuery(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
    expect(described).toEqual([{ name: "a", type: "VARCHAR" }, { name: "A_1", type: "DATE" }]);
    const schema = await castReadableSchema(db, file, [{ name: "a", type: "VARCHAR" }, { name: "A_1", type: "DATE", key: "A" }]);
    // Before, A_1 was read as a key of the events (there is none), all NULL, and stayed DATE.
    expect(schema).toEqual([{ name: "a", type: "VARCHAR" }, { name: "A_1", type: "VARCHAR", key: "A" }]);
  });

  test("(guard) two European date columns whose keys differ only in case are both text, each holding its own values", async () => {
    const schema = await loadEvents(db, "both_eu", [{ d: "25-12-2024", D: "01-02-2024", x: 1 }, { d: "26-12-2024", D: "02-02-2024", x: 2 }]);
    expect(schema).toEqual([{ name: "d", type: "VARCHAR" }, { name: "D_1", type: "VARCHAR", key: "D" }, { name: "x", type: "BIGINT" }]);
    expect((await queryRows(db, 'SELECT d, "D_1" AS e FROM both_eu ORDER BY x')).rows).toEqual([{ d: "25-12-2024", e: "01-02-2024" }, { d: "26-12-2024", e: "02-02-2024" }]);
  });
});
