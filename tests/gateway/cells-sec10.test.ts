import { afterEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

test("a cell reading a source named constructor that the page added but did not save yet is told to save (it was a 502 'cannot sample Object')", async () => {
  const saved = "---\ntitle: t\nsources:\n  shop:\n    demo: { generator: shop, rate: 20, seed: 3 }\n    sample_size: 10\n---\n```sql id=a\nSELECT 1\n```\n";
  const shown = "---\ntitle: t\nsources:\n  constructor:\n    demo: { generator: shop, rate: 20, seed: 3 }\n    sample_size: 10\n---\n```sql id=a\nSELECT count(*) AS n FROM constructor\n```\n";
  gw = await openTestGateway({ "x.md": saved });
  const res = await gw.app.request("/api/cells/x.md", { method: "POST", headers: { ...gw.auth, "content-type": "application/json" }, body: JSON.stringify({ cell: "a", text: shown }) });
  expect(await res.json()).toEqual({ error: { code: "conflict", message: "cells: source constructor is not in the saved notebook yet; save it, then run the cell again" } });
  expect(res.status).toBe(409);
});
