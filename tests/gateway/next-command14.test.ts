/**
 * Publish's "next" commands: the backfill line named the notebook's first source, which `runnel run`
 * refuses ("--input names source events, which the plan does not read") when the sink cells read another.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openTestGateway } from "../../gateway/test-gateway.ts";

const notebook = `---
title: Two sources
sources:
  events:
    demo: { generator: shop, rate: 20, seed: 1 }
    sample_size: 20
  orders:
    demo: { generator: shop, rate: 20, seed: 2 }
    sample_size: 20
sinks:
  lake:
    fs: { dir: data, prefix: x/ }
---

\`\`\`sql id=rows sink=lake
SELECT count(*) AS n FROM orders GROUP BY ALL
\`\`\`
`;

test("the published answer's backfill command names the sources the plan reads", async () => {
  const pipelinesDir = await mkdtemp(join(tmpdir(), "runnel-next14-"));
  const gw = await openTestGateway({ "two.md": notebook }, { pipelinesDir });
  try {
    const text = await (await gw.app.request("/api/pipelines/publish/two.md", { method: "POST", headers: gw.auth })).text();
    const published = text.split("\n").find((l) => l.includes('"kind":"published"'))!;
    const { next } = JSON.parse(published.replace(/^data: /, "")) as { next: string[] };
    const backfill = next.find((l) => l.includes("--input"))!;
    expect(backfill).toContain("--input orders=<files>");
    expect(backfill).not.toContain("--input events=");
  } finally {
    await gw.close();
    await rm(pipelinesDir, { recursive: true, force: true });
  }
}, 120_000);
