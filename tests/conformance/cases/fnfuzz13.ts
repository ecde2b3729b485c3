import type { ConformanceCase } from "../case.ts";
import type { Schema } from "../../../edge/plan/values.ts";

// String, numeric and cast functions over messy values, found by edge/exec/functions/expr-fuzz13.node.test.ts.
// The rows are text, typed by a cast in the cell as the fuzzer types them.
const typed = (x: string) => `SELECT ${x} AS r FROM (SELECT s, CAST(d AS DOUBLE) AS d, CAST(m AS DECIMAL(18,3)) AS m, CAST(h AS HUGEINT) AS h FROM t)`;
const schema: Schema = ["s", "d", "m", "h"].map((name) => ({ name, type: "VARCHAR" }));
const doubles = ["1", "-1", "0", "0.5", "2", "inf", "-inf", "nan", "-0.0", null].map((d) => ({ d }));

export const cases: ConformanceCase[] = [
  // C's pow: 1 to any power and -1 to an infinite one are 1 (JavaScript's ** made them NaN).
  { name: "power of 1 and -1 to an infinite or NaN exponent is 1, as C's pow", sql: typed("[power(d, CAST('inf' AS DOUBLE)), power(d, CAST('-inf' AS DOUBLE)), power(d, CAST('nan' AS DOUBLE)), d ** CAST('-inf' AS DOUBLE), power(CAST('nan' AS DOUBLE), d)]"), rows: doubles, schema },
  // DECIMALs too wide to share a DECIMAL are taken % as DOUBLEs, where a zero divisor is NULL (was NaN).
  { name: "a wide DECIMAL % a DECIMAL zero is NULL, as DuckDB's decimal modulo", sql: typed("[m % ceil(TRY_CAST(d AS DECIMAL(38,10))), CAST(m AS DECIMAL(5,2)) % TRY_CAST(d AS DECIMAL(38,0)), h % TRY_CAST(d AS DECIMAL(38,2))]"), rows: [{ m: "0.5", d: "1e-116", h: "5" }, { m: "0.5", d: "0", h: "-7" }, { m: "-2.5", d: "2", h: "7" }, { m: null, d: "0", h: null }], schema },
  { name: "a DOUBLE % zero is still NaN beside a DECIMAL", sql: typed("[d % CAST(0 AS DECIMAL(38,0)), m % CAST(0 AS DOUBLE)]"), rows: [{ m: "0.5", d: "1" }], schema },
  // x86 arithmetic makes inf - inf, 0 * inf and fmod's invalid cases a NaN with its sign set, which DuckDB prints -nan.
  { name: "a NaN made by inf - inf, 0 * inf or % 0 prints -nan as DuckDB's does, a NaN read from text nan", sql: typed("[CAST(d - d AS VARCHAR), CAST(-(d - d) AS VARCHAR), CAST(d * 0 AS VARCHAR), CAST(d % 0 AS VARCHAR), CAST(d % 2 AS VARCHAR), CAST(2 % (d - d) AS VARCHAR), CAST(-d AS VARCHAR), CAST(abs(d - d) AS VARCHAR), CAST(CAST(d - d AS FLOAT) AS VARCHAR), (d - d)::VARCHAR || '!']"), rows: doubles, schema },
  { name: "signbit sees a NaN's sign, as DuckDB's does", sql: typed("[signbit(d), signbit(-d), signbit(-ceil(d)), signbit(d - d), signbit(-(d - d))]"), rows: doubles, schema },
  { name: "logarithms of a NaN give the NaN back, its sign too", sql: typed("[CAST(ln(d - d) AS VARCHAR), CAST(log10(d - d) AS VARCHAR), CAST(log2(-(d - d)) AS VARCHAR), CAST(log(2, d - d) AS VARCHAR), CAST(sqrt(d - d) AS VARCHAR), CAST(exp(d - d) AS VARCHAR)]"), rows: [{ d: "inf" }, { d: "nan" }, { d: "-inf" }], schema },
  // An exponent's digits take single '_' between them (was: not a number).
  { name: "number text with '_' between an exponent's digits casts as DuckDB's", sql: typed("[TRY_CAST(s AS DOUBLE), TRY_CAST(s AS DECIMAL(18,3)), TRY_CAST(s AS DECIMAL(9,2)), TRY_CAST(s AS BIGINT), TRY_CAST(s AS INTEGER), TRY_CAST(s AS HUGEINT), TRY_CAST(s AS UBIGINT), TRY_CAST(s AS FLOAT)]"), rows: ["1e1_0", "1e+1_0", "5e-1_0", "1e1__0", "1e_1", "1e1_", "1_0e1_0", " -.5e1_0 ", "1e0_0_1", "25e-0_1", "1e-1_0", "1e1_0x"].map((s) => ({ s })), schema },
  { name: "CAST of number text with '_' in its exponent to DECIMAL answers, not fails", sql: typed("CAST(CAST(s AS DECIMAL(18,3)) AS VARCHAR)"), rows: [{ s: " -.5e1_0 " }, { s: "2e0_1" }], schema },
  // DuckDB multiplies HUGEINT magnitudes: a product of exactly -2^127 overflows, unless a factor is 1 (was: answered).
  { name: "a HUGEINT product of exactly -2^127 overflows as DuckDB's", sql: typed("h * CAST(s AS HUGEINT)"), rows: [{ h: "-85070591730234615865843651857942052864", s: "2" }], expect: "error", schema },
  { name: "a HUGEINT product of exactly -2^127 from 2^64 and -2^63 overflows as DuckDB's", sql: typed("h * CAST(s AS BIGINT)"), rows: [{ h: "18446744073709551616", s: "-9223372036854775808" }], expect: "error", schema },
  { name: "-2^127 times 1 is -2^127, and products next to it answer", sql: typed("h * CAST(s AS HUGEINT)"), rows: [{ h: "-170141183460469231731687303715884105728", s: "1" }, { h: "-85070591730234615865843651857942052863", s: "2" }, { h: "56713727820156410577229101238628035242", s: "-3" }], schema },
  // substr(s, offset) without a length takes 2^32 - 1 characters: from far before the start it stops short of the end.
  { name: "substr without a length from an offset near -2^32 takes 2^32 - 1 characters, as DuckDB's", sql: typed("[substr(upper(s), CAST(h AS BIGINT)), substr(hex(CAST(h AS BIGINT)), CAST(h AS BIGINT)), substring(lower(s), CAST(h AS BIGINT)), substr(s, CAST(h AS BIGINT))]"), rows: [{ s: "abcdefgh", h: "-4294967296" }, { s: "abcdefgh", h: "-4294967295" }, { s: "abcdefgh", h: "-4294967290" }, { s: "ab", h: "-4294967295" }], schema },
  { name: "substr without a length from an offset near -2^32 of non-ASCII text takes 2^32 - 1 characters", sql: typed("[substr(upper(s), CAST(h AS BIGINT)), substr(s, CAST(h AS BIGINT))]"), rows: [{ s: "ß😀e\u0301xyz", h: "-4294967293" }, { s: "İı", h: "-4294967296" }], schema },
  { name: "arithmetic over two NaNs gives back the first one, its sign too, as x86 and DuckDB do", sql: typed("[CAST(-d + d AS VARCHAR), CAST(d + -d AS VARCHAR), CAST(-d * 1.005 + d AS VARCHAR), CAST(d * -d AS VARCHAR), CAST(-d / d AS VARCHAR), CAST(d - -d AS VARCHAR), CAST(-d % d AS VARCHAR), CAST(d % -d AS VARCHAR), CAST(CAST(-d AS FLOAT) + CAST(d AS FLOAT) AS VARCHAR)]"), rows: [{ d: "nan" }, { d: "inf" }, { d: "-inf" }, { d: "1" }], schema },
  // DuckDB's integer parser reads an exponent its own way (IntegerDecimalCastOperation): a negative one shifts only
  // the integer part; with a zero integer part the fraction is kept as read and rounds only when it is one digit
  // of 5..10 (the plan rounded the exact value: '-0.5000001e-1' was -1, DuckDB's 0).
  { name: "integer text with an exponent is read as DuckDB's integer parser reads it, not rounded exactly", sql: typed("[TRY_CAST(s AS INTEGER), TRY_CAST(s AS BIGINT), TRY_CAST(s AS SMALLINT), TRY_CAST(s AS UBIGINT), TRY_CAST(s AS UINTEGER)]"), rows: ["-0.5000001e-1", "-0.5e-1", "0.10e-1", "0.05e-3", ".7e-3", "15e-2", "5e-20", "1.25e1", "1.234e1", "0.5000001e0", "-0.5e0", "2.5e0", "1.55e-1", "0.95e1", "123.456e2", "0.05e1", "0.0005e2", "0.1234567890123456789012e0", "9223372036854775807.1234567890123456789012e-0", "4294967295.5e0", null].map((s) => ({ s })), schema },
];
