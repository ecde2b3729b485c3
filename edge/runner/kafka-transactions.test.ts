import { expect, test } from "vitest";
import { abortedRecords, type FetchedRecord } from "./kafka-transactions.ts";

const data = (offset: number, producerId: string, inTransaction = true): FetchedRecord => ({ offset: String(offset), key: null, batchContext: { producerId, inTransaction } });
const marker = (offset: number, producerId: string, commit: boolean): FetchedRecord => ({ offset: String(offset), key: Buffer.from([0, 0, 0, commit ? 1 : 0]), isControlRecord: true, batchContext: { producerId, inTransaction: true } });
const offsets = (set: Set<FetchedRecord>) => [...set].map((r) => Number(r.offset)).sort((a, b) => a - b);

test("every aborted transaction begun by a record is open at it, not one per record (kafkajs's filter)", () => {
  // A fetch from offset 2 of: p1 data@0, p2 data@1 (both aborted), p2 data@2, p1 abort@3, p2 abort@4, p2 data@5 committed@6.
  const records = [data(2, "p2"), marker(3, "p1", false), marker(4, "p2", false), data(5, "p2"), marker(6, "p2", true)];
  expect(offsets(abortedRecords(records, [{ producerId: "p1", firstOffset: "0" }, { producerId: "p2", firstOffset: "1" }]))).toEqual([2]);
});

test("a producer's committed transaction after its aborted one, and other producers' records, are kept", () => {
  const records = [data(0, "p1"), data(1, "p2"), data(2, "x", false), marker(3, "p1", false), data(4, "p1"), marker(5, "p2", true), marker(6, "p1", true)];
  expect(offsets(abortedRecords(records, [{ producerId: "p1", firstOffset: "0" }]))).toEqual([0]);
  expect(abortedRecords(records, []).size).toBe(0);
});
