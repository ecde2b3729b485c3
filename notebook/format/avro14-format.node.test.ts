/**
 * `format: avro` in the front matter: the option parses into the model (a JSON source with its Avro
 * schema file), an unedited notebook serializes byte for byte, and every way to get it wrong is an
 * issue at its line and column: no schema, a path out of the notebook's folder, a schema file that is
 * missing or not Avro (those found where the folder is known, gateway/sources/avro-schema.ts).
 */
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadAvroSchemas } from "../../gateway/sources/avro-schema.ts";
import { parseNotebook } from "./parse.ts";
import { serializeNotebook } from "./serialize.ts";

const notebook = (source: string) => `---
title: Orders
sources:
  orders:
${source}
sinks:
  lake:
    fs: { dir: out }
---

\`\`\`sql id=clean sink=lake
SELECT * FROM orders
\`\`\`
`;

const avroSource = `    kafka: { topic: orders, brokers: ["127.0.0.1:9092"] }
    format: avro   # Confluent-framed values
    avro: { schema: schemas/orders.avsc }`;

const ORDER = { type: "record", name: "Order", fields: [{ name: "id", type: "long" }] };

describe("format: avro in the front matter", () => {
  test("parses into a Kafka source whose values are decoded with the schema file into JSON events, and an unedited notebook serializes byte for byte", () => {
    const text = notebook(avroSource);
    const { notebook: parsed, issues } = parseNotebook(text, "orders.md");
    expect(issues).toEqual([]);
    expect(parsed.sources.orders).toEqual({ kind: "kafka", name: "orders", topic: "orders", brokers: ["127.0.0.1:9092"], format: "json", avro: { schema: "schemas/orders.avsc" }, sampleSize: 1000, demo: null });
    expect(serializeNotebook(parsed)).toBe(text);
  });

  test("a notebook whose cell was edited keeps the Avro source as written", () => {
    const text = notebook(avroSource);
    const { notebook: parsed } = parseNotebook(text, "orders.md");
    parsed.cells[0]!.code = "SELECT id FROM orders";
    const written = serializeNotebook(parsed);
    expect(written).toBe(text.replace("SELECT * FROM orders", "SELECT id FROM orders"));
    expect(parseNotebook(written, "orders.md").notebook.sources).toEqual(parsed.sources);
  });

  test("avro.schema_id, the Schema Registry id the file's schema is registered under, is in the model", () => {
    const { notebook: parsed, issues } = parseNotebook(notebook(avroSource.replace("schemas/orders.avsc }", "schemas/orders.avsc, schema_id: 7 }")), "orders.md");
    expect(issues).toEqual([]);
    expect(parsed.sources.orders).toMatchObject({ format: "json", avro: { schema: "schemas/orders.avsc", schemaId: 7 } });
  });

  test("avro.framing (confluent or none) is in the model and written back", () => {
    const text = notebook(avroSource.replace("schemas/orders.avsc }", "schemas/orders.avsc, framing: none }"));
    const { notebook: parsed, issues } = parseNotebook(text, "orders.md");
    expect(issues).toEqual([]);
    expect(parsed.sources.orders).toMatchObject({ avro: { schema: "schemas/orders.avsc", framing: "none" } });
    const both = parseNotebook(notebook(avroSource.replace("schemas/orders.avsc }", "schemas/orders.avsc, schema_id: 7, framing: none }")), "orders.md");
    expect(both.issues.map((i) => i.message)).toEqual(["sources.orders.avro.schema_id: a schema id is read from the Schema Registry header, and framing: none says the values carry none; leave one of them out"]);
  });

  const problems: [string, string, string][] = [
    ["a schema_id that is not a whole number", `    kafka: { topic: orders, brokers: ["b:9092"] }\n    format: avro\n    avro: { schema: orders.avsc, schema_id: seven }`, 'orders.md:7:45: sources.orders.avro.schema_id: expected a number, found "seven"'],
    ["format: avro without avro.schema", `    kafka: { topic: orders, brokers: ["b:9092"] }\n    format: avro`, "orders.md:6:13: sources.orders.format: avro needs the schema to decode the values with: add avro: { schema: schemas/<name>.avsc }, a file beside the notebook, or avro: { registry: <a Schema Registry's URL> }"],
    ["a schema path out of the notebook's folder", `    kafka: { topic: orders, brokers: ["b:9092"] }\n    format: avro\n    avro: { schema: schemas/../../orders.avsc }`, `orders.md:7:21: sources.orders.avro.schema: "schemas/../../orders.avsc" is outside the notebook's folder; keep the schema file in the folder (or a folder under it), such as schemas/orders.avsc`],
    ["an absolute schema path", `    kafka: { topic: orders, brokers: ["b:9092"] }\n    format: avro\n    avro: { schema: /etc/orders.avsc }`, `orders.md:7:21: sources.orders.avro.schema: expected a path relative to the notebook's folder, such as schemas/orders.avsc, found the absolute path "/etc/orders.avsc"`],
    ["a registry URL", `    kafka: { topic: orders, brokers: ["b:9092"] }\n    format: avro\n    avro: { schema: "http://registry:8081" }`, `orders.md:7:21: sources.orders.avro.schema: expected the path of an Avro schema file beside the notebook, found the URL "http://registry:8081"; save the schema as a .avsc file next to the notebook, or name a Schema Registry with registry: <url> instead of schema:`],
    ["avro: on a JSON source", `    kafka: { topic: orders, brokers: ["b:9092"] }\n    avro: { schema: orders.avsc }`, "orders.md:6:5: sources.orders.avro: is read only with format: avro, and this source reads json; set format: avro, or leave avro: out"],
    ["format: avro on a webhook", `    webhook: { signature: none }\n    format: avro\n    avro: { schema: orders.avsc }`, "orders.md:6:13: sources.orders.format: avro is read from Kafka message values; a webhook, HTTP or demo source reads json, ndjson or csv"],
  ];
  for (const [what, source, message] of problems) {
    test(`${what} is an issue at its place`, () => {
      const { notebook: parsed, issues } = parseNotebook(notebook(source), "orders.md");
      expect(issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`)).toEqual([message]);
      expect(parsed.sources.orders).toBeUndefined();
    });
  }
});

describe("the schema file of format: avro, read beside the notebook", () => {
  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "runnel-avro14-"));
    await mkdir(join(dir, "schemas"));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await writeFile(join(dir, "orders.md"), notebook(avroSource));
    return dir;
  }
  const load = async (dir: string) => {
    const file = join(dir, "orders.md");
    const { notebook: parsed } = parseNotebook(notebook(avroSource), file);
    return { file, ...(await loadAvroSchemas(parsed, file)) };
  };

  test("is loaded into the source's spec, and the notebook's own sources stay as the file says", async () => {
    const dir = await folder({ "schemas/orders.avsc": JSON.stringify(ORDER) });
    const { notebook: parsed } = parseNotebook(notebook(avroSource), join(dir, "orders.md"));
    const { sources, issues } = await loadAvroSchemas(parsed, join(dir, "orders.md"));
    expect(issues).toEqual([]);
    expect(sources.orders).toMatchObject({ avro: { schema: "schemas/orders.avsc", definition: ORDER } });
    expect(parsed.sources.orders).toMatchObject({ avro: { schema: "schemas/orders.avsc" } });
    expect((parsed.sources.orders as { avro: object }).avro).not.toHaveProperty("definition");
  });

  test("a missing schema file is an issue at avro.schema", async () => {
    const { file, issues } = await load(await folder({}));
    expect(issues.map((i) => `${i.line}:${i.column}: ${i.message}`)).toEqual([`7:21: sources.orders.avro.schema: no schema file schemas/orders.avsc beside the notebook (looked for ${join(file, "..", "schemas", "orders.avsc")})`]);
  });

  test("a schema file that is not JSON, or JSON that is not an Avro schema, is an issue at avro.schema naming what is wrong", async () => {
    const notJson = await load(await folder({ "schemas/orders.avsc": "record Order { long id; }" }));
    expect(notJson.issues.map((i) => `${i.line}:${i.column}: ${i.message}`)).toEqual([expect.stringMatching(/^7:21: sources\.orders\.avro\.schema: schemas\/orders\.avsc is not an Avro schema: it is not JSON \(Unexpected token/)]);
    const notAvro = await load(await folder({ "schemas/orders.avsc": JSON.stringify({ type: "record", name: "Order", fields: [{ name: "id", type: "integer" }] }) }));
    expect(notAvro.issues.map((i) => `${i.line}:${i.column}: ${i.message}`)).toEqual(['7:21: sources.orders.avro.schema: schemas/orders.avsc is not an Avro schema: undefined type name: integer']);
  });

  test("a schema file that is a link out of the notebook's folder is an issue, not read", async () => {
    const outside = await mkdtemp(join(tmpdir(), "runnel-avro14-outside-"));
    await writeFile(join(outside, "secret.avsc"), JSON.stringify(ORDER));
    const dir = await folder({});
    await symlink(join(outside, "secret.avsc"), join(dir, "schemas", "orders.avsc"));
    const { issues, sources } = await load(dir);
    expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(/^sources\.orders\.avro\.schema: schemas\/orders\.avsc leads outside the notebook's folder \(to .*secret\.avsc\); copy the schema file into the folder$/)]);
    expect((sources.orders as { avro: object }).avro).not.toHaveProperty("definition");
  });
});
