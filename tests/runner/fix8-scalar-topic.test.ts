/**
 * A topic whose records are all one kind of JSON scalar (a JSON Schema serializer with a
 * `{"type": "string"}` schema, framed or not): DuckDB's read_json types it as one column `json`
 * of that kind (VARCHAR for strings, BIGINT for integers). Check and publish failed on it
 * ("Expected OBJECT, but got VARCHAR"): the sample's loader marked the whole-record column only
 * when DuckDB typed it JSON. Needs the fix8 diffs of decode.ts (framed scalars) and of
 * load-events.node.ts, convert.ts and check.node.ts (one-kind scalar records).
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { lettersUnder, framed, notebook, publishBundle, withTopic } from "./framed-topic.ts";
import { startBundledRunner } from "./harness.ts";

describe("a topic of one kind of JSON scalar", () => {
  for (const [kind, texts] of [
    ["strings", ['"abc"', '"d\u00e9f"', '"a \\"quoted\\" word"', '""']],
    ["integers", ["42", "-7", "9007199254740993", "0"]],
  ] as const) {
    test(`a topic of ${kind}, some framed by a Schema Registry serializer, publishes from its own records and the runner writes what DuckDB's read_json answers for them`, { timeout: 120_000 }, async () => {
      const values = texts.map((t, i) => (i % 2 === 0 ? framed(3, t) : Buffer.from(t)));
      await withTopic(values, async (topic) => {
        const dir = await mkdtemp(join(tmpdir(), "runnel-scalar-topic-"));
        await writeFile(join(dir, "scalars.md"), notebook(topic, "SELECT json AS v FROM ev"));
        // No --sample: publish reads the topic's newest records as the notebook's sample reads them.
        const bundle = publishBundle(dir, "scalars", []);
        const out = await mkdtemp(join(tmpdir(), "runnel-scalar-topic-out-"));
        const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `out=fs:${out}`]);
        expect(await run.exited, run.output()).toBe(0);
        expect(await lettersUnder(out)).toEqual([]);
        await writeFile(join(dir, "unframed.ndjson"), texts.join("\n") + "\n");
        const db = await openDuckDB({ threads: 1 });
        try {
          const types = (await db.read(`SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet('${out}/**/*.parquet'))`)).getRows();
          const expectedTypes = (await db.read(`SELECT column_type FROM (DESCRIBE SELECT json AS v FROM read_json('${join(dir, "unframed.ndjson")}'))`)).getRows();
          expect(types).toEqual(expectedTypes);
          const written = (await db.read(`SELECT v::VARCHAR AS v FROM read_parquet('${out}/**/*.parquet') ORDER BY v`)).getRows();
          const expected = (await db.read(`SELECT json::VARCHAR AS v FROM read_json('${join(dir, "unframed.ndjson")}') ORDER BY v`)).getRows();
          expect(expected).toHaveLength(4);
          expect(written).toEqual(expected);
        } finally {
          db.close();
        }
      });
    });
  }
});
