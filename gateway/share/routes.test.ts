import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadEvents, openDuckDB, queryRows, quoteString } from "../../edge/duckdb/index.node.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { shareCsp } from "./routes.ts";

const notebook = `---
title: Orders <script>alert(1)</script>
sources:
  inbox:
    webhook: { signature: none }
---

\`\`\`sql id=big
SELECT * FROM inbox WHERE amount > 10
\`\`\`
`;

const orders = [
  { id: 1, amount: 12.5, customer: { name: "Zoë", tier: "gold" }, items: ["a", "b"], at: "2026-11-22 09:00:00" },
  { id: 2, amount: 3.25, customer: { name: "Ilse", tier: null }, items: [], at: "2026-11-22 09:01:00" },
  { id: 3, amount: 99, customer: { name: "李", tier: "silver" }, items: ["c"], at: "2026-11-22 09:02:00" },
];

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "orders.md": notebook }, { demo: false });
  for (const order of orders) await gw.app.request("/hooks/orders/inbox", { method: "POST", body: JSON.stringify(order), headers: gw.auth });
});
afterEach(async () => {
  await gw.close();
});

const share = (body: unknown, headers: Record<string, string> = gw.auth) =>
  gw.app.request("/api/share", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });

async function shareId(): Promise<string> {
  const res = await share({ path: "orders.md" });
  expect(res.status).toBe(201);
  const { id, url } = await res.json();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  expect(url).toBe(`/s/${id}`);
  return id;
}

describe("share links", () => {
  test("a share link opened without the token returns the snapshot, sandboxed by its CSP", async () => {
    const id = await shareId();
    const page = await gw.app.request(`/s/${id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(shareCsp);
    expect(shareCsp.startsWith("sandbox allow-scripts;")).toBe(true);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("Orders &#60;script&#62;alert(1)&#60;/script&#62;");
    expect(html).not.toContain("<script>alert(1)");

    const meta = await gw.app.request(`/s/${id}/notebook`);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({ path: "orders.md", title: "Orders <script>alert(1)</script>", text: notebook, sources: ["inbox"], samples: [{ name: "inbox", rows: 3, errors: 0 }] });
  });

  test("the snapshot's Parquet reads back in DuckDB with the same rows the sample had", async () => {
    const id = await shareId();
    const parquet = await gw.app.request(`/s/${id}/sources/inbox.parquet`);
    expect(parquet.status).toBe(200);
    expect(parquet.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    const dir = await mkdtemp(join(tmpdir(), "runnel-share-test-"));
    const file = join(dir, "inbox.parquet");
    await writeFile(file, new Uint8Array(await parquet.arrayBuffer()));
    const db = await openDuckDB();
    const fromParquet = await queryRows(db, `SELECT * FROM read_parquet(${quoteString(file)})`);
    const schema = await loadEvents(db, "expected", orders);
    const expected = await queryRows(db, "SELECT * FROM expected");
    db.close();
    await rm(dir, { recursive: true, force: true });
    expect(fromParquet.schema).toEqual(schema);
    expect(fromParquet.rows).toEqual(expected.rows);

    const arrow = await gw.app.request(`/s/${id}/sources/inbox`);
    expect(arrow.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
    expect(tableFromIPC(new Uint8Array(await arrow.arrayBuffer())).numRows).toBe(3);
  });

  test("a share is immutable: later events do not change it, and the same snapshot gets the same id", async () => {
    const id = await shareId();
    expect(await shareId()).toBe(id);
    await gw.app.request("/hooks/orders/inbox", { method: "POST", body: '{"id":4,"amount":1}', headers: gw.auth });
    const meta = await (await gw.app.request(`/s/${id}/notebook`)).json();
    expect(meta.samples).toEqual([{ name: "inbox", rows: 3, errors: 0 }]);
    expect(await shareId()).not.toBe(id);
  });

  test("the rows the browser holds can be shared as they are (Arrow IPC, base64)", async () => {
    const sample = await gw.app.request("/api/sources/orders/inbox/sample?n=2", { headers: gw.auth });
    const bytes = new Uint8Array(await sample.arrayBuffer());
    const res = await share({ path: "orders.md", text: notebook, samples: { inbox: Buffer.from(bytes).toString("base64") } });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const served = await gw.app.request(`/s/${id}/sources/inbox.arrow`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
    expect((await (await gw.app.request(`/s/${id}/notebook`)).json()).samples).toEqual([{ name: "inbox", rows: 2, errors: 0 }]);

    const parquet = await gw.app.request(`/s/${id}/sources/inbox.parquet`);
    expect(parquet.status).toBe(200);
    const dir = await mkdtemp(join(tmpdir(), "runnel-share-test-"));
    await writeFile(join(dir, "inbox.parquet"), new Uint8Array(await parquet.arrayBuffer()));
    const db = await openDuckDB();
    const fromParquet = await queryRows(db, `SELECT * FROM read_parquet(${quoteString(join(dir, "inbox.parquet"))})`);
    await loadEvents(db, "expected", orders.slice(-2));
    const expected = await queryRows(db, "SELECT * FROM expected");
    db.close();
    await rm(dir, { recursive: true, force: true });
    expect(fromParquet).toEqual(expected);
  });

  test("the results the gateway's DuckDB gave the sharer's page are kept with the share, so the reader sees the same rows", async () => {
    const ran = await gw.app.request("/api/cells/orders", { method: "POST", body: JSON.stringify({ cell: "big" }), headers: { "content-type": "application/json", ...gw.auth } });
    expect(ran.status).toBe(200);
    const ipc = new Uint8Array(await ran.arrayBuffer());
    const ranAt = ran.headers.get("runnel-cell-ran-at")!;
    const cells = [{ cell: "big", ipc: Buffer.from(ipc).toString("base64"), rows: Number(ran.headers.get("runnel-cell-rows")), ranAt, samples: JSON.parse(ran.headers.get("runnel-cell-samples")!) }];
    const res = await share({ path: "orders.md", cells });
    expect(res.status).toBe(201);
    const { id } = await res.json();

    expect((await (await gw.app.request(`/s/${id}/notebook`)).json()).cells).toEqual([{ cell: "big", index: 0, rows: 2, ranAt, samples: { inbox: 3 } }]);
    const rows = await gw.app.request(`/s/${id}/cells/0`);
    expect(rows.status).toBe(200);
    expect(rows.headers.get("content-security-policy")).toBe(shareCsp);
    expect(rows.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
    const table = tableFromIPC(new Uint8Array(await rows.arrayBuffer()));
    expect(table.toArray().map((r) => Number(r.toJSON().id))).toEqual([1, 3]);
    expect((await gw.app.request(`/s/${id}/cells/1`)).status).toBe(404);
    // A share without cell results (an older one, or `POST /api/share` from a script) lists none.
    expect((await (await gw.app.request(`/s/${await shareId()}/notebook`)).json()).cells).toEqual([]);
  });

  test("a kept cell result that names no SQL cell of the text, or is not Arrow, is refused with the entry named", async () => {
    const arrow = Buffer.from(new Uint8Array(await (await gw.app.request("/api/sources/orders/inbox/sample?n=1", { headers: gw.auth })).arrayBuffer())).toString("base64");
    const entry = { cell: "big", ipc: arrow, rows: 1, ranAt: "2026-12-06T07:00:00.000Z", samples: { inbox: 3 } };
    for (const [cells, message] of [
      [[{ ...entry, cell: "small" }], 'share: cells[0].cell: the shared text has no SQL cell "small"'],
      [[{ ...entry, ipc: Buffer.from("not arrow").toString("base64") }], /^share: cells\[0\]\.ipc is not an Arrow IPC stream/],
      [[entry, entry], "share: cells[1].cell: cell big is given twice"],
      [[{ ...entry, ranAt: "yesterday" }], "share: cells[0].ranAt must be an ISO 8601 time"],
      [{ big: entry }, 'share: "cells" must be a list of { cell, ipc, rows, ranAt, samples }'],
    ] as const) {
      const res = await share({ path: "orders.md", cells });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(message);
    }
  });

  test("a sample that is not Arrow is 400", async () => {
    const res = await share({ path: "orders.md", samples: { inbox: Buffer.from("not arrow").toString("base64") } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/^share: samples\.inbox is not an Arrow IPC stream/);
  });

  test("a share of sent text still needs a notebook path that stays in the root (400, not a 500 or a folder outside)", async () => {
    for (const [path, why] of [[`${"a".repeat(300)}.md`, "has a segment longer than 255 bytes"], ["../../escape.md", "has an empty, '.' or '..' segment"], ["/etc/x.md", "is absolute; paths are relative to the notebooks root"]]) {
      const res = await share({ path, text: notebook });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toBe(`notebooks: path ${JSON.stringify(path)} ${why}`);
    }
  });

  test("creating a share needs the token; a body over the limit is 413", async () => {
    const res = await share({ path: "orders.md" }, {});
    expect(res.status).toBe(401);
    const small = await openTestGateway({ "orders.md": notebook }, { demo: false, limits: { shareBytes: 100 } });
    const big = await small.app.request("/api/share", { method: "POST", body: JSON.stringify({ path: "orders.md", text: "x".repeat(200) }), headers: small.auth });
    expect(big.status).toBe(413);
    await small.close();
  });

  test("unknown or malformed share ids and files are 404", async () => {
    const id = await shareId();
    const missing = await gw.app.request(`/s/${"0".repeat(64)}`);
    expect(missing.status).toBe(404);
    // A share is kept for a year by caches; an answer that is no share must not be (the id may be made later).
    expect(missing.headers.get("cache-control")).toBe("no-store");
    // The snapshot's data is kept for good; its page (the app's index.html, which a new build changes) is asked for again.
    expect((await gw.app.request(`/s/${id}/notebook`)).headers.get("cache-control")).toContain("immutable");
    expect((await gw.app.request(`/s/${id}`)).headers.get("cache-control")).toBe("no-cache");
    expect((await gw.app.request("/s/not-an-id/notebook")).status).toBe(404);
    expect((await gw.app.request(`/s/${id}/sources/nope.parquet`)).status).toBe(404);
    expect((await gw.app.request(`/s/${id}/sources/manifest.json`)).status).toBe(404);
    expect((await gw.app.request(`/s/${id}/sources/..%2F..%2Ftoken`)).status).toBe(404);
  });
});
