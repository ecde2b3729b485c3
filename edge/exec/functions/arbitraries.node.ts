/**
 * fast-check generators for messy inputs shared by the function tests:
 * unicode with astral and combining characters, whitespace, numbers written
 * the ways people write them, timestamps in and out of DuckDB's formats.
 */
import fc from "fast-check";

const pieces = ["a", "B", "é", "e\u0301", "ß", "İ", "Σ", "ς", "😀", "👍🏽", "中", " ", "\t", "\n", "%", "_", "\\", "'", '"', ",", "[", "]", "{", "}", ":", "=", "0", "9", "-", ".", "ǅ", "ﬃ", "Ω", "\u00a0", "\u2028", "ﬀ"];

/** Strings assembled from tricky pieces (no NUL: DuckDB literals cannot hold it). */
export const messyString = fc.oneof(
  fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((a) => a.join("")),
  fc.string({ unit: "grapheme", maxLength: 8 }).map((s) => s.replaceAll("\u0000", "")),
  fc.string({ maxLength: 8 }).map((s) => s.replaceAll("\u0000", "")),
);

const digits = (min: number, max: number) => fc.integer({ min: 0, max: 10 ** max - 1 }).map((n) => String(n).padStart(min, "0"));

/** Number-like text: signs, spaces, underscores, exponents, hex, junk. */
export const numberText = fc.oneof(
  fc.tuple(
    fc.constantFrom("", " ", "\t", "  "),
    fc.constantFrom("", "-", "+", "--"),
    fc.constantFrom("", "0", "1", "12", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808", "1_000", "1__0", "00012", "4294967295", "170141183460469231731687303715884105727"),
    fc.constantFrom("", ".", ".5", ".49", ".5000001", ".25", ".999", "._5"),
    fc.constantFrom("", "e3", "E-2", "e+1", "e", "e400", "e-400", "e1_0"),
    fc.constantFrom("", " ", "x", "\n"),
  ).map((p) => p.join("")),
  fc.constantFrom("0x1F", "0XfF", "0b101", "-0x10", "0x", "nan", "-inf", "Infinity", "infinity", "NaN", " inf ", "1,5", "", " ", "１２"),
  fc.double().map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);

/** Timestamp-like text, mostly near DuckDB's accepted grammar. */
export const timestampText = fc.oneof(
  fc.tuple(
    fc.constantFrom("", " ", "-"),
    fc.oneof(digits(4, 4), fc.constantFrom("99", "0", "12024", "294247", "0000")),
    fc.constantFrom("-", "/", " ", "\\", "."),
    fc.oneof(digits(1, 2), fc.constantFrom("13", "00", "02")),
    fc.oneof(digits(1, 2), fc.constantFrom("30", "29", "31", "00")),
    fc.constantFrom("", " (BC)", "x", " "),
    fc.constantFrom("", " ", "T", "  "),
    fc.oneof(fc.constant(""), fc.tuple(digits(1, 2), digits(2, 2), digits(2, 2)).map(([h, m, s]) => `${h}:${m}:${s}`), fc.constantFrom("24:00:00", "24:00:01", "23:59:60", "3:4", "003:04:05")),
    fc.constantFrom("", ".", ".5", ".123456", ".1234567891", ".000001"),
    fc.constantFrom("", "Z", "+02:00", "-0530", "+01", " UTC", " utc", " +02:00", "+02:3", "-02:30:15", " Z", " Europe/Berlin", "z", "+1", "  "),
  ).map((p) => {
    const [neg, y, sep, m, d, bc, tsep, time, frac, off] = p;
    return `${neg}${y}${sep}${m}${sep}${d}${bc}${time ? tsep + time + frac + off : tsep}`;
  }),
  fc.constantFrom("infinity", "-infinity", "epoch", "EPOCH", "", "x", "2024-01-02", "20240102", "2024-02-30", "2023-02-29", "2024-02-29T10:00:00Z"),
);

/** Microseconds since the epoch across DuckDB's range, denser near today. */
export const timestampMicros = fc.oneof(
  fc.bigInt({ min: 946684800000000n, max: 2000000000000000n }),
  fc.bigInt({ min: -210866803200000000n, max: 253402300799999999n }),
  fc.constantFrom(0n, -1n, 1n, 951782400000000n, 1709164800000000n),
);

export const days = fc.oneof(fc.integer({ min: -800000, max: 2900000 }), fc.integer({ min: 10000, max: 25000 }));

export const doubles = fc.oneof(
  fc.double(),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.constantFrom(0.1, 0.5, 1.5, 2.5, -2.5, 1e15, 1e16, 1e-4, 1e-5, 123456789.125, -0, 5e-324, 1.7976931348623157e308, 2147483647.5, -2147483648.5, 9.223372036854776e18),
  fc.integer().map((n) => n / 100),
);
