import type { ConformanceCase } from "../case.ts";

// A JSON integer into a DECIMAL column is read exactly (through BIGINT), a real through DOUBLE, as read_json reads them.
const schema = [{ name: "id", type: "BIGINT" }, { name: "amount", type: "DECIMAL(18,3)" }];

export const cases: ConformanceCase[] = [
  { name: "a 15-digit JSON integer in a DECIMAL(18,3) column keeps every digit", sql: "SELECT id, amount, amount::VARCHAR AS text FROM t", schema, rows: [{ id: 1, amount: 999999999999999 }, { id: 2, amount: -999999999999999 }, { id: 3, amount: 123456789012345 }, { id: 4, amount: 0 }] },
  { name: "a JSON integer in a DECIMAL(38,10) column keeps every digit past 2^53 scaled", sql: "SELECT id, amount::VARCHAR AS text FROM t", schema: [{ name: "id", type: "BIGINT" }, { name: "amount", type: "DECIMAL(38,10)" }], rows: [{ id: 1, amount: 9007199254740991 }, { id: 2, amount: 123456789 }] },
];
