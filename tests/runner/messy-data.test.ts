/**
 * Messy real-world JSON end to end, the way a user meets it: a notebook of
 * ordinary cells (casts that fail, nested objects that are sometimes NULL,
 * sometimes missing or of another shape, keys with spaces and umlauts,
 * integers past 2^63, NaN-free but extreme doubles, unicode of every kind,
 * a field of mixed kinds holding reals written `10.0`, a key that also comes
 * spelled in capitals,
 * time strings of every shape, a per-minute window with quantiles and mode,
 * an unnest of line items) is published (the differential check runs),
 * then `runnel run` writes the events as Parquet, and DuckDB, reading
 * those files back, must find exactly the rows it answers itself for each
 * sink cell over the same events.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { loadJsonTexts, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/index.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Messy events
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
  clean:
    fs: { dir: out/clean }
    partition_by: [day]
  per_min:
    lateness: 2 days
    fs: { dir: out/per_min }
  lines:
    fs: { dir: out/lines }
  wide:
    fs: { dir: out/wide }
---

\`\`\`sql id=clean sink=clean
SELECT
  id,
  TRY_CAST(ts AS TIMESTAMP) AS at,
  CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE) AS day,
  TRY_CAST(ts AS TIMESTAMPTZ) AS at_tz,
  user.name AS name,
  upper(user.name) AS name_upper,
  length(user.name) AS name_len,
  trim(user.name) AS name_trim,
  lower(kind) AS kind_l,
  coalesce(user.address.city, 'unknown') AS city,
  len(user.tags) AS ntags,
  user.tags[1] AS first_tag,
  amount,
  amount * 2 AS double_amount,
  round(amount, 2) AS amount_r,
  amount / 0 AS div0,
  "first name" AS first_name,
  "größe" + 1 AS size1,
  NOT flag AS not_flag,
  len(items) AS nitems,
  items[1].sku AS first_sku,
  CASE WHEN amount > 10 THEN 'big' WHEN amount IS NULL THEN 'none' ELSE 'small' END AS bucket,
  concat(kind, '-', user.name) AS label,
  substr(user.name, 2, 3) AS sub,
  md5(coalesce(user.name, '')) AS name_md5,
  id % 7 AS mod7,
  id // 3 AS idiv,
  greatest(amount, 1.5) AS at_least,
  nullif(amount, 12.5) AS not_twelve,
  [amount, 1.5] AS pair,
  TRY_CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'America/New_York' AS new_york,
  code,
  CAST(code AS VARCHAR) || '|' AS code_text,
  coalesce(lower("KIND_1"), kind) AS kind_any
FROM ev
\`\`\`

\`\`\`sql id=per_min sink=per_min
SELECT
  time_bucket(INTERVAL '1 minute', TRY_CAST(ts AS TIMESTAMP)) AS minute,
  lower(trim(kind)) AS kind,
  count(*) AS n,
  sum(amount) AS total,
  avg(amount) AS mean,
  min(amount) AS lo,
  max(amount) AS hi,
  count(DISTINCT user.name) AS people,
  sum(len(items)) AS items,
  bool_or(flag) AS any_flag,
  median(amount) AS med,
  quantile_cont(amount, [0.5, 0.95]) AS p,
  percentile_disc(0.9) WITHIN GROUP (ORDER BY "größe") AS g90,
  mode(user.name) AS top_name
FROM ev
GROUP BY ALL
\`\`\`

\`\`\`sql id=wide sink=wide
SELECT
  id,
  regexp_extract(kind, '([a-z]+)', 1) AS r1,
  regexp_matches(kind, '^b') AS r2,
  split_part(coalesce(kind, ''), 'u', 1) AS sp,
  string_split(coalesce(kind, ''), 'i') AS ss,
  starts_with(kind, 'c') AS sw,
  contains(kind, 'i') AS ct,
  strftime(TRY_CAST(ts AS TIMESTAMP), '%Y-%m %H') AS f,
  epoch_ms(TRY_CAST(ts AS TIMESTAMP)) AS ems,
  to_timestamp(1709294400) AS tt,
  date_diff('second', TRY_CAST(ts AS TIMESTAMP), TIMESTAMP '2024-03-02') AS dd,
  extract(hour FROM TRY_CAST(ts AS TIMESTAMP)) AS hh,
  dayname(TRY_CAST(ts AS TIMESTAMP)) AS dn,
  greatest(amount, 1.5) AS g,
  least(amount, 2) AS l,
  nullif(kind, 'view') AS ni,
  ifnull(kind, '?') AS ifn,
  length(items) AS li,
  list_contains(user.tags, 'a') AS lc,
  array_length(user.tags) AS al,
  user.tags[-1] AS lastTag,
  struct_pack(k := kind, a := amount) AS sp2,
  {'k': kind} AS st,
  [kind, 'x'] AS lst,
  concat_ws('-', kind, user.name) AS cw,
  lpad(coalesce(kind, ''), 6, '*') AS lp,
  reverse(kind) AS rv,
  repeat('ab', 2) AS rp,
  replace(kind, 'i', 'I') AS rep,
  position('i' IN kind) AS pos,
  strlen(kind) AS sl,
  ascii(kind) AS asc1,
  chr(65) AS ch,
  abs(amount) AS ab,
  ceil(amount) AS ce,
  floor(amount) AS fl,
  sqrt(abs(amount)) AS sq,
  ln(abs(amount) + 1) AS lnn,
  log10(abs(amount) + 1) AS lg,
  pow(2, 3) AS pw,
  sign(amount) AS sg,
  trunc(amount) AS tr,
  date_part('dow', TRY_CAST(ts AS TIMESTAMP)) AS dow,
  last_day(TRY_CAST(ts AS DATE)) AS ld,
  make_date(2024, 1, 1) AS md,
  to_json(user) AS tj,
  json_extract_string(to_json(user), '$.name') AS jes,
  url_decode('a%20b') AS ud,
  [amount, 1.5] AS l1,
  [1.5, 2] AS l2,
  nullif(amount, 1.5) AS n1,
  ifnull(amount, 1) AS i1,
  CASE WHEN flag THEN amount ELSE 1.5 END AS c1,
  amount IN (1.5, 2, 12.5) AS in1,
  list_contains([1.5, 2.2], amount) AS lc1,
  list_concat([1], [1.5]) AS lcat,
  concat(1.5, '-', amount) AS cc1,
  amount + 1.25 AS a1,
  1.5 * "größe" AS m1,
  "größe" + 0.5 AS m2,
  "größe" / 3 AS d1,
  "größe" // 3 AS d2,
  1.25::DECIMAL(10, 2) * 3 AS dec1,

  TRY_CAST(amount AS DECIMAL(6, 2)) AS dec3,
  TRY_CAST(amount AS INTEGER) AS int1,
  TRY_CAST(kind AS DOUBLE) AS dbl1,
  amount > 1.5 AS gt1,
  "größe" = 2.0 AS eq1,

  id * 2 AS big2,
  -id AS neg,
  abs(id) AS absid,
  coalesce(id, 0) AS cid,
  CAST(id AS VARCHAR) AS sid,
  CAST(amount AS VARCHAR) AS samt,
  amount::VARCHAR || '!' AS samt2,
  CAST(flag AS INTEGER) AS fi,
  CAST("größe" AS BOOLEAN) AS gb,
  {'x': [amount, 1]} AS nest,
  user.tags || ['z'] AS tagcat,
  len(user.tags || [NULL]) AS tl,
  TRY_CAST(ts AS TIMESTAMPTZ) AS tz,
  TRY_CAST(ts AS TIMESTAMPTZ)::DATE AS tzd,
  date_trunc('hour', TRY_CAST(ts AS TIMESTAMPTZ)) AS dth,
  date_trunc('day', TRY_CAST(ts AS TIMESTAMP)) AS dtd,
  date_trunc('week', TRY_CAST(ts AS DATE)) AS dtw,
  strftime(TRY_CAST(ts AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%S%z') AS ftz,

  try_strptime(ts, '%Y-%m-%d %H:%M:%S') AS tsp,
  TRY_CAST(ts AS DATE) AS d,
  TRY_CAST(ts AS TIME) AS t,
  epoch(TRY_CAST(ts AS TIMESTAMP)) AS ep,
  year(TRY_CAST(ts AS TIMESTAMP)) AS y,
  month(TRY_CAST(ts AS DATE)) AS mo,
  week(TRY_CAST(ts AS DATE)) AS wk,
  quarter(TRY_CAST(ts AS DATE)) AS q,
  TRY_CAST(ts AS TIMESTAMP) + INTERVAL 90 MINUTE AS plus,
  TRY_CAST(ts AS TIMESTAMP) - INTERVAL '1 day' AS minus,

  time_bucket(INTERVAL '15 minutes', TRY_CAST(ts AS TIMESTAMP)) AS tb,
  to_json(items) AS ji,
  json_extract(to_json(user), '$.tags[0]') AS jt,
  json_extract_string(to_json(user), '$.address.city') AS jc,
  to_json(user)->>'$.name' AS jn,
  json_array_length(to_json(items)) AS jl,
  json_type(to_json(user)) AS jty,
  json_valid(kind) AS jv,
  upper("first name") AS fu,
  length("first name") AS fln,
  strlen("first name") AS fsl,
  left("first name", 3) AS fleft,
  right("first name", 2) AS fright,
  substring("first name", 2) AS fsub,
  trim("first name") AS ftrim,
  "first name" LIKE '%a%' AS flike,
  "first name" ILIKE 'z%' AS filike,
  regexp_replace("first name", '\\s+', '_', 'g') AS fre,
  regexp_matches("first name", '^\\p{L}+$') AS fre2,
  md5("first name") AS fmd5,
  sha256(coalesce("first name", '')) AS fsha,
  instr("first name", 'a') AS finstr,
  string_split("first name", ' ') AS fsplit,
  split_part("first name", ' ', 2) AS fpart,
  lpad("first name", 12, '·') AS flpad,
  "first name" || '✓' AS fcat,
  translate("first name", 'aeiou', 'AEIOU') AS ftr
FROM ev
\`\`\`

\`\`\`sql id=lines sink=lines
SELECT id, it.sku AS sku, it.qty AS qty, it.price AS price, it.qty * it.price AS line_total
FROM (SELECT id, unnest(items) AS it FROM ev)
\`\`\`
`;

/** A small seeded generator (mulberry32): the same events on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["Zoë", "Ünal", "李小龙", "محمد", "👩‍👩‍👧 family", "a\u0301ccent", "", "  padded  ", "O'Brien", "tab\there", "new\nline", "null", "NULL", null];
const TIMES = [
  "2024-03-01T12:00:00Z", "2024-03-01T12:00:59.999Z", "2024-03-01 12:01:30", "2024-03-01T12:02:00+05:30", "2024-03-01T12:02:00.123456-08:00",
  "yesterday", "2024-13-45T25:00:00Z", "", null, "2024-03-01", "1709294400", "2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z",
  "2024-03-01T24:00:00Z", "2024-03-01T11:59:00Z", "2024-03-01T12:05:00Z",
];

/** JSON lines: integers past 2^63 are written as digits (JSON.stringify cannot), keys sometimes missing. */
function messyLines(n: number): string[] {
  const r = random(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    const id = u < 0.9 ? String(i) : u < 0.93 ? (2n ** 63n + BigInt(i)).toString() : u < 0.95 ? (-(2n ** 63n)).toString() : "null";
    const fields: string[] = [`"id": ${id}`, `"ts": ${JSON.stringify(pick(TIMES))}`];
    const shape = r();
    if (shape < 0.7) {
      const user = {
        name: pick(NAMES),
        tags: pick([["a", "b"], [], null, ["ü", null, "x"]]),
        address: pick([{ city: "Zürich", zip: "8001" }, { city: null, zip: null }, null]),
      };
      fields.push(`"user": ${JSON.stringify(user)}`);
    } else if (shape < 0.8) fields.push(`"user": null`);
    fields.push(`"amount": ${pick(["12.5", "0", "-0.0", "1e308", "-1e-300", "3", "7", "1.1", "2.2", "null", "123456789.123456789", "0.1", "NaN", "-Infinity"])}`);
    if (r() < 0.8) {
      const items = Array.from({ length: pick([0, 1, 2, 3]) }, () => ({ sku: pick(["A-1", "B-2", "ç-3", null]), qty: pick([1, 2, 0, -1, null, 2147483648]), price: pick([9.99, 0, null, 1e10]) }));
      fields.push(`"items": ${JSON.stringify(items)}`);
    } else if (r() < 0.5) fields.push(`"items": null`);
    fields.push(`"flag": ${pick(["true", "false", "null"])}`);
    fields.push(`"first name": ${JSON.stringify(pick(NAMES))}`);
    fields.push(`"größe": ${pick(["1", "2", "3", "null", "40"])}`);
    fields.push(`"kind": ${JSON.stringify(pick(["click", "view", "buy", "Buy", "BUY ", null, "ñ"]))}`);
    // A field of mixed kinds from a sender that writes floats with a fraction (Python does): DuckDB keeps `10.0`.
    fields.push(`"code": ${pick(['"A1"', "10.0", "7", "1e2", "-0.0", "null", '{"v": 2.0, "w": [3]}', '[1.0, "x"]', "2.5"])}`);
    // A second producer version spells the key in capitals: DuckDB reads it as its own column, KIND_1.
    if (i > 0 && r() < 0.3) fields.push(`"KIND": ${JSON.stringify(pick(["Click", "VIEW", null]))}`);
    // Half the lines escape every non-ASCII character, as some senders do.
    const line = `{${fields.join(", ")}}`;
    lines.push(r() < 0.5 ? line.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : line);
  }
  return lines;
}

let work: string;
let bundle: string;
let plan: Plan;
let lines: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-messy-"));
  await writeFile(join(work, "messy.md"), NOTEBOOK);
  lines = messyLines(3000);
  await writeFile(join(work, "messy.ndjson"), `${lines.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "messy.md"), "--sample", `ev=${join(work, "messy.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  expect(pub.stdout + pub.stderr).toMatch(/check passed|agrees with DuckDB/);
  bundle = join(work, "dist", "messy");
  plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
  const sinks = plan.pipelines.flatMap((p) => ["--sink", `${p.sink}=fs:${join(work, "out")}`]);
  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `ev=${join(work, "messy.ndjson")}`, ...sinks], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
}, 240_000);

describe("messy JSON, published and run from a file", () => {
  test("the check passes, and the Parquet DuckDB reads back is DuckDB's own answer for every sink cell, row for row", async () => {
    const { notebook } = parseNotebook(NOTEBOOK, join(work, "messy.md"));
    const db = await openDuckDB({ threads: 2 });
    try {
      // The lines as the notebook loads them (exact integers), with the types the bundle pinned (HUGEINT for the ids past 2^63).
      await loadJsonTexts(db, "ev", lines, { schema: plan.sources.ev!.schema });
      expect(plan.sources.ev!.schema.find((c) => c.name === "id")?.type).toBe("HUGEINT");
      for (const cell of notebook.cells.filter((c) => c.language === "sql" && c.id)) {
        await db.run(`CREATE VIEW ${quoteIdent(cell.id!)} AS ${cell.code.replace(/;\s*$/, "")}`);
      }
      const seen: string[] = [];
      for (const pipeline of plan.pipelines) {
        const sinkOp = pipeline.ops.at(-1) as SinkOp;
        const glob = `${join(work, "out")}/${pipeline.sink}/**/*.parquet`;
        const r = await db.read(`WITH expected AS (SELECT * FROM ${quoteIdent(pipeline.cell.cell)}), actual AS (${datasetSql(glob, sinkOp.schema, sinkOp.partitionBy)})
          SELECT (SELECT count(*) FROM expected), (SELECT count(*) FROM actual),
            (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),
            (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))`);
        const [expected, actual, missing, extra] = r.getRows()[0]!.map(Number) as [number, number, number, number];
        seen.push(`${pipeline.sink}: ${expected} rows`);
        expect({ sink: pipeline.sink, actual, missing, extra }).toEqual({ sink: pipeline.sink, actual: expected, missing: 0, extra: 0 });
        expect(expected).toBeGreaterThan(40);
      }
      expect(seen).toHaveLength(4);
      // Unreadable times land under the NULL partition, and nothing went to the dead letters.
      const days = await readdir(join(work, "out", "clean"));
      expect(days).toContain("day=__HIVE_DEFAULT_PARTITION__");
      expect((await readdir(join(work, "out"))).includes("_errors")).toBe(false);
    } finally {
      db.close();
    }
  });
});
