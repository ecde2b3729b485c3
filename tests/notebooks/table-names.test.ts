/**
 * DuckDB-WASM's `getTableNames` looks functions up in its catalog, so a cell using a json function
 * fails it in the browser (no json extension there). With the function swapped for a core one
 * (`withoutMissingFunction`), the browser's DuckDB reads the same tables native DuckDB's parser does.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readSqlError, withoutMissingFunction } from "../../notebook/app/src/sql.ts";
import { openWasm, type WasmConnection } from "./wasm.ts";

let wasm: WasmConnection & { getTableNames(sql: string): string[] };
beforeAll(async () => {
  wasm = (await openWasm()) as typeof wasm;
});
afterAll(() => wasm?.close());

/** What the app does: swap the missing function until DuckDB-WASM reads the table names. */
function tableNames(sql: string): string[] {
  let text = sql;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      return wasm.getTableNames(text);
    } catch (error) {
      const swapped = withoutMissingFunction(text, readSqlError((error as Error).message, text).message);
      if (swapped === null || swapped === text) throw error;
      text = swapped;
    }
  }
  throw new Error("too many swaps");
}

test("a cell with ->, ->> and json functions names its tables in the browser as DuckDB's parser does", () => {
  const sql = `WITH recent AS (SELECT * FROM hooks WHERE body->>'$.kind' = 'push')
SELECT r.body->'$.repo' AS repo, json_extract_string(r.body, '$.a'), JSON_EXTRACT(r.body, '$.b'), list_transform([1], x -> x + 1)
FROM recent r JOIN repos ON json_extract_string(r.body, '$.repo.id') = repos.id
WHERE json_valid(r.body) AND EXISTS (SELECT 1 FROM stars s WHERE s.body->>'repo' = repos.name)`;
  expect(() => wasm.getTableNames(sql)).toThrow(/exists in the json extension/);
  expect(tableNames(sql).sort()).toEqual(["hooks", "repos", "stars"]);
});

test("an error that is not a missing extension is left as it is", () => {
  const message = readSqlError(JSON.stringify({ exception_type: "Catalog", exception_message: 'Scalar Function with name nope does not exist!\nDid you mean "now"?' }), "").message;
  expect(withoutMissingFunction("SELECT nope(a) FROM t", message)).toBeNull();
  expect(() => tableNames("SELECT nope(a) FROM t")).toThrow(/nope does not exist/);
});
