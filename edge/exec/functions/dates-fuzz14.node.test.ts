/**
 * A seeded differential fuzzer over what messy feeds carry in their time fields, beside
 * dates-fuzz12 (which walks the functions over fixed edge values): texts generated from a random
 * strptime format and then bent (a field out of range, a field too wide or too narrow, a sign, a
 * 12-hour clock past 12, an offset past ±24 hours, a zone name, trailing text, another case),
 * parsed by strptime/try_strptime (one format or a list) and cast to TIMESTAMP, DATE, TIMESTAMPTZ
 * and TIME; make_timestamp of random seconds (negative, past 60, fractions at a half microsecond);
 * to_timestamp and epoch_ms of huge and fractional numbers; strftime of random specifier strings;
 * far DATEs (past year 294247 and before 290308 BC) beside TIMESTAMPs in comparisons,
 * greatest/least, CASE and COALESCE; and interval text near its fields' ends (32-bit months and
 * days, 64-bit microseconds). Each batch is loaded into DuckDB (columns pinned VARCHAR) and each
 * cell compiled as `runnel publish` compiles it; the executor must give DuckDB's rows or DuckDB's
 * error class, each row alone where one fails, or refuse the cell at compile. Zones whose rules
 * DuckDB's ICU data and the runtime's differ on (Africa/Casablanca after 2087) are left out.
 *
 * Hunting: `RUNNEL_FC_SEED=random RUNNEL_DATES14_BATCHES=60 npx vitest run --project unit edge/exec/functions/dates-fuzz14`.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../duckdb/open.node.ts";
import { loadEvents } from "../../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../../compile/inputs.node.ts";
import { compilePlan } from "../../compile/compile.ts";
import { CompileError } from "../../compile/errors.ts";
import { duckdbAnswer, errorsAgree, planAnswer } from "../../check/check.node.ts";
import { firstDifference, showRow } from "../../check/compare.ts";
import { defaultLibrary } from "../library.ts";
import { caseNotebook } from "../../../tests/conformance/runner.ts";
import type { Schema } from "../../plan/values.ts";

const q = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const pick = <V,>(a: readonly V[]) => fc.constantFrom(...a);

/** strptime fields, each with the ways a feed writes its value (some of them wrong). */
const FIELDS: Record<string, fc.Arbitrary<string>> = {
  "%Y": fc.oneof(pick(["2024", "1999", "0001", "0000", "10000", "-2024", "294247", "24", "+2024", "99999"]), fc.integer({ min: 1, max: 9999 }).map((n) => String(n).padStart(4, "0"))),
  "%y": pick(["24", "99", "00", "68", "69", "7", "100", "-1"]),
  "%m": pick(["01", "1", "12", "13", "00", "02", " 2", "002"]),
  "%-m": pick(["1", "01", "12", "13"]),
  "%d": pick(["05", "5", "29", "30", "31", "00", "32", " 5", "005"]),
  "%-d": pick(["5", "05", "31", "0", "32"]),
  "%H": pick(["10", "0", "00", "23", "24", "25", "9", "-1"]),
  "%-H": pick(["0", "9", "23", "24"]),
  "%I": pick(["12", "01", "1", "00", "13", "11"]),
  "%-I": pick(["12", "1", "0", "13"]),
  "%p": pick(["AM", "PM", "am", "pm", "A.M.", "XM", "Pm"]),
  "%M": pick(["00", "59", "60", "5", "99"]),
  "%-M": pick(["0", "59", "60"]),
  "%S": pick(["00", "59", "60", "61", "5", "99"]),
  "%-S": pick(["0", "59", "60"]),
  "%f": pick(["123456", "1", "000001", "1234567", "12345678901", "5", ""]),
  "%g": pick(["123", "1", "0001", "1234", ""]),
  "%z": pick(["+05:30", "+0530", "-03", "Z", "+25:00", "+2400", "-00:00", "+05:30:15", "+5", "UTC", "+14:00", "-12:59", "+05:3", "z"]),
  "%Z": pick(["UTC", "Europe/Berlin", "America/New_York", "EST", "Foo/Bar", "utc", "Z", "GMT", "Asia/Kathmandu", "+05:30"]),
  "%j": pick(["001", "1", "366", "365", "000", "367", "060"]),
  "%-j": pick(["1", "366", "367", "60"]),
  "%b": pick(["Jan", "jan", "JAN", "Sep", "Sept", "Foo", "January"]),
  "%B": pick(["January", "february", "MARCH", "Jan", "Septembre"]),
  "%a": pick(["Fri", "fri", "Mon", "Xyz", "Friday"]),
  "%A": pick(["Friday", "monday", "Fri", "Caturday"]),
  "%U": pick(["00", "01", "52", "53", "54"]),
  "%W": pick(["00", "01", "52", "53", "54"]),
  "%w": pick(["0", "6", "7"]),
  "%u": pick(["1", "7", "0", "8"]),
  "%%": pick(["%", "x"]),
  "%x": pick(["01/05/24", "1/5/24", "2024-01-05"]),
  "%X": pick(["10:00:00", "24:00:00", "1:2:3"]),
  "%c": pick(["Fri Jan  5 10:00:00 2024", "Fri Jan 05 10:00:00 2024", "2024-01-05 10:00:00"]),
};
const SEPARATORS = ["-", "/", " ", ":", "T", ".", ",", "", "  ", "x"];

/** A format of two to six fields, and texts a feed would send for it, sometimes bent. */
const formatParts = fc.array(fc.tuple(pick(Object.keys(FIELDS)), pick(SEPARATORS)), { minLength: 2, maxLength: 6 });
const formatOf = (parts: [string, string][]): string => parts.map(([f, s], i) => f + (i < parts.length - 1 ? s : "")).join("");
const textFor = (parts: [string, string][]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.tuple(...parts.map(([f, s], i) => FIELDS[f]!.map((v) => v + (i < parts.length - 1 ? s : "")))).map((vs) => vs.join("")),
      pick(["", "", "", " ", "x", " trailing", "Z", "\t", ".5"]),
      pick(["", "", "", " ", "\t"]),
      pick(["same", "same", "same", "upper", "lower"]),
    )
    .map(([text, tail, head, kase]) => {
      const s = head + text + tail;
      return kase === "upper" ? s.toUpperCase() : kase === "lower" ? s.toLowerCase() : s;
    });

/** Time text as feeds send it, valid or bent. */
const timeText = fc
  .tuple(
    pick(["2024", "0000", "-0001", "10000", "294247", "290309", "1970", "2024", "99"]),
    pick(["-01-05", "-02-30", "-02-29", "-1-5", "-13-01", "-00-10", "/01/05", "0105"]),
    pick(["", " ", "T", "t", "  ", "\t"]),
    pick(["", "10:00:00", "24:00:00", "23:59:60", "23:59:60.5", "24:00:00.000001", "1:2:3", "10:00", "10", "23:60:00", "10:00:00.", "10:00:00.1234567", "12:00:00 PM"]),
    pick(["", "", "Z", " Z", "z", "+05:30", "+25:00", "+24:00", "-23:59", "+0530", "+05:30:45", "+5", " UTC", " utc", " America/New_York", " Foo", " (BC)", " BC", " x"]),
  )
  .map((p) => p.join(""));

/** Interval text as feeds send durations: counts near the fields' ends (32-bit months and days, 64-bit microseconds), fractions, "ago", times of many hours. */
const intervalText = fc
  .tuple(
    fc.array(
      fc.tuple(
        pick(["", "", "-"]),
        fc.oneof(
          pick(["1", "0", "2147483647", "2147483648", "178956970", "178956971", "306783378", "9223372036854775807", "9223372036854775808", "2562047788", "153722867280", "1.5", "0.0000005", "2147483647.5", "00000000000000000000001"]),
          fc.integer({ min: 0, max: 100000 }).map(String),
          fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
        ),
        pick([" days", " day", " months", " mons", " years", " weeks", " hours", " minutes", " seconds", " ms", " us", " quarters", " decades", " millennia", "days", ""]),
      ),
      { minLength: 1, maxLength: 3 },
    ).map((parts) => parts.map(([sign, n, u]) => sign + n + u).join(" ")),
    pick(["", "", " ago", " 10:00:00", " -1:2:3", " 999999999:00:00", " 1000000000:00:00", " -"]),
  )
  .map(([a, b]) => a + b);

const DOUBLES = fc.oneof(
  fc.double({ min: -1e13, max: 1e13, noNaN: true }),
  fc.integer({ min: -2e9, max: 2e9 }).map((n) => n / 2e6),
  fc.integer({ min: -120_000_000, max: 120_000_000 }).map((n) => n / 1e6 + 5e-7),
  pick([0, -0, 0.5, -0.5, 5e-7, -5e-7, 59.9999995, 60, 60.0000004, 60.9999995, 61, -1.5, 9223372036854.775, -9223372036854.775, 9223372036854.7758, 8210266876799.999, 1e300, -1e-300]),
);

const SPECIFIERS = ["%a", "%A", "%w", "%u", "%d", "%-d", "%b", "%h", "%B", "%m", "%-m", "%y", "%-y", "%Y", "%G", "%H", "%-H", "%I", "%-I", "%p", "%M", "%-M", "%S", "%-S", "%f", "%g", "%z", "%Z", "%j", "%-j", "%U", "%W", "%V", "%c", "%x", "%X", "%%"];
const ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "EST", "Pacific/Chatham", "America/St_Johns", "Antarctica/Troll", "Europe/Dublin"];

const ts = (c: string) => `TRY_CAST(${c} AS TIMESTAMP)`;
const tz = (c: string) => `TRY_CAST(${c} AS TIMESTAMPTZ)`;
const dt = (c: string) => `TRY_CAST(${c} AS DATE)`;
const instant = fc.oneof(pick(["a", "b"]).map(ts), pick(["a", "b"]).map(dt), pick(["a", "b"]).map(tz));

/** One cell's expression over the batch's columns: f a format, s a text to parse, a and b time texts, d a far date, x a double. */
const parseExpr = (f: string): fc.Arbitrary<string> =>
  pick([`try_strptime(s, ${q(f)})`, `strptime(s, ${q(f)})`, `try_strptime(s, [${q(f)}, '%Y-%m-%d'])`, `strptime(s, ['%Y-%m-%d %H:%M:%S', ${q(f)}])`, `try_strptime(a, ${q(f)})`]);

const EXPR: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(pick(["a", "b", "s"]), pick(["TIMESTAMP", "DATE", "TIMESTAMPTZ", "TIME"])).map(([c, t]) => `CAST(TRY_CAST(${c} AS ${t}) AS VARCHAR)`),
  fc.tuple(pick(["a", "b"]), pick(["TIMESTAMP", "DATE", "TIMESTAMPTZ", "TIME"])).map(([c, t]) => `CAST(${c} AS ${t})`),
  pick(["make_timestamp(2024, 1, 1, 0, 0, TRY_CAST(x AS DOUBLE))", "make_timestamp(2024, 2, 29, 23, 59, TRY_CAST(x AS DOUBLE))", "make_timestamp(2024, 12, 31, 24, 0, TRY_CAST(x AS DOUBLE))"]),
  pick(["to_timestamp(TRY_CAST(x AS DOUBLE))", "epoch_ms(TRY_CAST(x AS BIGINT))", "make_timestamp(TRY_CAST(x AS BIGINT))", "to_timestamp(TRY_CAST(x AS BIGINT))", "epoch_ms(to_timestamp(TRY_CAST(x AS DOUBLE)))", "epoch(to_timestamp(TRY_CAST(x AS DOUBLE)))"]),
  fc.tuple(instant, fc.array(fc.oneof(pick(SPECIFIERS), pick(["-", " ", "T", ":", "x", "%%"])), { minLength: 1, maxLength: 5 })).map(([x, f]) => `strftime(${x}, ${q(f.join(""))})`),
  fc.tuple(instant, pick(ZONES)).map(([x, z]) => `${x} AT TIME ZONE ${q(z)}`),
  fc.tuple(pick(["a", "b"]).map(ts), pick(ZONES)).map(([x, z]) => `CAST(timezone(${q(z)}, ${x}) AS VARCHAR)`),
  fc.tuple(pick(["<", "=", ">=", "<>", "IS DISTINCT FROM"]), pick(["a", "b"]).map(ts)).map(([o, x]) => `CAST(d AS DATE) ${o} ${x}`),
  fc.tuple(pick(["greatest", "least", "coalesce"]), pick(["a", "b"]).map(ts)).map(([f, x]) => `${f}(CAST(d AS DATE), ${x})`),
  fc.tuple(pick(["a", "b"]).map(ts)).map(([x]) => `CASE WHEN d IS NULL THEN ${x} ELSE CAST(d AS DATE) END`),
  fc.tuple(pick(["a", "b"]).map(tz)).map(([x]) => `coalesce(${x}, CAST(d AS DATE))`),
  pick(["CAST(TRY_CAST(i AS INTERVAL) AS VARCHAR)", "CAST(i AS INTERVAL)", "epoch_ms(TRY_CAST(i AS INTERVAL))", "epoch_us(TRY_CAST(i AS INTERVAL))", "TIMESTAMP '2024-01-31 10:00:00' + TRY_CAST(i AS INTERVAL)", "date_part(['year', 'month', 'day', 'hour', 'microseconds', 'epoch'], TRY_CAST(i AS INTERVAL))"]),
);

const rowFor = (parts: [string, string][]) => fc.tuple(textFor(parts), timeText, timeText, pick(["300000-01-05", "294247-01-11", "294247-01-10", "-290309-01-01", "290308-12-22 (BC)", "2024-01-05", "5881580-07-10", "infinity"]), DOUBLES, intervalText).map(([s, a, b, d, x, i]) => ({
  s, a, b, d, x: Object.is(x, -0) ? "-0.0" : String(x), i,
}));
/** A batch: rows whose text s is written for one format, and cells (a third parse s by that format). */
const batch = (perBatch: number) =>
  formatParts.chain((parts) => fc.tuple(fc.array(rowFor(parts), { minLength: 1, maxLength: 4 }), fc.array(fc.oneof({ weight: 1, arbitrary: parseExpr(formatOf(parts)) }, { weight: 2, arbitrary: EXPR }), { minLength: perBatch, maxLength: perBatch })));
const SCHEMA: Schema = ["s", "a", "b", "d", "x", "i"].map((name) => ({ name, type: "VARCHAR" }));

interface Outcome { kind: "agree" | "refused" | "unbindable" | "differ" | "known"; detail: string }

/** Differences written down, not fixed here (.tmp-hunt/s14/dates14/REPORT.md has the diffs). */
const KNOWN: { why: string; sql: RegExp; detail: RegExp }[] = [
  { why: "strftime of a TIMESTAMPTZ with a specifier DuckDB does not know fails when run, not when bound (compile)", sql: /strftime\(/, detail: /Unrecognized format for strftime/ },
  { why: "a TIMESTAMP made a TIMESTAMPTZ within hours of the range's ends: ICU's overflow (cast.ts)", sql: /TIMESTAMPTZ|AT TIME ZONE/, detail: /ICU date overflows timestamp range/ },
  { why: "TIMESTAMP + INTERVAL of 2^31 days: DuckDB's Out of Range 'Date out of range', the executor's Conversion Error (numeric.ts)", sql: /\+ TRY_CAST\(i AS INTERVAL\)/, detail: /Out of Range Error: Date out of range/ },
];

async function compare(rows: Record<string, string>[], sql: string): Promise<Outcome> {
  await db.run("DROP VIEW IF EXISTS result");
  await loadEvents(db, "t", rows, { schema: SCHEMA });
  let plan;
  try {
    plan = compilePlan(await gatherCompileInputs(db, caseNotebook({ name: "dates14", sql, rows })));
  } catch (error) {
    const m = error instanceof Error ? error.message : String(error);
    if (/DuckDB cannot bind/.test(m)) return { kind: "unbindable", detail: m };
    if (error instanceof CompileError) return { kind: "refused", detail: m.split("\n")[0]! };
    return { kind: "differ", detail: `compile threw: ${m}` };
  }
  const { answer: duck, schema } = await duckdbAnswer(db, sql);
  if (!duck.ok && /INTERNAL Error/.test(duck.error)) {
    db.close();
    db = await openDuckDB({ threads: 1 });
    return { kind: "known", detail: duck.error.split("\n")[0]! };
  }
  const mine = planAnswer(plan, "out", "t", rows, defaultLibrary);
  if (!duck.ok && !mine.ok) {
    if (!errorsAgree(duck.error, mine.error)) return { kind: "differ", detail: `errors differ\n  DuckDB: ${duck.error.split("\n")[0]}\n  plan:   ${mine.error}` };
    if (rows.length > 1) {
      for (const r of rows) {
        const o = await compare([r], sql);
        if (o.kind === "differ") return { kind: "differ", detail: `row ${JSON.stringify(r)} alone: ${o.detail}` };
      }
    }
    return { kind: "agree", detail: "both fail" };
  }
  if (!duck.ok || !mine.ok) return { kind: "differ", detail: `DuckDB: ${duck.ok ? `${duck.rows.length} rows` : duck.error.split("\n")[0]}\n  plan:   ${mine.ok ? `${mine.rows.length} rows` : mine.error}` };
  const d = firstDifference(schema!, duck.rows, mine.rows);
  if (!d) return { kind: "agree", detail: "" };
  return { kind: "differ", detail: `${d.side === "duckdb" ? "DuckDB" : "the plan"} has ${showRow(d.row)}; the other has ${d.nearest ? showRow(d.nearest) : "no such row"}\n  DuckDB: ${duck.rows.slice(0, 4).map((r) => showRow(r)).join(" ")}\n  plan:   ${mine.rows.slice(0, 4).map((r) => showRow(r)).join(" ")}` };
}

async function runOne(rows: Record<string, string>[], sql: string): Promise<Outcome> {
  const o = await compare(rows, sql);
  if (o.kind === "differ" && KNOWN.some((k) => k.sql.test(sql) && k.detail.test(o.detail))) return { kind: "known", detail: o.detail };
  return o;
}

async function fuzz(seed: number, batches: number, perBatch: number): Promise<{ differences: string[]; counts: Record<Outcome["kind"] | "bothFail", number> }> {
  const cases = fc.sample(batch(perBatch), { seed, numRuns: batches });
  const counts = { agree: 0, refused: 0, unbindable: 0, differ: 0, known: 0, bothFail: 0 };
  const differences: string[] = [];
  for (const [rows, exprs] of cases) {
    for (const e of exprs) {
      const sql = `SELECT ${e} AS r FROM t`;
      const o = await runOne(rows, sql);
      counts[o.kind]++;
      if (o.detail === "both fail") counts.bothFail++;
      if (process.env.RUNNEL_DATES14_VERBOSE && o.kind !== "agree") console.log(`${o.kind}: ${sql}\n  ${o.detail.slice(0, 300)}`);
      if (o.kind === "differ") differences.push(`seed ${seed}\n  rows: ${JSON.stringify(rows)}\n  ${sql}\n  ${o.detail}`);
    }
  }
  return { differences, counts };
}

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("time text, strptime formats, epoch numbers and far dates from messy feeds give DuckDB's rows or error, or are refused at compile", async () => {
  const wanted = process.env.RUNNEL_FC_SEED ?? "20261207";
  const seed = wanted === "random" ? Date.now() % 2147483647 : Number(wanted);
  const batches = Number(process.env.RUNNEL_DATES14_BATCHES ?? 10);
  const { differences, counts } = await fuzz(seed, batches, 10);
  console.log(`fast-check seed ${seed} (replay with RUNNEL_FC_SEED=${seed}); ${JSON.stringify(counts)}\n${differences.slice(0, Number(process.env.RUNNEL_DATES14_SHOW ?? 8)).join("\n\n")}`);
  expect(differences.slice(0, 3)).toEqual([]);
  expect(counts.agree).toBeGreaterThan((batches * 10) / 2);
}, 600_000);

test("every time zone DuckDB's ICU names is one here, at DuckDB's offsets", async () => {
  const names = (await db.read("SELECT name FROM pg_timezone_names() ORDER BY name")).getRowsJson().map((r) => String(r[0]));
  // Where DuckDB's ICU data and the runtime's differ (Morocco's rules after 2087's table in Node's newer data).
  const dataDiffers = new Set(["Africa/Casablanca 2050-07-15 12:00:00", "Africa/El_Aaiun 2050-07-15 12:00:00"]);
  const instants = ["2024-01-15 12:00:00", "2024-07-15 12:00:00", "1990-01-15 12:00:00", "2050-07-15 12:00:00", "1900-06-01 00:00:00"];
  const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;
  const rows = (await db.read(`SELECT z, i, CAST(CAST(i || '+00' AS TIMESTAMPTZ) AT TIME ZONE z AS VARCHAR) FROM (SELECT unnest(${list(names)}) AS z) CROSS JOIN (SELECT unnest(${list(instants)}) AS i)`)).getRowsJson();
  const timezone = defaultLibrary.scalars.timezone!;
  const ctx = { argTypes: ["VARCHAR", "TIMESTAMP WITH TIME ZONE"], resultType: "TIMESTAMP" };
  const differ: string[] = [];
  for (const [z, i, want] of rows as [string, string, string][]) {
    if (dataDiffers.has(`${z} ${i}`)) continue;
    let got: string;
    try {
      got = defaultLibrary.castValue(timezone([z, BigInt(Date.parse(`${i.replace(" ", "T")}Z`)) * 1000n], ctx), "TIMESTAMP", "VARCHAR") as string;
    } catch (e) {
      got = String((e as Error).message);
    }
    if (got !== want) differ.push(`${z} at ${i}+00: DuckDB ${want}, here ${got}`);
  }
  expect(names.length).toBeGreaterThan(500);
  expect(differ).toEqual([]);
}, 120_000);
