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

test("the result table shows DuckDB's own text for intervals, times, timestamps to the microsecond, doubles, wide decimals, nested values", async () => {
  const { previewSelect } = await import("../../notebook/app/src/reactive.ts");
  const { formatValue } = await import("../../notebook/app/src/views/format-value.ts");
  const { openDuckDB } = await import("../../edge/duckdb/index.node.ts");
  const sql = `SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' AS i, TIME '12:34:56.789012' AS tm,
    TIMESTAMP '2026-01-02 03:04:05.678901' AS ts, 0.1::DOUBLE + 0.2::DOUBLE AS d, 12345678901234567890.12::DECIMAL(38,2) AS d38,
    170141183460469231731687303715884105727::HUGEINT AS h, DATE '0044-03-15 (BC)' AS bc, [INTERVAL 1 DAY] AS li,
    {'a': 1.5, 'b': 'x'} AS st, 'text' AS v, 7 AS n, NULL::DOUBLE AS z`;
  wasm.query(`CREATE OR REPLACE VIEW shown AS ${sql}`);
  const columns = wasm.query("SELECT column_name AS name, column_type AS type FROM (DESCRIBE shown)").toArray().map((r) => (r as { toJSON(): { name: string; type: string } }).toJSON());
  const select = previewSelect(columns);
  expect(select).not.toBeNull();
  const rows = toRows(wasm.query(`SELECT ${select} FROM shown`) as unknown as Parameters<typeof toRows>[0], columns);
  const shown = Object.fromEntries(columns.map((c) => [c.name, formatValue(rows[0]![c.name], c.type)]));
  const db = await openDuckDB({ threads: 1 });
  try {
    const native = (await db.read(`SELECT ${columns.map((c) => `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`).join(", ")} FROM (${sql})`)).getRowObjectsJS()[0]!;
    expect(shown).toEqual(Object.fromEntries(columns.map((c) => [c.name, native[c.name] === null ? "∅" : String(native[c.name])])));
  } finally {
    db.close();
  }
  expect(shown).toMatchObject({ i: "1 year 2 months 3 days 04:05:06.789", tm: "12:34:56.789012", ts: "2026-01-02 03:04:05.678901", d: "0.30000000000000004", bc: "0044-03-15 (BC)" });
});
