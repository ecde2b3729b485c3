/**
 * json_contains(json, json) and bin / unbin, as DuckDB 1.4.3 answers them (coverage hunt leftovers,
 * 2026-12-07): containment of objects, arrays, nested values and scalars, yyjson's number kinds
 * (`1` is not `1.0`, `-0` is `0`, out-of-range numbers and NaN/Infinity literals compare as text),
 * NULLs and malformed documents; integers and text in binary digits and back.
 */
import type { ConformanceCase } from "../case.ts";

/** Pairs of (haystack, needle) JSON texts, one per event. */
const pairs: [string | null, string | null][] = [
  ['{"a":1,"b":2}', '{"a":1}'],
  ['{"a":1}', '{"a":1.0}'],
  ["1", "1.0"],
  ["1", "1"],
  ["-1", "-1"],
  ["5", "-5"],
  ["[1,2,3]", "2"],
  ["[1,2,3]", "[3,1]"],
  ["[1,2,3]", "[1,1]"],
  ["[1,[2,3]]", "[2]"],
  ["[1,[2,3]]", "[[3]]"],
  ["[1,2]", "[[1]]"],
  ["[[1,2],[3]]", "[1,3]"],
  ['{"a":{"b":{"c":1}}}', '{"c":1}'],
  ['{"a":{"b":{"c":1}}}', "1"],
  ['{"a":{"b":{"c":1}}}', '{"b":{}}'],
  ['{"a":[1,2]}', '{"a":[2]}'],
  ['{"a":[1,{"b":[2,3]}]}', '{"b":[3]}'],
  ['{"x":{"a":1},"y":2}', '{"a":1,"y":2}'],
  ['[{"a":1,"b":2},{"c":3}]', '[{"a":1},{"c":3}]'],
  ['["abc"]', '"ab"'],
  ['{"a":"x"}', '"x"'],
  ['{"a":"x"}', '"a"'],
  ['"\\u0041"', '"A"'],
  ['{"\\u0061":1}', '{"a":1}'],
  ['"a"', '"A"'],
  ["null", "null"],
  ["[null]", "null"],
  ["{}", "{}"],
  ['{"a":1}', "{}"],
  ["{}", "[]"],
  ["[1]", "[]"],
  ["1", "[]"],
  ['{"a":{}}', "{}"],
  ["true", "true"],
  ["[true]", "false"],
  ["true", "1"],
  ["[1, 2,]", " 2 "],
  ["-0", "0"],
  ["[0.0]", "-0.0"],
  ["-0.0", "-0.0"],
  ["1E2", "100.0"],
  ["0.1", "0.10"],
  ["1e-400", "0.0"],
  ["1e-400", "0"],
  ["18446744073709551615", "18446744073709551615"],
  ["18446744073709551616", "1.8446744073709552e19"],
  ["[18446744073709551616]", "18446744073709551616"],
  ["-9223372036854775809", "-9.223372036854776e18"],
  ["[9223372036854775807]", "9223372036854775807"],
  ["1e400", "1e400"],
  ["1e400", "1E400"],
  ["NaN", "NaN"],
  ["NaN", "nan"],
  ["Infinity", "inf"],
  ["[-Infinity]", "-Infinity"],
  ['{"a":1,"a":2}', '{"a":2}'],
  ['{"a":1,"a":2}', '{"a":1,"a":2}'],
  ['{"a":1,"a":2}', '{"a":2,"a":1}'],
  ['{"a":1,"b":2,"a":3}', '{"a":1,"b":2,"a":3}'],
  ['{"a":1,"b":2,"a":3}', '{"b":2,"a":1,"a":3}'],
  ['{"a":1}', '{"a":1,"a":1}'],
  [null, "1"],
  ["1", null],
  [null, "{bad"],
];
const docs = pairs.map(([h, n], i) => ({ i, h, n }));
const docSchema = [{ name: "i", type: "BIGINT" }, { name: "h", type: "VARCHAR" }, { name: "n", type: "VARCHAR" }];

const numbers = [
  { i: 1, tiny: 5, small: -1, big: -9223372036854775808n, huge: "-1", ubig: "18446744073709551615", s: "AB" },
  { i: 2, tiny: -128, small: 0, big: 9223372036854775807n, huge: "170141183460469231731687303715884105727", ubig: "5", s: "é" },
  { i: 3, tiny: 0, small: 32767, big: 0, huge: "0", ubig: "0", s: "" },
  { i: 4, tiny: null, small: null, big: null, huge: null, ubig: null, s: null },
];
const numberSchema = [
  { name: "i", type: "BIGINT" }, { name: "tiny", type: "TINYINT" }, { name: "small", type: "SMALLINT" }, { name: "big", type: "BIGINT" },
  { name: "huge", type: "HUGEINT" }, { name: "ubig", type: "UBIGINT" }, { name: "s", type: "VARCHAR" },
];
const bits = [
  { b: "101" }, { b: "" }, { b: "1" }, { b: "111111111" }, { b: "0110000101100010" }, { b: "00000000" }, { b: "0100000" }, { b: null },
];

export const cases: ConformanceCase[] = [
  { name: "coverage13b: json_contains of objects, arrays, nested values, scalars, numbers by yyjson's kinds, duplicate keys and NULLs", sql: "SELECT i, json_contains(h, n) AS c FROM t", rows: docs, schema: docSchema },
  { name: "coverage13b: json_contains of a JSON column and in a WHERE", sql: "SELECT i, h FROM t WHERE i < 64 AND json_contains(h::JSON, n::JSON)", rows: docs, schema: docSchema },
  { name: "coverage13b: json_contains of a JSON expression and a literal needle", sql: "SELECT i, json_contains(json_object('k', h), '\"x\"') AS x, json_contains(h, '{}') AS e FROM t WHERE h IS NOT NULL AND i < 10", rows: docs, schema: docSchema },
  { name: "coverage13b: json_contains of a malformed haystack is DuckDB's Malformed JSON error", sql: "SELECT json_contains(h, n) AS c FROM t", rows: [{ h: "{bad", n: "1" }], schema: [{ name: "h", type: "VARCHAR" }, { name: "n", type: "VARCHAR" }], expect: "error" },
  { name: "coverage13b: json_contains of a malformed needle is DuckDB's Malformed JSON error, the needle's before the haystack's", sql: "SELECT json_contains(h, n) AS c FROM t", rows: [{ h: "{bad", n: "[bad" }], schema: [{ name: "h", type: "VARCHAR" }, { name: "n", type: "VARCHAR" }], expect: "error" },
  { name: "coverage13b: json_contains of an empty document is DuckDB's error", sql: "SELECT json_contains(h, n) AS c FROM t", rows: [{ h: "[1]", n: "" }], schema: [{ name: "h", type: "VARCHAR" }, { name: "n", type: "VARCHAR" }], expect: "error" },
  { name: "coverage13b: bin and to_binary of integers of each width (two's complement of 64 bits, 128 for HUGEINT) and of text's UTF-8 bytes", sql: "SELECT i, bin(tiny) AS t, bin(small) AS sm, bin(big) AS b, bin(huge) AS h, bin(ubig) AS u, to_binary(s) AS s, bin(tiny + 1) AS t1, bin(-small) AS ns FROM t", rows: numbers, schema: numberSchema },
  { name: "coverage13b: unbin and from_binary read binary digits as bytes, a short count in the first byte", sql: "SELECT b, unbin(b) AS u, from_binary(b) AS f, bin(unbin(b)::VARCHAR) AS back FROM t WHERE b <> '111111111' OR b IS NULL", rows: bits },
  { name: "coverage13b: unbin of a character other than 0 and 1 is DuckDB's error", sql: "SELECT unbin(b) AS u FROM t", rows: [{ b: "102" }], expect: "error" },
];
