/**
 * avro16: `runnel run --input orders=exports/*.avro` into a source whose `avro.schema` names a reader
 * schema: each Avro container file's own schema is resolved into it (Avro's schema resolution), so a
 * backfill of old exports lands in today's shape; a file whose schema does not resolve is one dead
 * letter naming the file and why, and the files after it are read. Without a reader schema each file
 * is read in its own shape, as before.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { sourceReaderSchema } from "../../gateway/sources/avro.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { readEvents, UnreadableEvent, type InputFile } from "./read-inputs.ts";
import { avroContainer } from "../../tests/runner/avro-container.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-avro16-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An Avro container file of `values` written with `schema` (`avroContainer`), in the test's folder. */
async function containerFile(name: string, schema: object, values: unknown[], codec: "null" | "deflate", blockSize = 64): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await avroContainer(schema, values, codec, { blockSize }));
  return path;
}

const OLD = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "int" }, { name: "qty", type: "int" }, { name: "gone", type: "string" }] };
const READER = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "quantity", type: "double", aliases: ["qty"] },
    { name: "currency", type: "string", default: "EUR" },
    { name: "note", type: ["null", "string"], default: null },
  ],
};
const reader = () => sourceReaderSchema({ schema: "schemas/orders.avsc", definition: READER }, "orders")!;

async function read(file: InputFile): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readEvents(file, 1000)) out.push(...batch.map((e) => (e instanceof UnreadableEvent ? `letter: ${e.reason}` : e)));
  return out;
}
const asJson = (lines: string[]) => lines.map((l) => decodePayload(l, "json", 0)[0]).map((e) => (e!.ok ? e!.value : e!.error));

test("avro16: an old export's records read in the reader schema's shape: a promoted and renamed field, a default for what the writer lacks, a field the reader lacks dropped; block by block and record by record alike", async () => {
  const values = Array.from({ length: 30 }, (_, i) => ({ id: i, qty: i * 2, gone: "x".repeat(i) }));
  const expected = asJson(values.map((v) => `{"id": ${v.id}, "quantity": ${v.qty}.0, "currency": "EUR", "note": null}`));
  for (const codec of ["null", "deflate"] as const) {
    const path = await containerFile(`old-${codec}.avro`, OLD, values, codec);
    expect(await read({ path, mtimeMs: 0, format: "avro", avro: reader() })).toEqual(expected);
  }
  // Without a reader schema the file is read in its own shape, as before.
  const path = await containerFile("old-own.avro", OLD, values.slice(0, 1), "null");
  expect(await read({ path, mtimeMs: 0, format: "avro" })).toEqual(asJson([`{"id": 0, "qty": 0, "gone": ""}`]));
});

test("avro16: a damaged record of a resolved file is a dead letter in the writer's terms, and the records before it read in the reader's shape", async () => {
  const path = await containerFile("damaged.avro", OLD, [{ id: 1, qty: 1, gone: "abc" }, { id: 2, qty: 2, gone: "defgh" }], "null", 4096);
  const bytes = (await import("node:fs")).readFileSync(path);
  // The second record's string length (after its id 2 = 0x04 and qty 2 = 0x04) made past the block's end.
  const at = bytes.indexOf(Buffer.from([0x04, 0x04, 0x0a]));
  bytes[at + 2] = 0x7e;
  writeFileSync(path, bytes);
  const got = await read({ path, mtimeMs: 0, format: "avro", avro: reader() });
  expect(got[0]).toEqual(asJson([`{"id": 1, "quantity": 1.0, "currency": "EUR", "note": null}`])[0]);
  expect(got.slice(1)).toEqual([expect.stringMatching(new RegExp(`^letter: run: ${path.replace(/[.+]/g, "\\$&")}: Avro block 1 \\(at byte \\d+\\), record 2 of 2: Avro value of \\d+ bytes is not a shop.Order: .*field gone`))]);
});

test("avro16: a file whose schema does not resolve into the reader's is one dead letter naming the file and the field; the next file is read", async () => {
  const bad = await containerFile("bad.avro", { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "string" }, { name: "qty", type: "int" }] }, [{ id: "A-1", qty: 1 }], "deflate");
  const lacking = await containerFile("lacking.avro", { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "long" }] }, [{ id: 5 }], "null");
  const good = await containerFile("good.avro", OLD, [{ id: 9, qty: 3, gone: "" }], "null");
  const into = reader();
  expect(await read({ path: bad, mtimeMs: 0, format: "avro", avro: into })).toEqual([
    `letter: run: ${bad}: is an Avro file whose schema (shop.Order) cannot be read as the reader schema schemas/orders.avsc (sources.orders.avro.schema): field id: the writer's string cannot be read as the reader's long (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other); its records are not read`,
  ]);
  expect(await read({ path: lacking, mtimeMs: 0, format: "avro", avro: into })).toEqual([
    `letter: run: ${lacking}: is an Avro file whose schema (shop.Order) cannot be read as the reader schema schemas/orders.avsc (sources.orders.avro.schema): field quantity: the writer schema has no field quantity (nor qty, its aliases), and the reader schema gives it no default; add a "default" to the reader's field; its records are not read`,
  ]);
  expect(await read({ path: good, mtimeMs: 0, format: "avro", avro: into })).toEqual(asJson([`{"id": 9, "quantity": 3.0, "currency": "EUR", "note": null}`]));
});
