/**
 * bench/functions: the function library's hot calls (the ones the turnstile
 * and pii-staging sink cells make) against DuckDB native on the same 100,000
 * values, in one process.
 *
 *   ours    the registry function / castValue / tryCastValue called per value,
 *           as the executor calls it (a fresh argument array per row)
 *   DuckDB  one `SELECT expr FROM tbl` (1 thread), result left materialised in C++
 *
 * Both sides are measured in CPU time (process.cpuUsage, which counts
 * DuckDB's worker thread too), in alternating rounds; the best round of each
 * is printed as ns/value with the ratio ours/DuckDB (lower is better; < 1
 * means the library is cheaper than DuckDB's vectorised native code).
 *
 *   BENCH_VALUES (default 100000), BENCH_ROUNDS (default 5), BENCH_ONLY=<name substring>
 */
import { DuckDBInstance, timestampValue } from "../edge/duckdb/node-api.node.ts";
import { castValue, scalars, tryCastValue } from "../edge/exec/functions/index.ts";
import type { Value } from "../edge/plan/values.ts";

const N = Number(process.env.BENCH_VALUES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ONLY = process.env.BENCH_ONLY;

/** A small deterministic generator, so every run sees the same values. */
let seed = 20261122;
function rand(): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join("");
const hex = (n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join("");

const names = ["ada", "Grace", "linus", "Zoë", "José", "Ødegaard", "mü", "李", "maría", "O'Brien"];
const domains = ["example.com", "Mail.ORG", "posteo.de", "web.de"];

interface Column { name: string; sqlType: string; values: Value[] }

const columns: Column[] = [
  { name: "email", sqlType: "VARCHAR", values: [] },
  { name: "name", sqlType: "VARCHAR", values: [] },
  { name: "phone", sqlType: "VARCHAR", values: [] },
  { name: "ip", sqlType: "VARCHAR", values: [] },
  { name: "ts_text", sqlType: "VARCHAR", values: [] },
  { name: "iso_text", sqlType: "VARCHAR", values: [] },
  { name: "num_text", sqlType: "VARCHAR", values: [] },
  { name: "ts", sqlType: "TIMESTAMP", values: [] },
];
const col = (name: string): Value[] => columns.find((c) => c.name === name)!.values;

for (let i = 0; i < N; i++) {
  const who = `${pick(names)}.${pick(names)}${Math.floor(rand() * 100)}`;
  col("email").push(rand() < 0.2 ? `  ${who.toUpperCase()}@${pick(domains)} ` : `${who.toLowerCase()}@${pick(domains)}`);
  col("name").push(`${pick(names)} ${pick(names)}`);
  col("phone").push(rand() < 0.5 ? `+49 (${digits(3)}) ${digits(3)}-${digits(4)}` : `${digits(3)}.${digits(3)}.${digits(4)}`);
  col("ip").push(rand() < 0.7 ? `${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}` : `${hex(4)}:${hex(4)}:${hex(3)}::${hex(4)}`);
  const micros = 1_700_000_000_000_000n + BigInt(Math.floor(rand() * 3e13)) * 1000n + BigInt(Math.floor(rand() * 1000));
  const d = new Date(Number(micros / 1000n)).toISOString();
  col("ts_text").push(rand() < 0.05 ? "not a time" : d);
  col("iso_text").push(rand() < 0.05 ? "2024-13-01 00:00:00" : rand() < 0.5 ? d.replace("T", " ").replace("Z", "") : d);
  col("num_text").push(rand() < 0.05 ? "12x" : String(Math.floor(rand() * 2e6) - 1e6));
  col("ts").push(micros);
}

interface Case {
  name: string;
  /** The SQL expression over tbl's columns. */
  sql: string;
  /** Ours over one row index. */
  run: (i: number) => Value;
}

function scalar(name: string, argTypes: string[], resultType: string, args: (i: number) => Value[]): (i: number) => Value {
  const fn = scalars[name];
  if (!fn) throw new Error(`bench/functions: no scalar ${name}`);
  const ctx = { argTypes, resultType };
  return (i) => fn(args(i), ctx);
}

const email = col("email") as string[], nm = col("name") as string[], phone = col("phone") as string[], ip = col("ip") as string[];
const tsText = col("ts_text") as string[], isoText = col("iso_text") as string[], numText = col("num_text") as string[], ts = col("ts") as bigint[];
const G = "%Y-%m-%dT%H:%M:%S.%gZ";

const cases: Case[] = [
  { name: "md5(name)", sql: "md5(name)", run: scalar("md5", ["VARCHAR"], "VARCHAR", (i) => [nm[i]!]) },
  { name: "md5(email)", sql: "md5(email)", run: scalar("md5", ["VARCHAR"], "VARCHAR", (i) => [email[i]!]) },
  { name: "sha256(email)", sql: "sha256(email)", run: scalar("sha256", ["VARCHAR"], "VARCHAR", (i) => [email[i]!]) },
  { name: "trim(email)", sql: "trim(email)", run: scalar("trim", ["VARCHAR"], "VARCHAR", (i) => [email[i]!]) },
  { name: "lower(email)", sql: "lower(email)", run: scalar("lower", ["VARCHAR"], "VARCHAR", (i) => [email[i]!]) },
  { name: "upper(name)", sql: "upper(name)", run: scalar("upper", ["VARCHAR"], "VARCHAR", (i) => [nm[i]!]) },
  { name: "right(phone, 2)", sql: "right(phone, 2)", run: scalar("right", ["VARCHAR", "INTEGER"], "VARCHAR", (i) => [phone[i]!, 2]) },
  { name: "length(name)", sql: "length(name)", run: scalar("length", ["VARCHAR"], "BIGINT", (i) => [nm[i]!]) },
  { name: "regexp_replace(phone, '[^0-9]', '', 'g')", sql: "regexp_replace(phone, '[^0-9]', '', 'g')", run: scalar("regexp_replace", ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", (i) => [phone[i]!, "[^0-9]", "", "g"]) },
  { name: "regexp_replace(ip, '\\.[0-9]+$', '.0')", sql: "regexp_replace(ip, '\\.[0-9]+$', '.0')", run: scalar("regexp_replace", ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", (i) => [ip[i]!, "\\.[0-9]+$", ".0"]) },
  { name: "regexp_replace(ip, '^(..):.*$', '\\1::')", sql: "regexp_replace(ip, '^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*):.*$', '\\1::')", run: scalar("regexp_replace", ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", (i) => [ip[i]!, "^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*):.*$", "\\1::"]) },
  { name: "ip LIKE '%:%'", sql: "ip LIKE '%:%'", run: scalar("~~", ["VARCHAR", "VARCHAR"], "BOOLEAN", (i) => [ip[i]!, "%:%"]) },
  { name: "try_strptime(ts_text, '%Y-%m-%dT%H:%M:%S.%gZ')", sql: `try_strptime(ts_text, '${G}')`, run: scalar("try_strptime", ["VARCHAR", "VARCHAR"], "TIMESTAMP", (i) => [tsText[i]!, G]) },
  { name: "TRY_CAST(iso_text AS TIMESTAMP)", sql: "TRY_CAST(iso_text AS TIMESTAMP)", run: (i) => tryCastValue(isoText[i]!, "VARCHAR", "TIMESTAMP") },
  { name: "TRY_CAST(num_text AS INTEGER)", sql: "TRY_CAST(num_text AS INTEGER)", run: (i) => tryCastValue(numText[i]!, "VARCHAR", "INTEGER") },
  { name: "CAST(ts AS DATE)", sql: "CAST(ts AS DATE)", run: (i) => castValue(ts[i]!, "TIMESTAMP", "DATE") },
  { name: "CAST(ts AS VARCHAR)", sql: "CAST(ts AS VARCHAR)", run: (i) => castValue(ts[i]!, "TIMESTAMP", "VARCHAR") },
];

const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
const conn = await instance.connect();
await conn.run(`CREATE TABLE tbl (${columns.map((c) => `${c.name} ${c.sqlType}`).join(", ")})`);
const appender = await conn.createAppender("tbl");
for (let i = 0; i < N; i++) {
  for (const c of columns) {
    if (c.sqlType === "TIMESTAMP") appender.appendTimestamp(timestampValue(c.values[i] as bigint));
    else appender.appendVarchar(c.values[i] as string);
  }
  appender.endRow();
}
appender.closeSync();

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

let sink = 0;
function ours(c: Case): number {
  const t0 = cpuNs();
  for (let i = 0; i < N; i++) if (c.run(i) !== null) sink++;
  return (cpuNs() - t0) / N;
}

async function theirs(c: Case): Promise<number> {
  const t0 = cpuNs();
  await conn.run(`SELECT ${c.sql} FROM tbl`);
  return (cpuNs() - t0) / N;
}

console.log(`${N.toLocaleString("en-US")} values, best of ${ROUNDS} alternating rounds, CPU ns/value (lower is better)`);
const rows: string[][] = [];
for (const c of cases) {
  if (ONLY && !c.name.includes(ONLY)) continue;
  // Warm up both sides (JIT, caches), then alternate.
  ours(c);
  await theirs(c);
  let a = Infinity, b = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    a = Math.min(a, ours(c));
    b = Math.min(b, await theirs(c));
  }
  rows.push([c.name, a.toFixed(0), b.toFixed(0), `${(a / b).toFixed(2)}×`]);
}
const head = ["call", "ours ns", "duckdb ns", "ours/duckdb"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
console.log(head.map((h, i) => h.padEnd(widths[i]!)).join("  "));
for (const r of rows) console.log(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  "));
if (sink < 0) console.log(sink);
conn.closeSync();
instance.closeSync();
