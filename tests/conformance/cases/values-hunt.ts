/**
 * Values as DuckDB treats them (text, numbers, casts, regexes) over messy feeds, from the values
 * hunt (2026-12-06). The cases named "(guard)" agreed before the hunt and keep the angles it
 * covered (combining marks, ZWJ emoji, flags, NUL, RTL marks, full-width digits, ß/İ/ς, RE2
 * classes and flags, messy number and date texts under TRY_CAST); every other case failed before
 * its fix.
 */
import type { ConformanceCase } from "../case.ts";

const S = [{ name: "k", type: "INTEGER" }, { name: "s", type: "VARCHAR" }];
const texts = [
  "e\u0301te\u0301", "\u00e9t\u00e9", "👨‍👩‍👧‍👦 fam", "🇺🇸🇫🇷", "a\u0000b", "\u200fשלום\u200e x", "１２３", "straße", "İstanbul", "ΣΟΦΟΣ ς",
  "ǅungla", "ﬁne", "ŉ", "a\u00adb", "  trim\t", "x\ny", "", "ÀÉÎÕÜ àéîõü", "ⅷ ⑴", "ＡＢＣ ａｂｃ", "ꞵ", "ᾈ", "K", "😀", null,
].map((s, k) => ({ k, s }));

export const cases: ConformanceCase[] = [
  { name: "values: (guard) length, strlen, length_grapheme and reverse count and turn combining marks, ZWJ emoji and flags as DuckDB", sql: "SELECT k, length(s) AS l, strlen(s) AS b, length_grapheme(s) AS g, reverse(s) AS r, octet_length(encode(s)) AS o FROM t", rows: texts, schema: S },
  { name: "values: (guard) substr, left and right cut messy text by code points as DuckDB", sql: "SELECT k, substr(s, 2, 3) AS a, left(s, 2) AS b, right(s, 2) AS c, left(s, -1) AS d, right(s, -1) AS e, substring(s, -2) AS f FROM t", rows: texts, schema: S },
  { name: "values: (guard) lpad and rpad pad and cut messy text as DuckDB", sql: "SELECT k, lpad(s, 6, '·') AS a, rpad(s, 6, 'é') AS b, lpad(s, 2, 'x') AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) upper and lower of ß, İ, ς, ǅ and ligatures are DuckDB's one-to-one mappings", sql: "SELECT k, upper(s) AS u, lower(s) AS l, ucase(s) AS u2, lcase(s) AS l2 FROM t", rows: texts, schema: S },
  { name: "values: (guard) ILIKE folds ß, İ, Σ/ς, ǅ and É as DuckDB's lower() does", sql: "SELECT k, s ILIKE '%STRASSE%' AS a, s ILIKE '%ß%' AS b, s ILIKE '%i̇stanbul%' AS c, s ILIKE 'σοφοσ%' AS d, s ILIKE '%Ǆ%' AS e, s ILIKE '%ǆ%' AS f, s ILIKE 'É%' AS g, s ILIKE '%k%' AS h FROM t", rows: texts, schema: S },
  { name: "values: (guard) strpos, instr and position find combining marks by code point", sql: "SELECT k, strpos(s, 't') AS a, instr(s, '\u0301') AS b, position('é' IN s) AS c, contains(s, 'e') AS d, starts_with(s, 'e') AS e FROM t", rows: texts, schema: S },
  { name: "values: (guard) split_part and string_split by a combining mark, by nothing and from the end", sql: "SELECT k, split_part(s, '\u0301', 1) AS a, split_part(s, '', 2) AS b, string_split(s, '') AS c, string_split(s, ' ') AS d, split_part(s, ' ', -1) AS e FROM t", rows: texts, schema: S },
  { name: "values: (guard) nfc_normalize and strip_accents of NFD, emoji and ligatures", sql: "SELECT k, nfc_normalize(s) AS a, strip_accents(s) AS b, nfc_normalize(s) = nfc_normalize('été') AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) trim, ltrim and rtrim with combining marks and half a flag", sql: "SELECT k, trim(s) AS a, ltrim(s, 'e') AS b, rtrim(s, '\u0301e') AS c, trim(s, '🇺') AS d FROM t", rows: texts, schema: S },
  { name: "values: (guard) ascii, unicode and ord of messy first characters", sql: "SELECT k, ascii(s) AS a, unicode(s) AS b, ord(s) AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) replace with an empty needle and translate of accented letters", sql: "SELECT k, replace(s, '', 'x') AS a, replace(s, '\u0301', '') AS b, translate(s, 'éß', 'ES') AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) text compares by UTF-8 bytes (NFD before NFC, ligatures after ASCII)", sql: "SELECT k, s < 'é' AS a, s = 'été' AS b, s > 'ﬁ' AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) min, max and count DISTINCT of text by bytes", sql: "SELECT min(s) AS a, max(s) AS b, count(DISTINCT s) AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) repeat, concat_ws and || with a lone combining mark", sql: "SELECT k, repeat(s, 2) AS a, concat_ws('|', s, NULL, s) AS b, s || '\u0301' AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) LIKE's _ is one code point, SIMILAR TO and GLOB on messy text", sql: "SELECT k, s LIKE '_t_' AS a, s LIKE '%\u0301%' AS b, s LIKE '__' AS c, s SIMILAR TO '.t.*' AS d, s GLOB '?t*' AS e FROM t", rows: texts, schema: S },
  { name: "values: (guard) RE2's \\w, \\d, \\s, \\b and [[:alpha:]] are ASCII, \\pL and . are Unicode", sql: "SELECT k, regexp_extract(s, '\\w+') AS w, regexp_extract(s, '\\d+') AS d, regexp_matches(s, '\\s') AS sp, regexp_extract(s, '\\b\\w') AS b, regexp_extract(s, '[[:alpha:]]+') AS al, regexp_extract(s, '\\pL+') AS pl, regexp_extract(s, '.') AS dot FROM t", rows: texts, schema: S },
  { name: "values: (guard) RE2's (?i) folds K, ſ, σ/ς but not ß to ss", sql: "SELECT k, regexp_matches(s, '(?i)STRASSE') AS a, regexp_matches(s, '(?i)STRAßE') AS b, regexp_matches(s, '(?i)σοφος') AS c, regexp_matches(s, '(?i)İ') AS d, regexp_matches(s, '(?i)ǆ') AS e, regexp_matches(s, '(?i)K') AS f, regexp_matches(s, 'ß', 'i') AS g, regexp_matches(s, '(?i)ﬁ') AS h FROM t", rows: texts, schema: S },
  { name: "values: (guard) RE2's . stops at \\n only, and the s and m options", sql: "SELECT k, regexp_matches(s, 'x.y') AS a, regexp_matches(s, 'x.y', 's') AS b, regexp_extract(s, '^.*$') AS c, regexp_extract(s, '^.*$', 0, 'm') AS d, regexp_replace(s, '.', '_', 'g') AS e FROM t", rows: texts, schema: S },
  { name: "values: (guard) regexp_replace rewrites \\0, \\1, a literal $ and a missing group", sql: "SELECT k, regexp_replace(s, '(t)', '<\\0>') AS a, regexp_replace(s, 't', '$1$') AS b, regexp_replace(s, '(t)', '\\\\1') AS c, regexp_replace(s, '(t)', '\\2') AS d, regexp_replace(s, '', '-', 'g') AS e, regexp_replace(s, 'x*', '-', 'g') AS f FROM t", rows: texts, schema: S },
  { name: "values: (guard) regexp options c and i in either order", sql: "SELECT k, regexp_matches(s, 'STRASSE', 'ic') AS a, regexp_matches(s, 'ΣΟΦΟΣ', 'ci') AS b, regexp_replace(s, 'É', 'x', 'ig') AS c, regexp_extract(s, '(É)', 1, 'i') AS d FROM t", rows: texts, schema: S },
  { name: "values: regexp_split_to_array by an empty pattern cuts between every character, a NUL too, as DuckDB does", sql: "SELECT k, regexp_split_to_array(s, '') AS a, regexp_split_to_array(s, '\\s*') AS b, string_split_regex(s, 't') AS c FROM t", rows: texts, schema: S },
  { name: "values: (guard) regexp_full_match with and without the s option", sql: "SELECT k, regexp_full_match(s, '.*') AS a, regexp_full_match(s, '.*', 's') AS b FROM t", rows: texts, schema: S },
];

const splits = ["aaa", "", "abc", "a b", "ab", "abab", "a1b", "x", "xay", "a\nb", "été", "👍x👍", "  lead", "trail  "].map((s, k) => ({ k, s }));
cases.push({
  name: "values: regexp_split_to_array searches the rest of the text as a text of its own ('^a' cuts 'aaa' four times, '\\b' sees the rest's start)",
  sql: "SELECT k, regexp_split_to_array(s, '^a') AS a, regexp_split_to_array(s, '') AS b, regexp_split_to_array(s, 'x') AS c, regexp_split_to_array(s, 'c') AS d, regexp_split_to_array(s, '\\b') AS f, regexp_split_to_array(s, 'b|') AS g, regexp_split_to_array(s, '|b') AS h, regexp_split_to_array(s, '(?:^|b)a') AS i, regexp_split_to_array(s, '\\d*') AS j, regexp_split_to_array(s, '$') AS l, regexp_split_to_array(s, 'a*?') AS m, regexp_split_to_array(s, '(?m)^') AS n, string_split_regex(s, '\\s+') AS o, regexp_split_to_array(s, 'X|A', 'i') AS p, regexp_split_to_array(s, 'a.b', 's') AS q, regexp_split_to_array(s, '.', 'l') AS r FROM t",
  rows: splits, schema: S,
});

const castTexts = [" 12 ", "+5", "1e3", "1.5", "0x1F", "1_000", "١٢٣", "１２", "-0", "2.5", "-2.5", "0.5e1", "1.", ".5", "- 5", "5-", "\t7\n", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e20", "nan", "inf", "-Infinity", "0b101", "0o17", "00012", "1,000", "", "  ", "t", "yes", "on", " true ", "TRUE", "f", "no", "off", "1", "0", "y", "n", "True ", "T", null].map((s, k) => ({ k, s }));
for (const ty of ["TINYINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UTINYINT", "DOUBLE", "FLOAT", "DECIMAL(10,2)", "DECIMAL(38,0)", "BOOLEAN", "UHUGEINT"]) {
  cases.push({ name: `values: (guard) TRY_CAST messy text AS ${ty}`, sql: `SELECT k, TRY_CAST(s AS ${ty}) AS v FROM t`, rows: castTexts, schema: S });
}
const dateTexts = ["2024-02-30", "2024-1-5", "20240105", "2024-01-05T10:00:00", "2024-01-05 10:00:00", "2024-01-05T10:00:00Z", "2024-01-05 10:00:00+05:30", "2024-01-05 10:00:00+0530", "2024-01-05 10:00:00+05", "2024-01-05 10:00:00.123456789", "0999-01-01", "10000-01-01", "-0001-01-01", "infinity", "-infinity", "epoch", "2024/01/05", "05-01-2024", "2024-01-05 24:00:00", "2024-01-05 23:59:60", " 2024-01-05 ", "2024-01-05T", "2024-01-05 10:00", "2024-01-05 10", "2024-W01", "2024-001", "1-01-01", "0000-01-01", "2024-01-05 BC", "2024-01-05 10:00:00 AD", "2024-01-05 10:00:00.5Z", "2024-01-05T10:00:00.000+00:00", "2024-01-05T10:00:00-08", "2024-01-05 10:00:00 UTC", "2024-01-05 10:00:00 +05:30", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "now", "today", "allballs", "10:00", "2024-01-05z", null].map((s, k) => ({ k, s }));
for (const ty of ["DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME"]) {
  cases.push({ name: `values: (guard) TRY_CAST messy dates AS ${ty}`, sql: `SELECT k, TRY_CAST(s AS ${ty}) AS v FROM t`, rows: dateTexts, schema: S });
}

const replaced = ["aba", "", "a", "xyz", "a\\a", null].map((s, k) => ({ k, s }));
cases.push(
  {
    name: "values: a regexp_replace rewrite with a backslash before a letter or at its end leaves the text as it is (RE2's Rewrite fails)",
    sql: "SELECT k, regexp_replace(s, 'a', 'x\\y') AS a, regexp_replace(s, 'a', 'x\\') AS b, regexp_replace(s, '(a)', '\\1\\n') AS c, regexp_replace(s, 'a', '\\t', 'i') AS d FROM t",
    rows: replaced, schema: S,
  },
  {
    name: "values: a global regexp_replace with a bad rewrite escape writes each match's rewrite up to the escape (x\\y writes x)",
    sql: "SELECT k, regexp_replace(s, 'a', 'x\\y', 'g') AS a, regexp_replace(s, 'a', 'x\\', 'g') AS b, regexp_replace(s, '(a)', '<\\1\\', 'g') AS c, regexp_replace(s, '', '-\\q', 'g') AS d, regexp_replace(s, 'a*', '[\\0\\z]', 'g') AS e FROM t",
    rows: replaced, schema: S,
  },
  {
    name: "values: an escaped backslash before a digit in a rewrite is a backslash and the digit, not a group",
    sql: "SELECT k, regexp_replace(s, 'a', '\\\\1') AS a, regexp_replace(s, '(a)', '\\\\\\1', 'g') AS b, regexp_replace(s, 'a', '\\\\\\\\9', 'g') AS c FROM t",
    rows: replaced, schema: S,
  },
);

const rounds = ["ab", "aab", "abab", "ba", "b", "", "xbx", "a1b22", null].map((s, k) => ({ k, s }));
cases.push(
  {
    name: "values: (guard) groups every round sets, groups outside repetitions, whole-match and group-free uses of such patterns agree",
    sql: "SELECT k, regexp_extract(s, '(?:(a*)b)+', 1) AS a, regexp_extract(s, '(a|b)+', 1) AS b, regexp_extract(s, '(?:(a)|b)+') AS c, regexp_matches(s, '(?:(a)|b)+') AS d, regexp_replace(s, '(?:(a)|b)+', '<\\0>', 'g') AS e, regexp_extract(s, '(?:(a)|b)', 1) AS f, regexp_extract(s, '((a)|b){1}', 2) AS g, regexp_extract_all(s, '(?:(a)|b)+') AS h, regexp_split_to_array(s, '(?:(a)|b)+') AS i, regexp_extract(s, '(?:(\\d)+x)+', 1) AS j, regexp_extract(s, '(?:x(\\d)|(a))', 1) AS l FROM t",
    rows: rounds, schema: S,
  },
);

cases.push({
  name: "values: a text's character before its first (s[-4] of 'abc') is '' as DuckDB's, for ASCII text too (substring('abc', -4, 1) is 'a')",
  sql: "SELECT k, s[n] AS a, array_extract(s, n) AS b, list_extract(s, n) AS c FROM t",
  rows: [["abc", -4], ["abc", -3], ["abc", -1], ["K", -2], ["abc", 0], ["abc", 4], ["é", -2], ["é", -1], ["😀a", -3], ["😀a", -2], ["", -1], [null, -1], ["abc", null]].map(([s, n], k) => ({ k, s, n })),
  schema: [{ name: "k", type: "INTEGER" }, { name: "s", type: "VARCHAR" }, { name: "n", type: "INTEGER" }],
});

const zoneTexts = ["10:00:00EST", "10:00:00.1EST", "10:00:00UTC", "10:00:00utc", "10:00:00Europe/Paris", "10:00:00 EST", "10:00:00\tEST", "10:00:00  EST", "10:00:00  UTC", "10:00:00 UTC", "10:00:00\tUTC", "10:00:00+01 EST", "10:00:00 UTC ", "10:00:00 EST  ", "10:00:00.1z", "10:00:00 Z", "10:00:00 utc", "10:00:00GMT", "10:00:00 America/Argentina/Buenos_Aires", "10:00:00 -"].map((t, k) => ({ k, s: `2024-02-01 ${t}` }));
const colonTexts = ["2024-02-01 10:", "2024-02-01 10:00:", "2024-02-01 1:", "2024-02-01 1:2:", "2024-02-01 10:5:", "2024-02-01 24:00:", "2024-02-01 10: ", "2024-02-01 10:00: ", "2024-02-01 10:x", "2024-02-01 10:00:00:", "10:", "10:00:", "1:2:", "10:00:00abc", "10:00:00 x", "10:00:00: ", "10:00:00.5x", "10:00 ", "10:00\t", "10:00x", "10:00:00 EST", "10:00:00.123456789junk", "24:00:00x", "10:00:00;", "10:00:00,5", "10:00:00 abc", "25:00:00x", "10:60:00x", null].map((s, k) => ({ k, s }));
const farTexts = ["290309-02-01 10:00:00 EST", "275760-09-14 10:00:00 Europe/Paris", "275761-01-01 10:00:00 Europe/Paris", "280000-07-01 10:00:00 America/New_York", "-271822-01-01 10:00:00 Europe/Paris", "-280000-06-01 10:00:00 Asia/Kolkata", "290000-01-01 00:00:00 Asia/Tokyo", "290309-12-22 (BC) 00:00:00 EST", "200000-07-01 12:00:00 Australia/Sydney", null].map((s, k) => ({ k, s }));
cases.push(
  {
    name: "values: a zone name after a timestamp needs exactly one space before it ('10:00:00UTC', a tab or two spaces make no timestamp)",
    sql: "SELECT k, TRY_CAST(s AS TIMESTAMPTZ) AS tz, TRY_CAST(s AS TIMESTAMP) AS ts, TRY_CAST(s AS TIME) AS tm FROM t",
    rows: zoneTexts, schema: S,
  },
  {
    name: "values: a time text ending in its separator ('10:', '10:05:') is read up to it; a TIME cast ignores whatever follows the seconds, but nothing may follow HH:MM",
    sql: "SELECT k, TRY_CAST(s AS TIMESTAMP) AS ts, TRY_CAST(s AS TIMESTAMPTZ) AS tz, TRY_CAST(s AS TIME) AS tm FROM t",
    rows: colonTexts, schema: S,
  },
  {
    name: "values: a timestamp text in a named zone past a JS Date's range (years past 275760 and before 271821 BC) is read with the zone's offset there, not a crash",
    sql: "SELECT k, TRY_CAST(s AS TIMESTAMPTZ) AS tz, TRY_CAST(s AS TIMESTAMPTZ)::VARCHAR AS txt FROM t",
    rows: farTexts, schema: S,
  },
  {
    name: "values: (guard) a TIME cast of text past HH:MM fails as DuckDB's does",
    sql: "SELECT CAST(s AS TIME) AS tm FROM t",
    rows: [{ k: 0, s: "10:00 x" }], schema: S, expect: "error",
  },
);
cases.push(
  {
    name: "values: a zoned timestamp text whose instant reaches the last millisecond below 2^63 µs fails as DuckDB's ICU cast fails, under TRY_CAST too",
    sql: "SELECT TRY_CAST(s AS TIMESTAMPTZ) AS tz FROM t",
    rows: [{ k: 0, s: "294247-01-09 23:00:54.775 EST" }], schema: S, expect: "error",
  },
  {
    name: "values: a timestamp text without an offset near 2^63 µs is read through ICU too: TIMESTAMPTZ fails where 'Z' would not",
    sql: "SELECT TRY_CAST(s AS TIMESTAMPTZ) AS tz FROM t",
    rows: [{ k: 0, s: "294247-01-10 04:00:54.775806" }, { k: 1, s: "294247-01-10 04:00:54.775 UTC" }], schema: S, expect: "error",
  },
  {
    name: "values: (guard) zoned timestamp texts just below that instant, and the wall times past DuckDB's range that are NULL",
    sql: "SELECT k, TRY_CAST(s AS TIMESTAMPTZ) AS tz FROM t",
    rows: ["294247-01-09 23:00:54 EST", "294247-01-09 23:00:54.774999 EST", "294247-01-10 04:00:54.000001 Europe/London", "294247-01-10 05:00:54 Europe/Paris", "294247-01-10 04:00:54.775806Z", "294247-01-10 04:00:54.775806+00", "294247-01-10 04:00:54.774999"].map((s, k) => ({ k, s })), schema: S,
  },
);
cases.push({
  name: "values: interval text that is one bare number is seconds when whitespace follows it ('2 ', '-3\\t', '2.'), and nothing else may follow it ('2 3', '2 1:00:00')",
  sql: "SELECT k, TRY_CAST(s AS INTERVAL) AS v, TRY_CAST(s AS INTERVAL)::VARCHAR AS txt FROM t",
  rows: ["2", "2 ", "-3\t", " 12 \t", "2.", "1.5", "1.5 2", "2 3", "2 3 ", "2 1:00:00", "-12   -1days ", "+2 ", "2 ago", "1 day 2", "1 day 2 ", "2 day", ".5", null].map((s, k) => ({ k, s })),
  schema: S,
});
