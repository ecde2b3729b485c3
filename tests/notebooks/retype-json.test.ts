/**
 * A sample column the gateway's DuckDB typed JSON (a field whose values differ in type) is held as
 * VARCHAR by the notebook's DuckDB-WASM, which has no json extension; that is the closest it can
 * hold, so opening such a notebook (github.md) puts no warning in the browser's console.
 */
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { Sampler } from "../../gateway/sample/sampler.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { retypeSampleTable } from "../../notebook/app/src/retype.ts";
import { openWasm, type WasmConnection } from "./wasm.ts";

const SAMPLE = [`{"id": 1, "m": 1, "doc": {"j": 1, "k": "a"}}`, `{"id": 2, "m": "x", "doc": {"j": "y", "k": "b"}}`].join("\n");

let wasm: WasmConnection;
beforeAll(async () => {
  wasm = await openWasm();
});
afterAll(() => wasm?.close());

test("JSON columns held as VARCHAR, at the top and inside a struct, are not reported as columns that could not be retyped", async () => {
  const sampler = new Sampler();
  const { ipc } = await sampler.arrow(decodePayload(SAMPLE, "ndjson", 0));
  await sampler.close();
  const schema = tableFromIPC(ipc).schema;
  expect(schema.fields.map((f) => f.metadata.get("duckdb.type"))).toEqual(["BIGINT", "JSON", "STRUCT(j JSON, k VARCHAR)"]);

  wasm.query("DROP TABLE IF EXISTS t");
  wasm.insertArrowFromIPCStream(ipc, { name: "t", create: true });
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  try {
    expect(await retypeSampleTable({ query: async (sql) => wasm.query(sql) }, "t", schema)).toEqual([]);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
  } finally {
    warn.mockRestore();
  }
  const types = wasm.query("SELECT column_name, column_type FROM (DESCRIBE t)").toArray().map((r) => Object.values((r as { toJSON(): Record<string, string> }).toJSON()));
  expect(types).toEqual([["id", "BIGINT"], ["m", "VARCHAR"], ["doc", "STRUCT(j VARCHAR, k VARCHAR)"]]);
});
