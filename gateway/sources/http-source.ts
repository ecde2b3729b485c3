import type { SourceSpec } from "../../notebook/format/model.ts";
import { EventChannel } from "./channel.ts";
import { decodePayload } from "./decode.ts";
import type { Source, SourceEvent } from "./source.ts";

type HttpSpec = Extract<SourceSpec, { kind: "http" }>;

export interface HttpSourceOptions {
  fetch?: typeof fetch;
  now?: () => number;
  /** Largest response body read, in bytes. */
  maxBytes?: number;
  onError?: (err: Error) => void;
}

/**
 * The pull channel: fetches the notebook's one URL every `intervalSeconds`
 * and keeps the newest `sampleSize` events. Only `spec.url` is ever fetched;
 * redirects are refused so a response cannot send the gateway elsewhere. A
 * failed poll becomes an error event (the notebook sees why) and polling goes on.
 */
export function openHttpSource(spec: HttpSpec, options: HttpSourceOptions = {}): Source {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const channel = new EventChannel();
  let kept: SourceEvent[] = [];
  let first: Promise<void> | null = null;
  let closed = false;

  const poll = async (): Promise<void> => {
    const events = await fetchOnce(spec, doFetch, now, maxBytes);
    kept = [...kept, ...events].slice(-spec.sampleSize);
    channel.publish(events);
  };
  const timer = setInterval(() => {
    if (!closed) poll().catch((err: Error) => options.onError?.(err));
  }, spec.intervalSeconds * 1000);
  timer.unref();

  return {
    spec,
    async sample(n) {
      first ??= poll();
      await first;
      return kept.slice(-n);
    },
    tail(signal) {
      return channel.subscribe(signal);
    },
    async close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

async function fetchOnce(spec: HttpSpec, doFetch: typeof fetch, now: () => number, maxBytes: number): Promise<SourceEvent[]> {
  const receivedAt = now();
  const meta = { url: spec.url };
  let response: Response;
  try {
    response = await doFetch(spec.url, { redirect: "error", headers: { accept: "application/json, application/x-ndjson, text/csv;q=0.9, */*;q=0.1" } });
  } catch (err) {
    return [{ ok: false, raw: "", error: `http: GET ${spec.url} failed: ${(err as Error).message}`, receivedAt, meta }];
  }
  const body = await readCapped(response, maxBytes);
  if (!response.ok) {
    return [{ ok: false, raw: new TextDecoder().decode((body ?? new Uint8Array()).subarray(0, 4096)), error: `http: GET ${spec.url} answered ${response.status}`, receivedAt, meta }];
  }
  if (body === null) {
    return [{ ok: false, raw: "", error: `http: GET ${spec.url} answered more than the ${maxBytes} bytes allowed`, receivedAt, meta }];
  }
  return decodePayload(body, spec.format, receivedAt, meta);
}

/** The response body, or null once it passes `maxBytes` (the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
