import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { quoteString } from "../duckdb/quote.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { DUCKDB_KEYWORDS } from "./keywords.ts";
import { formatType, parseType } from "./type-text.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("the keyword list is the DuckDB the tests run", async () => {
  const r = await db.read("SELECT keyword_name FROM duckdb_keywords() ORDER BY 1");
  expect([...DUCKDB_KEYWORDS].sort()).toEqual(r.getRows().map((x) => String(x[0])).sort());
});

test("struct field names print as DuckDB prints them, and read back", async () => {
  // Keywords in any case are quoted, capitals are not, an empty name is nothing at all.
  const names = ["Name", "select", "Email", "1a", "a1", "ä", "", "NAME2", "Type", "value", "a b", "A_B", "_x", "at", "y", "abs", "year", 'a"q', "a.b", "order", "Object"];
  // An empty name cannot be written in SQL; read_json gives it, as it does for a webhook's `""` key.
  const dir = await mkdtemp(join(tmpdir(), "runnel-type-text-"));
  const file = join(dir, "e.ndjson");
  await writeFile(file, `${JSON.stringify({ s: Object.fromEntries(names.map((n, i) => [n, i])) })}\n`);
  const r = await db.read(`SELECT column_type FROM (DESCRIBE SELECT s, [s] AS l FROM read_json(${quoteString(file)}, format = 'newline_delimited'))`);
  await rm(dir, { recursive: true });
  const types = r.getRows().map((x) => String(x[0]));
  expect(types).toHaveLength(2);
  for (const text of types) {
    const t = parseType(text);
    expect(formatType(t)).toBe(text);
  }
  const t = parseType(types[0]!);
  expect(t.kind === "struct" && t.fields.map((f) => f.name)).toEqual(names);
});
