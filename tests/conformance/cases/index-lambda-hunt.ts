/** Ready to add to tests/conformance/cases/ with index-lambda.diff applied (change the import to "../case.ts"). */
import type { ConformanceCase } from "../case.ts";

const rows = [{ id: 1, l: [10, null, 30], m: [[1, 2], [3]] }, { id: 2, l: [], m: null }, { id: 3, l: null, m: [[], [4, 5, 6]] }];
const schema = [{ name: "id", type: "INTEGER" }, { name: "l", type: "BIGINT[]" }, { name: "m", type: "BIGINT[][]" }];

export const cases: ConformanceCase[] = [
  {
    name: "messy2: a lambda's index parameter, (x, i) -> ..., is the element's 1-based place (in list_filter, nested, beside a column)",
    sql: `SELECT id, list_transform(l, (x, i) -> x * i) AS a, list_filter(l, (x, i) -> i % 2 = 1) AS odd, list_transform(l, (x, i) -> i + id) AS b,
      list_transform(m, (r, i) -> list_transform(r, (v, j) -> v * 100 + i * 10 + j)) AS nested, list_filter(m, (r, i) -> len(r) > i) AS f FROM t`,
    rows, schema,
  },
];
