/**
 * `format: avro` through the CLI (needs the diffs in .tmp-hunt/s14/avro14/REPORT.md: publish and check
 * load the schema files, the runner hands the schema to its engines): `runnel publish` reads the
 * topic's newest Avro values as the notebook's sample reads them and carries the schema in the bundle;
 * the bundle's runner writes what DuckDB answers over the same events as JSON, and the values that do
 * not decode are in `_errors/` with their reasons. A schema file that is missing stops publish with
 * the place to fix. The gateway's sources (the notebook page's sample) find the schema file beside the
 * notebook under the notebooks folder.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { silentLogger } from "../../gateway/log.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { SourceRegistry } from "../../gateway/sources/registry.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { EVENTS, notebookText, SCHEMA, SELECT } from "./avro14-orders.ts";
import { framed, lettersUnder, publishBundle, withTopic } from "./framed-topic.ts";
import { runnel, startBundledRunner } from "./harness.ts";

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

test("avro14: runnel publish samples an Avro topic and bundles its schema; the bundle's runner writes DuckDB's answer over the same events as JSON, and a truncated value is a dead letter", { timeout: 240_000 }, async () => {
  const type = avroType(SCHEMA);
  const encoded = EVENTS.map((e) => type.toBuffer(e.avro));
  const values = [framed(7, encoded[0]!), encoded[1]!, encoded[2]!, framed(42, encoded[3]!), framed(7, encoded[0]!.subarray(0, 24))];
  await withTopic(values, async (topic) => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-avro14-cli-"));
    await mkdir(join(dir, "schemas"));
    await writeFile(join(dir, "orders.md"), notebookText(topic));

    // Without its schema file, publish stops at the avro.schema line.
    const missing = spawnSync(process.execPath, [runnel, "publish", join(dir, "orders.md"), "--out", join(dir, "dist")], { encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${join(dir, "orders.md")}:7:21: sources.orders.avro.schema: no schema file schemas/orders.avsc beside the notebook`);

    await writeFile(join(dir, "schemas", "orders.avsc"), JSON.stringify(SCHEMA, null, 2));
    const bundle = publishBundle(dir, "orders", []);
    const manifest = JSON.parse(await readFile(join(bundle, "bundle.json"), "utf8"));
    expect(manifest.sources.orders.avro).toEqual({ schema: "schemas/orders.avsc", definition: SCHEMA });

    const out = await mkdtemp(join(tmpdir(), "runnel-avro14-cli-out-"));
    const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `lake=fs:${out}`]);
    expect(await run.exited, run.output()).toBe(0);
    const db = await openDuckDB({ threads: 1 });
    try {
      await writeFile(join(dir, "orders.ndjson"), EVENTS.map((e) => e.json).join("\n") + "\n");
      await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${join(dir, "orders.ndjson")}')`);
      const expected = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY id`)).getRows();
      const written = (await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRows();
      expect(expected).toHaveLength(4);
      expect(shown(written)).toBe(shown(expected));
    } finally {
      db.close();
    }
    expect((await lettersUnder(out)).map((l) => l.reason)).toEqual([
      "decode: Avro value of 29 bytes is not a shop.Order: the value is truncated: it ends inside field price, which starts at byte 28 of 29 (after the Schema Registry header, schema id 7; read as bare Avro without a header it does not decode either)",
    ]);
  });
});

test("avro14: the gateway's sources read an Avro topic with the schema file beside the notebook under its notebooks folder", { timeout: 120_000 }, async () => {
  const type = avroType(SCHEMA);
  await withTopic([framed(7, type.toBuffer(EVENTS[0]!.avro)), type.toBuffer(EVENTS[2]!.avro)], async (topic) => {
    const root = await mkdtemp(join(tmpdir(), "runnel-avro14-root-"));
    await mkdir(join(root, "shop", "schemas"), { recursive: true });
    await writeFile(join(root, "shop", "schemas", "orders.avsc"), JSON.stringify(SCHEMA));
    const { notebook } = parseNotebook(notebookText(topic), "shop/orders.md");
    const registry = new SourceRegistry({ stateDir: join(root, ".runnel"), demo: false, log: silentLogger, root });
    try {
      const sample = await (await registry.get("shop/orders.md", notebook.sources.orders!)).sample(10);
      expect(sample.map((e) => (e.ok ? e.value : e.error))).toEqual([EVENTS[0]!.json, EVENTS[2]!.json].map((text) => decodePayload(text, "json", 0)[0]).map((e) => e!.ok && e!.value));
    } finally {
      await registry.close();
    }
  });
});
