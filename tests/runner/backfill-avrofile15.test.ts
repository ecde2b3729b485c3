/**
 * The notebook of an Avro Kafka topic (`format: avro`), backfilled from the topic's S3 export: Avro
 * Object Container Files as Kafka Connect's S3 sink names them (`orders+0+0000000000.avro`), written
 * here with avsc's container encoder, one under an older writer schema and one with a damaged
 * block. Through the real CLI: `runnel publish --sample` reads an export file as the sample,
 * `runnel run --input orders=exports/*.avro` writes what DuckDB answers over the same events as
 * NDJSON, and files the damaged block as a dead letter
 * naming the file and the block.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { EVENTS, notebookText, SCHEMA, SELECT } from "./avro14-orders.ts";
import { lettersUnder } from "./framed-topic.ts";
import { runnel } from "./harness.ts";
import { avroContainer } from "./avro-container.ts";

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

const containerFile = (schema: object, values: unknown[], codec: "null" | "deflate") => avroContainer(schema, values, codec);

test("avrofile15: an Avro topic's notebook backfills from its S3 export of Avro container files through runnel run, as DuckDB reads the same events", { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-avrofile15-"));
  await mkdir(join(dir, "schemas"));
  await mkdir(join(dir, "exports"));
  await writeFile(join(dir, "orders.md"), notebookText("orders-avrofile15-unused"));
  await writeFile(join(dir, "schemas", "orders.avsc"), JSON.stringify(SCHEMA, null, 2));
  const exports = join(dir, "exports");
  await writeFile(join(exports, "orders+0+0000000000.avro"), await containerFile(SCHEMA, [EVENTS[0]!.avro, EVENTS[1]!.avro], "deflate"));
  await writeFile(join(exports, "orders+0+0000000002.avro"), await containerFile(SCHEMA, [EVENTS[2]!.avro, EVENTS[3]!.avro], "null"));
  // An older writer schema: no note and no address yet.
  const old = { ...SCHEMA, fields: SCHEMA.fields.filter((f) => f.name !== "note" && f.name !== "addr") };
  const { note: _n, addr: _a, ...oldValue } = EVENTS[2]!.avro;
  await writeFile(join(exports, "orders+1+0000000000.avro"), await containerFile(old, [{ ...oldValue, id: 77 }], "deflate"));
  // A file of two blocks whose second block's bytes are damaged (its compressed bytes overwritten).
  const damaged = await containerFile(SCHEMA, [EVENTS[1]!.avro, { ...EVENTS[3]!.avro, id: 99 }], "deflate");
  const sync = damaged.subarray(damaged.length - 16);
  const second = damaged.indexOf(sync, damaged.indexOf(sync) + 16) + 16; // past the header's and the first block's marker
  damaged.fill(0xff, second + 4, second + 20);
  await writeFile(join(exports, "orders+2+0000000000.avro"), damaged);
  const names = ["orders+0+0000000000.avro", "orders+0+0000000002.avro", "orders+1+0000000000.avro", "orders+2+0000000000.avro"];
  for (const [i, name] of names.entries()) await utimes(join(exports, name), 1_700_000_000 + i, 1_700_000_000 + i);

  // The sample is an Avro file of the export's events (the plan's types are the sample's): publish needs no broker.
  await writeFile(join(dir, "sample.avro"), await containerFile(SCHEMA, EVENTS.map((e) => e.avro), "deflate"));
  const pub = spawnSync(process.execPath, [runnel, "publish", join(dir, "orders.md"), "--sample", `orders=${join(dir, "sample.avro")}`, "--out", join(dir, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const out = join(dir, "lake");
  const run = spawnSync(process.execPath, [runnel, "run", join(dir, "dist", "orders"), "--input", `orders=${exports}/*.avro`, "--sink", `lake=fs:${out}`], { encoding: "utf8", timeout: 120_000 });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain("7 events → 6 rows");

  const letters = await lettersUnder(out);
  expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^run: .*orders\+2\+0000000000\.avro: Avro block 2 \(at byte \d+\) does not decompress: .*; its 1 record is not read$/)]);

  const db = await openDuckDB({ threads: 1 });
  try {
    const oldJson = EVENTS[2]!.json.replace('"id": 0', '"id": 77').replace(/"note": "", /, "").replace(/, "addr": .*\}$/, "}");
    const ndjson = join(dir, "orders.ndjson");
    await writeFile(ndjson, [...EVENTS.map((e) => e.json), oldJson, EVENTS[1]!.json].join("\n") + "\n");
    await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${ndjson}')`);
    const expected = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY ALL`)).getRows();
    const written = (await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet') ORDER BY ALL`)).getRows();
    expect(written).toHaveLength(6);
    expect(shown(written)).toBe(shown(expected));
  } finally {
    db.close();
  }
});
