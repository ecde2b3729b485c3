/**
 * The notebook's source table in the browser's DuckDB (DuckDB-WASM, Node's blocking build of the
 * same bundle): big integers and UUIDs the gateway's Arrow sample carries as text — inside
 * structs and lists too — get back the types the pipeline reads, and the live tail's batches
 * (built as the page builds them) still append to the retyped table.
 */
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { Sampler } from "../../gateway/sample/sampler.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { eventsToArrow } from "../../notebook/app/src/events-to-arrow.ts";
import { retypeSampleTable } from "../../notebook/app/src/retype.ts";
import { openWasm, type WasmConnection } from "./wasm.ts";

const SAMPLE = [
  `{"id": 1, "s": {"h": 18446744073709551615, "k": "a"}, "l": [9223372036854775808, null], "nu": {"u": "550e8400-e29b-41d4-a716-446655440000"}, "lu": ["ffffffff-0000-0000-0000-000000000000"], "doc": {"j": 1, "h": 9223372036854775808}}`,
  `{"id": 2, "s": {"h": -1, "k": "b"}, "l": [1], "nu": {"u": "00000000-0000-0000-0000-000000000001"}, "lu": [], "doc": {"j": "x", "h": 1}}`,
  `{"id": 3, "s": null, "l": null, "nu": null, "lu": null, "doc": null}`,
].join("\n");

// The tail's events as the page holds them after parseTailJson: integers past 2^53 are bigints.
const TAIL = [
  { id: 4, s: { h: 2n ** 64n + 7n, k: "c" }, l: [5], nu: { u: "FFFFFFFF-0000-0000-0000-000000000000" }, lu: ["00000000-0000-0000-0000-000000000000"], doc: { j: [1], h: 2n ** 63n } },
];

const QUERY = `SELECT id, s.h + 1 AS h1, l[1] * 2 AS l2, nu.u AS u, lu[1] AS lu1, doc.h AS dh FROM t ORDER BY s.h NULLS LAST, id`;

let wasm: WasmConnection;
let native: DuckDB;
beforeAll(async () => {
  wasm = await openWasm();
  native = await openDuckDB({ threads: 1 });
});
afterAll(() => {
  wasm?.close();
  native?.close();
});

test("nested HUGEINT and UUID columns get their types back in the notebook, and the tail appends to them, as DuckDB answers", async () => {
  const sampler = new Sampler();
  const { ipc } = await sampler.arrow(decodePayload(SAMPLE, "ndjson", 0));
  await sampler.close();
  const schema = tableFromIPC(ipc).schema;

  wasm.query("DROP TABLE IF EXISTS t");
  wasm.insertArrowFromIPCStream(ipc, { name: "t", create: true });
  const failed = await retypeSampleTable({ query: async (sql) => wasm.query(sql) }, "t", schema);
  expect(failed).toEqual([]);
  wasm.insertArrowFromIPCStream(eventsToArrow(schema, TAIL), { name: "t", create: false });

  const wasmTypes = wasm.query("SELECT column_name, column_type FROM (DESCRIBE t)").toArray().map((r) => (r as { toJSON(): unknown }).toJSON() as { column_name: string; column_type: string });
  // The types the gateway's DuckDB (and so the pipeline) reads, JSON as VARCHAR (DuckDB-WASM here has no json extension).
  expect(wasmTypes).toEqual([
    { column_name: "id", column_type: "BIGINT" },
    { column_name: "s", column_type: "STRUCT(h HUGEINT, k VARCHAR)" },
    { column_name: "l", column_type: "HUGEINT[]" },
    { column_name: "nu", column_type: "STRUCT(u UUID)" },
    { column_name: "lu", column_type: "UUID[]" },
    { column_name: "doc", column_type: "STRUCT(j VARCHAR, h HUGEINT)" },
  ]);

  // DuckDB's answer over the same lines in the types the pipeline reads (j is JSON there).
  const tailLine = JSON.stringify(TAIL[0], (_k, v) => (typeof v === "bigint" ? `@@${v}@@` : v)).replace(/"@@(-?\d+)@@"/g, "$1");
  const pipelineTypes = wasmTypes.map((c) => ({ name: c.column_name, type: c.column_type.replace("j VARCHAR", "j JSON") }));
  const structure = `{${pipelineTypes.map((c) => `"${c.name}": "${c.type}"`).join(", ")}}`;
  await native.run(`CREATE TABLE t (${pipelineTypes.map((c) => `${c.name} ${c.type}`).join(", ")})`);
  for (const line of [...SAMPLE.split("\n"), tailLine]) {
    await native.run(`INSERT INTO t SELECT unnest(from_json('${line.replaceAll("'", "''")}', '${structure}'))`);
  }
  const expected = (await native.read(QUERY)).getRowObjectsJson();
  // Each value as its text (DuckDB-WASM gives 128-bit integers as Arrow's big-number objects).
  const text = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
  const got = wasm.query(QUERY).toArray().map((r) => text((r as { toJSON(): Record<string, unknown> }).toJSON()));
  expect(got).toEqual(expected.map(text));
  expect(got.map((r) => r.id)).toEqual(["2", "1", "4", "3"]);
});
