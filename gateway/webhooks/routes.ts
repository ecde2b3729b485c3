import type { IncomingMessage, ServerResponse } from "node:http";
import { Hono } from "hono";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { asGatewayError, describeError, GatewayError } from "../http/error.ts";
import { securityHeaders } from "../http/headers.ts";
import { limitBody, tooLarge } from "../http/limits.ts";
import type { Logger } from "../log.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf, resolveSource } from "../sources/resolve.ts";
import { captureIdOf, type WebhookSource } from "../sources/webhook-source.ts";
import { secretsEqual } from "../token.ts";
import { type HeaderReader, verifyDelivery } from "./verify.ts";
import { slackChallenge } from "../../edge/verify/verify.ts";
import { encodingRefusal } from "../../edge/worker/body-encoding.ts";
import { decodeBody } from "../../edge/worker/decompress.ts";
import { formPayload } from "../../edge/worker/form-body.ts";
import { BodyError, parseBody } from "../../edge/worker/parse.ts";

export interface HookRouteOptions {
  store: NotebookStore;
  registry: SourceRegistry;
  /** Where secrets come from: the notebook names a variable, this holds its value. */
  env: Record<string, string | undefined>;
  /** The gateway token, required on `signature: none` sources (anyone could post otherwise). */
  token: string;
  maxBytes: number;
  now: () => number;
  log: Logger;
}

type WebhookSpec = Extract<SourceSpec, { kind: "webhook" }>;

/** The answer's headers as a plain object, which @hono/node-server writes without building web Headers. */
const answerHeaders: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json", ...securityHeaders });

/** What a delivery is answered with when it is stored (202) or a retry of one kept (200). */
interface Answer {
  status: 200 | 202;
  body: string;
}

/** Webhook capture, served two ways that share everything but the HTTP plumbing. */
export interface HookCapture {
  /** The Hono routes under `/hooks` (what `app.request` reaches, and every request `serve` declines). */
  routes: Hono;
  /**
   * Serves a plain `POST /hooks/<notebook>/<source>` with a Content-Length
   * straight from Node's request and response, without @hono/node-server's web
   * Request and Response or Hono's middleware chain (together more than half a
   * delivery's CPU time); false, having touched nothing, for any other request
   * (query strings, percent-escapes, dot segments, chunked bodies), which Hono serves.
   */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
}

/** A path whose segments are plain characters: nothing to decode or normalise, so both ways read it alike. */
const plainHookPath = /^\/hooks\/[\w.-]+(?:\/[\w.-]+)+$/;

/**
 * `POST /hooks/<notebook>/<source>`: a webhook delivery for a notebook's
 * webhook source. Verified as the source's `signature:` says before anything
 * is stored; a failed check is 401 and leaves no trace but a log line.
 * 202 `{ id }` once stored; 200 `{ id, duplicate: true }` for a retry
 * of a delivery id already kept.
 */
export function hookCapture(options: HookRouteOptions): HookCapture {
  // The notebook store hands out the same spec object until the file changes, so the
  // capture is looked up in the registry (which compares whole specs) once per spec.
  const captures = new WeakMap<WebhookSpec, Promise<WebhookSource>>();
  const captureOf = (path: string, spec: WebhookSpec): Promise<WebhookSource> => {
    let capture = captures.get(spec);
    if (!capture) {
      capture = options.registry.capture(path, spec);
      captures.set(spec, capture);
      // A failed open is retried by the next delivery, as the registry does.
      capture.catch(() => captures.delete(spec));
    }
    return capture;
  };

  /**
   * What a caller without the gateway token learns when a delivery cannot be taken:
   * the status, not the notebook's sources or the names of its secrets' variables
   * (a gateway whose /hooks are exposed through a tunnel answers the internet).
   * Refusals of a signature (401) keep their reason, which a sender needs.
   */
  const accept = async (rest: string, headers: HeaderReader, readBody: () => Promise<Uint8Array>): Promise<Answer> => {
    try {
      return await take(rest, headers, readBody);
    } catch (err) {
      if (!(err instanceof GatewayError) || (err.status !== 404 && err.status < 500)) throw err;
      const given = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (given !== undefined && secretsEqual(given, options.token)) throw err;
      options.log.warn("webhook not taken", { path: `/hooks/${rest}`, status: err.status, reason: err.message });
      throw new GatewayError(
        err.status,
        err.code,
        err.status === 404
          ? "webhook: no webhook source at this path; deliveries go to /hooks/<notebook>/<source> (the gateway's owner sees why in its log, or with the gateway token)"
          : "webhook: this source cannot take deliveries now (the gateway's owner sees why in its log, or with the gateway token)",
      );
    }
  };

  /** Everything after `/hooks/`, the request's headers, and its body once the source is known to exist. */
  const take = async (rest: string, headers: HeaderReader, readBody: () => Promise<Uint8Array>): Promise<Answer> => {
    const cut = rest.lastIndexOf("/");
    if (cut <= 0) throw new GatewayError(404, "not_found", "webhook: expected /hooks/<notebook>/<source>");
    const path = notebookPathOf(rest.slice(0, cut));
    const name = rest.slice(cut + 1);
    const spec = await resolveSource(options.store, path, name).catch((err: unknown) => {
      // A path the notebooks root refuses (a file taken for a folder, a link out of the root, a folder) names no
      // webhook source either: told as one, a caller without the token learns nothing of the root's files.
      throw err instanceof GatewayError && err.status === 400 ? new GatewayError(404, "not_found", err.message, { cause: err }) : err;
    });
    if (spec.kind !== "webhook") throw new GatewayError(404, "not_found", `webhook: source ${name} of ${path} is a ${spec.kind} source, not a webhook`);
    const body = await readBody();
    // Read as the published Worker reads it (`decodeBody`, shared): a gzip or deflate body decompressed within the
    // same limit, another coding a 415 naming what is taken, a stream cut short or corrupt a 400; then a charset
    // other than UTF-8 a 415. Each with the Worker's reason (naming the gateway as the reader), before the signature.
    const decoded = await decodeBody(headers, body, options.maxBytes, "the runnel gateway");
    if (!decoded.ok) throw new GatewayError(decoded.status, decoded.status === 415 ? "unsupported_media_type" : decoded.status === 413 ? "payload_too_large" : "bad_request", decoded.reason);
    const plain = decoded.body;
    const unreadable = encodingRefusal(headers, plain, "the runnel gateway");
    if (unreadable !== null) throw new GatewayError(415, "unsupported_media_type", unreadable);

    if (spec.signature === "none") {
      const given = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!given || !secretsEqual(given, options.token)) {
        throw new GatewayError(401, "unauthorized", `webhook: ${name} of ${path} has signature: none, so a delivery needs the gateway token`);
      }
    } else {
      const secret = spec.secret === null ? undefined : options.env[spec.secret];
      if (!secret) {
        throw new GatewayError(503, "unavailable", `webhook: the secret for ${name} of ${path} is not set; export ${spec.secret} before starting the gateway`);
      }
      // Over the bytes as sent; a sender that signs its payload and then compresses it, over them decompressed.
      const scheme = spec.signature;
      const check = (signed: Uint8Array) => verifyDelivery({ scheme, secret, headers, body: signed, nowSeconds: Math.floor(options.now() / 1000) });
      const verdict = check(body);
      if (!verdict.ok && (plain === body || !check(plain).ok)) {
        const reason = plain === body ? verdict.reason : `${verdict.reason} (checked over the body as sent and decompressed)`;
        options.log.warn("webhook refused", { notebook: path, source: name, reason });
        throw new GatewayError(401, "unauthorized", reason);
      }
      const challenge = spec.signature === "slack" ? slackChallenge(plain) : null;
      if (challenge !== null) return { status: 200, body: JSON.stringify({ challenge }) };
    }

    // An empty body to a json source: the Worker's 400 saying so (it was stored, and the sample showed an error row).
    const empty = spec.format === "json" ? emptyJsonBody(plain, headers.get("content-type")) : null;
    if (empty !== null) throw new GatewayError(400, "bad_request", empty.message, { extra: { position: empty.position } });

    const capture = await captureOf(path, spec);
    // Kept decompressed: the sample reads what the pipeline reads, and the id is the Worker's (over these bytes).
    const delivery = await capture.receive(plain, headers, options.now());
    if (delivery === null) {
      const id = (await captureIdOf(spec, headers, plain)) ?? "";
      return { status: 200, body: `{"id":${JSON.stringify(id)},"duplicate":true}` };
    }
    return { status: 202, body: `{"id":${JSON.stringify(delivery.id)}}` };
  };

  const routes = new Hono();
  routes.post("/:rest{.+}", limitBody(options.maxBytes), async (c) => {
    // Read header by header: c.req.raw.headers would build a full Headers object per delivery.
    const headers = { get: (name: string) => c.req.header(name) ?? null };
    const answer = await accept(c.req.param("rest"), headers, async () => new Uint8Array(await c.req.arrayBuffer()));
    return new Response(answer.body, { status: answer.status, headers: answerHeaders });
  });

  const serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (req.method !== "POST" || !plainHookPath.test(url) || url.includes("/.")) return false;
    // Node's parser has refused a Content-Length that is not a number; a chunked body is Hono's.
    const headers = rawHeaderReader(req.rawHeaders);
    const length = headers.get("content-length");
    if (length === null || headers.get("transfer-encoding") !== null) return false;
    const started = performance.now();
    const answered = Number(length) > options.maxBytes
      ? Promise.reject(tooLarge(options.maxBytes))
      : accept(url.slice("/hooks/".length), headers, () => readBody(req));
    answered
      .then(
        (answer) => reply(res, options.log, url, started, answer.status, answer.body, answerHeaders),
        (err: unknown) => {
          const error = asGatewayError(err, options.log, "POST", url);
          reply(res, options.log, url, started, error.status, error.body(), error.responseHeaders());
        },
      )
      // Writing the answer failed (the socket is in a state Node refuses); nothing to answer on.
      .catch((err: unknown) => options.log.error("webhook: could not send the answer", { path: url, error: describeError(err) }));
    return true;
  };

  return { routes, serve };
}

/**
 * The Worker's refusal of a `json` body that is nothing but white space (after a form's `payload`, as the Worker
 * reads it), or null. Any printable ASCII byte settles it at once, so a delivery's cost is a byte or two.
 */
function emptyJsonBody(body: Uint8Array, contentType: string | null): BodyError | null {
  const form = formPayload(body, contentType);
  if (!form.ok) return null;
  for (const byte of form.body) if (byte > 0x20 && byte < 0x7f) return null;
  let text: string;
  try {
    text = strictUtf8.decode(form.body);
  } catch {
    return null;
  }
  if (text.trim() !== "") return null;
  try {
    parseBody(form.body, "json");
  } catch (error) {
    if (error instanceof BodyError) return error;
    throw error;
  }
  return null;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Answers a delivery the fast path served, and logs it as the Hono middleware logs a request. */
function reply(res: ServerResponse, log: Logger, path: string, started: number, status: number, body: string, headers: Readonly<Record<string, string>>): void {
  res.writeHead(status, headers);
  res.end(body);
  log.info("request", { method: "POST", path, status, ms: Math.round(performance.now() - started) });
}

/**
 * Reads headers from Node's raw list as web `Headers.get` does: any case,
 * repeated headers joined with ", " (Node's own `req.headers` keeps only the
 * first Authorization or Content-Type, which a check must not be fooled by).
 */
function rawHeaderReader(raw: string[]): HeaderReader {
  return {
    get(name: string): string | null {
      const lower = name.toLowerCase();
      let value: string | null = null;
      for (let i = 0; i < raw.length; i += 2) {
        const key = raw[i]!;
        if (key.length !== lower.length || key.toLowerCase() !== lower) continue;
        const v = raw[i + 1]!.trim();
        value = value === null ? v : `${value}, ${v}`;
      }
      return value;
    },
  };
}

/** The whole body as one buffer (Node's parser copies each chunk, so it can be kept). */
function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Closed while the source was being looked up: no 'close' event is coming any more.
    if (req.destroyed) return reject(new Error("webhook: the client closed the connection before the body was read"));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", (err) => reject(new Error("webhook: the request body could not be read", { cause: err })));
    req.on("close", () => {
      if (!req.complete) reject(new Error("webhook: the client closed the connection before the body ended"));
    });
  });
}
