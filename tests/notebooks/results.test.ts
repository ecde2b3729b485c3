/**
 * What a SQL cell shows is what DuckDB answers: the app's DuckDB-WASM result config
 * (`QUERY_CONFIG`) keeps BIGINT exact at any depth, read through `toRows` as the result table
 * and JavaScript cells read it. DuckDB-WASM's `castBigIntToDouble` rounded ids past 2^53 and
 * turned every BIGINT inside a LIST or STRUCT into the Int64's bits read as a double.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { toRows } from "../../notebook/app/src/rows.ts";
import { openWasm, type WasmConnection } from "./wasm.ts";

let wasm: WasmConnection;
beforeAll(async () => {
  wasm = await openWasm();
});
afterAll(() => wasm?.close());

test("BIGINT values, nested ones too, show as DuckDB answers them", () => {
  const sql = `SELECT 1234567890123456789::BIGINT AS id, 42::BIGINT AS small, 18446744073709551615::UBIGINT AS u,
    [1, 2, 9007199254740993]::BIGINT[] AS l, {'x': 7, 'y': 1234567890123456789}::STRUCT(x BIGINT, y BIGINT) AS s,
    [{'n': 3}]::STRUCT(n BIGINT)[] AS ls`;
  const rows = toRows(wasm.query(sql) as unknown as Parameters<typeof toRows>[0], null);
  expect(rows[0]).toEqual({
    id: 1234567890123456789n,
    small: 42,
    u: 18446744073709551615n,
    l: [1, 2, 9007199254740993n],
    s: { x: 7, y: 1234567890123456789n },
    ls: [{ n: 3 }],
  });
});
