import { type Schema, type Table, tableFromIPC } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eventsToArrow } from "../../notebook/app/src/events-to-arrow.ts";
import { judgeRepeats, parseTailJsonKeepingRepeats } from "../../notebook/app/src/tail-repeats.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { readSse } from "./sse.ts";

const notebook = `---
title: Tail repeats
sources:
  inbox:
    webhook: { signature: none }
  delivered:
    webhook: { signature: none, metadata: [received_at, delivery_id], headers: [X-Event], delivery_header: X-Delivery }
---
`;

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "tail.md": notebook }, { demo: false });
});
afterEach(async () => {
  await gw.close();
});

const post = async (source: string, body: string, id: string) => {
  const res = await gw.app.request(`/hooks/tail/${source}`, { method: "POST", body, headers: { ...gw.auth, "content-type": "application/json", "x-delivery": id, "x-event": `event of ${id}` } });
  expect(res.status).toBe(202);
};

/** The rows of an Arrow table as plain JSON text (bigints as text), one a row. */
const rowsOf = (table: Table): string[] =>
  table.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));

async function sample(source: string): Promise<{ schema: Schema; rows: string[]; errors: string[] }> {
  const res = await gw.app.request(`/api/sources/tail/${source}/sample`, { headers: gw.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  return { schema: table.schema, rows: rowsOf(table), errors: (JSON.parse(table.schema.metadata.get("runnel.errors")!) as { error: string }[]).map((e) => e.error) };
}

/**
 * What the page makes of one tail batch delivered while it follows `source`, whose table was
 * loaded from `before` (the sample then): the rows it appends and the reasons it counts.
 */
async function tailOf(source: string, before: Schema, body: string, id: string): Promise<{ rows: string[]; refused: string[]; sent: string }> {
  const res = await gw.app.request(`/api/sources/tail/${source}/tail`, { headers: gw.auth });
  const reading = readSse(res.body!, 1);
  // The hub opens the source's tail as the client's stream starts: the delivery goes after it.
  await new Promise((r) => setTimeout(r, 50));
  await post(source, body, id);
  const { events } = await reading;
  expect(events).toHaveLength(1);
  const batch = parseTailJsonKeepingRepeats(events[0]!.data) as { events: unknown[]; errors?: { error: string }[]; added?: string[] };
  const judged = judgeRepeats(before, batch.events, batch.added);
  return { rows: rowsOf(tableFromIPC(eventsToArrow(before, judged.rows))), refused: [...(batch.errors ?? []).map((e) => e.error), ...judged.refused], sent: events[0]!.data };
}

describe("the live tail reads events with a key written twice as the sample does", () => {
  test("a key twice in a JSON field is a row keeping both members, a key twice that is a column an error in DuckDB's words", async () => {
    await post("inbox", '[{"id":1,"a":"x","j":{"k":1}},{"id":2,"a":"y","j":5}]', "d1");
    const before = await sample("inbox");
    const body = '[{"id":3,"a":"z","j":{"k":1,"k":2}},{"id":4,"a":"w","a":"v","j":1},{"id":5,"a":"u","j":[{"m":1,"m":2}]}]';
    const tail = await tailOf("inbox", before.schema, body, "d2");
    expect(JSON.parse(tail.sent)).toMatchObject({ repeats: 3 });
    // The sample of the same events, typed again over all of them: the tail's rows are its rows, its error the tail's.
    const after = await sample("inbox");
    expect(after.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type")])).toEqual(before.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type")]));
    expect(tail.rows).toEqual(after.rows.slice(before.rows.length));
    expect(tail.rows).toEqual(['{"id":"3","a":"z","j":"{\\"k\\":1,\\"k\\":2}"}', '{"id":"5","a":"u","j":"[{\\"m\\":1,\\"m\\":2}]"}']);
    expect(tail.refused).toEqual(after.errors);
    expect(tail.refused).toEqual(['decode: Object {"id":4,"a":"w","a":"v","j":1} has duplicate key "a"']);
  });

  test("a source with delivery columns (metadata:, headers:) gives such events their columns in the tail and the sample alike", async () => {
    await post("delivered", '{"id":1,"j":{"k":1}}', "d1");
    await post("delivered", '{"id":2,"j":5}', "d2");
    const before = await sample("delivered");
    expect(before.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type")])).toEqual([["id", "BIGINT"], ["j", "JSON"], ["_received_at", "TIMESTAMP"], ["_delivery_id", "VARCHAR"], ["_headers", "STRUCT(\"x-event\" VARCHAR)"]]);
    const tail = await tailOf("delivered", before.schema, '[{"id":3,"j":{"k":1,"k":2}},{"id":4,"id":5,"j":1},{"id":6,"j":7}]', "d3");
    const after = await sample("delivered");
    // Every column, the delivery's too, as the sample has it for the same events: the row with a repeat and the plain one.
    expect(tail.rows).toEqual(after.rows.slice(before.rows.length));
    expect(tail.rows.map((r) => JSON.parse(r) as Record<string, unknown>).map((r) => [r.id, r.j, r._delivery_id, r._headers])).toEqual([
      ["3", '{"k":1,"k":2}', "d3", { "x-event": "event of d3" }],
      ["6", "7", "d3", { "x-event": "event of d3" }],
    ]);
    expect(after.errors).toEqual(['decode: Object {"id":4,"id":5,"j":1} has duplicate key "id"']);
    expect(tail.refused).toEqual(after.errors);
  });
});
