/**
 * Two notebooks of one file name in different folders (`team/orders.md`, `shop/orders.md`) publish under
 * one bundle name. The second publish replaced the first's bundle without a word, and "Run locally" of
 * `team/orders.md` answered 201 and ran `shop/orders.md`'s plan into the same lake folder.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openTestGateway } from "../../gateway/test-gateway.ts";

const notebook = (title: string, seed: number, which: string) => `---
title: ${title}
sources:
  shop:
    demo: { generator: shop, rate: 20, seed: ${seed} }
    sample_size: 20
sinks:
  lake:
    fs: { dir: data, prefix: x/ }
---

\`\`\`sql id=rows sink=lake
SELECT '${which}' AS which, count(*) AS n FROM shop GROUP BY ALL
\`\`\`
`;

test("a notebook whose file name another folder's notebook already published under is refused, and its run does not start the other's pipeline", async () => {
  const pipelinesDir = await mkdtemp(join(tmpdir(), "runnel-same-name14-"));
  const gw = await openTestGateway({ "team/orders.md": notebook("Team", 1, "team"), "shop/orders.md": notebook("Shop", 2, "shop") }, { pipelinesDir });
  try {
    const publish = async (path: string) => (await gw.app.request(`/api/pipelines/publish/${path}`, { method: "POST", headers: gw.auth })).text();
    expect(await publish("team/orders")).toContain('"kind":"published"');
    const second = await publish("shop/orders");
    expect(second).toContain("event: failure");
    expect(second).toMatch(/publish: \S*orders holds the publish of team\/orders\.md, and shop\/orders\.md publishes under the same name \(orders\); nothing was published: rename one of the two notebooks/);
    // The first's publish is still there, and runs; the second, never published, is refused by name.
    const other = await gw.app.request("/api/pipelines/run/shop/orders", { method: "POST", headers: gw.auth });
    expect(other.status).toBe(409);
    expect((await other.json()).error.message).toMatch(/^pipelines: \S*orders holds the publish of team\/orders\.md, not of shop\/orders\.md \(both publish as orders\); rename one of the two notebooks and publish it$/);
    const own = await gw.app.request("/api/pipelines/run/team/orders", { method: "POST", headers: gw.auth });
    expect(own.status).toBe(201);
    await gw.app.request("/api/pipelines/run/team/orders", { method: "DELETE", headers: gw.auth });
    // Publishing the same notebook again replaces its own bundle.
    expect(await publish("team/orders")).toContain('"kind":"published"');
  } finally {
    await gw.close();
    await rm(pipelinesDir, { recursive: true, force: true });
  }
}, 120_000);
