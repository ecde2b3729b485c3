/**
 * A live timestamp inside a STRUCT or a LIST, against DuckDB as the oracle. The tail's events are
 * appended to the source table as Arrow built in the page (`eventsToArrow`); Arrow's JavaScript
 * builder takes a timestamp as milliseconds, so a nested one lost its microseconds
 * (`{'at': 2024-01-01 00:00:00.123456}` became `.123`) while a top-level one kept them. DuckDB's
 * read_json of the same lines, in the sample's types, is what the table must hold.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../../edge/duckdb/index.node.ts";
import { Sampler } from "../../../gateway/sample/sampler.ts";
import { decodePayload } from "../../../gateway/sources/decode.ts";
import { openWasm, type WasmConnection } from "../../../tests/notebooks/wasm.ts";
import { eventsToArrow, findMisfits, parseTailJson } from "./events-to-arrow.ts";
import { retypeSampleTable } from "./retype.ts";

const SAMPLE = [
  `{"id": 1, "ts": "2024-01-01 00:00:00.5", "s": {"at": "2024-01-01 00:00:00.250001", "k": "a"}, "l": ["2024-01-01 00:00:01.000002"], "deep": {"xs": [{"t": "2024-01-01 00:00:02.000003", "n": 1}]}}`,
  `{"id": 2, "ts": null, "s": null, "l": null, "deep": null}`,
].join("\n");

const TAIL = [
  `{"id": 3, "ts": "2024-05-06 07:08:09.123456", "s": {"at": "2024-05-06 07:08:09.654321", "k": "b"}, "l": ["2024-05-06 07:08:09.000001", null, "1999-12-31 23:59:59.999999"], "deep": {"xs": [{"t": "2024-05-06 07:08:09.987654", "n": 2}, null, {"t": null, "n": 3}]}}`,
  `{"id": 4, "ts": "1969-12-31 23:59:59.999999", "s": {"at": "1969-12-31 23:59:59.999999", "k": null}, "l": [], "deep": {"xs": null}}`,
  `{"id": 5, "ts": "2024-02-30 00:00:00", "s": {"at": "not a time", "k": "c"}, "l": ["2024-02-30 00:00:00", "2024-01-01 00:00:00.1"], "deep": {"xs": [{"t": "2024-01-01T00:00:00.000007"}]}}`,
  `{"id": 6, "s": "not a struct", "l": "not a list", "deep": {"xs": [{"n": 4}, 7]}}`,
  `{"id": 7, "ts": 1700000000000, "s": {"at": 5}, "l": [1.5, "2024-01-01 00:00:00.000009"], "deep": {"xs": [{"t": 5, "n": 5}]}}`,
];

const QUERY = `SELECT id, CAST(ts AS VARCHAR) AS ts, CAST(s AS VARCHAR) AS s, CAST(l AS VARCHAR) AS l, CAST(deep AS VARCHAR) AS deep FROM t WHERE id > 2 ORDER BY id`;

let wasm: WasmConnection;
let native: DuckDB;
let dir: string;
beforeAll(async () => {
  wasm = await openWasm();
  native = await openDuckDB({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), "runnel-nested-ts-"));
});
afterAll(() => {
  wasm?.close();
  native?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("live timestamps nested in a STRUCT or a LIST keep DuckDB's microseconds, as read_json reads them", async () => {
  const sampler = new Sampler();
  const { ipc } = await sampler.arrow(decodePayload(SAMPLE, "ndjson", 0));
  await sampler.close();
  const schema = tableFromIPC(ipc).schema;

  wasm.query("DROP TABLE IF EXISTS t");
  wasm.insertArrowFromIPCStream(ipc, { name: "t", create: true });
  expect(await retypeSampleTable({ query: async (sql) => wasm.query(sql) }, "t", schema)).toEqual([]);
  const events = TAIL.map((line) => parseTailJson(line));
  wasm.insertArrowFromIPCStream(eventsToArrow(schema, events), { name: "t", create: false });

  const types = wasm.query("SELECT column_name, column_type FROM (DESCRIBE t)").toArray().map((r) => (r as { toJSON(): unknown }).toJSON() as { column_name: string; column_type: string });
  expect(types).toEqual([
    { column_name: "id", column_type: "BIGINT" },
    { column_name: "ts", column_type: "TIMESTAMP" },
    { column_name: "s", column_type: "STRUCT(\"at\" TIMESTAMP, k VARCHAR)" },
    { column_name: "l", column_type: "TIMESTAMP[]" },
    { column_name: "deep", column_type: "STRUCT(xs STRUCT(t TIMESTAMP, n BIGINT)[])" },
  ]);

  // DuckDB's read_json of the tail's lines in the table's types (a value it cannot read is NULL, as the page makes it).
  const file = join(dir, "tail.ndjson");
  writeFileSync(file, `${TAIL.join("\n")}\n`);
  const columns = `{${types.map((c) => `'${c.column_name}': '${c.column_type.replaceAll("'", "''")}'`).join(", ")}}`;
  await native.run(`CREATE TABLE t AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${columns}, ignore_errors = true)`);
  const expected = (await native.read(QUERY)).getRowObjectsJson();
  const got = wasm.query(QUERY).toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON());
  const text = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
  expect(got.map(text)).toEqual(expected.map(text));
  // What did not fit (id 5's impossible times, id 6's text where a STRUCT and a LIST were, id 7's numbers for times) is counted on the source card.
  expect(findMisfits(schema, events).events).toBe(3);
  expect(got.find((r) => String(r.id) === "3")!.s).toBe("{'at': '2024-05-06 07:08:09.654321', 'k': b}");
});
