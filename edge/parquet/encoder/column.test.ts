import { expect, test } from "vitest";
import { runnelWriter } from "../runnel.ts";
import { ChunkEncoder } from "./column.ts";
import { Leaf } from "./shred.ts";

test("a drained leaf keeps none of its values: the page being filled holds them as bytes and typed arrays", () => {
  const text = new Leaf({ name: "s", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" }, ["s"], 1, 0);
  const ints = new Leaf({ name: "t", type: "INT64", repetition_type: "OPTIONAL" }, ["t"], 1, 0);
  const encoders = [new ChunkEncoder(text, "SNAPPY"), new ChunkEncoder(ints, "SNAPPY")];
  for (let i = 0; i < 1500; i++) {
    if (i % 10 === 0) text.push(0, 0);
    else text.push(1, 0, `name ${i % 40} é`);
    ints.push(1, 0, 1_764_547_200_000_000n + BigInt(i));
  }
  for (const e of encoders) e.drain();
  // Levels stay until their page is written (1,500 is less than a page); values do not.
  expect([text.count, text.present, text.values.length]).toEqual([1500, 0, 0]);
  expect([ints.count, ints.present, ints.values.length]).toEqual([1500, 0, 0]);
  const [s, t] = encoders.map((e) => e.finish());
  expect([text.count, ints.count]).toEqual([0, 0]);
  expect(s!.size).toBeGreaterThan(0);
  expect(t!.size).toBeGreaterThan(0);
});

test("a file fed in small batches gives the bytes of one write when a dictionary is given up mid-page", () => {
  const schema = [{ name: "k", type: "INTEGER" }, { name: "s", type: "VARCHAR" }];
  // 70,000 keys, each twice: the dictionary reaches its 65,536-key limit inside a page and is given up there.
  const rows = Array.from({ length: 140_000 }, (_, i) => ({ k: i >> 1, s: i % 3 === 0 ? null : `v${i >> 1}` }));
  const whole = runnelWriter.write(schema, rows, { rowGroupSize: 200_000 });
  const file = runnelWriter.open!(schema, { rowGroupSize: 200_000 });
  for (let at = 0; at < rows.length; at += 999) file.add(rows.slice(at, at + 999));
  expect(Buffer.from(file.finish()).equals(Buffer.from(whole))).toBe(true);
});

test("a number among a text column's unrepeated values is refused with its reason (it once looped for ever)", () => {
  // Seven distinct values in ten: the dictionary is given up and the page is PLAIN text.
  const rows = ["s3", "s0", "s1", "s3", "", "s2", "s0", 5, "s1", "s4"].map((c) => ({ c }));
  expect(() => runnelWriter.write([{ name: "c", type: "VARCHAR" }], rows as never)).toThrow(/encoding column c of rows 0\.\.9 failed/);
  try {
    runnelWriter.write([{ name: "c", type: "VARCHAR" }], rows as never);
  } catch (error) {
    expect(String((error as Error).cause)).toContain("parquet: expected a string, got number 5");
  }
});
