/**
 * Cases whose answers DuckDB gave (kept in fixtures/golden.json) so the same
 * calls can be checked where DuckDB cannot run: inside workerd. The Node test
 * (golden.test.ts) re-asks DuckDB for every answer, so the fixture cannot drift.
 */
import type { Value } from "../../plan/values.ts";

export interface GoldenCase {
  /** Registry key, or "cast" for castValue(args[0], argTypes[0], resultType). */
  fn: string;
  args: Value[];
  argTypes: string[];
  /** The SQL DuckDB ran. */
  sql: string;
  resultType: string;
  expected: { ok: true; value: Value } | { ok: false; error: string };
}

/** JSON with bigint, NaN, ±Infinity and -0 kept. */
export function encodeGolden(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") return { $bigint: x.toString() };
    if (typeof x === "number" && (!Number.isFinite(x) || Object.is(x, -0))) return { $number: Object.is(x, -0) ? "-0" : String(x) };
    return x;
  }, 1);
}

export function decodeGolden(text: string): GoldenCase[] {
  return JSON.parse(text, (_k, x) => {
    if (x && typeof x === "object" && "$bigint" in x) return BigInt(x.$bigint);
    if (x && typeof x === "object" && "$number" in x) return x.$number === "-0" ? -0 : Number(x.$number);
    return x;
  }) as GoldenCase[];
}

/** The calls: a cross-section of every family, with the awkward inputs. */
export const goldenCalls: { fn: string; args: Value[]; argTypes: string[]; sql: (l: string[]) => string }[] = [
  ...["", "a", "hello world", "😀é\u0301", "x".repeat(120)].flatMap((s) => [
    { fn: "md5", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `md5(${l[0]})` },
    { fn: "sha256", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `sha256(${l[0]})` },
    { fn: "upper", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `upper(${l[0]})` },
    { fn: "reverse", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `reverse(${l[0]})` },
  ]),
  // AT TIME ZONE: Intl's time-zone data in workerd against DuckDB's ICU (a skipped and a repeated wall time, a half-hour zone).
  ...([
    ["America/New_York", Date.UTC(2024, 2, 10, 2, 30), "TIMESTAMP"],
    ["America/New_York", Date.UTC(2024, 10, 3, 1, 30), "TIMESTAMP"],
    ["Australia/Lord_Howe", Date.UTC(2024, 9, 6, 2, 15), "TIMESTAMP"],
    ["Asia/Kolkata", Date.UTC(2024, 2, 10, 7, 30), "TIMESTAMP WITH TIME ZONE"],
    ["Europe/Berlin", Date.UTC(2024, 9, 27, 0, 30), "TIMESTAMP WITH TIME ZONE"],
  ] as const).map(([zone, ms, type]) => ({ fn: "timezone", args: [zone, BigInt(ms) * 1000n], argTypes: ["VARCHAR", type], sql: (l: string[]) => `timezone(${l[0]}, ${l[1]})` })),
  ...["ß", "İ", "ᾀ", "ƛ", "\ufeffx", "Σσς"].map((s) => ({ fn: "lower", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `lower(${l[0]})` })),
  ...["2024-01-02T03:04:05.123456Z", "2024-01-02 03:04:05+02:00", " 2024-1-2", "2024-02-30", "x", "294247-01-10 04:00:54.775807"].map((s) => ({
    fn: "cast:TIMESTAMP", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `CAST(${l[0]} AS TIMESTAMP)`,
  })),
  // Named zones past a JS Date's range (Intl answers there only through timezone.ts's shift) and ICU's overflow.
  ...["280000-07-01 10:00:00 America/New_York", "-280000-06-01 10:00:00 Asia/Kolkata", "275761-01-01 10:00:00 Europe/Paris", "294247-01-09 23:00:54.775 EST", "2024-02-01 10:00:00UTC"].map((s) => ({
    fn: "cast:TIMESTAMPTZ", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `CAST(${l[0]} AS TIMESTAMPTZ)`,
  })),
  ...["1e3", "2.5", "0x1F", "1_000", "5e-20", "x", "2147483648"].map((s) => ({ fn: "cast:INTEGER", args: [s], argTypes: ["VARCHAR"], sql: (l: string[]) => `CAST(${l[0]} AS INTEGER)` })),
  ...[0.1, 1e20, 1e16, 1e-5, -0, NaN, Infinity, 123456789.125].map((d) => ({ fn: "cast:VARCHAR", args: [d], argTypes: ["DOUBLE"], sql: (l: string[]) => `CAST(${l[0]} AS VARCHAR)` })),
  ...["a.b", "A.B", "a\nb"].map((s) => ({ fn: "regexp_matches", args: [s, "^a.b$"], argTypes: ["VARCHAR", "VARCHAR"], sql: (l: string[]) => `regexp_matches(${l[0]}, ${l[1]})` })),
  { fn: "regexp_replace", args: ["+1 (555) 123-4567", "[^0-9]", "", "g"], argTypes: ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"], sql: (l) => `regexp_replace(${l.join(", ")})` },
  { fn: "~~*", args: ["ÉCOLE", "%cole"], argTypes: ["VARCHAR", "VARCHAR"], sql: (l) => `${l[0]} ILIKE ${l[1]}` },
  { fn: "->>", args: ['{"a": {"b": [1, 2.50, "x"]}}', "$.a.b[1]"], argTypes: ["VARCHAR", "VARCHAR"], sql: (l) => `${l[0]}->>${l[1]}` },
  { fn: "->>", args: ['{"a": {"b": [1, 2.50, "x"]}}', "$.a"], argTypes: ["VARCHAR", "VARCHAR"], sql: (l) => `${l[0]}->>${l[1]}` },
  { fn: "time_bucket", args: [{ months: 0, days: 0, micros: 420000000n }, 1700000000123456n], argTypes: ["INTERVAL", "TIMESTAMP"], sql: (l) => `time_bucket(${l[0]}, ${l[1]})` },
  { fn: "date_trunc", args: ["week", 1700000000123456n], argTypes: ["VARCHAR", "TIMESTAMP"], sql: (l) => `date_trunc(${l[0]}, ${l[1]})` },
  { fn: "strftime", args: [1700000000123456n, "%A %d %B %Y %I:%M:%S.%f %p"], argTypes: ["TIMESTAMP", "VARCHAR"], sql: (l) => `strftime(${l[0]}, ${l[1]})` },
  { fn: "strptime", args: ["02/Jan/2024:10:00:00 +0200", "%d/%b/%Y:%H:%M:%S %z"], argTypes: ["VARCHAR", "VARCHAR"], sql: (l) => `strptime(${l[0]}, ${l[1]})` },
  { fn: "+", args: [2147483647, 1], argTypes: ["INTEGER", "INTEGER"], sql: (l) => `(${l[0]} + ${l[1]})` },
  { fn: "round", args: [2.5, 0], argTypes: ["DOUBLE", "INTEGER"], sql: (l) => `round(${l[0]}, ${l[1]})` },
  // Payload functions of session 15: grapheme clusters (Unicode property escapes in workerd's V8), JSON merges, paths, UUIDv7 times, sizes.
  ...["a👍🏽bc", "🇫🇷🇩🇪x", "e\u0301clair", "नमस्ते"].map((s) => ({ fn: "substring_grapheme", args: [s, 2n, 2n], argTypes: ["VARCHAR", "BIGINT", "BIGINT"], sql: (l: string[]) => `substring_grapheme(${l.join(", ")})` })),
  { fn: "right_grapheme", args: ["👨‍👩‍👧 family ✓", -2n], argTypes: ["VARCHAR", "BIGINT"], sql: (l) => `right_grapheme(${l.join(", ")})` },
  { fn: "json_merge_patch", args: ['{"a":1,"b":{"c":2}}', '{"b":{"c":null,"d":1e2},"z":{"y":null}}'], argTypes: ["VARCHAR", "VARCHAR"], sql: (l) => `json_merge_patch(${l.join(", ")})` },
  { fn: "parse_filename", args: ["s3://bucket/dir/file.json.gz", true], argTypes: ["VARCHAR", "BOOLEAN"], sql: (l) => `parse_filename(${l.join(", ")})` },
  { fn: "parse_path", args: ["//a\\b//c.d"], argTypes: ["VARCHAR"], sql: (l) => `parse_path(${l[0]})` },
  { fn: "uuid_extract_timestamp", args: ["018e0a1c-7a00-7000-8000-000000000000"], argTypes: ["UUID"], sql: (l) => `uuid_extract_timestamp(${l[0]})` },
  { fn: "format_bytes", args: [1048575n], argTypes: ["BIGINT"], sql: (l) => `format_bytes(${l[0]})` },
  { fn: "make_timestamp_ms", args: [-9223372022400000n], argTypes: ["BIGINT"], sql: (l) => `make_timestamp_ms(${l[0]})` },
];
