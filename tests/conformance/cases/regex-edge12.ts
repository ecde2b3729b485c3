/**
 * Regular expressions a backtracking engine takes exponential time on (`(a+)+`, `(\w+\s?)*`, the
 * classic e-mail check): the pipeline runs them on its linear-time engine (edge/exec/functions/
 * pike.ts) and answers as DuckDB's RE2 does, at once, over the odd event that would hang it.
 */
import type { ConformanceCase } from "../case.ts";

const odd = [
  { s: `${"a".repeat(3000)}!` },
  { s: "a".repeat(3000) },
  { s: `${"foo bar ".repeat(400)}!` },
  { s: "foo bar baz" },
  { s: `${"x".repeat(2000)}@` },
  { s: "me.name@mail.example.com" },
  { s: `me@${"sub.".repeat(500)}example.comm!` },
  { s: "" },
  { s: "é😀 ß" },
  { s: null },
];

const email = "^([a-zA-Z0-9_.-])+@(([a-zA-Z0-9-])+\\.)+([a-zA-Z0-9]{2,4})+$";

export const cases: ConformanceCase[] = [
  {
    name: "redos: nested repetitions over a long odd text match as DuckDB's RE2 at once",
    sql: "SELECT s, regexp_matches(s, '^(a+)+$') AS a, regexp_full_match(s, '(\\w+\\s?)*') AS w, regexp_matches(s, '^(\\w+\\s?)*$') AS w2 FROM t",
    rows: odd,
  },
  {
    name: "redos: the classic e-mail validation pattern answers as DuckDB's on a text that hangs a backtracking engine",
    sql: `SELECT s, regexp_matches(s, '${email}') AS ok, regexp_extract(s, '${email}', 4) AS tld FROM t`,
    rows: odd,
  },
  {
    name: "redos: extract, extract_all, replace and split with overlapping alternatives under a repetition",
    sql: "SELECT s, regexp_extract(s, '(a|ab)+(\\w*)', 2) AS e, regexp_extract_all(s, '(\\w|\\d)+') AS all_words, regexp_replace(s, '(a|aa)+', '<\\0>', 'g') AS r, regexp_split_to_array(s, '( |o)+') AS parts FROM t WHERE length(s) < 100",
    rows: odd,
  },
];

cases.push(
  {
    // The pattern runs on the linear engine (V8 took 10 s on 400 characters); DuckDB's own LIKE is slow on long
    // texts of it too, so the texts here are short.
    name: "redos: LIKE with several % and _ runs on the linear engine and answers as DuckDB's",
    sql: "SELECT s, s LIKE '%a_%a_%a_%b' AS l, s NOT LIKE '%a_%a_%a_%b' AS nl, s ILIKE '%A_%A_%A_%!' AS il, s LIKE '_é%😀' AS u FROM t",
    rows: [{ s: "xa\nya\nza\nb" }, { s: "aaaaaaaaab" }, { s: "aaaaaaaaaa!" }, { s: "éé😀" }, { s: "a1a2a3b" }, { s: "ab" }, { s: "" }, { s: null }],
  },
);
