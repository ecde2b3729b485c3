import { Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { type JsonValue, RepeatedKeys, stringifyJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import type { RefusedEvent } from "../sources/kept-repeats.ts";
import { GatewayError } from "../http/error.ts";
import type { Logger } from "../log.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf, resolveSource } from "../sources/resolve.ts";
import type { Source, SourceEvent } from "../sources/source.ts";
import { rereadRepeatedKeys } from "./load-sample.ts";
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
      await streamTail(stream, hub, done.signal, lastEventId, options.heartbeatMs, spec);
    });
  });

  return app;
}

/**
 * Writes a hub's messages as SSE until the client goes away:
 *
 *   id: <epoch>-<seq>  data: {"seq":n,"events":[...],"errors":[...]}   a batch (with "repeats" and "added"
 *                      when events write a key twice: see toSSE)
 *   event: gap         data: {"skippedEvents":k,"skippedBatches":b,"reason":"slow-client"|"resume-too-old"|"restarted"}
 *   : ping             every heartbeat, so proxies and the browser keep the connection
 *
 * Each write waits for the socket to take it, so a slow browser holds back
 * only its own bounded queue in the hub.
 */
async function streamTail(stream: SSEStreamingApi, hub: TailHub, signal: AbortSignal, lastEventId: string | null, heartbeatMs: number, spec: SourceSpec): Promise<void> {
  const heartbeat = setInterval(() => void stream.write(": ping\n\n"), heartbeatMs);
  try {
    await stream.write(": tail open\n\n");
    for await (const message of hub.follow(signal, lastEventId)) {
      await stream.writeSSE(toSSE(hub, message, spec));
    }
  } finally {
    clearInterval(heartbeat);
  }
}

function toSSE(hub: TailHub, message: TailMessage, spec: SourceSpec): { event?: string; id?: string; data: string } {
  if (message.kind === "gap") {
    const { kind: _kind, ...gap } = message;
    return { event: "gap", data: JSON.stringify(gap) };
  }
  const { batch } = message;
  // An event refused only for a repeated key goes as an event, every member written, as the sample reads it;
  // the page judges it against the table's columns as read_json does (notebook/app/src/tail-repeats.ts).
  const read = rereadRepeatedKeys(batch.events, spec);
  const events = read.filter((e): e is Extract<SourceEvent, { ok: true }> => e.ok).map((e) => e.value);
  const errors = read.filter((e) => !e.ok).map(({ kept: _kept, ...e }: RefusedEvent) => e);
  const reread = read.flatMap((e, i) => (e.ok && !batch.events[i]!.ok ? [e.value] : []));
  const body: Record<string, unknown> = { seq: batch.seq, events };
  if (errors.length > 0) body.errors = errors;
  // Says the page must read the batch with a parser that keeps repeated keys (JSON.parse keeps the last member).
  if (reread.length > 0) body.repeats = reread.length;
  // The columns the source gave such events (metadata:, headers:) are written after their members: named, so the page tells them apart.
  const added = new Set(reread.flatMap((v) => (v instanceof RepeatedKeys ? Object.keys(v).filter((k) => !RepeatedKeys.members(v).some(([m]) => m === k)) : [])));
  if (added.size > 0) body.added = [...added];
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
