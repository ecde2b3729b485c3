/**
 * For the owner of edge/duckdb/load-events.node.ts, with load-events-casekey.diff: a sample whose
 * records include a non-object (an array, a number) and keys that differ only in case crashed
 * loadEvents ("Table chat does not have a column with name Channel_1"). Fails on main, passes with the diff.
 */
import type { ConformanceCase } from "../case.ts";

export const cases: ConformanceCase[] = [
  {
    name: "messy: records with keys differing only in case beside a record that is an array load as one whole-record column",
    sql: "SELECT json, json->>'channel' AS lower_key, json->>'Channel' AS upper_key FROM t",
    rows: [{ id: 1, channel: "a" }, { id: 2, Channel: "b" }, [1, 2, 3], 42],
  },
];
