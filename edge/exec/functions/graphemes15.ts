/**
 * substring_grapheme, left_grapheme and right_grapheme as DuckDB 1.4.3 gives them: text cut by
 * user-perceived characters (an emoji with its skin tone, a letter with its accent, a flag), as a
 * message body is shortened for a dashboard. DuckDB first places the start and end by the text's
 * UTF-8 bytes; when the bytes up to one past the end are ASCII it cuts there, else it walks the
 * grapheme clusters with those places (recounted in clusters only for a negative offset), so a
 * start past the clusters gives ''.
 */
import type { Value } from "../../plan/values.ts";
import type { ScalarFn } from "./contract.ts";
import { checkSubstringRange, graphemes, strict, substringBounds } from "./strings.ts";

const utf8 = new TextEncoder();

/**
 * DuckDB's SubstringStartEnd over a size in some unit: [start, end), or null for ''. `places` gives
 * the places even where they meet, as DuckDB's recount in clusters uses them.
 */
function startEnd(size: number, offset: number, length: number, places = false): [number, number] | null {
  const bounds = substringBounds(size, offset, length);
  return bounds === null || (bounds[0] === bounds[1] && !places) ? null : bounds;
}

function isAsciiPrefix(s: string, n: number): boolean {
  for (let i = 0; i < n && i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** substring_grapheme(s, offset, length) on checked numbers. */
function substringGrapheme(s: string, offset: number, length: number): string {
  checkSubstringRange(offset, length);
  const bytes = utf8.encode(s).length;
  let place = startEnd(bytes, offset, length);
  if (place === null) return "";
  // ASCII up to one past the end (a combining mark there would join the last character): a byte cut.
  if (isAsciiPrefix(s, Math.min(place[1] + 1, bytes))) return s.slice(place[0], place[1]);
  const clusters = graphemes(s);
  // A negative offset is placed again in clusters; where start and end meet there, DuckDB's walk
  // finds the start and never the end, so the text runs to its end (substring_grapheme('a👍🏽bc', -9, -2) is all of it).
  if (offset < 0) place = startEnd(clusters.length, offset, length, true)!;
  const [start, end] = place;
  if (start >= clusters.length) return "";
  return clusters.slice(start, end > start ? end : clusters.length).join("");
}

function num(v: Value): number {
  return typeof v === "bigint" ? Number(v) : (v as number);
}

const substringGraphemeFn: ScalarFn = strict(([s, offset, length]) => substringGrapheme(s as string, num(offset!), length === undefined ? 4294967295 : num(length)));

/** left_grapheme(s, n): the first n clusters; a negative n all but the last -n. */
const leftGrapheme: ScalarFn = strict(([s, n]) => {
  const text = s as string;
  const pos = num(n!);
  if (pos >= 0) return substringGrapheme(text, 1, pos);
  return substringGrapheme(text, 1, Math.max(0, graphemes(text).length + pos));
});

/** right_grapheme(s, n): the last n clusters; a negative n all but the first -n. */
const rightGrapheme: ScalarFn = strict(([s, n]) => {
  const text = s as string;
  const count = graphemes(text).length;
  const pos = num(n!);
  const len = pos >= 0 ? Math.min(count, pos) : count - Math.min(count, -pos);
  return substringGrapheme(text, count - len + 1, len);
});

export const graphemeScalars15: Record<string, ScalarFn> = {
  substring_grapheme: substringGraphemeFn,
  left_grapheme: leftGrapheme,
  right_grapheme: rightGrapheme,
};
