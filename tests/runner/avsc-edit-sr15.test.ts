/**
 * An edited `.avsc` reopens the notebook page's Kafka source (needs the gateway/sources/registry.ts
 * diff in .tmp-hunt/s15/sr15/REPORT.md): the gateway's sources are kept open per notebook and source,
 * and reopened when the notebook's spec changes; the schema file is not in the notebook, so an edit
 * of it alone kept the source decoding with the old schema until the gateway restarted.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { SourceRegistry } from "../../gateway/sources/registry.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { fill } from "./avro-registry-sr15-topic.ts";
import { uniqueName } from "./harness.ts";

const notebook = (topic: string) => `---
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: avro
    avro: { schema: schemas/orders.avsc, framing: none }
sinks:
  lake:
    fs: { dir: out }
---
`;

test("sr15: the notebook page's sample of an Avro topic follows an edit of its .avsc file, the notebook unchanged", { timeout: 120_000 }, async () => {
  const before = { type: "record", name: "Order", fields: [{ name: "id", type: "long" }, { name: "name", type: "string" }] };
  // The same bytes read with the field renamed, as a user corrects a schema file.
  const after = { type: "record", name: "Order", fields: [{ name: "id", type: "long" }, { name: "title", type: "string" }] };
  const topic = uniqueName("sr15-avsc");
  const remove = await fill(topic, [avroType(before).toBuffer({ id: 1, name: "Zürich" })]);
  const root = await mkdtemp(join(tmpdir(), "runnel-sr15-avsc-"));
  await mkdir(join(root, "shop", "schemas"), { recursive: true });
  await writeFile(join(root, "shop", "schemas", "orders.avsc"), JSON.stringify(before));
  const spec = parseNotebook(notebook(topic), "shop/orders.md").notebook.sources.orders!;
  const registry = new SourceRegistry({ stateDir: join(root, ".runnel"), demo: false, log: silentLogger, root });
  try {
    const sample = async () => (await (await registry.get("shop/orders.md", spec)).sample(10)).map((e) => (e.ok ? e.value : e.error));
    expect(await sample()).toEqual([{ id: 1, name: "Zürich" }]);
    await writeFile(join(root, "shop", "schemas", "orders.avsc"), JSON.stringify(after));
    expect(await sample()).toEqual([{ id: 1, title: "Zürich" }]);
    // A schema file broken by the edit is the error the page shows, not the old schema's events.
    await writeFile(join(root, "shop", "schemas", "orders.avsc"), "{");
    await expect(sample()).rejects.toThrow("orders.avsc is not an Avro schema: it is not JSON");
  } finally {
    await registry.close();
    await remove();
  }
});
