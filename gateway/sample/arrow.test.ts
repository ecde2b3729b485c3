import { tableFromIPC } from "apache-arrow";
import { expect, test } from "vitest";
import { loadEvents, openDuckDB, queryRows } from "../../edge/duckdb/index.node.ts";
import { rowsToArrowIPC } from "./arrow.ts";
import { arrowToRows } from "./arrow-rows.ts";

test("DuckDB rows go to Arrow and back unchanged, every type of the value representation included", async () => {
  const db = await openDuckDB();
  await loadEvents(db, "events", [
    { id: 1, name: "Zoë", at: "2026-11-22 10:00:00.123456", day: "2026-11-22", tags: ["a", null], s: { x: 1.5, y: [true] } },
    { id: null, name: null, at: null, day: null, tags: null, s: null },
  ]);
  const { schema, rows } = await queryRows(db, `
    SELECT *, 12.34::DECIMAL(4,2) AS d1, (-123456789012345678901234567.89)::DECIMAL(38,2) AS d2,
           '10:11:12.5'::TIME AS t, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS tz,
           1::TINYINT AS i8, 2::SMALLINT AS i16, 3::INTEGER AS i32, 4::UTINYINT AS u8, 5::UBIGINT AS u64,
           1.25::FLOAT AS f32, '\\x00\\xff'::BLOB AS b, 'e'::VARCHAR AS v
    FROM events`);
  db.close();
  const back = arrowToRows(tableFromIPC(rowsToArrowIPC(schema, rows)));
  expect(back.schema).toEqual(schema);
  expect(back.rows).toEqual(rows);
});

test("Arrow without DuckDB metadata gets DuckDB types from its Arrow types", () => {
  const ipc = rowsToArrowIPC(
    [{ name: "n", type: "BIGINT" }, { name: "s", type: "STRUCT(\"a b\" VARCHAR, c DOUBLE[])" }, { name: "ts", type: "TIMESTAMP" }],
    [{ n: 7n, s: { "a b": "x", c: [1, 2] }, ts: 1n }],
  );
  const table = tableFromIPC(ipc);
  table.schema.fields.forEach((f) => f.metadata.delete("duckdb.type"));
  expect(arrowToRows(table).schema).toEqual([
    { name: "n", type: "BIGINT" },
    { name: "s", type: 'STRUCT("a b" VARCHAR, c DOUBLE[])' },
    { name: "ts", type: "TIMESTAMP" },
  ]);
});

test("types Arrow carries as text (HUGEINT, UHUGEINT, INTERVAL) come back as values, nested ones too", async () => {
  const db = await openDuckDB();
  const { schema, rows } = await queryRows(db, `
    SELECT 18446744073709551615::HUGEINT AS h, (-170141183460469231731687303715884105728)::HUGEINT AS hmin, 1::UHUGEINT AS uh,
           {'h': -18446744073709551615::HUGEINT, 'k': 'a'} AS s, [1::HUGEINT, NULL] AS l,
           INTERVAL '1 month 2 days 3 microseconds' AS i, -(INTERVAL '14 months 3 days 00:00:01.5') AS ineg,
           MAP {'k': 5::HUGEINT} AS m, NULL::HUGEINT AS hn
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`);
  db.close();
  const back = arrowToRows(tableFromIPC(rowsToArrowIPC(schema, rows)));
  expect(back.schema).toEqual(schema);
  expect(back.rows).toEqual(rows);
});
