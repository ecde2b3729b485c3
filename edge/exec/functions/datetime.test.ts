import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Interval, Value } from "../../plan/values.ts";
import { days, timestampMicros } from "./arbitraries.node.ts";
import { callBoth } from "./call.node.ts";
import { datetimeScalars } from "./datetime.ts";

async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

/** 1582-10-15, where ICU's calendar (used for TIMESTAMPTZ) turns Gregorian. */
const GREGORIAN = -12219292800000000n;
/** 0001-01-01: DuckDB's %G/%V print nonsense for year 0 and before. */
const YEAR_ONE = -62135596800000000n;

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 10 });
const truncParts = ["microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade", "century", "millennium", "isoyear"];
const extractParts = ["year", "month", "day", "hour", "minute", "second", "millisecond", "microsecond", "dow", "isodow", "doy", "week", "isoyear", "quarter", "decade", "century", "millennium", "epoch", "era", "yearweek"];

const widths: fc.Arbitrary<Interval> = fc.oneof(
  fc.record({ months: fc.constant(0), days: fc.constant(0), micros: fc.constantFrom(1000000n, 60000000n, 300000000n, 420000000n, 900000000n, 3600000000n, 7200000000n, 1234567n) }),
  fc.record({ months: fc.constant(0), days: fc.integer({ min: 1, max: 10 }), micros: fc.constant(0n) }),
  fc.record({ months: fc.integer({ min: 1, max: 25 }), days: fc.constant(0), micros: fc.constant(0n) }),
);

describe("date/time functions", () => {
  it("date_trunc truncates TIMESTAMP and DATE to every part", async () => {
    await fc.assert(fc.asyncProperty(maybe(timestampMicros), fc.constantFrom(...truncParts), async (m, p) => {
      await same("date_trunc", [p, m], ["VARCHAR", "TIMESTAMP"]);
      // TIMESTAMPTZ goes through ICU, whose calendar is Julian before 1582-10-15.
      if (m === null || m >= GREGORIAN) await same("date_trunc", [p, m], ["VARCHAR", "TIMESTAMPTZ"]);
    }), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(maybe(days), fc.constantFrom(...truncParts), async (d, p) => same("date_trunc", [p, d], ["VARCHAR", "DATE"])), { numRuns: 200 });
  });

  it("time_bucket groups by micro/day/month widths from DuckDB's default origins, offsets and origins", async () => {
    await fc.assert(fc.asyncProperty(widths, maybe(timestampMicros), async (w, m) => {
      await same("time_bucket", [w, m], ["INTERVAL", "TIMESTAMP"]);
      if (m === null || m >= GREGORIAN) await same("time_bucket", [w, m], ["INTERVAL", "TIMESTAMPTZ"]);
    }), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(widths, maybe(days), async (w, d) => same("time_bucket", [w, d], ["INTERVAL", "DATE"])), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(widths, timestampMicros, timestampMicros, async (w, m, o) => {
      await same("time_bucket", [w, m, o], ["INTERVAL", "TIMESTAMP", "TIMESTAMP"]);
      await same("time_bucket", [w, m, { months: 0, days: 0, micros: o % 86400000000n }], ["INTERVAL", "TIMESTAMP", "INTERVAL"]);
    }), { numRuns: 200 });
  });

  it("time_bucket specialised for a constant width answers as the general call", () => {
    const general = datetimeScalars.time_bucket!;
    const edges = [0n, -1n, 1n, 2n ** 52n - 1n, 2n ** 52n, -(2n ** 52n) + 1n, -(2n ** 52n), 9223372036854775807n, -9223372036854775807n, 1795341659999999n, 1795341660000000n];
    fc.assert(fc.property(widths, fc.oneof(timestampMicros, fc.constantFrom(...edges)), fc.constantFrom("TIMESTAMP", "TIMESTAMPTZ"), (w, m, t) => {
      const ctx = { argTypes: ["INTERVAL", t], resultType: t };
      const special = general.specialize!([{ value: w }, null], ctx) ?? general;
      let want: unknown, got: unknown;
      try { want = general([w, m], ctx); } catch (e) { want = (e as Error).message; }
      try { got = special([w, m], ctx); } catch (e) { got = (e as Error).message; }
      expect(got, `time_bucket(${JSON.stringify(w, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}, ${m})`).toEqual(want);
      expect(special([w, null], ctx)).toBeNull();
    }), { numRuns: 3000 });
  });

  it("time_bucket specialised for a constant width answers as the general call over a stream of times, whose last bucket it remembers", () => {
    const general = datetimeScalars.time_bucket!;
    const minute = 60000000n;
    // Times around bucket edges and the double fast path's ±2^52 bounds, far dates and NULLs, one after another.
    const near = (m: bigint) => fc.constantFrom(m - minute - 1n, m - minute, m - 1n, m, m + 1n, m + minute - 1n, m + minute);
    const times = fc.array(fc.oneof(
      near(1795341660000000n), near(0n), near(-minute * 7n), near(2n ** 52n), near(-(2n ** 52n)), near(2n ** 53n),
      timestampMicros, fc.constantFrom(null, 9223372036854775807n, -9223372036854775807n),
    ), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(widths, times, fc.constantFrom("TIMESTAMP", "TIMESTAMPTZ"), (w, ms, t) => {
      const ctx = { argTypes: ["INTERVAL", t], resultType: t };
      const special = general.specialize!([{ value: w }, null], ctx) ?? general;
      for (const m of ms) {
        let want: unknown, got: unknown;
        try { want = general([w, m], ctx); } catch (e) { want = (e as Error).message; }
        try { got = special([w, m], ctx); } catch (e) { got = (e as Error).message; }
        expect(got, `time_bucket(${JSON.stringify(w, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}, ${m}) after ${ms.join(", ")}`).toEqual(want);
      }
    }), { numRuns: 2000 });
  });

  it("strptime and try_strptime specialised for an ISO layout answer as the general call", () => {
    const layouts = { "%Y-%m-%dT%H:%M:%S.%gZ": "dddd-dd-ddTdd:dd:dd.dddZ", "%Y-%m-%dT%H:%M:%S.%fZ": "dddd-dd-ddTdd:dd:dd.ddddddZ", "%Y-%m-%dT%H:%M:%SZ": "dddd-dd-ddTdd:dd:ddZ", "%Y-%m-%dT%H:%M:%S": "dddd-dd-ddTdd:dd:dd", "%Y-%m-%d %H:%M:%S": "dddd-dd-dd dd:dd:dd", "%Y-%m-%d %H:%M:%S.%f": "dddd-dd-dd dd:dd:dd.dddddd" };
    // Digits biased to the edges of each field (00, 12, 13, 23, 24, 29-31, 59, 60, 99).
    const digit = fc.constantFrom("0", "1", "2", "3", "5", "9", "6", "4");
    const fitting = fc.constantFrom(...Object.keys(layouts)).chain((fmt) => fc.array(digit, { minLength: 26, maxLength: 26 }).map((ds) => {
      let k = 0;
      return { fmt, s: [...layouts[fmt as keyof typeof layouts]].map((c) => (c === "d" ? ds[k++]! : c)).join("") };
    }));
    // The layout's shape with a stray character where a digit belongs (the shape check leaves digits to the reader).
    const stray = fc.constantFrom("0", "1", "2", "5", "9", "Z", "x", " ", ".", "-", ":", "T");
    const nearly = fc.constantFrom(...Object.keys(layouts)).chain((fmt) => fc.array(stray, { minLength: 26, maxLength: 26 }).map((ds) => {
      let k = 0;
      return { fmt, s: [...layouts[fmt as keyof typeof layouts]].map((c) => (c === "d" ? (k++ % 3 === 0 ? ds[k]! : "1") : c)).join("") };
    }));
    const other = fc.record({ fmt: fc.constantFrom(...Object.keys(layouts)), s: fc.constantFrom("2026-11-22T10:00:00.000Z ", " 2026-11-22 10:00:00", "2026-11-22T10:00:00.0Z", "infinity", "", "2026-02-29T10:00:00Z", "2024-02-29T23:59:59Z", "2026-11-22T24:00:00Z", "0026-11-22T10:00:00Z", "2026-11-22 10:00:00.12345Z", "2026-11-22 10:00:00.1Z345", "2026-11-22T10:00:00.12ZZ", "2026-11-22T10:00:00Z00") });
    for (const name of ["strptime", "try_strptime"]) {
      const general = datetimeScalars[name]!;
      fc.assert(fc.property(fc.oneof(fitting, nearly, other), ({ fmt, s }) => {
        const ctx = { argTypes: ["VARCHAR", "VARCHAR"], resultType: "TIMESTAMP" };
        const special = general.specialize!([null, { value: fmt }], ctx);
        expect(special).not.toBeNull();
        let want: unknown, got: unknown;
        try { want = general([s, fmt], ctx); } catch (e) { want = (e as Error).message; }
        try { got = special!([s, fmt], ctx); } catch (e) { got = (e as Error).message; }
        expect(got, `${name}(${JSON.stringify(s)}, ${fmt})`).toEqual(want);
      }), { numRuns: 3000 });
    }
  });

  it("date_part and extract read every field of TIMESTAMP and DATE", async () => {
    await fc.assert(fc.asyncProperty(maybe(timestampMicros), fc.constantFrom(...extractParts), async (m, p) => {
      await same("date_part", [p, m], ["VARCHAR", "TIMESTAMP"]);
      if (m === null || m >= GREGORIAN) await same("date_part", [p, m], ["VARCHAR", "TIMESTAMPTZ"]);
    }), { numRuns: 400 });
    await fc.assert(fc.asyncProperty(maybe(days), fc.constantFrom(...extractParts.filter((p) => !["hour", "minute", "second", "millisecond", "microsecond"].includes(p))), async (d, p) => {
      await same("date_part", [p, d], ["VARCHAR", "DATE"]);
    }), { numRuns: 200 });
  });

  it("epoch_ms, epoch, epoch_us and make_date convert as DuckDB does", async () => {
    await fc.assert(fc.asyncProperty(maybe(timestampMicros), async (m) => {
      for (const f of ["epoch_ms", "epoch", "epoch_us"]) await same(f, [m], ["TIMESTAMP"]);
      if (m === null || m >= GREGORIAN) for (const f of ["epoch_ms", "epoch"]) await same(f, [m], ["TIMESTAMPTZ"]);
    }), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(maybe(days), async (d) => { await same("epoch", [d], ["DATE"]); await same("epoch_ms", [d], ["DATE"]); }), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), async (ms) => same("epoch_ms", [ms], ["BIGINT"])), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: -3000, max: 3000 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), async (y, m, d) => {
      await same("make_date", [BigInt(y), BigInt(m), BigInt(d)], ["BIGINT", "BIGINT", "BIGINT"]);
    }), { numRuns: 100 });
  });

  it("strftime formats every specifier like DuckDB", async () => {
    const fmts = ["%Y-%m-%d %H:%M:%S", "%Y|%m|%d|%H|%M|%S|%f|%g|%j|%a|%A|%b|%B|%y|%I|%p|%w|%u", "%-d/%-m/%-H/%-I/%-M/%-S/%-j", "%U %W %V %G", "%c | %x | %X | %%", "%d/%b/%Y:%H:%M:%S %z", "T%H%M", "%e"];
    await fc.assert(fc.asyncProperty(maybe(timestampMicros.filter((m) => m >= YEAR_ONE)), fc.constantFrom(...fmts), async (m, f) => same("strftime", [m, f], ["TIMESTAMP", "VARCHAR"])), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(maybe(timestampMicros.filter((m) => m >= GREGORIAN)), fc.constantFrom(...fmts, "%Y-%m-%d %H:%M:%S %Z"), async (m, f) => same("strftime", [m, f], ["TIMESTAMPTZ", "VARCHAR"])), { numRuns: 200 });
  });

  it("strptime parses what strftime writes, and rejects what DuckDB rejects", async () => {
    const fmts = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%d", "%m/%d/%y %I:%M %p", "%Y%m%d%H%M%S", "%A, %B %d, %Y", "%Y-%j", "%H:%M"];
    await fc.assert(fc.asyncProperty(timestampMicros.filter((m) => m >= 0n && m < 253402300799999999n), fc.constantFrom(...fmts), async (m, f) => {
      const r = await callBoth("strftime", [m, f], ["TIMESTAMP", "VARCHAR"]);
      if (!r.theirs.ok || typeof r.theirs.value !== "string") return;
      await same("strptime", [r.theirs.value, f], ["VARCHAR", "VARCHAR"]);
    }), { numRuns: 300 });
    for (const [s, f] of [["2024-1-2 3:4:5", "%Y-%m-%d %H:%M:%S"], ["  2024-01-02", "%Y-%m-%d"], ["2024-01-02   10", "%Y-%m-%d %H"], ["2024-01-02", "%Y-%m-%d %H"], ["2024-01-02x", "%Y-%m-%d"], ["2024-02-30", "%Y-%m-%d"], ["12345-01-02", "%Y-%m-%d"], ["-5-01-02", "%Y-%m-%d"], [" 5-01-02", "%Y-%m-%d"], ["2024-13-01", "%Y-%m-%d"], ["x", "%Y"], ["1 PM", "%I %p"], ["69-01-02", "%y-%m-%d"], ["70-01-02", "%y-%m-%d"], ["2024-01-02T10:00:00.5Z", "%Y-%m-%dT%H:%M:%S.%fZ"], ["02/Jan/2024:10:00:00 +0200", "%d/%b/%Y:%H:%M:%S %z"], ["2024-01-02 10:00:00.1234567", "%Y-%m-%d %H:%M:%S.%f"]] as [string, string][]) {
      await same("strptime", [s, f], ["VARCHAR", "VARCHAR"]);
    }
  });

  it("strptime matches DuckDB on the counterexamples random seeds found", async () => {
    // Trailing spaces, no space skipping before numbers or %z, 'Z' is no %z, names by
    // the abbreviated or the full list only, specials under any format, AM/PM bounds,
    // and the week / ISO week / day-of-year offsets.
    const cases: [string, string][] = [
      ["20240102 ", "%Y%m%d"], ["2024-01-02\t\n", "%Y-%m-%d"], ["2024-01-02 10 ", "%Y-%m-%d %H"], ["2024-01-02T ", "%Y-%m-%dT"],
      ["2024-01-02 10:00 +0200 ", "%Y-%m-%d %H:%M %z"], ["2024-01-02Z ", "%Y-%m-%d%z"], ["2024-01-02\u00a0", "%Y-%m-%d"],
      ["2024- 01-02", "%Y-%m-%d"], ["2024-01-02Z", "%Y-%m-%d%z"], ["2024-01-02 Z", "%Y-%m-%d %z"], ["2024-01-02 +02", "%Y-%m-%d%z"],
      ["2024-01-02+02 ", "%Y-%m-%d%z"], ["2024-01-02 +02:30:15", "%Y-%m-%d %z"], ["2024-01-02 +023", "%Y-%m-%d %z"], ["2024-01-02 +02:75", "%Y-%m-%d %z"],
      ["January", "%b"], ["Jan", "%B"], ["Mon 2024", "%A %Y"], ["Monday 2024", "%a %Y"], ["13 PM", "%H %p"], ["00 AM", "%H %p"], ["12 AM", "%I %p"],
      ["2024-01-02", "%Y-%m-%d "], ["2024 7", "%Y %w"], ["2024 8", "%Y %u"], ["2024 0", "%Y %u"],
      ["INFINITY", "%Y"], ["Infinityx", "%Y"], ["-infinity", "%Y"], ["epoch", "%Y"], ["epoc", "%Y"], ["  epoch  ", "%Y"], ["infinity", "%d/%m"],
      ["2024-01-02 10  UTC", "%Y-%m-%d %H%Z"], ["2024 10", "%Y %U"], ["2024 10 3", "%Y %W %w"], ["2024 10", "%Y %V"], ["2024 10 3", "%G %V %u"],
      ["2024 54", "%Y %U"], ["2024 100 02", "%Y %j %m"], ["2024 03 100", "%Y %m %j"], ["2024 100 10", "%Y %j %U"], ["10 2024", "%V %Y"],
      ["03 10", "%m %V"], ["x", "%Q"], ["2024-02-30", "%Y-%m-%d"], ["2023-02-29", "%Y-%m-%d"], ["2024-04-31 10", "%Y-%m-%d %H"], ["2023 366", "%Y %j"], ["2023 0 0", "%Y %U %w"], ["2021 52 7", "%G %V %u"], ["2024 3 10", "%G %w %V"], ["2023 40", "%G %j"], ["2023 40 10", "%Y %W %U"],
    ];
    for (const [s, f] of cases) {
      await same("strptime", [s, f], ["VARCHAR", "VARCHAR"]);
      await same("try_strptime", [s, f], ["VARCHAR", "VARCHAR"]);
    }
  });

  it("strptime accepts and rejects near-miss text exactly like DuckDB", async () => {
    const piece = (xs: string[]) => fc.constantFrom(...xs);
    const text = fc.tuple(
      piece(["", " ", "  "]), piece(["2024", "24", "0", "12024", "-5", "x"]), piece(["-", "/", " ", ""]),
      piece(["01", "1", "12", "13", "00", "Jan", "jan", "JANUARY"]), piece(["-", "/", ""]), piece(["02", "2", "31", "30", "00", "29"]),
      piece([" ", "T", "", "  "]), piece(["03:04:05", "3:4:5", "23:59:59", "24:00:00", "12:60:00", "03:04", ""]),
      piece(["", ".5", ".123456", ".1234567", " +0200", "+02:00", "Z", " PM", " am", "x", " Z", "+02:30:15"]),
      piece(["", "", " ", "\t", " x"]),
    ).map((p) => p.join(""));
    const fmts = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %z", "%d/%b/%Y %H:%M:%S", "%Y-%b-%d", "%y-%m-%d %I:%M:%S %p", "%Y%m%d", "%Y-%B-%d", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H %p", "%Y %U %w", "%G %V %u", "%Y-%j"];
    await fc.assert(fc.asyncProperty(text, fc.constantFrom(...fmts), async (s, f) => {
      const r = await callBoth("strptime", [s, f], ["VARCHAR", "VARCHAR"]);
      expect(r.ours, r.sql).toEqual(r.theirs);
    }), { numRuns: 600 });
  });
});
