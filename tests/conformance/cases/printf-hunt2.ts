/**
 * printf's float conversions and format()'s float specs, found by the printf hunt (2026-12-05): before,
 * the compiler refused every one of them (printf('%.2f', amount), format('{:,.2f}', x)); some
 * (`%,.2f`, `%lf`) slipped past that refusal and failed on every event. Each case failed before the
 * change, except those marked (guard). DuckDB's fmt rounds with Grisu over a 64-bit product and asks
 * snprintf on ties, and prints digits of huge doubles that are not their value; the library repeats both.
 */
import type { ConformanceCase } from "../case.ts";

const dbl = [{ name: "d", type: "DOUBLE" }];

/** A seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Exact ties, halfway cases of money, powers of ten and the ends of DOUBLE's range. */
const special = [
  0.125, 0.375, 0.625, 2.5, 3.5, -2.5, 0.5, 1.5, 1e22, 1e21, 1e23, 5e-324, 2.2250738585072014e-308, 0, 1e300, -1e300,
  1.7976931348623157e308, 1e60, 1e59, 1e61, 123456789012345680000, 0.1, 0.7, 1.005, 2.675, 1.45, -1.5, 9.995, 99.995,
  999999.995, 1234567.891, -1234567.891, 3.14159, 1e-5, 0.0001, 0.00001234, 123456.7, 1e15, 1e16, 1e17, 4.35, 0.045,
  1e-300, 9.999999999999999e22, 0.3, 2 ** 70, 2 ** 53 + 2, 4503599627370497.5, 8.5, 0.05, 0.015, 0.025, 1e-7, 999.9999999,
];

/** Money-like amounts (cents and mills), signed. */
const money: number[] = [];
{
  const r = random(11);
  for (let i = 0; i < 200; i++) money.push(Math.round((r() - 0.5) * 10 ** Math.floor(r() * 10)) / 100);
  for (let i = 0; i < 100; i++) money.push(Math.round((r() - 0.5) * 10 ** Math.floor(r() * 8)) / 1000);
  for (let i = 0; i < 60; i++) money.push(Math.floor(r() * 100000) / 8 + 0.5 ** Math.floor(r() * 6));
}

/** Doubles from random bit patterns (every magnitude, subnormals included) and random scales. */
const wild: number[] = [];
{
  const r = random(29);
  const view = new DataView(new ArrayBuffer(8));
  while (wild.length < 250) {
    view.setUint32(0, Math.floor(r() * 2 ** 32));
    view.setUint32(4, Math.floor(r() * 2 ** 32));
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) wild.push(x);
  }
  for (let i = 0; i < 100; i++) wild.push((r() - 0.5) * 10 ** Math.floor(r() * 50 - 15));
}

const rows = (xs: number[]) => xs.map((d) => ({ d }));

const printfFormats = ["%.2f", "%f", "%.0f", "%.1f", "%e", "%.3e", "%E", "%g", "%G", "%.10g", "%.17g", "%F", "%.20f", "%.0e", "%.0g", "%#.0f", "%#g", "%#.3g", "%.30e"];
const printfFlags = ["%,.2f", "%'.2f", "%'12.1f|", "%+'.3e", "%,f", "%012.3f", "%-12.2f|", "%+.1f", "% .4e", "%+ f", "% +f", "%-010.2f", "%,14.2f", "%0,14.2f", "%lf", "%.2Lf", "%10.4g|", "%-+9.1e|", "%.f", "%5.1f|", "%-8.2e|", "%08.3f"];
const formatSpecs = ["{:.2f}", "{:,.2f}", "{:f}", "{:e}", "{:g}", "{}", "{:.3}", "{:>12.2f}", "{:*^14.1f}", "{:<10.2e}|", "{:+.2f}", "{: .2f}", "{:-.2f}", "{:010.2f}", "{:=+12.2f}", "{:_.3f}", "{:t..2f}", "{:'.2f}", "{:#.0f}", "{:#g}", "{:.0}", "{:.17}", "{:E}", "{:G}", "{:.25f}", "{:,}", "{:,.0f}", "{:20}", "{0:.2f} {0:e}"];

/** One column per format over the stream's d. */
const select = (fn: string, formats: string[]) =>
  `SELECT d, ${formats.map((f, i) => `${fn}('${f.replace(/'/g, "''")}', d) AS c${i}`).join(", ")} FROM t`;

export const cases: ConformanceCase[] = [
  {
    name: "printf's %f %e %g conversions of exact ties, powers of ten and huge doubles print fmt's digits (1e300 under %.2f ends in 52532413974...)",
    sql: select("printf", printfFormats),
    rows: rows(special),
    schema: dbl,
  },
  {
    name: "printf's float conversions with flags, widths, thousands separators and length modifiers (%,.2f %012.3f %lf %.2Lf)",
    sql: select("printf", printfFlags),
    rows: rows(special),
    schema: dbl,
  },
  {
    name: "printf('%.2f') and printf('%,.2f') of money-like amounts",
    sql: "SELECT d, printf('%.2f', d) AS a, printf('%,.2f', d) AS b, printf('%10.2f|', d) AS c, printf('%.3f', d) AS e, printf('%.1f', d) AS f, printf('%.0f', d) AS g FROM t",
    rows: rows(money),
    schema: dbl,
  },
  {
    name: "printf's float conversions of doubles from random bit patterns",
    sql: select("printf", ["%.2f", "%f", "%e", "%g", "%.15e", "%.17g", "%.0f", "%.5g", "%,.3f"]),
    rows: rows(wild),
    schema: dbl,
  },
  {
    name: "format()'s float specs ({:.2f} {:,.2f} {:e} {:g} fill, alignment, sign, '#', '0', t.) of exact ties and huge doubles",
    sql: select("format", formatSpecs),
    rows: rows(special),
    schema: dbl,
  },
  {
    name: "format('{:,.2f}') and format('{:.2f}') of money-like amounts and random doubles",
    sql: "SELECT d, format('{:.2f}', d) AS a, format('{:,.2f}', d) AS b, format('{:>12.2f}|', d) AS c, format('{:e}', d) AS e, format('{:g}', d) AS f, format('{:.0f}', d) AS g FROM t",
    rows: rows([...money, ...wild]),
    schema: dbl,
  },
  {
    name: "infinities, NaN and -0 under printf's and format()'s float conversions (inf0000000 under %010f)",
    sql: "SELECT s, printf('%f|%10.2f|%-10e|%010f|%+g|%E|%G|%a|%-8A|', x, x, x, x, x, x, x, x, x) AS p, format('{:.2f}|{:10}|{:010}|{:+.1e}|{:F}|{}', x, x, x, x, x, x) AS f FROM (SELECT s, CAST(s AS DOUBLE) AS x FROM t)",
    rows: ["inf", "-inf", "nan", "-0.0", "0.0", "1e308", "-1e-320"].map((s) => ({ s })),
    schema: [{ name: "s", type: "VARCHAR" }],
  },
  {
    name: "a FLOAT prints as the double it widens to, and a DECIMAL as the double it becomes, under %f and {:.2f}",
    sql: "SELECT printf('%.10f|%.2f|%e|%g', f, f, f, f) AS pf, format('{:.10f}|{:,.2f}|{}', f, f, f) AS ff, printf('%.2f|%.5f|%,.1f', m, m, m) AS pm, format('{:.2f}|{:e}', m, m) AS fm FROM t",
    rows: [
      { f: 0.1, m: "1.005" }, { f: 1234567.875, m: "-99999.995" }, { f: 3.4028234663852886e38, m: "0.125" }, { f: 1e-45, m: "2.675" }, { f: -2.5, m: "12345678.905" },
    ],
    schema: [{ name: "f", type: "FLOAT" }, { name: "m", type: "DECIMAL(12,3)" }],
  },
  {
    name: "a computed printf format with %.2f works at run time",
    sql: "SELECT printf(fmt, d) AS s FROM t",
    rows: [{ fmt: "%.2f", d: 2.675 }, { fmt: "%,.1f EUR", d: 1234567.25 }, { fmt: "%e", d: 1e300 }, { fmt: "[%-8.3g]", d: 0.000123456 }],
    schema: [{ name: "fmt", type: "VARCHAR" }, { name: "d", type: "DOUBLE" }],
  },
  {
    name: "a computed format() text with {:.2f} works at run time",
    sql: "SELECT format(fmt, d) AS s FROM t",
    rows: [{ fmt: "{:.2f}", d: 2.675 }, { fmt: "{:,.1f} EUR", d: 1234567.25 }, { fmt: "{:e}", d: 1e300 }, { fmt: "[{:<8.3}]", d: 0.000123456 }],
    schema: [{ name: "fmt", type: "VARCHAR" }, { name: "d", type: "DOUBLE" }],
  },
  {
    name: "printf('%x') of a DOUBLE is DuckDB's error (guard)",
    sql: "SELECT printf('%x', d) AS s FROM t",
    rows: [{ d: 1.5 }],
    schema: dbl,
    expect: "error",
  },
  {
    name: "format('{:d}') of a DOUBLE is DuckDB's error",
    sql: "SELECT format('{:d}', d) AS s FROM t",
    rows: [{ d: 1.5 }],
    schema: dbl,
    expect: "error",
  },
  {
    name: "format('{:+,.2f}') is DuckDB's missing '}' error (one sign-or-separator only)",
    sql: "SELECT format('{:+,.2f}', d) AS s FROM t",
    rows: [{ d: 1.5 }],
    schema: dbl,
    expect: "error",
  },
  {
    name: "format('{:.1%}') of a DOUBLE is DuckDB's error",
    sql: "SELECT format('{:.1%}', d) AS s FROM t",
    rows: [{ d: 1.5 }],
    schema: dbl,
    expect: "error",
  },
  {
    name: "printf's and format()'s hexadecimal %a print glibc's text (ties to even, a carry to 0x2, subnormals, '0' fill after the sign)",
    sql: "SELECT d, printf('%a|%A|%.0a|%.1a|%#a|%#.0a|%.2a|%010a|%-+14a|%.15a|%,a', d, d, d, d, d, d, d, d, d, d, d) AS p, format('{:a}|{:A}|{:.2a}|{:>24a}|{:#.0a}', d, d, d, d, d) AS f FROM t",
    rows: rows([...special, 1.03125, 1.09375, 1.15625, 1.96875, 1.9999999999999998, 3.0, -1.5, ...wild.slice(0, 120)]),
    schema: dbl,
  },
  {
    name: "a format() spec of a HUGEINT is refused at compile with its reason",
    sql: "SELECT format('{:>5}', h) AS s FROM t",
    rows: [{ h: 1 }],
    schema: [{ name: "h", type: "HUGEINT" }],
    expect: "compile-error",
    message: "HUGEINT or UHUGEINT",
  },
  {
    name: "format() specs of integers: separators whatever the type, signs, '#' prefixes, '0' and '=' padding after the sign, alignment",
    sql: "SELECT i, format('[{:,}|{:05d}|{:x}|{:+}|{:>8}|{:<6}|{:^7}|{:_}|{:#X}|{:#o}|{:#b}|{:#010x}|{:=8}|{: }|{:-}|{:,x}|{:*>,12}|{:t d}|{:n}|{:010}]', i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i) AS f, format('[{:,}|{:08x}|{:#b}|{:>10}|{:o}]', u, u, u, u, u) AS g, format('{:>6}|{:<4}|{:^5}|{:05}', s8, s8, s8, s8) AS h FROM t",
    rows: [0n, 1n, -1n, 42n, -42n, 255n, 1234567n, -1234567n, 9223372036854775807n, -9223372036854775808n, 999n, 1000n].map((i, k) => ({ i, u: BigInt.asUintN(64, i * 7919n), s8: k - 6 })),
    schema: [{ name: "i", type: "BIGINT" }, { name: "u", type: "UBIGINT" }, { name: "s8", type: "TINYINT" }],
  },
  {
    name: "format() specs of text, dates and lists: width in code points, precision cuts code points, left-aligned by default",
    sql: "SELECT format('[{:8}|{:>8}|{:^9}|{:*<6}|{:.2}|{:>6.3}|{:s}]', s, s, s, s, s, s, s) AS f, format('[{:>12}|{:14}]', d, l) AS g FROM t",
    rows: [{ s: "ab", d: "2024-01-02", l: [1, 2] }, { s: "héllo", d: "1999-12-31", l: [] }, { s: "😀x", d: "2024-02-29", l: [10, 200, 3000] }, { s: "", d: "2000-01-01", l: [1] }, { s: "a long text here", d: "2024-01-02", l: [1] }],
    schema: [{ name: "s", type: "VARCHAR" }, { name: "d", type: "DATE" }, { name: "l", type: "INTEGER[]" }],
  },
  {
    name: "format() specs of a BOOLEAN: its text without a type (left-aligned, '0' fills on the right), 1 or 0 with one",
    sql: "SELECT format('[{:6}|{:06}|{:=6}|{:d}|{:x}|{:#b}|{:05d}|{:^7}|{:,}|{:#}|{:*>8}]', b, b, b, b, b, b, b, b, b, b, b) AS f FROM t",
    rows: [{ b: true }, { b: false }],
    schema: [{ name: "b", type: "BOOLEAN" }],
  },
  ...[
    ["{:s}", "BOOLEAN"], ["{:+}", "BOOLEAN"], ["{:.2}", "BOOLEAN"],
    ["{:+}", "UBIGINT"], ["{:.2}", "INTEGER"], ["{:d}", "VARCHAR"], ["{:+}", "VARCHAR"], ["{:08}", "VARCHAR"], ["{:=8}", "VARCHAR"], ["{:#}", "VARCHAR"],
    ["{:s}", "INTEGER"], ["{:c}", "INTEGER"], ["{:#,}", "INTEGER"], ["{:+.2}", "INTEGER"], ["{:f}", "INTEGER"], ["{:.}", "DOUBLE"], ["{:10", "DOUBLE"],
  ].map(([spec, type]): ConformanceCase => ({
    name: `format('${spec}') of a ${type} is DuckDB's error`,
    sql: `SELECT format('${spec}', x) AS s FROM t`,
    rows: [{ x: type === "VARCHAR" ? "ab" : type === "BOOLEAN" ? true : 5 }],
    schema: [{ name: "x", type: type! }],
    expect: "error",
  })),
  {
    name: "format() and printf() float specs of a NULL are NULL",
    sql: "SELECT format('{:.2f}', d) AS s, printf('%.2f', d) AS p FROM t",
    rows: [{ d: null }, { d: 1.25 }],
    schema: dbl,
  },
];
