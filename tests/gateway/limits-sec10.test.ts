import { afterEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const head = "---\ntitle: chain\nsources:\n  shop:\n    demo: { generator: shop, rate: 20, seed: 3 }\n    sample_size: 10\n---\n";

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

test("a notebook of 8,000 chained cells (well under the 1 MiB body) gets a 4xx with a reason from POST /api/cells, not a 500 stack overflow", async () => {
  gw = await openTestGateway({ "chain.md": `${head}\`\`\`sql id=a\nSELECT 1\n\`\`\`\n` }, { limits: { cellMs: 2000 } });
  const n = 8000;
  let cells = "";
  for (let i = 0; i < n; i++) cells += `\`\`\`sql id=c${i}\nSELECT * FROM ${i === 0 ? "shop" : `c${i - 1}`}\n\`\`\`\n`;
  const body = JSON.stringify({ cell: `c${n - 1}`, text: head + cells });
  expect(body.length).toBeLessThan(1024 * 1024);
  const res = await gw.app.request("/api/cells/chain.md", { method: "POST", headers: { ...gw.auth, "content-type": "application/json" }, body });
  const answer = await res.json();
  expect(answer.error.message).not.toContain("Maximum call stack size exceeded");
  expect(res.status).toBe(422);
  expect(answer).toMatchObject({ error: { code: "sql_error", message: `cells: cell c${n - 1} ran longer than 2 s on the gateway's DuckDB and was stopped` }, cell: `c${n - 1}` });
});

test("cells that read each other in a cycle, or a JavaScript cell, are still refused by name", async () => {
  gw = await openTestGateway({ "cycle.md": `${head}\`\`\`sql id=a\nSELECT * FROM b\n\`\`\`\n\n\`\`\`sql id=b\nSELECT * FROM a\n\`\`\`\n\n\`\`\`js id=j\nj = [1]\n\`\`\`\n\n\`\`\`sql id=x\nSELECT * FROM j\n\`\`\`\n\n\`\`\`sql id=y\nSELECT * FROM x\n\`\`\`\n` });
  const run = async (cell: string) => {
    const res = await gw!.app.request("/api/cells/cycle.md", { method: "POST", headers: { ...gw!.auth, "content-type": "application/json" }, body: JSON.stringify({ cell }) });
    return { status: res.status, message: (await res.json()).error.message as string };
  };
  expect(await run("a")).toEqual({ status: 400, message: "cells: cells read each other in a cycle (a → b → a)" });
  expect(await run("y")).toEqual({
    status: 400,
    message: "cells: cell y reads j (through x), a JavaScript cell, whose value exists only in the browser; the gateway's DuckDB runs SQL cells only, so it cannot run y",
  });
});
