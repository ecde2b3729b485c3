import { describe, expect, test } from "vitest";
import { defaultLibrary } from "../exec/library.ts";
import { defaultParquetWriter } from "../parquet/index.ts";
import { createPipelineWorker } from "./app.ts";
import type { WorkerConfig } from "./config.ts";
import type { PipelineEnv } from "./platform.ts";
import fixture from "./fixtures/turnstile.config.json" with { type: "json" };

/** The Worker over Durable Object stubs that record what reached them (no workerd). */
function worker(signature: "bearer" | "none", bindings: Record<string, string>, fails?: { commit?: string; get?: string }) {
  const base = fixture as unknown as WorkerConfig;
  const config: WorkerConfig = { ...base, sources: { turnstile: { ...base.sources.turnstile!, signature, secret: signature === "none" ? null : "TURNSTILE_TOKEN" } } };
  const reached: string[] = [];
  const committed: unknown[] = [];
  const metrics = { eventsIn: 0, rowsIn: 0, rowsOut: 0, files: 0, bytes: 0, deadLetters: 0, lateEvents: 0, bufferRows: 0, bufferBytes: 0, windowRows: 0, oldestBufferedMs: null, lastFlush: null, lastError: "sink s3: PUT s3://secret-bucket/x failed" };
  const stub = {
    fetch: async (url: string, init?: { method?: string }) => {
      reached.push(`${init?.method ?? "GET"} ${new URL(url).pathname}`);
      return new URL(url).pathname === "/objects" ? Response.json([]) : Response.json(metrics);
    },
    commit: async (batch: unknown) => {
      reached.push("commit");
      if (fails?.commit) throw new Error(fails.commit);
      committed.push(batch);
      return false;
    },
  };
  const get = () => {
    if (fails?.get) throw new Error(fails.get);
    return stub;
  };
  const env = { PIPELINE: { idFromName: (name: string) => name, get }, TURNSTILE_TOKEN: "delivery-secret", ...bindings } as unknown as PipelineEnv;
  const { handler } = createPipelineWorker(config, { library: defaultLibrary, parquet: defaultParquetWriter, objectBase: class {} as never });
  const call = (path: string, init: RequestInit = {}) => handler.fetch(new Request(`https://edge${path}`, init), env, { waitUntil: () => undefined });
  return { call, reached, committed };
}

const reading = JSON.stringify({ station: "a", ts: "2026-01-01T00:00:00Z", entries: 1, exits: 0 });

describe("the Worker's operator routes and unsigned sources", () => {
  test("with RUNNEL_ADMIN_TOKEN set, /metrics and /flush need it, and a wrong or missing one reaches no object", async () => {
    const w = worker("bearer", { RUNNEL_ADMIN_TOKEN: "operator-token" });
    for (const [path, method] of [["/metrics", "GET"], ["/flush", "POST"]] as const) {
      for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "Basic operator-token" }] as Record<string, string>[]) {
        const res = await w.call(path, { method, headers });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`^worker: ${method} ${path} needs Authorization: Bearer <RUNNEL_ADMIN_TOKEN>`));
      }
    }
    expect(w.reached).toEqual([]);
    const ok = await w.call("/metrics", { headers: { authorization: "Bearer operator-token" } });
    expect(ok.status).toBe(200);
    expect(w.reached).toEqual(["GET /objects", "GET /metrics"]);
  });

  test("without RUNNEL_ADMIN_TOKEN the operator routes and unsigned sources refuse everyone, and say how to set it", async () => {
    const w = worker("none", {});
    const metrics = await w.call("/metrics", { headers: { authorization: "Bearer anything" } });
    expect(metrics.status).toBe(401);
    expect(await metrics.json()).toEqual({ error: "worker: GET /metrics needs Authorization: Bearer <RUNNEL_ADMIN_TOKEN>, and this Worker has none set (npx wrangler secret put RUNNEL_ADMIN_TOKEN)" });
    const ingest = await w.call("/ingest/turnstile", { method: "POST", body: reading });
    expect(ingest.status).toBe(401);
    expect(((await ingest.json()) as { error: string }).error).toMatch(/signature: none, so a delivery needs Authorization: Bearer <RUNNEL_ADMIN_TOKEN>, and this Worker has none set/);
    expect(w.reached).toEqual([]);
  });

  test("a signature: none source takes deliveries only with the operator's token once it is set", async () => {
    const w = worker("none", { RUNNEL_ADMIN_TOKEN: "operator-token" });
    const refused = await w.call("/ingest/turnstile", { method: "POST", body: reading });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "ingest: source turnstile has signature: none, so a delivery needs Authorization: Bearer <RUNNEL_ADMIN_TOKEN>" });
    expect(w.reached).toEqual([]);
    const taken = await w.call("/ingest/turnstile", { method: "POST", body: reading, headers: { authorization: "Bearer operator-token" } });
    expect(taken.status).toBe(202);
    expect(w.reached).toContain("commit");
  });

  test("an unknown route is a JSON 404 that lists the routes", async () => {
    const res = await worker("bearer", {}).call("/ingest/turnstile");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "worker: no route for GET /ingest/turnstile; the routes are POST /ingest/<source>, GET /metrics and POST /flush" });
  });
});

describe("form-encoded deliveries (GitHub's default content type)", () => {
  const operator = { authorization: "Bearer operator-token" };
  test("payload=<json> is read as the JSON itself; a form without payload is a 400 that says what to send", async () => {
    const spaced = JSON.stringify({ station: "59 ST & ü+1", ts: "2026-01-01T00:00:00Z", entries: 1, exits: 0 });
    const plain = worker("none", { RUNNEL_ADMIN_TOKEN: "operator-token" });
    expect((await plain.call("/ingest/turnstile", { method: "POST", body: spaced, headers: { "content-type": "application/json", ...operator } })).status).toBe(202);
    const form = worker("none", { RUNNEL_ADMIN_TOKEN: "operator-token" });
    const body = `payload=${encodeURIComponent(spaced).replace(/%20/g, "+")}`;
    const taken = await form.call("/ingest/turnstile", { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...operator } });
    expect(taken.status).toBe(202);
    expect(form.committed).toEqual(plain.committed);
    expect(form.committed).toHaveLength(1);

    const bad = await worker("none", { RUNNEL_ADMIN_TOKEN: "operator-token" }).call("/ingest/turnstile", { method: "POST", body: "other=1", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", ...operator } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^parse: a form-encoded body \(Content-Type: application\/x-www-form-urlencoded\) has no payload field/);
  });
});

describe("the Worker's failures, told to the operator only (sec14: /ingest is on the open internet)", () => {
  const sender = { authorization: "Bearer delivery-secret" };
  const operator = { authorization: "Bearer operator-token" };

  test("a buffer that does not commit is a 503 to retry; the storage's words only to the operator's token", async () => {
    const w = worker("bearer", { RUNNEL_ADMIN_TOKEN: "operator-token" }, { commit: "SQLITE_FULL: database or disk is full (object lake/ in account 1f2e3d)" });
    const res = await w.call("/ingest/turnstile", { method: "POST", body: reading, headers: sender });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; causes?: string[] };
    expect(body.error).toMatch(/^ingest: 1 of 1 buffers did not commit; retry the delivery \(reference [0-9a-f]{8} in the Worker's log\)$/);
    expect(body.causes).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain("SQLITE_FULL");
  });

  test("an unexpected failure is a 500 with a log reference, its words (bindings, buckets) only to the operator", async () => {
    const words = "binding PIPELINE: namespace 5c1e… of account 1f2e3d is gone";
    const w = worker("bearer", { RUNNEL_ADMIN_TOKEN: "operator-token" }, { get: words });
    const res = await w.call("/ingest/turnstile", { method: "POST", body: reading, headers: sender });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; reference: string };
    expect(body.error).toBe(`worker: the request failed in the Worker; its operator finds the reason in the Worker's log (wrangler tail) under reference ${body.reference}`);
    expect(JSON.stringify(body)).not.toContain("account");
    const told = await w.call("/metrics", { headers: operator });
    expect(told.status).toBe(500);
    expect(((await told.json()) as { error: string }).error).toBe(`worker: ${words}`);
  });
});

