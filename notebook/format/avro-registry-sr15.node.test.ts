/**
 * `avro: { registry }` in the front matter: a Kafka source whose Avro values are read with the schema
 * each value's header names in a Schema Registry. The registry is a URL without credentials, or the
 * name of the environment variable holding one with them; it goes into the model and is written back,
 * and every combination that cannot mean anything is an issue at its line and column.
 */
import { describe, expect, test } from "vitest";
import { parseNotebook } from "./parse.ts";
import { serializeNotebook } from "./serialize.ts";

const notebook = (avro: string) => `---
title: Orders
sources:
  orders:
    kafka: { topic: orders, brokers: ["127.0.0.1:9092"] }
    format: avro
    avro: ${avro}
sinks:
  lake:
    fs: { dir: out }
---

\`\`\`sql id=clean sink=lake
SELECT * FROM orders
\`\`\`
`;

const issuesOf = (avro: string) => parseNotebook(notebook(avro), "orders.md").issues.map((i) => `${i.line}:${i.column}: ${i.message}`);

describe("sr15: avro.registry in the front matter", () => {
  test("a registry URL parses into the model without a schema file, and an unedited notebook serializes byte for byte", () => {
    const text = notebook("{ registry: http://127.0.0.1:8081/apis/ccompat/v7 }");
    const { notebook: parsed, issues } = parseNotebook(text, "orders.md");
    expect(issues).toEqual([]);
    expect(parsed.sources.orders).toEqual({ kind: "kafka", name: "orders", topic: "orders", brokers: ["127.0.0.1:9092"], format: "json", avro: { registry: "http://127.0.0.1:8081/apis/ccompat/v7" }, sampleSize: 1000, demo: null });
    expect(serializeNotebook(parsed)).toBe(text);
  });

  test("an edited registry source is written back with its registry, named by an environment variable", () => {
    const { notebook: parsed, issues } = parseNotebook(notebook("{ registry: SCHEMA_REGISTRY_URL, framing: confluent }"), "orders.md");
    expect(issues).toEqual([]);
    parsed.sources.orders = { ...parsed.sources.orders!, sampleSize: 50 };
    const again = parseNotebook(serializeNotebook(parsed), "orders.md");
    expect(again.issues).toEqual([]);
    expect(again.notebook.sources.orders).toMatchObject({ format: "json", sampleSize: 50, avro: { registry: "SCHEMA_REGISTRY_URL", framing: "confluent" } });
  });

  test("avro16: a registry and a schema file together: each value read with its writer's schema, resolved into the file's (the reader schema)", () => {
    const text = notebook("{ registry: SCHEMA_REGISTRY_URL, schema: schemas/orders.avsc }");
    const { notebook: parsed, issues } = parseNotebook(text, "orders.md");
    expect(issues).toEqual([]);
    expect(parsed.sources.orders).toMatchObject({ format: "json", avro: { registry: "SCHEMA_REGISTRY_URL", schema: "schemas/orders.avsc" } });
    expect(serializeNotebook(parsed)).toBe(text);
  });

  test("a registry URL carrying credentials is refused at its place: secrets are never in the file", () => {
    expect(issuesOf("{ registry: \"https://key:secret@psrc.example.com\" }")).toEqual([
      "7:23: sources.orders.avro.registry: a URL must not carry credentials: secrets are never written in the notebook; put the URL with its credentials in an environment variable and name that here (registry: SCHEMA_REGISTRY_URL)",
    ]);
  });

  const problems: [string, string, string][] = [
    ["a registry that is neither a URL nor a variable's name", "{ registry: registry.local }", `7:23: sources.orders.avro.registry: expected a Schema Registry's URL (such as http://localhost:8081) or the name of an environment variable holding it (like SCHEMA_REGISTRY_URL), found "registry.local"`],
    ["a registry and a pinned schema id", "{ registry: http://r:8081, schema_id: 7 }", "7:49: sources.orders.avro.schema_id: with registry:, each value is read with the schema its header's id names; schema_id: pins the id of a schema file; leave schema_id: out"],
    ["a registry with framing: none", "{ registry: http://r:8081, framing: none }", "7:47: sources.orders.avro.framing: registry: reads the schema id in each value's Schema Registry header, and framing: none says the values carry none; leave one of them out"],
    ["avro: with neither a schema file nor a registry", "{ framing: confluent }", "7:5: sources.orders.avro: expected schema: (a .avsc file beside the notebook) or registry: (a Schema Registry's URL) to say which schema the values are read with"],
    ["an unknown key beside the registry", "{ registry: http://r:8081, subject: orders-value }", "7:38: sources.orders.avro: unknown key 'subject'; expected schema, registry, schema_id, framing"],
  ];
  for (const [what, avro, message] of problems) {
    test(`${what} is an issue at its place`, () => {
      expect(issuesOf(avro)).toEqual([message]);
    });
  }
});
