/**
 * A webhook source with `metadata:` and `headers:` through the Worker in workerd: an event a
 * strict cast refuses is a dead letter that keeps its delivery's received time, id and named
 * headers (and no signature header); replayed with `runnel run --replay` through the fixed
 * bundle, its row holds the delivery's `_received_at`, `_delivery_id` and `_headers` — those of
 * the row the Worker wrote for the other event of the same delivery — and the values the fixed
 * Worker writes for the same deliveries.
 */
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { listInputs } from "../../edge/runner/read-inputs.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, root, startEdge } from "./harness.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const SECRET = "replay-secret";
const notebook = (amount: string) => `---
title: hooks
sources:
  gh:
    webhook: { signature: github, secret: GH_SECRET, metadata: [received_at, delivery_id], headers: [X-GitHub-Event] }
    format: json
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT n, ${amount} AS amount, _received_at, _delivery_id, _headers FROM gh
\`\`\`
`;

const sample = [
  '{"n": 0, "amount": "1", "_received_at": "2026-12-06 05:00:00.000", "_delivery_id": "00000000-cc78-11e3-81ab-4c9367dc0958", "_headers": {"x-github-event": "push"}}',
];

const deliveries: { body: string; headers: Record<string, string> }[] = [
  { body: '[{"n": 1, "amount": "5"}, {"n": 2, "amount": "1,250"}]', headers: { "x-github-event": "push", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" } },
  { body: '{"n": 3, "amount": "7"}', headers: { "x-github-event": "issues", "x-github-delivery": "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958" } },
  { body: '[{"n": 4, "amount": "12"}, {"n": 5, "amount": "n/a"}]', headers: { "x-github-event": "ping" } },
];

const signed = (body: string, headers: Record<string, string>) => ({
  "content-type": "application/json",
  "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
  ...headers,
});

/** Posts every delivery to a Worker running `text`'s plan, flushes, and downloads its bucket into a folder. */
async function runWorker(name: string, text: string): Promise<string> {
  const { notebook: parsed, issues } = parseNotebook(text, `${name}.md`);
  expect(issues).toEqual([]);
  const plan = await compileWith(parsed, { gh: sample });
  const edge = await startEdge({ name, plan, notebook: parsed, bindings: { GH_SECRET: SECRET } });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());
  for (const d of deliveries) {
    const res = await edge.post("gh", d.body, signed(d.body, d.headers));
    expect(res.status, await res.clone().text()).toBe(202);
  }
  expect((await edge.flush()).status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), `runnel-${name}-`));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  await download(await edge.r2(), "", dir);
  return dir;
}

/** Every column of the Parquet rows under `glob`, as text, by n. */
async function rowsOf(glob: string): Promise<Record<string, string | null>[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    return (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${glob}') ORDER BY n`)).getRowObjectsJson() as Record<string, string | null>[];
  } finally {
    db.close();
  }
}

test("a replayed webhook dead letter gets its delivery's _received_at, _delivery_id and _headers back, as the live Worker writes them", { timeout: 300_000 }, async () => {
  const lake = await runWorker("hook-strict", notebook("CAST(amount AS INTEGER)"));
  const strictRows = await rowsOf(`${lake}/out/**/*.parquet`);
  expect(strictRows.map((r) => r.n)).toEqual(["1", "3", "4"]);
  const letters = [];
  for (const file of await listInputs(join(lake, "out", "_errors"))) letters.push(...decodeDeadLetters(await readFile(file.path)));
  expect(letters.map((l) => l.raw).sort()).toEqual(['{"n": 2, "amount": "1,250"}', '{"n": 5, "amount": "n/a"}']);
  // Only what the source selects: no signature header in the letter.
  expect(JSON.stringify(letters)).not.toContain("sha256=");
  expect(letters.find((l) => l.raw.includes('"n": 2'))!.origin).toEqual({
    v: 1,
    webhook: { receivedAt: Date.parse(letters[0]!.at), deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958", headers: { "x-github-event": "push" } },
  });

  // The notebook fixed and published; the letters replayed through the bundle into their own folder.
  const dir = mkdtempSync(join(tmpdir(), "runnel-hook-replay-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "hooks.md"), notebook("TRY_CAST(replace(amount, ',', '') AS INTEGER)"));
  writeFileSync(join(dir, "sample.ndjson"), `${sample.join("\n")}\n`);
  const cli = (args: string[]) => spawnSync(process.execPath, [join(root, "bin", "runnel.js"), ...args], { encoding: "utf8", timeout: 180_000 });
  const published = cli(["publish", join(dir, "hooks.md"), "--out", join(dir, "dist"), "--sample", `gh=${join(dir, "sample.ndjson")}`]);
  expect(published.status, published.stdout + published.stderr).toBe(0);
  const replay = cli(["run", join(dir, "dist", "hooks"), "--replay", join(lake, "out", "_errors"), "--sink", `out=fs:${join(dir, "replayed")}`]);
  expect(replay.status, replay.stdout + replay.stderr).toBe(0);
  const replayed = await rowsOf(`${join(dir, "replayed")}/**/*.parquet`);

  // What the fixed bundle writes live for the same deliveries, received now: equal but for the received time.
  const fixedLake = await runWorker("hook-fixed", notebook("TRY_CAST(replace(amount, ',', '') AS INTEGER)"));
  const live = (await rowsOf(`${fixedLake}/out/**/*.parquet`)).filter((r) => r.n === "2" || r.n === "5");
  expect(replayed.map(({ _received_at: _, ...rest }) => rest)).toEqual(live.map(({ _received_at: _, ...rest }) => rest));
  // And the received time is the delivery's: that of the row the strict Worker wrote for its other event.
  const byN = Object.fromEntries(strictRows.map((r) => [r.n, r]));
  expect(replayed).toEqual([
    { n: "2", amount: "1250", _received_at: byN["1"]!._received_at, _delivery_id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", _headers: "{'x-github-event': push}" },
    { n: "5", amount: null, _received_at: byN["4"]!._received_at, _delivery_id: null, _headers: "{'x-github-event': ping}" },
  ]);
});
