import { createHmac } from "node:crypto";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterEach, describe, expect, test } from "vitest";
import type { DemoSpec, SourceSpec } from "../../notebook/format/model.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { readDeliveryLines } from "../webhooks/deliveries.ts";
import { demoGenerators } from "./demo/index.ts";
import { withDemoDeliveryColumns } from "./webhook-columns.ts";

const SECRET = "columns-secret";
const notebook = (hook: string) => `---
title: Hooks
sources:
  gh:
    webhook: { signature: github, secret: GH_SECRET, ${hook} }
    format: json
---
`;

let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

/** A GitHub delivery of `body`, signed, with `headers` besides (a pair list may name a header twice). */
function post(body: string, headers: Record<string, string> | [string, string][]) {
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const all = new Headers({ "content-type": "application/json", "x-hub-signature-256": signature });
  for (const [name, value] of Array.isArray(headers) ? headers : Object.entries(headers)) all.append(name, value);
  return gw!.app.request("/hooks/hooks.md/gh", { method: "POST", body, headers: all });
}

/** The notebook's sample of source gh as the app receives it: columns with their DuckDB types, rows, error rows. */
async function sample() {
  const res = await gw!.app.request("/api/sources/hooks.md/gh/sample", { headers: gw!.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  return {
    types: Object.fromEntries(table.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type")])),
    rows: table.toArray().map((r): Record<string, unknown> => {
      const row = r.toJSON() as Record<string, unknown>;
      const headers = row._headers as { toJSON(): unknown } | null | undefined;
      return headers ? { ...row, _headers: headers.toJSON() } : row;
    }),
    errors: JSON.parse(table.schema.metadata.get("runnel.errors") ?? "[]") as { error: string; raw: string }[],
  };
}

const T0 = Date.UTC(2026, 11, 6, 4, 56, 7, 89);

describe("a webhook source's metadata: and headers: in the notebook's sample", () => {
  test("each event gets when the gateway received its delivery, the delivery id and the named headers, typed by DuckDB", async () => {
    let clock = T0;
    gw = await openTestGateway({ "hooks.md": notebook("metadata: [received_at, delivery_id], headers: [X-GitHub-Event, X-Shopify-Topic]") }, { demo: false, env: { GH_SECRET: SECRET }, now: () => clock });
    expect((await post('{"n": 1}', { "x-github-event": "push", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" })).status).toBe(202);
    clock += 1500;
    // One delivery of two events: both get its columns; a header sent twice is one value, as Headers.get joins it.
    expect((await post('[{"n": 2}, {"n": 3}]', { "x-github-event": "issues", "x-github-delivery": "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", "x-shopify-topic": "orders/create" })).status).toBe(202);
    const { types, rows, errors } = await sample();
    // GUIDs only in this sample, yet VARCHAR: a sender whose ids are not GUIDs must not be refused later (metadata-schema.ts).
    expect(types).toEqual({ n: "BIGINT", _received_at: "TIMESTAMP", _delivery_id: "VARCHAR", _headers: 'STRUCT("x-github-event" VARCHAR, "x-shopify-topic" VARCHAR)' });
    expect(rows.map((r) => [r.n, new Date(r._received_at as number).toISOString(), r._delivery_id, r._headers])).toEqual([
      [1n, "2026-12-06T04:56:07.089Z", "72d3162e-cc78-11e3-81ab-4c9367dc0958", { "x-github-event": "push", "x-shopify-topic": null }],
      [2n, "2026-12-06T04:56:08.589Z", "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", { "x-github-event": "issues", "x-shopify-topic": "orders/create" }],
      [3n, "2026-12-06T04:56:08.589Z", "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", { "x-github-event": "issues", "x-shopify-topic": "orders/create" }],
    ]);
    expect(errors).toEqual([]);
  });

  test("an event that has a field of a column's name is an error row saying so, never overwritten; the others of its delivery count", async () => {
    gw = await openTestGateway({ "hooks.md": notebook("metadata: [received_at], headers: [X-GitHub-Event]") }, { demo: false, env: { GH_SECRET: SECRET }, now: () => T0 });
    expect((await post('[{"n": 1, "_Headers": "mine"}, {"n": 2}, {"n": 3, "_received_at": "yesterday"}]', { "x-github-event": "push" })).status).toBe(202);
    const { rows, errors } = await sample();
    expect(rows.map((r) => r.n)).toEqual([2n]);
    expect(errors.map((e) => [e.error, e.raw])).toEqual([
      ["webhook: the event already has a field _Headers, and the source adds the column _headers; rename the field at the sender, or leave headers: out", '{"n":1,"_Headers":"mine"}'],
      ["webhook: the event already has a field _received_at, and the source adds the column _received_at; rename the field at the sender, or leave received_at out of metadata:", '{"n":3,"_received_at":"yesterday"}'],
    ]);
  });

  test("the named headers are kept on disk with each delivery, the signature is not; a repeated one is one value", async () => {
    gw = await openTestGateway({ "hooks.md": notebook("headers: [X-Shopify-Topic, X-Request-Id]") }, { demo: false, env: { GH_SECRET: SECRET }, now: () => T0 });
    const sent: [string, string][] = [["x-shopify-topic", "orders/paid"], ["x-request-id", "r-1"], ["X-Request-Id", "r-2"], ["x-other", "not named"]];
    expect((await post('{"n": 1}', sent)).status).toBe(202);
    const [line] = await readDeliveryLines(join(gw.stateDir, "hooks", "hooks.md", "gh"));
    const kept = (JSON.parse(line!) as { headers: Record<string, string> }).headers;
    expect(kept).toMatchObject({ "x-shopify-topic": "orders/paid", "x-request-id": "r-1, r-2" });
    expect((await sample()).rows.map((r) => r._headers)).toEqual([{ "x-shopify-topic": "orders/paid", "x-request-id": "r-1, r-2" }]);
    expect(Object.keys(kept)).not.toContain("x-hub-signature-256");
    expect(Object.keys(kept)).not.toContain("x-other");
  });

  test("without metadata: or headers:, events are as sent", async () => {
    gw = await openTestGateway({ "hooks.md": notebook("delivery_header: X-GitHub-Delivery") }, { demo: false, env: { GH_SECRET: SECRET }, now: () => T0 });
    expect((await post('{"n": 1}', { "x-github-event": "push" })).status).toBe(202);
    expect(Object.keys((await sample()).types)).toEqual(["n"]);
  });
});

describe("the demo stand-in of a webhook source", () => {
  const spec: Extract<SourceSpec, { kind: "webhook" }> = {
    kind: "webhook", name: "gh", path: "/gh", signature: "github", secret: "S", deliveryHeader: "X-GitHub-Delivery",
    metadata: ["received_at", "delivery_id"], headers: ["x-github-event"], format: "json", sampleSize: 10, demo: null,
  };

  test("takes the headers its generator sends with each payload, and the payload's time as when it was received", () => {
    const demo: DemoSpec = { generator: "test-sender", rate: 2, seed: 5 };
    demoGenerators["test-sender"] = { describe: "a sender", event: (_seed, i) => ({ i }), headers: (_seed: number, i: number) => ({ "X-GitHub-Event": i % 2 ? "issues" : "push", "X-GitHub-Delivery": `id-${i}` }) } as (typeof demoGenerators)[string];
    try {
      const events = [0, 1].flatMap((i) => withDemoDeliveryColumns(spec, demo, { ok: true, value: { i }, receivedAt: 0 }, i));
      expect(events.map((e) => (e.ok ? e.value : e.error))).toEqual([
        { i: 0, _received_at: "2026-11-22 00:00:00.000", _delivery_id: "id-0", _headers: { "x-github-event": "push" } },
        { i: 1, _received_at: "2026-11-22 00:00:00.500", _delivery_id: "id-1", _headers: { "x-github-event": "issues" } },
      ]);
    } finally {
      delete demoGenerators["test-sender"];
    }
  });

  test("a generator that sends no headers gives NULL for them, and a GUID per payload as its delivery id", () => {
    const demo: DemoSpec = { generator: "turnstile", rate: 20, seed: 1 };
    const [a] = withDemoDeliveryColumns(spec, demo, { ok: true, value: { x: 1 }, receivedAt: 0 }, 7);
    const [b] = withDemoDeliveryColumns(spec, demo, { ok: true, value: { x: 1 }, receivedAt: 0 }, 7);
    const [c] = withDemoDeliveryColumns(spec, demo, { ok: true, value: { x: 1 }, receivedAt: 0 }, 8);
    const value = (e: typeof a) => (e!.ok ? (e!.value as Record<string, unknown>) : {});
    expect(value(a)._headers).toEqual({ "x-github-event": null });
    expect(value(a)._delivery_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(value(b)._delivery_id).toBe(value(a)._delivery_id);
    expect(value(c)._delivery_id).not.toBe(value(a)._delivery_id);
  });
});
