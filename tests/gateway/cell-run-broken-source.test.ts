/**
 * `POST /api/cells/<notebook>` for a cell reading a source whose front matter entry has a problem
 * (a mistyped `metadata:`): refused by name with a 409 that says so, not with DuckDB's "Table with
 * name … does not exist".
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const notebook = `---
title: Mistyped
sources:
  hooks:
    webhook: { signature: none, metadata: [recieved_at] }
---

\`\`\`sql id=actions
SELECT body->>'$.action' AS action FROM hooks
\`\`\`
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await openTestGateway({ "mistyped.md": notebook }, { demo: false });
});
afterAll(async () => {
  await gw?.close();
});

test("a cell reading a source whose entry has a problem is refused naming the source and the entry", async () => {
  const res = await gw.app.request("/api/cells/mistyped", { method: "POST", body: JSON.stringify({ cell: "actions" }), headers: { ...gw.auth, "content-type": "application/json" } });
  expect(res.status).toBe(409);
  expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
    "cells: source hooks is declared under sources:, but its entry in the front matter has a problem, so the gateway has no sample of it; fix the entry, then run the cell again",
  );
});
