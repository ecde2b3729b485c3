import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "./inputs.node.ts";
import { compilePlan } from "./compile.ts";

let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

const notebook = (cellId: string, code: string) => `---
title: Orders
sources:
  orders:
    kafka: { topic: shop.orders, brokers: ["127.0.0.1:9092"] }
    format: json
sinks:
  out:
    fs: { dir: out }
---

\`\`\`sql id=${cellId} sink=out
${code}
\`\`\`
`;

describe("cell names", () => {
  test("a cell named like the source it reads is refused with that reason and a name to use, not as a cycle", async () => {
    const { notebook: nb } = parseNotebook(notebook("Orders", "SELECT id, total_price FROM orders"), "shop.md");
    await loadEvents(db, "orders", [{ id: 1, total_price: "19.99" }]);
    await expect(gatherCompileInputs(db, nb).then(compilePlan)).rejects.toThrow(
      "plan: cell Orders has the name of source orders, so its FROM orders reads the cell itself in cell Orders (shop.md line 13): give the cell another name (orders_rows)",
    );
  });

  test("(guard) the same cell under another name compiles", async () => {
    const { notebook: nb } = parseNotebook(notebook("order_rows", "SELECT id, total_price FROM orders"), "shop.md");
    await loadEvents(db, "orders", [{ id: 1, total_price: "19.99" }]);
    const plan = compilePlan(await gatherCompileInputs(db, nb));
    expect(plan.pipelines.map((p) => p.sink)).toEqual(["out"]);
  });
});
