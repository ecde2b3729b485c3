/**
 * A backfill streams its input: `runnel run --input` over an export several times larger than the
 * memory it may use (gzipped NDJSON, a plain CSV) holds a bounded window of it, never the whole
 * file. Measured as the child's peak resident memory (the kernel's count), not its speed.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { runnel } from "./harness.ts";

const notebook = (format: string, sql: string): string => `---
title: Backfill
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: ${format}
sinks:
  out:
    fs: { dir: out }
---

\`\`\`sql id=out sink=out
${sql}
\`\`\`
`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-backfill-memory-"));
  // The child reports its own peak resident set as it exits.
  await writeFile(join(work, "peak.cjs"), `process.on("exit", () => process.stderr.write("peak-rss-kb " + process.resourceUsage().maxRSS + "\\n"));\n`);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Publishes a notebook of one source `ev` and one sink `out` from `sample`; runs it over `input`; the run's peak resident memory in MB and the rows DuckDB reads back. */
async function backfill(name: string, text: string, sample: string, input: string): Promise<{ peakMb: number; rows: number; ids: number }> {
  await writeFile(join(work, `${name}.md`), text);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, `${name}.md`), "--sample", `ev=${sample}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const out = join(work, `lake-${name}`);
  const run = spawnSync(process.execPath, ["--require", join(work, "peak.cjs"), runnel, "run", join(work, "dist", name), "--input", `ev=${input}`, "--sink", `out=fs:${out}`], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const peakMb = Number(/peak-rss-kb (\d+)/.exec(run.stderr)?.[1]) / 1024;
  const db = await openDuckDB({ threads: 1 });
  try {
    const [rows, ids] = (await db.read(`SELECT count(*), count(DISTINCT id) FROM read_parquet('${out}/out/*.parquet')`)).getRows()[0]!;
    return { peakMb, rows: Number(rows), ids: Number(ids) };
  } finally {
    db.close();
  }
}

/** Lines of `n` records made by `line`, in pieces of a thousand, the same on every run. */
function* lines(n: number, line: (k: number) => string, header = ""): Generator<string> {
  if (header) yield header;
  for (let i = 0; i < n; i += 1000) {
    let piece = "";
    for (let k = i; k < Math.min(n, i + 1000); k++) piece += line(k);
    yield piece;
  }
}

const PAGES = ["/", "/pricing", "/docs/getting-started", "/blog/2026/streaming-parquet", "/account/settings"];

test("a 400 MB gzipped NDJSON export is read as a stream: the run's peak memory stays far below the file's size", async () => {
  const n = 4_000_000;
  const click = (k: number): string => `{"id": ${k}, "page": "${PAGES[k % 5]}", "ms": ${(k * 7919) % 1000}, "agent": "Mozilla/5.0 (X11; Linux x86_64)"}\n`;
  const input = join(work, "clicks.ndjson.gz");
  await pipeline(lines(n, click), createGzip({ level: 1 }), createWriteStream(input));
  const sample = join(work, "clicks.ndjson");
  await writeFile(sample, [...lines(50, click)].join(""));
  expect(click(n - 1).length * n).toBeGreaterThan(390e6);
  const { peakMb, rows, ids } = await backfill("clicks", notebook("ndjson", "SELECT id, page, ms FROM ev WHERE ms > 10"), sample, input);
  // Everything the filter keeps was written (989 of every 1000 ms values are past 10).
  expect({ rows, ids }).toEqual({ rows: n * 0.989, ids: n * 0.989 });
  expect((await stat(input)).size).toBeLessThan(100e6);
  expect(peakMb, `peak ${Math.round(peakMb)} MB`).toBeLessThan(300);
}, 300_000);

test("a 300 MB CSV export is not held whole: DuckDB's read buffer is sized by the longest record, not by the file (it peaked at 1.1 GB, 0.47 GB now)", async () => {
  const n = 300_000;
  const note = "lorem ipsum dolor sit amet ".repeat(37);
  const order = (k: number): string => `${k},${PAGES[k % 5]},"${note}${k}, ""quoted"""\n`;
  const input = join(work, "orders.csv");
  await pipeline(lines(n, order, "id,page,note\n"), createWriteStream(input));
  const sample = join(work, "orders-sample.csv");
  await writeFile(sample, [...lines(20, order, "id,page,note\n")].join(""));
  expect((await stat(input)).size).toBeGreaterThan(300e6);
  const { peakMb, rows, ids } = await backfill("orders", notebook("csv", "SELECT id, page, length(note) AS len FROM ev"), sample, input);
  expect({ rows, ids }).toEqual({ rows: n, ids: n });
  expect(peakMb, `peak ${Math.round(peakMb)} MB`).toBeLessThan(700);
}, 300_000);
