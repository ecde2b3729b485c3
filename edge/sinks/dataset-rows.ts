import type { Row, Schema } from "../plan/values.ts";

/**
 * A dataset whose partition values exercise the layout: NULLs, `/`, `=`,
 * `%`, spaces, quotes, unicode, a date before 1970, timestamps with and
 * without fractions. Shared by the fs (unit) and S3 (integration) tests.
 */
export const datasetSchema: Schema = [
  { name: "id", type: "BIGINT" },
  { name: "station", type: "VARCHAR" },
  { name: "day", type: "DATE" },
  { name: "entries", type: "INTEGER" },
  { name: "minute", type: "TIMESTAMP" },
  { name: "tags", type: "VARCHAR[]" },
];
export const partitionBy = ["day", "station"];

const stations = ["Times Sq/42 St", "a=b%c", "Ünïon Sq 🦆", "it's \"quoted\"", null, "", "NULL", "null", "%4EULL"];
const days = [20_414, 20_415, -1, null];

export function datasetRows(n = 300): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    id: BigInt(i),
    station: stations[i % stations.length]!,
    day: days[i % days.length]!,
    entries: i % 11 === 0 ? null : i * 7,
    minute: i % 13 === 0 ? null : BigInt(Date.UTC(2026, 10, 22, 5, i % 60)) * 1000n + BigInt((i % 3) * 500_000),
    tags: i % 5 === 0 ? null : [`t${i % 3}`, "ü"],
  }));
}
