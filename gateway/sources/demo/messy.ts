import type { Random } from "./random.ts";

/**
 * Real streams are untidy. These pools hold the kinds of values that break
 * naive pipelines; generators draw from them at small, deterministic shares.
 */

/** Names in many scripts: accents, CJK, Hangul, RTL, combining marks, emoji with ZWJ. */
export const UNICODE_NAMES = [
  "Zoë Ångström",
  "José Ñúñez",
  "Nguyễn Văn An",
  "王芳",
  "佐藤 健",
  "김민준",
  "Jürgen Groß",
  "Ελένη Παπαδοπούλου",
  "Иван Петров",
  "أحمد علي",
  "Siobhán Ó Briain",
  "E\u0301milie Lefe\u0300vre",
  "👩‍💻 Dana",
  "🎮 xX_Pro_Xx 🔥",
  "Z̶a̷l̸g̵o̴",
  "Łukasz Żółć",
] as const;

export const PLAIN_FIRST = ["Ada", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mia", "Noah", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq"] as const;
export const PLAIN_LAST = ["Smith", "Okafor", "Chen", "Garcia", "Müller", "Kim", "Patel", "Rossi", "Novak", "Silva", "Cohen", "Ivanova"] as const;

/** Text that is not a timestamp, or is one only to a lenient parser. */
export const MALFORMED_TIMESTAMPS = [
  "",
  "not a timestamp",
  "2026-13-45T25:61:00Z",
  "1795305600",
  "22/11/2026 05:00:00",
  "2026-11-22T05:00:00+25:00",
  "0000-00-00 00:00:00",
  "NaN",
] as const;

/**
 * Integers at and beyond 2^53, each exactly a double, so JSON.stringify writes
 * them as integer literals. The largest, 2^63 - 1024, is written as
 * 9223372036854774800, just inside BIGINT: DuckDB's JSON reader types a field
 * of integers BIGINT and then fails on a value beyond it instead of widening.
 */
export const LARGE_INTEGERS = [2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 62, -(2 ** 53), 2 ** 63 - 1024] as const;

/** A person's name: mostly plain, sometimes in another script or with marks. */
export function personName(r: Random, unicodeShare = 0.08): string {
  if (r.chance(unicodeShare)) return r.pick(UNICODE_NAMES);
  return `${r.pick(PLAIN_FIRST)} ${r.pick(PLAIN_LAST)}`;
}

/** A UUID (version 4 layout) from the stream. */
export function uuid(r: Random): string {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[r.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An IPv4 address, or an IPv6 one now and then. */
export function ipAddress(r: Random, v6Share = 0.1): string {
  if (r.chance(v6Share)) return `2001:db8:${r.hex(4)}:${r.hex(4)}::${r.hex(3)}`;
  return `${r.pick([203, 198, 192, 100, 81, 5])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

/** Removes the keys whose value is `undefined`, so "missing" means absent from the JSON. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
