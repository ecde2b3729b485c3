import { Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { type JsonValue, stringifyJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { GatewayError } from "../http/error.ts";
import type { Logger } from "../log.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf, resolveSource } from "../sources/resolve.ts";
import type { Source, SourceEvent } from "../sources/source.ts";
import type { Sampler } from "./sampler.ts";
import { type HubOptions, TailHub, type TailMessage } from "./tail-hub.ts";

export interface SourceRouteOptions {
  store: NotebookStore;
  registry: SourceRegistry;
  sampler: Sampler;
  log: Logger;
  /** Largest `n` a sample may ask for. */
  maxSample: number;
  heartbeatMs: number;
  hub?: HubOptions;
}

/**
 * Sample and tail of a notebook's sources, mounted at `/api/sources` behind the token:
 *
 *   GET /<notebook>/<source>/sample?n=   Arrow IPC stream (see Sampler.arrow)
 *   GET /<notebook>/<source>/tail        server-sent events (see `streamTail`)
 *   GET /<notebook>/<source>/events?n=   the same newest n events as decoded, before DuckDB
 *                                        types them: NDJSON, one {receivedAt, value} or
 *                                        {receivedAt, error, raw} per line (integers exact)
 */
export function sourceRoutes(options: SourceRouteOptions): Hono {
  const app = new Hono();
  const hubs = new Map<string, { source: Source; hub: TailHub }>();

  const hubFor = (key: string, source: Source): TailHub => {
    const existing = hubs.get(key);
    if (existing?.source === source) return existing.hub;
    existing?.hub.stop();
    const hub = new TailHub(source, {
      ...options.hub,
      onError: (err) => options.log.warn("source tail failed", { source: key, error: err.message }),
    });
    hubs.set(key, { source, hub });
    return hub;
  };

  app.get("/:rest{.+}/sample", async (c) => {
    const { path, name } = split(c.req.param("rest"));
    const spec = await resolveSource(options.store, path, name);
    const n = sampleSize(c.req.query("n"), spec.sampleSize, options.maxSample);
    const source = await options.registry.get(path, spec);
    const events = await readSample(source, n, path, name);
    const { ipc, sample } = await options.sampler.arrow(events, spec);
    return c.body(ipc as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/vnd.apache.arrow.stream",
      "cache-control": "no-store",
      "runnel-sample-rows": String(sample.rows.length),
      "runnel-sample-errors": String(sample.errors.length),
    });
  });

  app.get("/:rest{.+}/events", async (c) => {
    const { path, name } = split(c.req.param("rest"));
    const spec = await resolveSource(options.store, path, name);
    const n = sampleSize(c.req.query("n"), spec.sampleSize, options.maxSample);
    const events = await readSample(await options.registry.get(path, spec), n, path, name);
    const lines = events.map((e) =>
      stringifyJsonLossless((e.ok ? { receivedAt: e.receivedAt, value: e.value } : { receivedAt: e.receivedAt, error: e.error, raw: e.raw }) as JsonValue),
    );
    return c.body(lines.map((line) => line + "\n").join(""), 200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" });
  });

  app.get("/:rest{.+}/tail", async (c) => {
    const { path, name } = split(c.req.param("rest"));
    const spec = await resolveSource(options.store, path, name);
    const source = await options.registry.get(path, spec);
    const hub = hubFor(`${path}\u0000${name}`, source);
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId") ?? null;
    return streamSSE(c, async (stream) => {
      const done = new AbortController();
      stream.onAbort(() => done.abort());
      c.req.raw.signal.addEventListener("abort", () => done.abort(), { once: true });
      await streamTail(stream, hub, done.signal, lastEventId, options.heartbeatMs);
    });
  });

  return app;
}

/**
 * Writes a hub's messages as SSE until the client goes away:
 *
 *   id: <epoch>-<seq>  data: {"seq":n,"events":[...],"errors":[...]}   a batch
 *   event: gap         data: {"skippedEvents":k,"skippedBatches":b,"reason":"slow-client"|"resume-too-old"|"restarted"}
 *   : ping             every heartbeat, so proxies and the browser keep the connection
 *
 * Each write waits for the socket to take it, so a slow browser holds back
 * only its own bounded queue in the hub.
 */
async function streamTail(stream: SSEStreamingApi, hub: TailHub, signal: AbortSignal, lastEventId: string | null, heartbeatMs: number): Promise<void> {
  const heartbeat = setInterval(() => void stream.write(": ping\n\n"), heartbeatMs);
  try {
    await stream.write(": tail open\n\n");
    for await (const message of hub.follow(signal, lastEventId)) {
      await stream.writeSSE(toSSE(hub, message));
    }
  } finally {
    clearInterval(heartbeat);
  }
}

function toSSE(hub: TailHub, message: TailMessage): { event?: string; id?: string; data: string } {
  if (message.kind === "gap") {
    const { kind: _kind, ...gap } = message;
    return { event: "gap", data: JSON.stringify(gap) };
  }
  const { batch } = message;
  const events = batch.events.filter((e): e is Extract<SourceEvent, { ok: true }> => e.ok).map((e) => e.value);
  const errors = batch.events.filter((e) => !e.ok);
  const body: Record<string, unknown> = { seq: batch.seq, events };
  if (errors.length > 0) body.errors = errors;
  // NaN and the infinities travel as text ("NaN"): the browser's JSON.parse takes no literal for them.
  return { id: hub.idOf(batch), data: stringifyJsonLossless(body as JsonValue, { nonFiniteAsText: true }) };
}

function split(rest: string): { path: string; name: string } {
  const cut = rest.lastIndexOf("/");
  if (cut <= 0) throw new GatewayError(404, "not_found", "sources: expected /api/sources/<notebook>/<source>/sample or /tail");
  return { path: notebookPathOf(rest.slice(0, cut)), name: rest.slice(cut + 1) };
}

function sampleSize(given: string | undefined, fallback: number, max: number): number {
  if (given === undefined) return Math.min(fallback, max);
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new GatewayError(400, "bad_request", `sources: n must be a whole number from 1 to ${max}, got ${JSON.stringify(given)}`);
  }
  return n;
}

async function readSample(source: Source, n: number, path: string, name: string): Promise<SourceEvent[]> {
  try {
    return await source.sample(n);
  } catch (err) {
    throw new GatewayError(502, "bad_gateway", `sources: cannot sample ${name} of ${path}: ${(err as Error).message}`, { cause: err });
  }
}
