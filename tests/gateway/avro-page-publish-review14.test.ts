/**
 * review14: Publish from the notebook page (the gateway's /api/pipelines/publish route) of a notebook
 * reading an Avro topic. The page's sample and Run locally find the schema file beside the notebook
 * (the source registry loads it), but the route handed publish the notebook as parsed, without the
 * schema: the bundle said `avro: { schema }` with no `definition`, and the bundle's runner (the
 * deployed pipeline) stopped at once ("its schema ... was not loaded"), where `runnel publish` of the
 * same notebook bundles the schema and runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { EVENTS, notebookText, SCHEMA } from "../runner/avro14-orders.ts";
import { withTopic } from "../runner/framed-topic.ts";
import { startBundledRunner } from "../runner/harness.ts";

let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

test("review14: a bundle published from the page runs an Avro topic, as one published with runnel publish does", { timeout: 240_000 }, async () => {
  const type = avroType(SCHEMA);
  await withTopic(EVENTS.map((e) => type.toBuffer(e.avro)), async (topic) => {
    const pipelinesDir = await mkdtemp(join(tmpdir(), "runnel-review14-avro-pipelines-"));
    gw = await openTestGateway({ "shop/orders.md": notebookText(topic) }, { demo: false, pipelinesDir });
    await mkdir(join(gw.root, "shop", "schemas"), { recursive: true });
    await writeFile(join(gw.root, "shop", "schemas", "orders.avsc"), JSON.stringify(SCHEMA));
    const stream = await (await gw.app.request("/api/pipelines/publish/shop/orders.md", { method: "POST", headers: gw.auth })).text();
    const result = stream.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6))).find((d) => d.kind !== undefined);
    expect(result, stream).toMatchObject({ kind: "published" });

    const out = await mkdtemp(join(tmpdir(), "runnel-review14-avro-out-"));
    const run = startBundledRunner(result.dir, ["--until-caught-up", "--group", topic, "--sink", `lake=fs:${out}`]);
    expect(await run.exited, run.output()).toBe(0);
    const db = await openDuckDB({ threads: 1 });
    try {
      expect((await db.read(`SELECT count(*)::INTEGER FROM read_parquet('${out}/**/*.parquet')`)).getRows()).toEqual([[4]]);
    } finally {
      db.close();
      await rm(pipelinesDir, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  });
});
