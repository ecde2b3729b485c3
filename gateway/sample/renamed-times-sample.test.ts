import { tableFromIPC } from "apache-arrow";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";

const notebook = `---
title: Dates
sources:
  inbox:
    webhook: { signature: none }
    format: ndjson
---
`;

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "dates.md": notebook }, { demo: false });
});
afterEach(async () => {
  await gw.close();
});

test("a European date under a key DuckDB renamed for case (A_1 for A) is text in a sample with a repeated key, not a sample that fails", async () => {
  const body = ['{"a":"x","A":"25-12-2024","k":1}', '{"a":"y","A":"26-12-2024","k":1,"k":2}'].join("\n");
  expect((await gw.app.request("/hooks/dates/inbox", { method: "POST", body, headers: gw.auth })).status).toBe(202);
  // Before, A_1 stayed DATE (its texts were looked for under the key A_1, which no event has) and loading the sample failed.
  const res = await gw.app.request("/api/sources/dates/inbox/sample", { headers: gw.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  expect(table.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type"), f.metadata.get("runnel.key") ?? null])).toEqual([["a", "VARCHAR", null], ["A_1", "VARCHAR", "A"], ["k", "BIGINT", null]]);
  expect(table.toArray().map((r) => [r.a, r.A_1])).toEqual([["x", "25-12-2024"]]);
  expect(JSON.parse(table.schema.metadata.get("runnel.errors")!).map((e: { error: string }) => e.error)).toEqual(['decode: Object {"a":"y","A":"26-12-2024","k":1,"k":2} has duplicate key "k"']);
});
