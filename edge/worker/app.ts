import { Hono } from "hono";
import type { FunctionLibrary } from "../exec/functions/contract.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import { bytesEqual, slackChallenge, standardKey, verifyDelivery } from "../verify/verify.ts";
import { deliveryKey } from "./delivery-key.ts";
import { BINDINGS, type WorkerConfig } from "./config.ts";
import { pipelineObjectClass, type ObjectMetrics } from "./object.ts";
import { BodyError, parseBody } from "./parse.ts";
import { formPayload } from "./form-body.ts";
import { encodingRefusal } from "./body-encoding.ts";
import { decodeBody, joinChunks } from "./decompress.ts";
import { operatorLimits } from "./operator-limits.ts";
import { deliveryColumns, wantsDeliveryColumns, withDeliveryColumnsParsed } from "./webhook-metadata.ts";
import { deliveryOrigin } from "./delivery-origin.ts";
import { integersAtText } from "../exec/convert.ts";
import type { DurableObjectBase, ExportedHandler, PipelineEnv } from "./platform.ts";
import { CONTROL_OBJECT, buildRouter, encodeBatch, type Batch } from "./router.ts";

export interface PipelineWorkerDeps {
  library: FunctionLibrary;
  parquet: ParquetWriter;
  now?: () => number;
  /** `DurableObject` from `cloudflare:workers`, which the object class extends so batches are committed over JS RPC. */
  objectBase: DurableObjectBase;
}

/** The whole of `GET /metrics`: totals over every Durable Object, and each one's own. */
export interface PipelineMetrics {
  eventsIn: number;
  rowsOut: number;
  files: number;
  bytes: number;
  deadLetters: number;
  lateEvents: number;
  bufferRows: number;
  windowRows: number;
  oldestBufferedMs: number | null;
  lastFlush: string | null;
  /**
   * The newest of the objects' `lastError`, named by its object (`lake/0: <time> <error>`), null when every
   * object's last flush succeeded: a flush failing on a wrong S3 key showed only in the object list, so the
   * totals read as rows waiting with nothing wrong.
   */
  lastError: string | null;
  objects: ObjectMetrics[];
}

/**
 * A published pipeline's Worker and Durable Object class, built from its
 * config: `POST /ingest/<source>` (verify, bound, parse, run the stateless
 * plan, hand rows to Durable Objects, 202 once they committed), `GET
 * /metrics`, and `POST /flush` (flush every buffer now; for dev and tests).
 */
export function createPipelineWorker(config: WorkerConfig, deps: PipelineWorkerDeps) {
  const now = deps.now ?? (() => Date.now());
  const route = buildRouter(config.plan, deps.library, config.limits.shards);
  // Per source: whether a parsed event has an integer in a text column, where `10.0` and `10` differ.
  const realsMatter = Object.fromEntries(Object.entries(config.plan.sources).map(([name, s]) => [name, integersAtText(s.schema)]));
  const app = new Hono<{ Bindings: PipelineEnv }>();

  const stub = (env: PipelineEnv, object: string) => env.PIPELINE.get(env.PIPELINE.idFromName(object) as never);

  const objects = async (env: PipelineEnv): Promise<string[]> => {
    const response = await stub(env, CONTROL_OBJECT).fetch("https://object/objects");
    if (!response.ok) throw new Error(`worker: listing objects answered ${response.status}: ${await response.text()}`);
    return [CONTROL_OBJECT, ...((await response.json()) as string[])];
  };

  const each = async (env: PipelineEnv, method: string, path: string): Promise<ObjectMetrics[]> =>
    Promise.all(
      (await objects(env)).map(async (name) => {
        const response = await stub(env, name).fetch(`https://object${path}`, { method });
        if (!response.ok) throw new Error(`worker: ${method} ${path} on object ${name} answered ${response.status}: ${await response.text()}`);
        // An object that has not yet seen a batch does not know its own name.
        return { ...((await response.json()) as ObjectMetrics), object: name };
      }),
    );

  app.post("/ingest/:source", async (c) => {
    const name = c.req.param("source");
    // Own names only: `__proto__` or `constructor` would otherwise find Object's and answer 500.
    const source = Object.hasOwn(config.sources, name) ? config.sources[name] : undefined;
    // The pipeline's source and secret names are for its operator: /ingest is on the open internet.
    const operator = () => adminRefusal(c.env, c.req.header("authorization"), "") === null;
    if (!source) {
      const known = operator() ? ` (this pipeline has ${Object.keys(config.sources).join(", ")})` : "";
      return c.json({ error: `ingest: no webhook source ${JSON.stringify(name)}${known}` }, 404);
    }
    const limits = operatorLimits(c.env, config.limits);
    // The operator's mistake, not the sender's: a 500 it retries, taken once the var is mended.
    if (!limits.ok) return c.json({ error: limits.reason }, 500);
    const max = limits.limits.maxBodyBytes;
    // The sender's delivery log shows this answer to the operator, who can raise the limit.
    const raise = `; the Worker's operator can raise it with the var ${BINDINGS.maxBodyBytes}, or the sender can send smaller deliveries`;
    const declared = Number(c.req.header("content-length") ?? NaN);
    if (declared > max) return c.json({ error: `ingest: body of ${declared} bytes is over the limit of ${max}${raise}` }, 413);
    const body = await readLimited(c.req.raw, max, declared);
    if (body === null) return c.json({ error: `ingest: body is over the limit of ${max} bytes${raise}` }, 413);
    // The operator's token of a `signature: none` source is a header: checked before any decompressing, so no one
    // without it makes the Worker inflate a body.
    if (source.signature === "none") {
      const refused = adminRefusal(c.env, c.req.header("authorization"), `ingest: source ${name} has signature: none, so a delivery needs Authorization: Bearer <${BINDINGS.adminToken}>`);
      if (refused) return c.json({ error: refused }, 401);
    }
    // A compressed body (gzip, deflate) is decompressed, bounded by the same limit; another coding is a 415 naming
    // what is taken, a stream cut short or corrupt a 400. Before the signature, which may be over either form.
    const decoded = await decodeBody(c.req.raw.headers, body, max);
    if (!decoded.ok) return c.json({ error: decoded.status === 413 ? `${decoded.reason}${raise}` : decoded.reason }, decoded.status);
    const plain = decoded.body;
    // A body in a charset other than UTF-8: a 415 saying so, before it is read as UTF-8 text.
    const unreadable = encodingRefusal(c.req.raw.headers, plain);
    if (unreadable !== null) return c.json({ error: unreadable }, 415);

    if (source.signature !== "none") {
      const secret = source.secret === null ? undefined : c.env[source.secret];
      if (typeof secret !== "string" || secret === "") {
        const fix = operator() ? `: wrangler secret put ${source.secret}` : "";
        return c.json({ error: `ingest: source ${name} cannot verify deliveries: its secret is not set on this Worker${fix}` }, 503);
      }
      // The operator's mistake, as an unset secret is: every delivery was a 401 saying the signature did not verify.
      if (source.signature === "standard" && standardKey(secret) === null) {
        const fix = operator() ? `: wrangler secret put ${source.secret} with the endpoint's secret as the provider shows it, whsec_<base64>` : "";
        return c.json({ error: `ingest: source ${name} cannot verify deliveries: its secret is not a Standard Webhooks secret${fix}` }, 503);
      }
      // Over the bytes as sent; a sender that signs its payload and then compresses it, over them decompressed.
      const scheme = source.signature;
      const check = (signed: Uint8Array) => verifyDelivery({ scheme, secret, headers: c.req.raw.headers, body: signed, nowSeconds: Math.floor(now() / 1000) });
      const verdict = await check(body);
      if (!verdict.ok && (plain === body || !(await check(plain)).ok)) return c.json({ error: plain === body ? verdict.reason : `${verdict.reason} (checked over the body as sent and decompressed)` }, 401);
      const challenge = source.signature === "slack" ? slackChallenge(plain) : null;
      if (challenge !== null) return c.json({ challenge }, 200);
    }

    // GitHub's default content type sends the JSON as a form field (verified above as sent).
    const form = source.format === "csv" ? { ok: true as const, body: plain } : formPayload(plain, c.req.header("content-type"));
    if (!form.ok) return c.json({ error: form.reason, position: null }, 400);
    let parsed;
    try {
      parsed = parseBody(form.body, source.format, realsMatter[name]);
    } catch (error) {
      // A form's payload: its bytes percent-decoded, so a position is in the payload, not in the body as sent.
      const where = form.body !== plain && error instanceof BodyError && /^parse: the body is not valid UTF-8/.test(error.message) ? " (in the form's payload field, percent-decoded: send it percent-encoded UTF-8)" : "";
      if (error instanceof BodyError) return c.json({ error: `${error.message}${where}`, position: error.position }, 400);
      throw error;
    }
    const receivedAt = now();
    const at = new Date(receivedAt).toISOString();
    // Stripe's and Slack's own event id in the signed body (per source: one object serves every source of a sink), so a
    // retry signed anew is a duplicate; else their signed digest, else the delivery header.
    // Over the body decompressed, which the signature vouches for either way: a Stripe event id is read from it.
    const delivery = await deliveryKey(source, c.req.raw.headers, plain, name);
    // `metadata:` and `headers:` columns, as the gateway adds them to the notebook's sample.
    if (wantsDeliveryColumns(source)) parsed = withDeliveryColumnsParsed(parsed, deliveryColumns(source, { receivedAt, headers: c.req.raw.headers }));
    const batches = route(name, parsed.events, parsed.raws, at, delivery);
    if (parsed.bad.length) {
      let control = batches.find((b) => b.object === CONTROL_OBJECT);
      if (!control) batches.push((control = { object: CONTROL_OBJECT, sink: null, rows: [], raws: null, deadLetters: [], events: 0 }));
      // One push each: spread into one call, the letters of ~500k bad lines passed the engine's stack (a 500 on every retry).
      for (const b of parsed.bad) control.deadLetters.push({ reason: b.reason, raw: b.raw, source: name, at });
      batches[0]!.events += parsed.bad.length;
    }
    // What the delivery's dead letters keep of it, so a replay gives their events these columns again.
    const origin = deliveryOrigin(source, { receivedAt, headers: c.req.raw.headers });
    if (origin) for (const b of batches) for (const letter of b.deadLetters) if (letter.kind === undefined) letter.origin = origin;
    const texts = batches.map((b) => encodeBatch(b, delivery));
    const oversize = oversizeValue(batches, texts);
    if (oversize !== null) return c.json({ error: oversize }, 413);
    const overRpc = texts.findIndex((t) => rpcBytes(t) > MAX_RPC_BYTES);
    if (overRpc >= 0) {
      const b = batches[overRpc]!;
      return c.json(
        {
          error: `ingest: the delivery makes ${b.rows.length} rows and ${b.deadLetters.length} dead letters for ${b.sink === null ? "the dead-letter buffer" : `sink ${b.sink}`}, ${rpcBytes(texts[overRpc]!)} bytes, more than the ${MAX_RPC_BYTES} a Durable Object takes in one call; nothing of it was stored: send it in smaller deliveries`,
        },
        413,
      );
    }
    const answers = await Promise.allSettled(batches.map((b, i) => commit(c.env, b.object, texts[i]!)));
    const failed = answers.flatMap((a) => (a.status === "rejected" ? [a.reason instanceof Error ? a.reason.message : String(a.reason)] : []));
    if (failed.length) {
      // The storage's own words are the operator's (logged, and answered to the operator's token): /ingest is on the open internet.
      const reference = crypto.randomUUID().slice(0, 8);
      console.error(`runnel worker: ingest ${reference}: ${failed.length} of ${batches.length} buffers did not commit: ${failed.join("; ")}`);
      const operator = adminRefusal(c.env, c.req.header("authorization"), "") === null;
      return c.json({ error: `ingest: ${failed.length} of ${batches.length} buffers did not commit; retry the delivery (reference ${reference} in the Worker's log)`, ...(operator ? { causes: failed } : {}) }, 503);
    }
    const duplicate = answers.every((a) => a.status === "fulfilled" && a.value);
    return c.json(
      {
        events: parsed.events.length + parsed.bad.length,
        rows: batches.reduce((n, b) => n + b.rows.length, 0),
        deadLetters: batches.reduce((n, b) => n + b.deadLetters.length, 0),
        duplicate,
      },
      202,
    );
  });

  /** True when the object had this delivery already. JS RPC: no Request, Response or body stream per call. */
  const commit = (env: PipelineEnv, object: string, text: string): Promise<boolean> => stub(env, object).commit(text);

  // The operator's routes, behind RUNNEL_ADMIN_TOKEN (otherwise anyone who finds the Worker
  // can read its bucket names and errors, and force flushes).
  app.use("/metrics", async (c, next) => {
    const refused = adminRefusal(c.env, c.req.header("authorization"), `worker: ${c.req.method} ${c.req.path} needs Authorization: Bearer <${BINDINGS.adminToken}>`);
    return refused ? c.json({ error: refused }, 401) : next();
  });
  app.use("/flush", async (c, next) => {
    const refused = adminRefusal(c.env, c.req.header("authorization"), `worker: ${c.req.method} ${c.req.path} needs Authorization: Bearer <${BINDINGS.adminToken}>`);
    return refused ? c.json({ error: refused }, 401) : next();
  });
  app.get("/metrics", async (c) => c.json(total(await each(c.env, "GET", "/metrics"))));
  app.post("/flush", async (c) => c.json(total(await each(c.env, "POST", "/flush"))));
  app.notFound((c) => c.json({ error: `worker: no route for ${c.req.method} ${c.req.path}; the routes are POST /ingest/<source>, GET /metrics and POST /flush` }, 404));
  // An unexpected failure's words name bindings, buckets and storage: the operator's only (their token, or the log under the reference).
  app.onError((error, c) => {
    const text = `${error.message.startsWith("worker: ") ? "" : "worker: "}${error.message}${error.cause instanceof Error ? ` (cause: ${error.cause.message})` : ""}`;
    const reference = crypto.randomUUID().slice(0, 8);
    console.error(`runnel worker: ${c.req.method} ${c.req.path} ${reference}: ${text}`);
    if (adminRefusal(c.env, c.req.header("authorization"), "") === null) return c.json({ error: text, reference }, 500);
    return c.json({ error: `worker: the request failed in the Worker; its operator finds the reason in the Worker's log (wrangler tail) under reference ${reference}`, reference }, 500);
  });

  const handler = { fetch: (request, env, ctx) => app.fetch(request, env, ctx as never) } satisfies ExportedHandler<PipelineEnv>;
  return { handler, PipelineObject: pipelineObjectClass(config, deps) };
}

const utf8 = new TextEncoder();

/** What one JS RPC call may carry (32 MiB on Cloudflare and in workerd), less room for the call's own framing. */
export const MAX_RPC_BYTES = 32 * 1024 * 1024 - 64 * 1024;

/** The bytes a string takes serialized for RPC: one a character while every one is Latin-1, else two (V8's two encodings). */
function rpcBytes(text: string): number {
  if (text.length * 2 <= MAX_RPC_BYTES) return text.length;
  return /[^\u0000-\u00ff]/.test(text) ? text.length * 2 : text.length;
}

/** The most a Durable Object's SQLite stores in one value: 2 MB on Cloudflare (local workerd allows more). */
export const MAX_VALUE_BYTES = 2_000_000;

/**
 * Why a delivery's row or dead letter cannot be stored, or null: each is one SQLite value in its Durable
 * Object, and one past 2 MB failed the commit (SQLITE_TOOBIG), a 503 on every retry of the delivery, so
 * the sender retried for days and nothing of it was written. A 413 tells the sender instead. A batch's
 * text (`texts[i]`) holds each of its rows and letters, quoted: a batch whose text is within the limit
 * at 3 UTF-8 bytes a character cannot hold one past it, and is not measured. (Bounded by the batch's
 * text, not the body's: a cell's SQL can make a row far larger than its event, `lpad(x, 3000000)`.)
 */
function oversizeValue(batches: Batch[], texts: string[]): string | null {
  // UTF-8 bytes of the value's JSON text, encoded only where its characters could pass the limit.
  const size = (value: unknown) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length * 3 <= MAX_VALUE_BYTES ? text.length : utf8.encode(text).length;
  };
  const refuse = (what: string, bytes: number) =>
    `ingest: ${what} takes ${bytes} bytes as stored, more than the ${MAX_VALUE_BYTES} a Durable Object keeps in one value; nothing of the delivery was stored: send it in smaller events`;
  for (const [i, b] of batches.entries()) {
    if (texts[i]!.length * 3 <= MAX_VALUE_BYTES) continue;
    for (const letter of b.deadLetters) {
      const bytes = size(letter);
      if (bytes > MAX_VALUE_BYTES) return refuse(`an event of the body that is a dead letter (${letter.reason.slice(0, 200)})`, bytes);
    }
    for (const row of b.rows) {
      const bytes = size(row);
      if (bytes > MAX_VALUE_BYTES) return refuse(`a row of ${b.sink ?? "a sink"}`, bytes);
    }
  }
  return null;
}

/**
 * Why a request to an operator route (or to a `signature: none` source) is refused,
 * or null: it must carry RUNNEL_ADMIN_TOKEN as a bearer token, compared in constant
 * time. A Worker without the token refuses them all: a deployed Worker is on the open
 * internet, where an open `/flush` or unsigned ingest lets anyone write to the lake
 * (`runnel dev-edge` makes a token for local runs).
 */
function adminRefusal(env: Record<string, unknown>, authorization: string | undefined, why: string): string | null {
  const want = env[BINDINGS.adminToken];
  if (typeof want !== "string" || want === "") return `${why}, and this Worker has none set (npx wrangler secret put ${BINDINGS.adminToken})`;
  const given = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (given === undefined) return why;
  return bytesEqual(utf8.encode(given), utf8.encode(want)) ? null : `${why}; the token given does not match`;
}

function total(objects: ObjectMetrics[]): PipelineMetrics {
  const sum = (k: keyof ObjectMetrics) => objects.reduce((n, o) => n + ((o[k] as number | null) ?? 0), 0);
  const oldest = objects.map((o) => o.oldestBufferedMs).filter((x): x is number => x !== null);
  const flushes = objects.map((o) => o.lastFlush).filter((x): x is string => x !== null).sort();
  return {
    eventsIn: sum("eventsIn"),
    rowsOut: sum("rowsOut"),
    files: sum("files"),
    bytes: sum("bytes"),
    deadLetters: sum("deadLetters"),
    lateEvents: sum("lateEvents"),
    bufferRows: sum("bufferRows"),
    windowRows: sum("windowRows"),
    oldestBufferedMs: oldest.length ? Math.max(...oldest) : null,
    lastFlush: flushes.at(-1) ?? null,
    // Each error starts with its ISO time, so the greatest is the newest.
    lastError: objects.flatMap((o) => (o.lastError === null ? [] : [{ at: o.lastError.slice(0, 24), text: `${o.object}: ${o.lastError}` }])).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).at(-1)?.text ?? null,
    objects,
  };
}

/**
 * The body's bytes, or null as soon as it passes `max` (the rest is never
 * read). A body with a declared length (checked against `max` by the caller)
 * is framed by it, so it is read whole in one call; a body without one
 * (chunked) is read chunk by chunk and dropped at the limit.
 */
async function readLimited(request: Request, max: number, declared: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  if (Number.isInteger(declared) && declared >= 0 && declared <= max) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.length > max ? null : bytes;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return joinChunks(chunks, size);
}
