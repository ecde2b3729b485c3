/**
 * `POST /api/cells/<notebook>` runs a notebook's SQL on the gateway's own DuckDB: whatever the text
 * the browser sends, a cell reads no file, writes none, attaches no database, loads no extension
 * and cannot switch that off again; each attempt is a 422 in DuckDB's words, and the gateway
 * answers the next run as before.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const notebook = (cell: string) => `---
title: Confined
sources:
  hooks:
    webhook: { signature: none }
---

\`\`\`sql id=ok
SELECT count(*) AS n FROM hooks
\`\`\`

\`\`\`sql id=probe
${cell}
\`\`\`
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await openTestGateway({ "confined.md": notebook("SELECT 1") }, { demo: false });
  const res = await gw.app.request("/hooks/confined/hooks", { method: "POST", body: JSON.stringify({ id: 1 }), headers: gw.auth });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  await gw?.close();
});

const run = (cell: string) =>
  gw.app.request("/api/cells/confined", { method: "POST", body: JSON.stringify({ cell: "probe", text: notebook(cell) }), headers: { ...gw.auth, "content-type": "application/json" } });

const probes: [string, RegExp][] = [
  ["SELECT * FROM read_text('/etc/passwd')", /^Permission Error: Cannot access file "\/etc\/passwd" - file system operations are disabled by configuration/],
  ["SELECT * FROM glob('/etc/*')", /^Permission Error: .*disabled by configuration/],
  ["SELECT * FROM read_csv('/etc/passwd')", /^Permission Error: .*disabled by configuration/],
  ["SELECT * FROM 'http://127.0.0.1:19000/x.json'", /^Permission Error: .*disabled by configuration/],
  ["SELECT * FROM query('SELECT * FROM read_text(''/etc/hostname'')')", /^Permission Error: .*disabled by configuration/],
  ["SELECT * FROM query('SET enable_external_access = true')", /^Parser Error: Expected a single SELECT statement/],
  ["COPY (SELECT 1) TO '/tmp/runnel-cell-copy.csv'", /^Parser Error: syntax error at or near "COPY"/],
  ["ATTACH '/tmp/runnel-cell.db' AS x", /^Parser Error: syntax error at or near "ATTACH"/],
  ["INSTALL httpfs", /^Parser Error: syntax error at or near "INSTALL"/],
  ["SET enable_external_access = true", /^Parser Error: syntax error at or near "SET"/],
  // A PRAGMA is looked up as the statement is split (before any view), so it is named there.
  ["PRAGMA enable_external_access", /^Catalog Error: Pragma Function with name enable_external_access does not exist!/],
  ["PRAGMA import_database('/etc')", /^Permission Error: .*disabled by configuration/],
];

test.each(probes)("%s is refused in DuckDB's words", async (cell, message) => {
  const res = await run(cell);
  expect(res.status).toBe(422);
  const body = (await res.json()) as { error: { code: string; message: string }; cell: string };
  expect(body.error.code).toBe("sql_error");
  expect(body.error.message).toMatch(message);
  expect(body.cell).toBe("probe");
});

test("two statements in a cell are refused before either runs", async () => {
  const res = await run("SELECT 1; SET lock_configuration = false");
  expect(res.status).toBe(422);
  expect(((await res.json()) as { error: { message: string } }).error.message).toBe("cells: cell probe holds 2 statements; a SQL cell is one query");
});

test("after every refusal the gateway runs a cell as before", async () => {
  const res = await gw.app.request("/api/cells/confined", { method: "POST", body: JSON.stringify({ cell: "ok" }), headers: { ...gw.auth, "content-type": "application/json" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("runnel-cell-rows")).toBe("1");
});

test("a cell runs under a 1 GB memory limit (a runaway cell gets DuckDB's out-of-memory error, not the gateway's memory)", async () => {
  const res = await run("SELECT current_setting('memory_limit') AS m");
  expect(res.status).toBe(200);
  const { tableFromIPC } = await import("apache-arrow");
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  expect(String(table.getChild("m")!.get(0))).toMatch(/^9\d\d\.\d MiB$/);
});
