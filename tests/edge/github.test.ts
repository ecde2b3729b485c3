import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB, type DuckDB } from "../../edge/duckdb/index.node.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { githubSignature } from "../../edge/verify/verify.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { compareDataset, createCellViews, compileWith, download, githubFixtures, readNotebook, startEdge, type EdgeRuntime } from "./harness.ts";

const SECRET = "it's a secret to everybody";
/** Every fixture payload is posted; the notebook's sample (what publish compiles against) is its three event types. */
const fixtures = githubFixtures();
const sample = githubFixtures(["push", "issues", "pull_request"]);
/** A fixture as the gateway's sample holds it: with its event type as `_headers` (the notebook's `headers: [X-GitHub-Event]`). */
const withEvent = (f: { event: string; text: string }) => f.text.replace(/\}\s*$/, `, "_headers": {"x-github-event": ${JSON.stringify(f.event)}}}`);
const toR2 = (text: string) => text.replace(/s3: \{ bucket: lake, prefix: (\S+) \}/g, "r2: { binding: LAKE, prefix: $1 }");

let notebook: Notebook;
let plan: Plan;
let edge: EdgeRuntime;
let db: DuckDB;
const dirs: string[] = [];

beforeAll(async () => {
  ({ notebook } = readNotebook("github.md", toR2));
  plan = await compileWith(notebook, { github: sample.map(withEvent) });
  edge = await startEdge({ name: "github", plan, notebook, bindings: { GITHUB_WEBHOOK_SECRET: SECRET } });
  db = await openDuckDB({ threads: 1 });
  // What the check predicts: DuckDB reading every payload into the pinned schema, as read_json(columns=...) does.
  await loadJsonTexts(db, "github", fixtures.map(withEvent), { schema: plan.sources.github!.schema });
  await createCellViews(db, notebook);
});

afterAll(async () => {
  db?.close();
  await edge?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
});

const post = async (text: string, headers: Record<string, string> = {}) =>
  edge.post("github", text, { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": await githubSignature(SECRET, text), ...headers });

describe("the github notebook as a Worker on workerd", () => {
  test("every fixture payload posted with a valid signature lands in R2 as Parquet that DuckDB reads back as the cells' rows", async () => {
    for (const f of fixtures) {
      const response = await post(f.text, { "x-github-event": f.event });
      expect(response.status, `${f.event}/${f.file}: ${await response.clone().text()}`).toBe(202);
    }
    const flushed = await edge.flush();
    expect(flushed.status, await flushed.clone().text()).toBe(200);
    const metrics = await edge.metrics();
    expect(metrics.eventsIn).toBe(fixtures.length);
    expect(metrics.bufferRows).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "runnel-edge-github-"));
    dirs.push(dir);
    const keys = await download(await edge.r2(), "github/", dir);
    expect(keys.every((k) => /\/day=\d{4}-\d{2}-\d{2}\/edge-[0-9a-f]{8}-\d{20}-\d{20}\.parquet$/.test(k))).toBe(true);
    let total = 0;
    for (const pipeline of plan.pipelines) {
      const cell = notebook.cells.find((c) => c.sink === pipeline.sink)!;
      const spec = notebook.sinks[pipeline.sink]!;
      const prefix = spec.target.kind === "r2" ? spec.target.prefix : "";
      const result = await compareDataset(db, { sql: cell.code, glob: join(dir, prefix, pipeline.sink, "**", "*.parquet"), plan, sink: pipeline.sink });
      expect(result, pipeline.sink).toEqual({ expected: result.got, got: result.expected, missing: 0, extra: 0 });
      expect(result.expected, pipeline.sink).toBeGreaterThan(0);
      total += result.got;
    }
    expect(metrics.rowsOut).toBe(total);
  });

  test("a bad signature gets 401 and nothing is stored", async () => {
    const before = await edge.metrics();
    const text = fixtures[0]!.text;
    const response = await post(text, { "x-hub-signature-256": await githubSignature("wrong secret", text) });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/X-Hub-Signature-256 does not match/);
    const missing = await edge.post("github", text, { "x-github-delivery": randomUUID() });
    expect(missing.status).toBe(401);
    const after = await edge.metrics();
    expect([after.eventsIn, after.bufferRows, after.rowsOut]).toEqual([before.eventsIn, before.bufferRows, before.rowsOut]);
  });

  test("malformed JSON gets 400 with the parse error's position", async () => {
    const text = '{"ref": "refs/heads/main",\n "after": tru}';
    const response = await post(text);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; position: { offset: number; line: number; column: number } };
    expect(body.position).toEqual({ offset: 37, line: 2, column: 11 });
    expect(body.error).toMatch(/line 2, column 11/);
  });

  test("a body over the limit gets 413", async () => {
    const text = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    const response = await post(text);
    expect(response.status).toBe(413);
  });

  test("a retry with the same delivery id adds nothing", async () => {
    const before = await edge.metrics();
    const f = fixtures.find((x) => x.event === "push")!;
    const id = randomUUID();
    const first = await post(f.text, { "x-github-delivery": id });
    expect(first.status).toBe(202);
    for (let i = 0; i < 3; i++) {
      const again = await post(f.text, { "x-github-delivery": id });
      expect(again.status).toBe(202);
      expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
    }
    const after = await edge.metrics();
    expect(after.eventsIn).toBe((before.eventsIn as number) + 1);
  });
});

describe("bad events never stop the pipeline", () => {
  test("a payload whose field does not cast to the pinned type lands in _errors/ with its reason, the rest of the stream goes on", async () => {
    const push = JSON.parse(fixtures.find((f) => f.event === "push")!.text) as Record<string, unknown>;
    const text = JSON.stringify({ ...push, forced: "maybe" });
    const response = await post(text);
    expect(response.status, await response.clone().text()).toBe(202);
    expect(((await response.json()) as { deadLetters: number }).deadLetters).toBeGreaterThan(0);
    const ok = await post(fixtures.find((f) => f.event === "push")!.text);
    expect(ok.status).toBe(202);
    expect((await edge.flush()).status).toBe(200);
    const r2 = await edge.r2();
    const keys = (await r2.list("")).filter((k) => k.includes("/_errors/"));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => /_errors\/source=github\/day=\d{4}-\d{2}-\d{2}\/edge-[0-9a-f]{8}-\d{20}-\d{20}\.ndjson$/.test(k))).toBe(true);
    const { decodeDeadLetters } = await import("../../edge/sinks/dead-letter.ts");
    const letters = (await Promise.all(keys.map(async (k) => decodeDeadLetters((await r2.get(k))!)))).flat();
    const mine = letters.filter((l) => l.raw === text);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.reason).toMatch(/forced/);
    expect(mine[0]!.source).toBe("github");
    const metrics = await edge.metrics();
    expect(metrics.deadLetters).toBe(letters.length);
  });
});

describe("the github notebook with its S3 sinks", () => {
  test("every fixture payload lands on the real S3 server with the same rows DuckDB predicts", async () => {
    const { s3: server } = await import("../servers/config.ts");
    const { s3Sink } = await import("../../edge/sinks/s3.ts");
    const run = randomUUID();
    const { notebook: s3Notebook } = readNotebook("github.md", (t) =>
      t.replace(/s3: \{ bucket: lake, prefix: (\S+) \}/g, `s3: { bucket: ${server.bucket}, prefix: edge-${run}/$1, endpoint: "${server.endpoint}" }`),
    );
    const s3Plan = await compileWith(s3Notebook, { github: sample.map(withEvent) });
    const s3Edge = await startEdge({
      name: "github-s3",
      plan: s3Plan,
      notebook: s3Notebook,
      bindings: { GITHUB_WEBHOOK_SECRET: SECRET, RUNNEL_S3_ACCESS_KEY_ID: server.accessKeyId, RUNNEL_S3_SECRET_ACCESS_KEY: server.secretAccessKey },
    });
    const sink = s3Sink({ ...server, prefix: `edge-${run}/` });
    const dir = mkdtempSync(join(tmpdir(), "runnel-edge-github-s3-"));
    dirs.push(dir);
    try {
      for (const f of fixtures) {
        const response = await s3Edge.post("github", f.text, { "x-github-delivery": randomUUID(), "x-hub-signature-256": await githubSignature(SECRET, f.text) });
        expect(response.status, `${f.event}/${f.file}`).toBe(202);
      }
      const flushed = await s3Edge.flush();
      expect(flushed.status, await flushed.clone().text()).toBe(200);
      await download(sink, "", dir);
      for (const pipeline of s3Plan.pipelines) {
        const cell = s3Notebook.cells.find((c) => c.sink === pipeline.sink)!;
        const spec = s3Notebook.sinks[pipeline.sink]!;
        const prefix = spec.target.kind === "s3" ? spec.target.prefix.slice(`edge-${run}/`.length) : "";
        const result = await compareDataset(db, { sql: cell.code, glob: join(dir, prefix, pipeline.sink, "**", "*.parquet"), plan: s3Plan, sink: pipeline.sink });
        expect(result, pipeline.sink).toEqual({ expected: result.got, got: result.expected, missing: 0, extra: 0 });
        expect(result.got, pipeline.sink).toBeGreaterThan(0);
      }
    } finally {
      await s3Edge.dispose();
      rmSync(s3Edge.persist, { recursive: true, force: true });
      for (const key of await sink.list("")) await sink.delete(key);
    }
  });
});
