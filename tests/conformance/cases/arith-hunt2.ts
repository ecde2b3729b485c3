/**
 * Arithmetic and conversions over messy numeric feeds, found by the arith hunt (2026-12-05):
 * each case failed before its fix, except those marked (guard).
 */
import type { ConformanceCase } from "../case.ts";

const text = [{ name: "s", type: "VARCHAR" }];
const printfRows = [
  { a: 1234567n }, { a: -1234567n }, { a: 0n }, { a: 42n }, { a: -9223372036854775808n }, { a: 9223372036854775807n },
];
const big = [{ name: "a", type: "BIGINT" }];

/** Money-like values: round_even's macro and a plain ties-to-even disagree on many of them. */
const money: { d: number }[] = [];
for (let i = 0; i < 400; i++) money.push({ d: Number((((i * 7919) % 100000) / 1000 - 50).toFixed(3)) });
for (let i = 0; i < 200; i++) money.push({ d: Number((i / 200).toFixed(3)) + 0.005 });


/** The exact decimal expansion of a double. */
function exactText(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const eb = Number((bits >> 52n) & 0x7ffn);
  const fr = bits & ((1n << 52n) - 1n);
  const mant = eb === 0 ? fr : fr | (1n << 52n);
  const e2 = (eb === 0 ? 1 : eb) - 1075;
  if (e2 >= 0) return (x < 0 ? "-" : "") + (mant << BigInt(e2)).toString();
  const digits = (mant * 5n ** BigInt(-e2)).toString().padStart(-e2 + 1, "0");
  return `${x < 0 ? "-" : ""}${digits.slice(0, digits.length + e2)}.${digits.slice(digits.length + e2)}`;
}

/** Texts on, just above and just below the midpoint between two neighbouring floats (exact in a double). */
const floatMidpoints: { s: string }[] = [];
{
  const view = new DataView(new ArrayBuffer(4));
  for (const bits of [0x3f800000, 0x4b800000, 0x3dcccccd, 0x00000001, 0x7f7ffffe, 0x501502f9, 0x2edbe6ff, 0x42f6e979]) {
    view.setUint32(0, bits);
    const a = view.getFloat32(0);
    view.setUint32(0, bits + 1);
    const m = (a + view.getFloat32(0)) / 2;
    for (const x of [m, -m]) {
      const e = exactText(x);
      floatMidpoints.push({ s: e }, { s: `${e}0000001` }, { s: String(x) }, { s: `${e.slice(0, -1)}${Math.max(0, Number(e.slice(-1)) - 1)}9999` });
    }
  }
  floatMidpoints.push({ s: exactText(2 ** -150) }, { s: `${exactText(2 ** -150)}1` }, { s: "3.4028235677973366e38" }, { s: "340282356779733661637539395458142568448.0000001" }, { s: "16777217.0000000001" }, { s: " +-1.0000000596046448 " });
}

export const cases: ConformanceCase[] = [
  {
    name: "text '+-42' is -42 as DOUBLE and FLOAT (DuckDB skips one '+' and its float parser reads the '-'), and no integer or DECIMAL",
    sql: "SELECT s, TRY_CAST(s AS DOUBLE) AS d, TRY_CAST(s AS FLOAT) AS f, TRY_CAST(s AS INTEGER) AS i, TRY_CAST(s AS DECIMAL(9,2)) AS m FROM t",
    rows: ["+-42", " +-4.5e1 ", "+-.5", "+-5.", "+-inf", "+-Infinity", "+-nan", "++42", "-+42", "+- 42", "+-", "+-.", "+-0x10", "+--5", "+-_5", "+-5_0"].map((s) => ({ s })),
    schema: text,
  },
  {
    name: "CAST of '+-42' AS DOUBLE answers -42, while '++42' fails",
    sql: "SELECT CAST(s AS DOUBLE) AS d FROM t",
    rows: [{ s: "+-42" }, { s: "+-1e3" }],
    schema: text,
  },
  {
    name: "printf's ',' and ''' flags print an integer in groups of three, and any integer conversion but %c as grouped decimal",
    sql: "SELECT a, printf('[%,d] [%''d] [%,i] [%,u] [%,x] [%,s] [%,12d] [%-,12d|] [%,012d] [%0,12d] [%+,d] [% ,d] [%,,d] [%,.3d] [%,.12d]', a, a, a, a, a, a, a, a, a, a, a, a, a, a, a) AS v FROM t",
    rows: printfRows,
    schema: big,
  },
  {
    name: "printf's %u, %b and %B, signs on unsigned conversions (%+x), the '#' prefixes and an integer's precision (%.5d)",
    sql: "SELECT a, printf('[%u] [%b] [%#b] [%B] [%+x] [% x] [%+o] [%+#x] [%#o] [%.5d] [%8.5d] [%-8.5d|] [%08.5d] [%.5x] [%5.3x] [%#.5o] [%.0d]', a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a) AS v FROM t",
    rows: [...printfRows, { a: 5n }, { a: -42n }],
    schema: big,
  },
  {
    name: "printf's length modifiers: hh and h narrow to 8 and 16 bits, l, ll, j, z, t and L change nothing for a BIGINT",
    sql: "SELECT a, printf('[%hd] [%hhd] [%hx] [%hhu] [%ld] [%lld] [%jd] [%zd] [%td] [%Ld] [%lu] [%lx]', a, a, a, a, a, a, a, a, a, a, a, a) AS v FROM t",
    rows: [...printfRows, { a: 40000n }, { a: 300n }, { a: -1n }],
    schema: big,
  },
  {
    name: "printf's %hd of an unsigned integer stays unsigned, %ld narrows a signed HUGEINT and %lx does not",
    sql: "SELECT printf('[%hd] [%hhd]', u, u) AS a, printf('[%hhd]', s) AS b, printf('[%ld] [%lx] [%lu]', h, h, h) AS c FROM t",
    rows: [{ u: 18446744073709551615n, s: 200, h: -170141183460469231731687303715884105728n }, { u: 65535n, s: 5, h: 170141183460469231731687303715884105727n }],
    schema: [{ name: "u", type: "UBIGINT" }, { name: "s", type: "UTINYINT" }, { name: "h", type: "HUGEINT" }],
  },
  {
    name: "printf's bare '.' precision groups a decimal conversion with '.' (%.d of 1234567 is 1.234.567) but not %x",
    sql: "SELECT a, printf('[%.d] [%7.d] [%.i] [%.u] [%,.d] [%''.d] [%012.d] [%.x] [%#.x] [%.o] [%.X] [%,.x]', a, a, a, a, a, a, a, a, a, a, a, a) AS v FROM t",
    rows: printfRows,
    schema: big,
  },
  {
    name: "printf's %c of an ASCII code, with width and zero fill",
    sql: "SELECT printf('[%c] [%3c] [%-3c|] [%05c] [%,c] [%.3c]', a, a, a, a, a, a) AS v FROM t",
    rows: [{ a: 65n }, { a: 122n }, { a: 32n }],
    schema: big,
  },
  {
    name: "printf of a BOOLEAN: %d is 0 or 1 with its sign flags, %s its text, and a '0' fill goes after the text",
    sql: "SELECT b, printf('[%d] [%+04u] [%s] [%.2s] [%-7s|] [%7s] [%08s] [%,s] [%,d]', b, b, b, b, b, b, b, b, b) AS v FROM t",
    rows: [{ b: true }, { b: false }],
    schema: [{ name: "b", type: "BOOLEAN" }],
  },
  {
    name: "printf of text: %s with precision, width and the ignored flags",
    sql: "SELECT printf('[%s] [%.2s] [%.s] [%5.s] [%-8s|] [%08s] [%,s]', s, s, s, s, s, s, s) AS v FROM t",
    rows: [{ s: "héllo" }, { s: "" }],
    schema: text,
  },
  {
    name: "printf's %u of text fails with DuckDB's Invalid Input Error",
    sql: "SELECT printf('%u', s) AS v FROM t",
    rows: [{ s: "x" }],
    schema: text,
    expect: "error",
  },
  {
    name: "printf's %x of a DOUBLE fails with DuckDB's Invalid Input Error (guard)",
    sql: "SELECT printf('%x', d) AS v FROM t",
    rows: [{ d: 1.5 }],
    schema: [{ name: "d", type: "DOUBLE" }],
    expect: "error",
  },
  {
    name: "printf's '%' cut off at the end of the format fails with DuckDB's Invalid Input Error (guard)",
    sql: "SELECT printf(f, a) AS v FROM t",
    rows: [{ f: "100%", a: 5n }],
    schema: [{ name: "f", type: "VARCHAR" }, { name: "a", type: "BIGINT" }],
    expect: "error",
  },
  {
    name: "printf's %12,d takes ',' as the type: DuckDB's Invalid Input Error (guard)",
    sql: "SELECT printf('%12,d', a) AS v FROM t",
    rows: [{ a: 5n }],
    schema: big,
    expect: "error",
  },
  {
    name: "floor and ceil of an integer are DOUBLE (floor of BIGINT's maximum is 9.223372036854776e18)",
    sql: "SELECT b, floor(b) AS f, ceil(b) AS c, floor(u) AS fu, ceil(h) AS ch, floor(i) AS fi FROM t",
    rows: [
      { b: 9223372036854775807n, u: 18446744073709551615n, h: 170141183460469231731687303715884105727n, i: 2147483647 },
      { b: -9223372036854775808n, u: 0n, h: -5n, i: -7 },
      { b: 0n, u: 7n, h: 0n, i: 0 },
      { b: null, u: null, h: null, i: null },
    ],
    schema: [{ name: "b", type: "BIGINT" }, { name: "u", type: "UBIGINT" }, { name: "h", type: "HUGEINT" }, { name: "i", type: "INTEGER" }],
  },
  {
    name: "round of an unsigned integer: UBIGINT is rounded as HUGEINT, UTINYINT..UINTEGER as BIGINT, UHUGEINT as DOUBLE",
    sql: "SELECT u, round(u, -1) AS a, round(u, -19) AS b, round(u, -20) AS c, round(u) AS d, round(u, 2) AS e, round(t, -1) AS f, round(t, -3) AS g, round(w, -1) AS h, round(t) AS i, round(x, -1) AS j, round(x, -39) AS k FROM t",
    rows: [
      { u: 18446744073709551615n, t: 255, w: 4294967295, x: 340282366920938463463374607431768211455n },
      { u: 9223372036854775808n, t: 5, w: 15, x: 25n },
      { u: 15n, t: 0, w: 0, x: 0n },
      { u: null, t: null, w: null, x: null },
    ],
    schema: [{ name: "u", type: "UBIGINT" }, { name: "t", type: "UTINYINT" }, { name: "w", type: "UINTEGER" }, { name: "x", type: "UHUGEINT" }],
  },
  {
    name: "round_even is DuckDB's macro: CASE WHEN (abs(x) * power(10, n + 1)) % 10 = 5 THEN round(x / 2, n) * 2 ELSE round(x, n) END (2.305 gives 2.3)",
    sql: "SELECT d, round_even(d, 0) AS a, round_even(d, 1) AS b, round_even(d, 2) AS c, round_even(d, -1) AS e FROM t",
    rows: money,
    schema: [{ name: "d", type: "DOUBLE" }],
  },
  {
    name: "round_even of DECIMAL, FLOAT and integers is DOUBLE (FLOAT for FLOAT), an integer's ELSE branch rounding in its own type",
    sql: "SELECT round_even(m, 2) AS a, round_even(m, 0) AS b, round_even(m, -1) AS c, round_even(f, 1) AS e, round_even(i, -1) AS g, round_even(i, 1) AS h, round_even(u, -1) AS k FROM t",
    rows: [
      { m: "2.305", f: 2.25, i: 25, u: 18446744073709551615n },
      { m: "-0.045", f: 1.35, i: 2147483647, u: 25n },
      { m: "99.995", f: -2.305, i: -15, u: 0n },
      { m: null, f: null, i: null, u: null },
    ],
    schema: [{ name: "m", type: "DECIMAL(10,3)" }, { name: "f", type: "FLOAT" }, { name: "i", type: "INTEGER" }, { name: "u", type: "UBIGINT" }],
  },
  {
    name: "round_even of an integer's minimum fails in the macro's abs() with DuckDB's Out of Range Error",
    sql: "SELECT round_even(i, 1) AS v FROM t",
    rows: [{ i: -128 }],
    schema: [{ name: "i", type: "TINYINT" }],
    expect: "error",
  },
  {
    name: "UHUGEINT past FLOAT's largest value casts to FLOAT infinity",
    sql: "SELECT x, CAST(x AS FLOAT) AS f FROM t",
    rows: [{ x: 340282366920938463463374607431768211455n }, { x: 340282356779733661637539395458142568447n }, { x: 1n }],
    schema: [{ name: "x", type: "UHUGEINT" }],
  },
  {
    name: "text to FLOAT rounds once, straight to float32: on a midpoint between two floats the digits past a double's decide",
    sql: "SELECT s, TRY_CAST(s AS FLOAT) AS f, CAST(s AS FLOAT)::VARCHAR AS g, TRY_CAST(s AS DOUBLE) AS d FROM t",
    rows: floatMidpoints,
    schema: text,
  },
  {
    name: "UHUGEINT subtraction wraps where DuckDB's upper-half overflow check misses it (0 - max is 1) and fails elsewhere",
    sql: "SELECT a - b AS v FROM t",
    rows: [
      { a: 0n, b: 2n ** 128n - 1n },
      { a: 5n * 2n ** 64n, b: (2n ** 64n - 1n) * 2n ** 64n + 1n },
      { a: 7n, b: (2n ** 64n - 1n) * 2n ** 64n + 8n },
      { a: 100n, b: 50n },
    ],
    schema: [{ name: "a", type: "UHUGEINT" }, { name: "b", type: "UHUGEINT" }],
  },
  {
    name: "UHUGEINT subtraction below zero with a subtrahend under 2^64·(2^64-1) fails with DuckDB's Out of Range Error (guard)",
    sql: "SELECT a - b AS v FROM t",
    rows: [{ a: 5n, b: 7n }],
    schema: [{ name: "a", type: "UHUGEINT" }, { name: "b", type: "UHUGEINT" }],
    expect: "error",
  },
  {
    name: "arith-hunt2: a literal past DOUBLE's range (1e999, -1e309) is infinity, in a filter and a select",
    sql: "SELECT d, d < 1e999 AS lt, -1e309 AS ninf, 1e999 AS pinf, d * 1e999 AS prod FROM t WHERE d <> 1e999",
    rows: [{ d: 1.5 }, { d: 0 }, { d: -2 }, { d: null }],
  },
  {
    name: "arith-hunt2: the literal 5. is a DECIMAL(1,0), so 5. + a is a DECIMAL",
    sql: "SELECT a, 5. + a AS v, 5. AS f, a * 2. AS w FROM t",
    rows: [{ a: 1 }, { a: -3 }, { a: null }],
  },
  {
    name: "arith-hunt2: '-0' and '-00' are 0 as an unsigned integer; '-0.0', '-0e5', '-0 ' are not numbers",
    sql: "SELECT s, TRY_CAST(s AS UTINYINT) AS a, TRY_CAST(s AS USMALLINT) AS b, TRY_CAST(s AS UINTEGER) AS c, TRY_CAST(s AS UBIGINT) AS d, TRY_CAST(s AS UHUGEINT) AS e, from_json('{\"x\": \"' || s || '\"}', '{\"x\": \"UTINYINT\"}') AS f FROM t",
    rows: ["-0", "-00", "-0.0", "-0e5", " -0 ", "  -0", "-0 ", "-0_0", "+0", "-0.", "-.0", "-1", "-0.4", "0"].map((s) => ({ s })),
  },
];
