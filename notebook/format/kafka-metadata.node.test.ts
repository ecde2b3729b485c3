import { describe, expect, test } from "vitest";
import { formatIssue, parseNotebook, serializeNotebook } from "./index.ts";
import type { Notebook, SourceSpec } from "./model.ts";

const file = "notebooks/t.md";

function read(...lines: string[]) {
  const { notebook, issues } = parseNotebook(lines.join("\n") + "\n", file);
  return { sources: notebook.sources, problems: issues.map(formatIssue), notebook };
}

const kafka = (entry: string, ...more: string[]) => read("---", "sources:", "  orders:", `    kafka: ${entry}`, ...more, "---", "", "```sql id=q", "SELECT _key FROM orders", "```");

describe("kafka metadata: in the front matter", () => {
  test("a list names the columns to add, in its order", () => {
    const { sources, problems } = kafka("{ topic: orders, brokers: [b:9092], metadata: [timestamp, key] }");
    expect(problems).toEqual([]);
    expect(sources.orders).toMatchObject({ kind: "kafka", topic: "orders", metadata: ["timestamp", "key"] });
  });

  test("true adds every field; text separated by commas is a list too", () => {
    expect(kafka("{ topic: o, brokers: [b], metadata: true }").sources.orders).toMatchObject({ metadata: ["key", "timestamp", "partition", "offset", "topic", "headers"] });
    expect(kafka('{ topic: o, brokers: [b], metadata: "key, offset" }').sources.orders).toMatchObject({ metadata: ["key", "offset"] });
  });

  test("without metadata:, or with false or an empty list, the model has no metadata key", () => {
    for (const entry of ["{ topic: o, brokers: [b] }", "{ topic: o, brokers: [b], metadata: false }", "{ topic: o, brokers: [b], metadata: [] }"]) {
      const { sources, problems } = kafka(entry);
      expect(problems).toEqual([]);
      expect(Object.hasOwn(sources.orders!, "metadata")).toBe(false);
    }
  });

  test("an unknown field is an error at the item, with a suggestion; a repeated one too", () => {
    expect(kafka("{ topic: o, brokers: [b], metadata: [key, keys, offest, key] }").problems).toEqual([
      `format: notebooks/t.md:4:54: sources.orders.kafka.metadata[1]: expected one of key, timestamp, partition, offset, topic, headers, found "keys" (did you mean 'key'?)`,
      `format: notebooks/t.md:4:60: sources.orders.kafka.metadata[2]: expected one of key, timestamp, partition, offset, topic, headers, found "offest" (did you mean 'offset'?)`,
      "format: notebooks/t.md:4:68: sources.orders.kafka.metadata[3]: key is listed twice",
    ]);
  });

  test("an item of a block list is placed on its own line", () => {
    const { problems } = read("---", "sources:", "  orders:", "    kafka:", "      topic: o", "      brokers: [b]", "      metadata:", "        - key", "        - partiton", "---");
    expect(problems).toEqual([
      `format: notebooks/t.md:9:11: sources.orders.kafka.metadata[1]: expected one of key, timestamp, partition, offset, topic, headers, found "partiton" (did you mean 'partition'?)`,
    ]);
  });

  test("a value that is neither true nor a list says what it takes", () => {
    expect(kafka("{ topic: o, brokers: [b], metadata: 3 }").problems).toEqual([
      "format: notebooks/t.md:4:48: sources.orders.kafka.metadata: expected true or a list of key, timestamp, partition, offset, topic, headers, found 3",
    ]);
  });

  test("a CSV source cannot take metadata:", () => {
    expect(kafka("{ topic: o, brokers: [b], metadata: [key] }", "    format: csv").problems).toEqual([
      "format: notebooks/t.md:4:38: sources.orders.kafka.metadata: adds columns to JSON events, and a CSV record is a row of text fields; use format: json or ndjson, or leave metadata: out",
    ]);
  });

  test("a misspelt metadata key names the keys kafka: takes", () => {
    expect(kafka("{ topic: o, brokers: [b], metdata: [key] }").problems).toEqual([
      "format: notebooks/t.md:4:38: sources.orders.kafka: unknown key 'metdata' (did you mean 'metadata'?); expected topic, brokers, metadata",
    ]);
  });
});

describe("kafka metadata: survives a round trip", () => {
  const withSource = (notebook: Notebook, source: SourceSpec): Notebook => ({ ...notebook, sources: { [source.name]: source } });

  test("an unchanged entry is kept as written", () => {
    const text = "---\nsources:\n  orders:\n    kafka: { topic: o, brokers: [b], metadata: [ offset,key ] }   # keyed\n---\n\n```sql id=q\nSELECT 1\n```\n";
    const { notebook } = parseNotebook(text, file);
    expect(serializeNotebook({ ...notebook, title: "t" })).toBe(text);
  });

  test("an edited source writes its metadata, all of it as true, and reads back the same", () => {
    const { notebook } = kafka("{ topic: o, brokers: [b] }");
    const base = notebook.sources.orders as Extract<SourceSpec, { kind: "kafka" }>;
    const some = withSource(notebook, { ...base, metadata: ["partition", "key"] });
    const written = serializeNotebook(some);
    expect(written).toContain("kafka: { topic: o, brokers: [ b ], metadata: [ partition, key ] }");
    expect(parseNotebook(written, file).notebook.sources.orders).toEqual(some.sources.orders);

    const all = withSource(notebook, { ...base, metadata: ["key", "timestamp", "partition", "offset", "topic", "headers"] });
    const allWritten = serializeNotebook(all);
    expect(allWritten).toContain("metadata: true");
    expect(parseNotebook(allWritten, file).notebook.sources.orders).toEqual(all.sources.orders);

    const none = withSource(notebook, { ...base, topic: "other" });
    expect(serializeNotebook(none)).not.toContain("metadata");
  });
});
