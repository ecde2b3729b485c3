/**
 * `runnel run --input orders=exports/*.avro`: Avro Object Container Files (what Kafka Connect's S3
 * sink and most exporters write) are read with each file's own schema, every value turned into JSON
 * as the Kafka Avro path turns a message value, and the lake holds what DuckDB answers over the same
 * events written as NDJSON. Files written here with avsc's own container encoder; damaged blocks are
 * dead letters naming the file and the block, and the run reads on.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import avro from "avsc";
import { afterAll, expect, test } from "vitest";
import { avroType } from "../../gateway/sources/avro.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { EVENTS, SCHEMA, SELECT } from "../../tests/runner/avro14-orders.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { loadJsonTexts, openDuckDB } from "../duckdb/index.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";
import { avroLong, formatOf, listInputs, readEvents, UnreadableEvent, type InputFile } from "./read-inputs.ts";
import { runFiles } from "./run-files.ts";
import { avroContainer } from "../../tests/runner/avro-container.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-avro-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOTEBOOK = `---
sources:
  orders:
    webhook: { signature: none }
    format: json
sinks:
  lake:
    fs: { dir: out }
---

\`\`\`sql id=clean sink=lake
${SELECT}
\`\`\`
`;

/** An older writer schema of the same topic: no note and no address yet, and a field since dropped. */
const OLD_SCHEMA = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [...SCHEMA.fields.filter((f) => f.name !== "note" && f.name !== "addr"), { name: "legacy", type: "int" }],
};
const OLD = [
  { avro: { ...strip(EVENTS[1]!.avro), legacy: 7 }, json: withoutKeys(EVENTS[1]!.json) },
  { avro: { ...strip(EVENTS[3]!.avro), legacy: -1 }, json: withoutKeys(EVENTS[3]!.json) },
];

function strip(value: Record<string, unknown>): Record<string, unknown> {
  const { note: _note, addr: _addr, ...rest } = value;
  return rest;
}

/** The event's JSON text without `note` and `addr`, and with the old schema's `legacy` field (which the cell does not read). */
function withoutKeys(text: string): string {
  return text.replace(/"note": (null|"(?:[^"\\]|\\.)*"), /, "").replace(/, "addr": .*\}$/, ', "legacy": 0}');
}

/** An Avro container file of `values` at `path` (`avroContainer`). */
async function writeAvro(path: string, schema: object, values: unknown[], codec: "null" | "deflate", options: { codecs?: Record<string, unknown> } = {}): Promise<void> {
  writeFileSync(path, await avroContainer(schema, values, codec, options));
}

async function planOf(texts: string[]) {
  const { notebook } = parseNotebook(NOTEBOOK, "orders.md");
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "orders", texts);
    return { notebook, plan: compilePlan(await gatherCompileInputs(db, notebook)) };
  } finally {
    db.close();
  }
}

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

async function all(file: InputFile): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readEvents(file, 1000)) out.push(...batch);
  return out;
}

/** DuckDB's answer over `texts` as NDJSON, and the rows the run wrote under `out`, both ordered by id. */
async function compare(texts: string[], out: string): Promise<{ expected: string; written: string }> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const ndjson = join(dir, `expected-${Math.random().toString(36).slice(2)}.ndjson`);
    writeFileSync(ndjson, texts.join("\n") + "\n");
    await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${ndjson}')`);
    const expected = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY id`)).getRows();
    const written = (await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRows();
    return { expected: shown(expected), written: shown(written) };
  } finally {
    db.close();
  }
}

test("a folder of Avro container files (null and deflate codecs, an older writer schema among them) backfills as DuckDB reads the same events as NDJSON", async () => {
  expect(formatOf("exports/orders+0+0000000042.avro")).toBe("avro");
  expect(formatOf("exports/orders.AVRO.gz")).toBe("avro");
  const exports = join(dir, "exports");
  mkdirSync(exports);
  await writeAvro(join(exports, "orders+0+0000000000.avro"), SCHEMA, [EVENTS[0]!.avro, EVENTS[1]!.avro], "null");
  await writeAvro(join(exports, "orders+0+0000000002.avro"), SCHEMA, [EVENTS[2]!.avro, EVENTS[3]!.avro], "deflate");
  await writeAvro(join(exports, "orders+1+0000000000.avro"), OLD_SCHEMA, OLD.map((e) => e.avro), "deflate");
  // A file whose name does not say Avro is known by its first bytes.
  writeFileSync(join(exports, "orders+2+0000000000"), readFileSync(join(exports, "orders+0+0000000000.avro")));
  for (const [i, name] of ["orders+0+0000000000.avro", "orders+0+0000000002.avro", "orders+1+0000000000.avro", "orders+2+0000000000"].entries()) utimesSync(join(exports, name), 1_700_000_000 + i, 1_700_000_000 + i);

  const texts = EVENTS.map((e) => e.json);
  const { notebook, plan } = await planOf(texts);
  const out = join(dir, "lake");
  const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.lake!);
  const inputs = await listInputs(exports);
  const seen = new Set<string>();
  const result = await runFiles({ plan, inputs: { orders: inputs }, targets: { lake: { spec, opened: openSink(spec) } }, parquet: runnelWriter, batchSize: 3, onProgress: (p) => seen.add(`${p.fileNumber}/${p.fileCount}`) });
  expect({ events: result.events, rows: result.rows, deadLetters: result.deadLetters }).toEqual({ events: 8, rows: 8, deadLetters: 0 });
  expect([...seen]).toEqual(["1/4", "2/4", "3/4", "4/4"]);
  expect(result.inputBytes).toBeGreaterThan(0);
  const { expected, written } = await compare([...texts, ...OLD.map((e) => e.json), EVENTS[0]!.json, EVENTS[1]!.json], out);
  expect(written).toBe(expected);
});

test("a damaged Avro block is a dead letter naming the file and the block; the blocks around it are read, and the next file too", async () => {
  const values = EVENTS.map((e) => e.avro);
  const path = join(dir, "damaged.avro");
  // One record to a block: blocks 1 to 4.
  const bytes = containerFile(SCHEMA, values.map((v) => [v]));
  const ends = markers(bytes, SYNC);
  expect(ends).toHaveLength(5); // the header's, and one after each block
  // Block 2's bytes: its first record's id made a varint that never ends.
  const damaged = Buffer.from(bytes);
  damaged.fill(0xff, ends[1]! + 16 + 3, ends[1]! + 16 + 14); // after its count (1 byte) and size (2 bytes)
  writeFileSync(path, damaged);
  const read = await all({ path, mtimeMs: 0, format: "avro" });
  expect(read.filter((e) => !(e instanceof UnreadableEvent)).map((e) => (e as { id: unknown }).id)).toEqual([EVENTS[0]!.avro.id, 0, 9007199254740993n]);
  const letters = read.filter((e): e is UnreadableEvent => e instanceof UnreadableEvent);
  expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(new RegExp(`^run: .*damaged\\.avro: Avro block 2 \\(at byte ${ends[1]! + 16}\\), record 1 of 1: Avro value of \\d+ bytes is not a shop\\.Order: .*$`))]);

  // A block whose size is wrong (its sync marker is not where it says): read on from the next marker.
  const resized = Buffer.from(bytes);
  resized[ends[2]! + 16 + 1] = resized[ends[2]! + 16 + 1]! + 2; // block 3's size, two more
  const resizedPath = join(dir, "resized.avro");
  writeFileSync(resizedPath, resized);
  const reread = await all({ path: resizedPath, mtimeMs: 0, format: "avro" });
  expect(reread.filter((e) => !(e instanceof UnreadableEvent)).map((e) => (e as { id: unknown }).id)).toEqual([EVENTS[0]!.avro.id, -(2n ** 63n), 9007199254740993n]);
  expect(reread.filter((e) => e instanceof UnreadableEvent).map((e) => (e as UnreadableEvent).reason)).toEqual([
    expect.stringMatching(/resized\.avro: Avro block 3 \(at byte \d+\) is damaged: the sync marker after it is not the file's \(its count or size is wrong\); the file is read on from the next sync marker$/),
  ]);

  // Cut off inside its last block (a download that stopped): the blocks before are read.
  const cutPath = join(dir, "cut.avro");
  writeFileSync(cutPath, bytes.subarray(0, ends[3]! + 16 + 10));
  const cut = await all({ path: cutPath, mtimeMs: 0, format: "avro" });
  expect(cut.filter((e) => !(e instanceof UnreadableEvent))).toHaveLength(3);
  expect((cut.at(-1) as UnreadableEvent).reason).toMatch(/cut\.avro: Avro block 4 \(at byte \d+\) is cut off: it declares \d+ bytes and the file ends 7 bytes into it; its 1 record is not read$/);

  // Through a run: the good rows are written, the letters filed, and the file after it read.
  const { notebook, plan } = await planOf(EVENTS.map((e) => e.json));
  const out = join(dir, "damaged-lake");
  const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.lake!);
  const good = join(dir, "good.avro");
  await writeAvro(good, SCHEMA, [EVENTS[1]!.avro], "deflate");
  const result = await runFiles({
    plan,
    inputs: { orders: [{ path, mtimeMs: 0, format: "avro" }, { path: good, mtimeMs: 1, format: "avro" }] },
    targets: { lake: { spec, opened: openSink(spec) } },
    parquet: runnelWriter,
  });
  expect({ rows: result.rows, deadLetters: result.deadLetters }).toEqual({ rows: 4, deadLetters: 1 });
  const letter = JSON.parse(readFileSync(join(out, result.deadLetterFiles[0]!), "utf8").trim());
  expect(letter).toMatchObject({ source: "orders", reason: expect.stringContaining("damaged.avro: Avro block 2") });
  const { expected, written } = await compare([EVENTS[0]!.json, EVENTS[2]!.json, EVENTS[3]!.json, EVENTS[1]!.json], out);
  expect(written).toBe(expected);
});

test("a .avro file that is not a container file, or is compressed with a codec not read, is one dead letter saying so", async () => {
  const json = join(dir, "really-json.avro");
  writeFileSync(json, '{"id": 1}\n');
  expect((await all({ path: json, mtimeMs: 0, format: "avro" })).map((e) => (e as UnreadableEvent).reason)).toEqual([
    `run: ${json}: is not an Avro Object Container File (it does not start with the bytes "Obj" 1); a file of bare Avro values, or of Schema Registry-framed ones, is not read`,
  ]);
  const bzip2 = join(dir, "bzip2.avro");
  await writeAvro(bzip2, SCHEMA, [EVENTS[0]!.avro], "bzip2" as "null", { codecs: { bzip2: (buf: Buffer, cb: (e: null, b: Buffer) => void) => cb(null, buf) } });
  expect((await all({ path: bzip2, mtimeMs: 0, format: "avro" })).map((e) => (e as UnreadableEvent).reason)).toEqual([
    `run: ${bzip2}: is an Avro file compressed with "bzip2", which is not read (null, deflate, snappy and zstandard are); rewrite it with one of those`,
  ]);
});

const SYNC = Buffer.from("0123456789abcdef");


/** An Avro container file written by hand as the spec lays it out: header (magic, metadata, sync marker), then each block. */
function containerFile(schema: object, blocks: unknown[][], codec: "null" | "deflate" = "null"): Buffer {
  const type = avroType(schema);
  const text = (s: string) => Buffer.concat([avroLong(Buffer.byteLength(s)), Buffer.from(s)]);
  const parts = [Buffer.from("Obj\x01", "latin1"), avroLong(2), text("avro.schema"), text(JSON.stringify(schema)), text("avro.codec"), text(codec), avroLong(0), SYNC];
  for (const values of blocks) {
    const plain = Buffer.concat(values.map((v) => type.toBuffer(v)));
    const data = codec === "deflate" ? deflateRawSync(plain) : plain;
    parts.push(avroLong(values.length), avroLong(data.length), data, SYNC);
  }
  return Buffer.concat(parts);
}

/** Where each copy of `sync` starts in `bytes`. */
function markers(bytes: Buffer, sync: Buffer): number[] {
  const at: number[] = [];
  for (let i = bytes.indexOf(sync); i >= 0; i = bytes.indexOf(sync, i + 1)) at.push(i);
  return at;
}

test("a block of records that take no bytes (a record of nulls) is read, its size 0; a count past any block's is a damaged block", async () => {
  const ticks = { type: "record", name: "Tick", fields: [{ name: "x", type: "null" }] };
  const path = join(dir, "ticks.avro");
  writeFileSync(path, containerFile(ticks, [[{ x: null }, { x: null }, { x: null }]]));
  expect(await all({ path, mtimeMs: 0, format: "avro" })).toEqual([{ x: null }, { x: null }, { x: null }]);
  const header = containerFile(ticks, []);
  const huge = join(dir, "huge-count.avro");
  writeFileSync(huge, Buffer.concat([header, avroLong(2 ** 40), avroLong(0), SYNC, avroLong(1), avroLong(0), SYNC]));
  const read = await all({ path: huge, mtimeMs: 0, format: "avro" });
  expect(read.map((e) => (e instanceof UnreadableEvent ? e.reason.replace(/^run: .*huge-count\.avro: /, "") : e))).toEqual([
    `Avro block 1 (at byte ${header.length}) is damaged: it declares 1099511627776 records in 0 bytes; the file is read on from the next sync marker`,
    { x: null },
  ]);
});
