/**
 * `POST /api/cells/<notebook>`: a SQL cell the browser's DuckDB-WASM cannot run (no json, no icu)
 * runs on the gateway's native DuckDB over the webhook deliveries the gateway holds, and answers
 * what DuckDB itself answers over those events; what it cannot run is refused with a 4xx that
 * says why.
 */
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadEvents, openDuckDB, queryRows, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { arrowToRows } from "../../gateway/sample/arrow-rows.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const ACTIONS = "SELECT id, body->>'$.action' AS action, json_extract_string(body, '$.repo.name') AS repo, body->'$.repo' AS repo_json\nFROM hooks ORDER BY id";
const BERLIN = "SELECT id, ts AT TIME ZONE 'Europe/Berlin' AS berlin, hour(ts::TIMESTAMPTZ AT TIME ZONE 'America/New_York') AS ny_hour,\n  time_bucket(INTERVAL 1 day, ts::TIMESTAMPTZ, 'Europe/Berlin') AS berlin_day\nFROM hooks ORDER BY id";
const PER_ACTION = "SELECT action, count(*) AS n FROM actions GROUP BY action ORDER BY action";

const notebook = `---
title: Deliveries
sources:
  hooks:
    webhook: { signature: none }
---

\`\`\`sql id=actions
${ACTIONS}
\`\`\`

\`\`\`sql id=berlin
${BERLIN}
\`\`\`

\`\`\`sql id=per_action
${PER_ACTION}
\`\`\`

\`\`\`js id=threshold
2
\`\`\`

\`\`\`sql id=over_js
SELECT * FROM actions JOIN threshold ON true
\`\`\`

\`\`\`sql id=slow
SELECT sum(a.range * b.range) AS s FROM range(1000000000) a, range(100000) b
\`\`\`

\`\`\`sql id=broken
SELECT id,
  body->>'$.action' + nope AS x
FROM hooks
\`\`\`
`;

const EVENTS = [
  { id: 1, ts: "2026-03-29 00:30:00", body: JSON.stringify({ action: "opened", repo: { name: "runnel", stars: 3 } }) },
  { id: 2, ts: "2026-03-29 01:30:00", body: JSON.stringify({ action: "closed", repo: { name: "duckdb" } }) },
  { id: 3, ts: "2026-10-25 00:59:59", body: JSON.stringify({ action: "opened", repo: { name: "ünïcode" } }) },
  { id: 4, ts: "2026-12-31 23:00:00", body: "{}" },
];

let gw: TestGateway;
let oracle: DuckDB;
beforeAll(async () => {
  gw = await openTestGateway({ "deliveries.md": notebook }, { demo: false, limits: { cellRows: 3, cellMs: 3000 } });
  for (const event of EVENTS) {
    const res = await gw.app.request("/hooks/deliveries/hooks", { method: "POST", body: JSON.stringify(event), headers: gw.auth });
    expect(res.status).toBe(202);
  }
  oracle = await openDuckDB({ threads: 1 });
  await loadEvents(oracle, "hooks", EVENTS);
  await oracle.run(`CREATE VIEW actions AS ${ACTIONS}`);
});
afterAll(async () => {
  oracle?.close();
  await gw?.close();
});

const run = (body: unknown, path = "deliveries", headers: Record<string, string> = gw.auth) =>
  gw.app.request(`/api/cells/${path}`, { method: "POST", body: JSON.stringify(body), headers: { ...headers, "content-type": "application/json" } });

async function rowsOf(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
  return arrowToRows(tableFromIPC(new Uint8Array(await res.arrayBuffer())));
}

describe("running a cell on the gateway's DuckDB", () => {
  test("a ->> / json_extract_string cell answers DuckDB's own rows over the deliveries, with the time and size of the sample", async () => {
    const res = await run({ cell: "actions" });
    const got = await rowsOf(res);
    const expected = await queryRows(oracle, ACTIONS);
    // At most cellRows (3) come back; the header counts them all.
    expect(res.headers.get("runnel-cell-rows")).toBe("4");
    expect(JSON.parse(res.headers.get("runnel-cell-samples")!)).toEqual({ hooks: 4 });
    expect(Number.isNaN(Date.parse(res.headers.get("runnel-cell-ran-at")!))).toBe(false);
    expect(got.schema).toEqual(expected.schema);
    expect(got.schema.map((c) => c.type)).toEqual(["BIGINT", "VARCHAR", "VARCHAR", "JSON"]);
    expect(got.rows).toEqual(expected.rows.slice(0, 3));
    expect(got.rows.map((r) => r.action)).toEqual(["opened", "closed", "opened"]);
    expect(got.rows[2]!.repo).toBe("ünïcode");
  });

  test("an AT TIME ZONE / time_bucket cell answers DuckDB's rows, with TimeZone UTC as the pipeline", async () => {
    const res = await run({ cell: "berlin" });
    const got = await rowsOf(res);
    const expected = await queryRows(oracle, BERLIN);
    expect(got.schema).toEqual(expected.schema);
    expect(got.rows).toEqual(expected.rows.slice(0, 3));
    // 01:30 in Berlin on the day its clocks go forward is 00:30 UTC (still CET), and Berlin's day began at 23:00 UTC.
    expect(got.rows[1]!.berlin).toBe(BigInt(Date.UTC(2026, 2, 29, 0, 30)) * 1000n);
    expect(got.rows[0]!.berlin_day).toBe(BigInt(Date.UTC(2026, 2, 28, 23, 0)) * 1000n);
    expect(got.rows.map((r) => r.ny_hour)).toEqual([20n, 21n, 20n]);
  });

  test("a SQL cell reading another cell gets it as a view, and the text the browser sends is what runs", async () => {
    const got = await rowsOf(await run({ cell: "per_action" }));
    expect(got.rows).toEqual((await queryRows(oracle, PER_ACTION)).rows);
    const edited = notebook.replace(PER_ACTION, "SELECT count(*) AS opened FROM actions WHERE action = 'opened'");
    const again = await rowsOf(await run({ cell: "per_action", text: edited }));
    expect(again.rows).toEqual([{ opened: 2n }]);
  });

  test("an unknown cell, a JavaScript cell and a cell reading one are refused with a 4xx naming the problem", async () => {
    const unknown = await run({ cell: "nope" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe(
      'cells: deliveries.md has no cell "nope"; its SQL cells are actions, berlin, per_action, over_js, slow, broken',
    );
    const js = await run({ cell: "threshold" });
    expect(js.status).toBe(400);
    expect(((await js.json()) as { error: { message: string } }).error.message).toBe("cells: cell threshold is JavaScript; the gateway's DuckDB runs SQL cells only");
    const overJs = await run({ cell: "over_js" });
    expect(overJs.status).toBe(400);
    expect(((await overJs.json()) as { error: { message: string } }).error.message).toBe(
      "cells: cell over_js reads threshold, a JavaScript cell, whose value exists only in the browser; the gateway's DuckDB runs SQL cells only, so it cannot run over_js",
    );
  });

  test("a SQL error is DuckDB's text at the cell's line and column, also when it is in a cell the run reads", async () => {
    const res = await run({ cell: "broken" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string }; cell: string; line: number; column: number };
    expect(body.error.code).toBe("sql_error");
    expect(body.error.message).toMatch(/^Binder Error: Referenced column "nope" not found in FROM clause!/);
    expect([body.cell, body.line, body.column]).toEqual(["broken", 2, 23]);

    const upstream = await run({ cell: "per_action", text: notebook.replace("json_extract_string(body, '$.repo.name')", "json_extract_string(body, '$.repo.name', nope)") });
    expect(upstream.status).toBe(422);
    const up = (await upstream.json()) as { error: { message: string }; cell: string; line: number };
    expect(up.error.message).toMatch(/^in cell actions, which per_action reads: Binder Error: Referenced column "nope" not found/);
    expect([up.cell, up.line]).toEqual(["actions", 1]);
  });

  test("the route needs the token, keeps to the notebooks folder, and reads no files for a cell", async () => {
    expect((await run({ cell: "actions" }, "deliveries", {})).status).toBe(401);
    const outside = await run({ cell: "actions" }, "..%2Fsecret");
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: { message: string } }).error.message).toMatch(/^notebooks: path "\.\.\/secret\.md" has an empty, '\.' or '\.\.' segment/);
    expect((await run({ cell: "actions" }, "missing")).status).toBe(404);
    const files = await run({ cell: "actions", text: notebook.replace("FROM hooks ORDER BY id", "FROM read_text('/etc/hostname'), hooks ORDER BY id") });
    expect(files.status).toBe(422);
    expect(((await files.json()) as { error: { message: string } }).error.message).toMatch(/Permission Error: .*disabled/);
  });

  test("a cell that runs too long is stopped and says so", async () => {
    const res = await run({ cell: "slow" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { message: string }; cell: string };
    expect([body.error.message, body.cell]).toEqual(["cells: cell slow ran longer than 3 s on the gateway's DuckDB and was stopped", "slow"]);
    // The gateway answers the next run as before.
    expect((await run({ cell: "per_action" })).status).toBe(200);
  });
});
