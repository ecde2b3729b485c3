/**
 * An edited `format: avro` source is written back as the file says it (needs the front-matter-write.ts
 * diff in .tmp-hunt/s14/avro14/REPORT.md): before, its sample_size edited in the page wrote the source
 * back as `format: json` without its schema, and the topic's Avro values became dead letters.
 */
import { expect, test } from "vitest";
import { parseNotebook } from "./parse.ts";
import { serializeNotebook } from "./serialize.ts";

test("avro14: an edited Avro source keeps format: avro, its schema file and its schema id", () => {
  const text = `---
sources:
  orders:
    kafka: { topic: orders, brokers: ["b:9092"] }
    format: avro
    avro: { schema: schemas/orders.avsc, schema_id: 7 }
sinks:
  lake:
    fs: { dir: out }
---
`;
  const { notebook } = parseNotebook(text, "orders.md");
  notebook.sources.orders = { ...notebook.sources.orders!, sampleSize: 50 };
  const written = serializeNotebook(notebook);
  expect(written).toContain("format: avro");
  const again = parseNotebook(written, "orders.md");
  expect(again.issues).toEqual([]);
  expect(again.notebook.sources.orders).toEqual({ kind: "kafka", name: "orders", topic: "orders", brokers: ["b:9092"], format: "json", avro: { schema: "schemas/orders.avsc", schemaId: 7 }, sampleSize: 50, demo: null });
});
