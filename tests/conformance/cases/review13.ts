/**
 * review13: DuckDB macros whose body passes a parameter as a named argument
 * (`map_contains_entry` is `contains(map_entries(map), struct_pack("key" := "key", "value" := "value"))`):
 * expanded, the names were lost and the cell was refused as one DuckDB cannot bind.
 */
import type { ConformanceCase } from "../case.ts";

const rows = [
  { id: 1, k: "a", v: 2.5 },
  { id: 2, k: "b", v: null },
  { id: 3, k: null, v: 1 },
];
const schema = [{ name: "id", type: "INTEGER" }, { name: "k", type: "VARCHAR" }, { name: "v", type: "DOUBLE" }];

export const cases: ConformanceCase[] = [
  { name: "review13: map_contains_entry over a map built from the row", sql: "SELECT id, map_contains_entry(MAP {'a': v}, 'a', 2.5) AS has FROM t", rows, schema },
  { name: "review13: map_contains_entry with the row's key", sql: "SELECT id, map_contains_entry(MAP {'a': 2.5, 'b': 1.0}, k, v) AS has FROM t", rows, schema },
];
