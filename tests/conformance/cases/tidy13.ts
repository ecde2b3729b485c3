/** Loose ends of session 13: bin() of a floating-point number is refused where it is written. */
import type { ConformanceCase } from "../case.ts";

const rows = [{ x: 1.5, n: 5, s: "ab" }, { x: -2.25, n: -3, s: "" }, { x: null, n: null, s: null }];

export const cases: ConformanceCase[] = [
  { name: "bin() of a DOUBLE is refused at its line with a cast to BIGINT suggested (DuckDB prints BIGNUM's byte layout)", sql: "SELECT n,\n  bin(CAST(x AS DOUBLE)) AS b\nFROM t", rows, expect: "compile-error", message: "bin() of a DOUBLE in cell result (conformance/bin() of a DOUBLE is refused at its line with a cast to BIGINT suggested (DuckDB prints BIGNUM's byte layout) line 2): DuckDB converts it to a BIGNUM" },
  { name: "to_binary() of a FLOAT is refused with bin(CAST(x AS BIGINT)) suggested", sql: "SELECT to_binary(CAST(x AS FLOAT)) AS b FROM t", rows, expect: "compile-error", message: "to_binary(CAST(x AS BIGINT))" },
  { name: "bin() of a DOUBLE cast to BIGINT, of a BIGINT and of a text give DuckDB's rows", sql: "SELECT bin(CAST(CAST(x AS DOUBLE) AS BIGINT)) AS d, bin(CAST(n AS BIGINT)) AS i, to_binary(s) AS t FROM t", rows },
];
