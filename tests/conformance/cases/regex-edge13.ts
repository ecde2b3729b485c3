/**
 * Access-log parsing through the pipeline: the combined log format's regexes (strict, with lazy `.*?`
 * fields, and loose ones a backtracking engine can take cubic time or worse on, which run on the
 * linear engines: BitState for a line, the Pike VM for a long one), over well-formed, odd and long
 * lines, answer as DuckDB's RE2 does.
 */
import type { ConformanceCase } from "../case.ts";

const good = `203.0.113.7 - alice [12/Oct/2025:13:55:36 +0000] "GET /api/v1/orders?id=12345&expand=items HTTP/1.1" 200 5120 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"`;
const lines = [
  { line: good },
  { line: `10.0.0.1 - - [12/Oct/2025:13:55:37 +0000] "POST /login HTTP/1.1" 302 - "-" "curl/8.4.0"` },
  { line: `10.0.0.1 - - [12/Oct/2025:13:55:37 +0000] "GET /a b" c" 200 12 "-" "say "hi" [x] é😀"` },
  { line: `garbage line with [brackets] and "quotes" 200 300 but not a log` },
  { line: `10.0.0.2 - bob [bad date] "GET / HTTP/1.0" 404 0 "" ""` },
  { line: good.repeat(80) },
  { line: `${good.repeat(80)} "x" 1 "y" "z"` },
  { line: "" },
  { line: null },
];

const strict = String.raw`^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$`;
const lazy = String.raw`^(\S+) (\S+) (\S+) \[(.*?)\] "(.*?)" (\d+) (\d+)`;
const loose = String.raw`^(\S+) (\S+) (\S+) \[(.*?)\] "(.*?)" (\d+) (\S+) "(.*?)" "(.*?)"$`;

export const cases: ConformanceCase[] = [
  {
    name: "access log: the combined log regexes (strict, lazy fields, loose) extract fields as DuckDB's RE2",
    sql: `SELECT length(line) AS n, regexp_extract(line, '${strict}', 4) AS ts, regexp_extract(line, '${strict}', 9) AS bytes, regexp_extract(line, '${lazy}', 5) AS req, regexp_extract(line, '${loose}', 8) AS ref, regexp_extract(line, '${loose}', 9) AS ua, regexp_matches(line, '${loose}') AS ok FROM t`,
    rows: lines,
  },
  {
    name: "access log: e-mail checks, every field and a rewrite with the loose regex as DuckDB's RE2",
    sql: String.raw`SELECT length(line) AS n, regexp_full_match(line, '\S+@\S+\.\S+') AS mail, regexp_matches(line, '^\S+@\S+\.\S+$') AS mail2, regexp_extract_all(line, '"(.*?)" (\d+) (\S+)', 2) AS statuses, regexp_replace(line, '${loose}', '\7 \6 \5', 'g') AS r FROM t`,
    rows: [...lines, { line: "john.doe+news@mail.example.co.uk" }, { line: `a@b.c${" x@y.z".repeat(300)}` }, { line: "x@y.".repeat(300) }],
  },
];
