/**
 * review15 (2026-12-07): uuid_extract_version of a UUID whose version digit is a letter (the Max
 * UUID of RFC 9562, ids that are not RFC UUIDs at all) is what DuckDB 1.4.3 answers: the digit's
 * character code less that of '0' ('f' is 54, 'a' 49), not its hex value; uuid_extract_timestamp
 * still names the hex value in its error (version 15).
 */
import type { ConformanceCase } from "../case.ts";

export const cases: ConformanceCase[] = [
  {
    name: "review15: uuid_extract_version of a version digit a-f (the Max UUID, non-RFC ids) is DuckDB's character arithmetic",
    sql: `SELECT id, uuid_extract_version(TRY_CAST(id AS UUID)) AS v FROM t`,
    rows: ["ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-a000-0000-000000000000", "00000000-0000-B000-0000-000000000000", "00000000-0000-9000-0000-000000000000", "00000000-0000-0000-0000-000000000000", "018e0a1c-7a00-7000-8000-000000000000", "not a uuid", null].map((id) => ({ id })),
    schema: [{ name: "id", type: "VARCHAR" }],
  },
  {
    name: "review15: uuid_extract_timestamp of the Max UUID fails naming version 15, as DuckDB's does",
    sql: `SELECT uuid_extract_timestamp(id::UUID) AS at FROM t`,
    rows: [{ id: "ffffffff-ffff-ffff-ffff-ffffffffffff" }],
    schema: [{ name: "id", type: "VARCHAR" }],
    expect: "error",
    message: "Given UUID is with version 15, not version 7.",
  },
];
